//! `where`, `sort`, `bm25`, `hybrid`, `groupBy` and `autocut` of Get: the strings the v3 client
//! writes (client-wire.md 2.2 and the captures in 2) and Weaviate's rules for combining them.

use model::{Fusion, GroupBy, SortBy, Threshold, VectorSearch};
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};

use super::tests::{invalid, query, refused};

fn cond(path: &str, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path: FilterPath::Property(path.into()),
        operator,
        value,
    })
}

#[test]
fn captured_where_and_or_with_all_value_types() {
    let q = query(
        r#"{Get{Article(where: {operator: And operands: [{path: ["title"] operator: Like valueText: "fox*"}, {operator: Or operands: [{path: ["wordCount"] operator: LessThanEqual valueNumber: 1.5}, {path: ["published"] operator: Equal valueBoolean: true}]}, {path: ["tags"] operator: ContainsAny valueText: ["a","b"]}, {path: ["date"] operator: GreaterThan valueDate: "2020-01-01T00:00:00Z"}, {path: ["title"] operator: IsNull valueBoolean: false}]} ){title}}}"#,
    );
    let expected = Filter::And(vec![
        cond("title", Operator::Like, FilterValue::Text("fox*".into())),
        Filter::Or(vec![
            cond(
                "wordCount",
                Operator::LessThanEqual,
                FilterValue::Number(1.5),
            ),
            cond("published", Operator::Equal, FilterValue::Boolean(true)),
        ]),
        cond(
            "tags",
            Operator::ContainsAny,
            FilterValue::TextList(vec!["a".into(), "b".into()]),
        ),
        cond(
            "date",
            Operator::GreaterThan,
            FilterValue::Date("2020-01-01T00:00:00Z".into()),
        ),
        cond("title", Operator::IsNull, FilterValue::Boolean(false)),
    ]);
    assert_eq!(q.filter, Some(expected));
}

#[test]
fn captured_where_with_near_vector() {
    let q = query(
        r#"{Get{Article(where: {path: ["wordCount"] operator: GreaterThan valueInt: 100} limit: 2 nearVector: {vector: [0.1, 0.2, 0.3] distance: 0.5} ){title wordCount _additional {distance id }}}}"#,
    );
    assert_eq!(
        q.filter,
        Some(cond(
            "wordCount",
            Operator::GreaterThan,
            FilterValue::Int(100)
        ))
    );
    assert!(matches!(
        q.vector_search,
        Some(VectorSearch::NearVector {
            threshold: Some(Threshold::Distance(_)),
            ..
        })
    ));
}

#[test]
fn value_int_list_and_number_lists() {
    let q = query(
        r#"{Get{Article(where: {path: ["ratings"] operator: ContainsAny valueInt: [5]}){title}}}"#,
    );
    assert_eq!(
        q.filter,
        Some(cond(
            "ratings",
            Operator::ContainsAny,
            FilterValue::IntList(vec![5])
        ))
    );
    let q = query(
        r#"{Get{Article(where: {path: ["x"] operator: ContainsAny valueNumber: [1, 2.5]}){title}}}"#,
    );
    assert_eq!(
        q.filter,
        Some(cond(
            "x",
            Operator::ContainsAny,
            FilterValue::NumberList(vec![1.0, 2.5])
        ))
    );
    let q =
        query(r#"{Get{Article(where: {path: ["id"] operator: Equal valueString: "u"}){title}}}"#);
    assert_eq!(
        q.filter,
        Some(Filter::Condition(Condition {
            path: FilterPath::Id,
            operator: Operator::Equal,
            value: FilterValue::Text("u".into()),
        }))
    );
}

#[test]
fn where_literal_errors_are_graphql_go_validation() {
    assert_eq!(
        invalid(r#"{Get{Article(where: {path: ["a"] operator: Equal valueInt: "5"}){title}}}"#),
        ["Argument \"where\" has invalid value {operator: Equal, path: [\"a\"], valueInt: \"5\"}.\nIn field \"valueInt\": Expected type \"IntGetObjectsArticle\", found \"5\"."]
    );
    assert_eq!(
        invalid(r#"{Get{Article(where: {path: ["a"] operator: "Equal" valueText: "x"}){title}}}"#),
        ["Argument \"where\" has invalid value {operator: \"Equal\", path: [\"a\"], valueText: \"x\"}.\nIn field \"operator\": Expected type \"GetObjectsArticleWhereOperatorEnum\", found \"Equal\"."]
    );
    let messages = invalid(
        r#"{Get{Article(where: {operator: And operands: [{path: ["a"] operator: Equal valueText: 1 nope: 2}]}){title}}}"#,
    );
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0]
            .contains("In field \"operands\": In element #0: In field \"nope\": Unknown field."),
        "{messages:?}"
    );
    assert!(
        messages[0].contains("Expected type \"TextGetObjectsArticle\", found 1."),
        "{messages:?}"
    );
    let messages = invalid(
        r#"{Get{Article(where: {path: ["l"] operator: WithinGeoRange valueGeoRange: {distance: {max: 1}}}){title}}}"#,
    );
    assert!(
        messages[0].ends_with("In field \"valueGeoRange\": In field \"geoCoordinates\": Expected \"GetObjectsArticleWhereGeoRangeGeoCoordinatesInpObj!\", found null."),
        "{messages:?}"
    );
}

#[test]
fn where_resolver_errors() {
    assert_eq!(
        refused(r#"{Get{Article(where: {path: ["a"] operator: Not valueText: "x"}){title}}}"#),
        "could not extract filters: unrecognized operator: Not"
    );
    assert_eq!(
        refused(r#"{Get{Article(where: {path: ["a"] operator: Equal}){title}}}"#),
        "could not extract filters: invalid where filter: got operator 'Equal', but no value<Type> field set"
    );
    assert_eq!(
        refused(
            r#"{Get{Article(where: {path: ["author", "Author"] operator: Equal valueText: "x"}){title}}}"#
        ),
        "could not extract filters: invalid where filter: missing an argument after 'Author'"
    );
}

#[test]
fn captured_sort_and_offset() {
    let q = query(
        r#"{Get{Article(limit: 5 offset: 10 sort: [{ path: ["wordCount"] order: desc } ]){title}}}"#,
    );
    assert_eq!((q.limit, q.offset), (Some(5), 10));
    assert_eq!(
        q.sort,
        [SortBy {
            path: "wordCount".into(),
            descending: true
        }]
    );
    let q = query(r#"{Get{Article(sort: {path: ["title"]}){title}}}"#);
    assert_eq!(
        q.sort,
        [SortBy {
            path: "title".into(),
            descending: false
        }],
        "a single object is a list of one; the default order is asc"
    );
}

#[test]
fn sort_rules() {
    assert_eq!(
        refused(r#"{Get{Article(sort: [{path: []}, {path: ["a", "B", "c"]}]){title}}}"#),
        "invalid 'sort' parameter: sort parameter at position 0: path parameter cannot be empty, \
         sort parameter at position 1: sorting by reference not supported, path must have \
         exactly one argument"
    );
    assert_eq!(
        invalid(r#"{Get{Article(sort: [{path: ["a"] order: "desc"}]){title}}}"#),
        ["Argument \"sort\" has invalid value [{order: \"desc\", path: [\"a\"]}].\nIn element #0: In field \"order\": Expected type \"GetObjectsArticleSortInpObjTypeEnum\", found \"desc\"."]
    );
    assert_eq!(
        refused(r#"{Get{Article(sort: [{path: ["a"]}] bm25: {query: "x"}){title}}}"#),
        "bm25 search is not compatible with sort"
    );
    assert_eq!(
        refused(r#"{Get{Article(sort: [{path: ["a"]}] hybrid: {query: "x"}){title}}}"#),
        "hybrid search is not compatible with sort"
    );
    assert!(
        query(r#"{Get{Article(sort: [{path: ["a"]}] nearVector: {vector: [1]}){title}}}"#)
            .sort
            .is_empty(),
        "Weaviate ignores sort in a vector search"
    );
}

#[test]
fn captured_bm25() {
    let q = query(
        r#"{Get{Article(limit: 3 bm25:{query: "fox", properties: ["title"]}){title _additional {score }}}}"#,
    );
    let keyword = q.keyword.expect("bm25");
    assert_eq!(keyword.query, "fox");
    assert_eq!(keyword.properties, [("title".to_string(), 1.0)]);
    let q = query(r#"{Get{Article(bm25:{query: "lazy dog"}){title}}}"#);
    assert!(q
        .keyword
        .is_some_and(|k| k.properties.is_empty() && k.query == "lazy dog"));
    let q =
        query(r#"{Get{Article(bm25:{query: "zebra"properties: ["title^5", "body^0.5"]}){title}}}"#);
    assert_eq!(
        q.keyword.map(|k| k.properties),
        Some(vec![("title".to_string(), 5.0), ("body".to_string(), 0.5)])
    );
    assert!(!q.explain);
}

#[test]
fn bm25_rules() {
    assert_eq!(
        refused(r#"{Get{Article(bm25: {query: "x"} nearVector: {vector: [1]}){title}}}"#),
        "conflict: both near<Media> and keyword-based (bm25) arguments present, choose one"
    );
    assert_eq!(
        refused(r#"{Get{Article(bm25: {properties: ["title"]}){title}}}"#),
        "keyword search (bm25) must have query set"
    );
    assert_eq!(
        refused(r#"{Get{Article(bm25: {query: "x", properties: ["title^x"]}){title}}}"#),
        "failed to extract bm25 params: invalid boost in property 'title^x': the part after '^' \
         must be a non-negative number"
    );
    assert_eq!(
        refused(r#"{Get{Article(bm25: {query: "x"} hybrid: {query: "x"}){title}}}"#),
        "conflict: both bm25 and hybrid arguments present, choose one"
    );
}

#[test]
fn captured_hybrid() {
    let q = query(
        r#"{Get{Article(limit: 3 hybrid:{query: "fox", vector: [0.1, 0.2, 0.3], alpha: 0.5}){title _additional {explainScore score }}}}"#,
    );
    let hybrid = q.hybrid.expect("hybrid");
    assert_eq!((hybrid.query.as_str(), hybrid.alpha), ("fox", 0.5));
    assert_eq!(hybrid.vector, Some(vec![0.1, 0.2, 0.3]));
    assert_eq!(hybrid.fusion, Fusion::RelativeScoreFusion);
    assert!(q.explain, "explainScore is selected");
    let q = query(
        r#"{Get{Article(hybrid:{query: "fox", alpha: 0.25, properties: ["title^2"], fusionType: relativeScoreFusion}){title}}}"#,
    );
    let hybrid = q.hybrid.expect("hybrid");
    assert_eq!(hybrid.properties, [("title".to_string(), 2.0)]);
    assert_eq!((hybrid.alpha, hybrid.vector), (0.25, None));
    let q = query(
        r#"{Get{Article(hybrid:{query: "fox" fusionType: rankedFusion targetVectors: ["t"]}){title}}}"#,
    );
    let hybrid = q.hybrid.expect("hybrid");
    assert_eq!((hybrid.alpha, hybrid.fusion), (0.75, Fusion::RankedFusion));
    assert_eq!(hybrid.target_vectors, ["t"]);
}

#[test]
fn hybrid_rules() {
    assert_eq!(
        refused(r#"{Get{Article(hybrid: {query: "x", alpha: 1.5}){title}}}"#),
        "failed to extract hybrid params: alpha should be between 0.0 and 1.0"
    );
    assert_eq!(
        refused(r#"{Get{Article(hybrid: {query: "x", maxVectorDistance: 0.4}){title}}}"#),
        "failed to extract hybrid params: hybrid.maxVectorDistance is not supported by Shoal yet"
    );
    assert_eq!(
        refused(r#"{Get{Article(hybrid: {query: "x"} nearVector: {vector: [1]}){title}}}"#),
        "conflict: both near<Media> and hybrid arguments present, choose one"
    );
    assert_eq!(
        invalid(r#"{Get{Article(hybrid: {query: "x", fusionType: "rankedFusion"}){title}}}"#),
        ["Argument \"hybrid\" has invalid value {fusionType: \"rankedFusion\", query: \"x\"}.\nIn field \"fusionType\": Expected type \"FusionEnum\", found \"rankedFusion\"."]
    );
}

#[test]
fn captured_group_by_and_autocut() {
    let q = query(
        r#"{Get{Article(nearVector: {vector: [0.1, 0.2, 0.3]} groupBy:{path:["published"], groups:2, objectsPerGroup:3}){title}}}"#,
    );
    assert_eq!(
        q.group_by,
        Some(GroupBy {
            property: "published".into(),
            groups: 2,
            objects_per_group: 3
        })
    );
    let q = query(
        r#"{Get{Mt(nearVector: {vector: [0.1, 0.2, 0.3]} tenant: "t1"autocut: 1){_additional{id}}}}"#,
    );
    assert_eq!((q.autocut, q.tenant.as_deref()), (Some(1), Some("t1")));
    assert_eq!(query(r#"{Get{Article(autocut: -1){title}}}"#).autocut, None);
}

#[test]
fn group_by_rules() {
    assert_eq!(
        invalid(r#"{Get{Article(nearVector: {vector: [1]} groupBy:{path:["published"], groups:2}){title}}}"#),
        ["Argument \"groupBy\" has invalid value {groups: 2, path: [\"published\"]}.\nIn field \"objectsPerGroup\": Expected \"Int!\", found null."]
    );
    assert_eq!(
        refused(
            r#"{Get{Article(groupBy:{path:["published"], groups:2, objectsPerGroup:3}){title}}}"#
        ),
        "groupBy needs a vector search: combine it with nearVector, nearObject or hybrid"
    );
    assert_eq!(
        refused(
            r#"{Get{Article(nearVector: {vector: [1]} groupBy:{path:["a", "b"], groups:2, objectsPerGroup:3}){title}}}"#
        ),
        "groupBy: path must name exactly one property, got 2 elements"
    );
    assert_eq!(
        refused(
            r#"{Get{Article(nearVector: {vector: [1]} groupBy:{path:["a"], groups:0, objectsPerGroup:3}){title}}}"#
        ),
        "groupBy: groups must be a positive number, got 0"
    );
    assert!(query(r#"{Get{Article(hybrid: {query: "x"} groupBy:{path:["a"], groups:1, objectsPerGroup:1}){title}}}"#).group_by.is_some());
}

#[test]
fn cursor_excludes_where_sort_and_searches() {
    let prefix = "cursor api: invalid 'after' parameter: ";
    assert_eq!(
        refused(
            r#"{Get{Article(limit: 1 after: "" offset: 1 where: {path: ["a"] operator: Equal valueInt: 1} sort: {path: ["a"]}){title}}}"#
        ),
        format!("{prefix}offset,where,sort cannot be set with after and limit parameters")
    );
    assert_eq!(
        refused(r#"{Get{Article(limit: 1 after: "" bm25: {query: "x"}){title}}}"#),
        format!("{prefix}other params cannot be set with after and limit parameters")
    );
}
