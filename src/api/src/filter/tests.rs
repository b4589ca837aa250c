//! The shared `where` rules (filterext.Parse) and the REST JSON reader.

use serde_json::json;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};

use super::json::{where_input, TypeError};
use super::*;

fn rest(v: serde_json::Value) -> Result<Filter, String> {
    let input = where_input(&v, "match.where").map_err(|e| format!("{e:?}"))?;
    parse(&input)
}

fn cond(path: FilterPath, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path,
        operator,
        value,
    })
}

fn prop(name: &str) -> FilterPath {
    FilterPath::Property(name.into())
}

#[test]
fn captured_batch_delete_where() {
    assert_eq!(
        rest(json!({"path": ["text"], "operator": "Equal", "valueText": "t1"})),
        Ok(cond(
            prop("text"),
            Operator::Equal,
            FilterValue::Text("t1".into())
        ))
    );
    assert_eq!(
        rest(json!({"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 100})),
        Ok(cond(
            prop("wordCount"),
            Operator::GreaterThan,
            FilterValue::Int(100)
        ))
    );
}

#[test]
fn nested_operands_and_array_values() {
    let filter = rest(json!({"operator": "Or", "operands": [
        {"path": ["grp"], "operator": "Equal", "valueInt": 2},
        {"operator": "And", "operands": [
            {"path": ["tags"], "operator": "ContainsAll", "valueTextArray": ["a", "b"]},
            {"path": ["n"], "operator": "ContainsAny", "valueIntArray": [1, 2]},
            {"path": ["x"], "operator": "ContainsAny", "valueNumberArray": [1.5]},
            {"path": ["b"], "operator": "ContainsAny", "valueBooleanArray": [true]},
            {"path": ["d"], "operator": "ContainsAny", "valueDateArray": ["2020-01-01T00:00:00Z"]},
            {"path": ["s"], "operator": "Equal", "valueStringArray": ["legacy"]}]}]}));
    let expected = Filter::Or(vec![
        cond(prop("grp"), Operator::Equal, FilterValue::Int(2)),
        Filter::And(vec![
            cond(
                prop("tags"),
                Operator::ContainsAll,
                FilterValue::TextList(vec!["a".into(), "b".into()]),
            ),
            cond(
                prop("n"),
                Operator::ContainsAny,
                FilterValue::IntList(vec![1, 2]),
            ),
            cond(
                prop("x"),
                Operator::ContainsAny,
                FilterValue::NumberList(vec![1.5]),
            ),
            cond(
                prop("b"),
                Operator::ContainsAny,
                FilterValue::BooleanList(vec![true]),
            ),
            cond(
                prop("d"),
                Operator::ContainsAny,
                FilterValue::DateList(vec!["2020-01-01T00:00:00Z".into()]),
            ),
            cond(
                prop("s"),
                Operator::Equal,
                FilterValue::TextList(vec!["legacy".into()]),
            ),
        ]),
    ]);
    assert_eq!(filter, Ok(expected));
}

#[test]
fn scalar_value_kinds() {
    let cases = [
        (json!({"valueNumber": 1.5}), FilterValue::Number(1.5)),
        (json!({"valueNumber": 2}), FilterValue::Number(2.0)),
        (json!({"valueBoolean": false}), FilterValue::Boolean(false)),
        (
            json!({"valueDate": "2020-01-01T00:00:00Z"}),
            FilterValue::Date("2020-01-01T00:00:00Z".into()),
        ),
        (
            json!({"valueString": "old"}),
            FilterValue::Text("old".into()),
        ),
    ];
    for (value, expected) in cases {
        let mut clause = json!({"path": ["p"], "operator": "Equal"});
        if let (Some(c), Some(v)) = (clause.as_object_mut(), value.as_object()) {
            c.extend(v.clone());
        }
        assert_eq!(rest(clause), Ok(cond(prop("p"), Operator::Equal, expected)));
    }
}

#[test]
fn special_paths() {
    let path_of = |p: &str| {
        rest(json!({"path": [p], "operator": "Equal", "valueText": "x"})).map(|f| {
            let Filter::Condition(c) = f else {
                panic!("{f:?}")
            };
            c.path
        })
    };
    assert_eq!(path_of("id"), Ok(FilterPath::Id));
    assert_eq!(path_of("_id"), Ok(FilterPath::Id));
    assert_eq!(path_of("_creationTimeUnix"), Ok(FilterPath::CreationTime));
    assert_eq!(path_of("_lastUpdateTimeUnix"), Ok(FilterPath::UpdateTime));
    assert_eq!(path_of("len(name)"), Ok(FilterPath::Length("name".into())));
    assert_eq!(
        path_of("len(na-me)"),
        Err(
            "invalid where filter: Expected a valid property name in 'path' field for the \
             filter, but got 'na-me'"
                .into()
        )
    );
}

#[test]
fn path_errors() {
    let with_path = |path: serde_json::Value| {
        rest(json!({"path": path, "operator": "Equal", "valueText": "x"}))
    };
    assert_eq!(
        with_path(json!([])),
        Err("invalid where filter: field 'path': must have at least one element".into())
    );
    assert_eq!(
        with_path(json!(["a", "b"])),
        Err("invalid where filter: missing an argument after 'b'".into())
    );
    assert_eq!(
        with_path(json!(["author", "author", "name"])),
        Err(
            "invalid where filter: Expected a valid class name in 'path' field for the filter \
             but got 'author'"
                .into()
        )
    );
    let hop = |property: &str, class: &str, rest: FilterPath| FilterPath::Reference {
        property: property.into(),
        class: class.into(),
        rest: Box::new(rest),
    };
    let condition = |path| {
        Ok(Filter::Condition(Condition {
            path,
            operator: Operator::Equal,
            value: FilterValue::Text("x".into()),
        }))
    };
    assert_eq!(
        with_path(json!(["author", "Author", "name"])),
        condition(hop("author", "Author", FilterPath::Property("name".into())))
    );
    assert_eq!(
        with_path(json!([
            "author",
            "Author",
            "employer",
            "Company",
            "len(name)"
        ])),
        condition(hop(
            "author",
            "Author",
            hop("employer", "Company", FilterPath::Length("name".into()))
        ))
    );
    assert_eq!(
        rest(json!({"operator": "Equal", "valueText": "x"})),
        Err("invalid where filter: field 'path': must have at least one element".into())
    );
}

#[test]
fn operator_errors() {
    assert_eq!(
        rest(json!({"path": ["a"], "operator": "Not", "valueText": "x"})),
        Err("unrecognized operator: Not".into())
    );
    assert_eq!(
        rest(json!({"path": ["a"], "valueText": "x"})),
        Err("unrecognized operator: ".into())
    );
    assert_eq!(
        rest(json!({"operator": "And", "operands": [{"path": ["a"], "operator": "Nope"}]})),
        Err("invalid where filter: operand 0: unrecognized operator: Nope".into())
    );
}

#[test]
fn value_count_errors() {
    assert_eq!(
        rest(json!({"path": ["a"], "operator": "Equal"})),
        Err("invalid where filter: got operator 'Equal', but no value<Type> field set".into())
    );
    assert_eq!(
        rest(json!({"path": ["a"], "operator": "Equal", "valueTextArray": []})),
        Err("invalid where filter: got operator 'Equal', but no value<Type> field set".into()),
        "an empty array counts as unset"
    );
    assert_eq!(
        rest(json!({"path": ["a"], "operator": "Equal", "valueText": "x", "valueInt": 1})),
        Err(r#"invalid where filter: found more than one values the clause '{"operator":"Equal","path":["a"],"valueInt":1,"valueText":"x"}'"#.into())
    );
}

#[test]
fn nested_operator_errors() {
    assert_eq!(
        rest(json!({"operator": "And", "path": ["a"], "operands": []})),
        Err(
            "invalid where filter: operator 'And' not compatible with field 'path', remove \
             'path' or switch to compare operator (eg. Equal, NotEqual, etc.)"
                .into()
        )
    );
    assert_eq!(
        rest(json!({"operator": "Or", "valueInt": 1})),
        Err(
            "invalid where filter: operator 'Or' not compatible with field 'value<Type>', \
             remove value field or switch to compare operator (eg. Equal, NotEqual, etc.)"
                .into()
        )
    );
    assert_eq!(
        rest(json!({"operator": "And"})),
        Err(
            "invalid where filter: operator 'And', but no operands set - add at least one \
             operand"
                .into()
        )
    );
    assert_eq!(
        rest(json!({"operator": "And", "operands": [
            {"path": ["a"], "operator": "Equal", "valueInt": 1},
            {"path": ["b"], "operator": "Equal"}]})),
        Err(
            "invalid where filter: operand 1: invalid where filter: got operator 'Equal', but \
             no value<Type> field set"
                .into()
        )
    );
}

#[test]
fn geo_range() {
    let geo = |range: serde_json::Value| {
        rest(json!({"path": ["loc"], "operator": "WithinGeoRange", "valueGeoRange": range}))
    };
    assert_eq!(
        geo(
            json!({"geoCoordinates": {"latitude": 52.5, "longitude": 13.4}, "distance": {"max": 2000}})
        ),
        Ok(cond(
            prop("loc"),
            Operator::WithinGeoRange,
            FilterValue::GeoRange {
                latitude: 52.5,
                longitude: 13.4,
                max_distance_m: 2000.0
            }
        ))
    );
    assert_eq!(
        geo(json!({"geoCoordinates": {"latitude": 1, "longitude": 2}})),
        Err("invalid where filter: valueGeoRange: field 'distance' must be set".into())
    );
    assert_eq!(
        geo(json!({"geoCoordinates": {"latitude": 1, "longitude": 2}, "distance": {"max": -1}})),
        Err(
            "invalid where filter: valueGeoRange: field 'distance.max' must be a positive number"
                .into()
        )
    );
    assert_eq!(
        geo(json!({"distance": {"max": 1}})),
        Err("invalid where filter: valueGeoRange: field 'geoCoordinates' must be set".into())
    );
}

#[test]
fn json_type_errors_name_the_field() {
    let err = |v: serde_json::Value| where_input(&v, "match.where").err();
    assert_eq!(
        err(json!({"path": ["a"], "operator": "Equal", "valueInt": "5"})),
        Some(TypeError {
            name: "match.where.valueInt".into(),
            expected: "int64",
            found: "string"
        })
    );
    assert_eq!(
        err(json!({"operator": "And", "operands": [{"path": "a"}]})),
        Some(TypeError {
            name: "match.where.operands.0.path".into(),
            expected: "[]string",
            found: "string"
        })
    );
    assert_eq!(
        err(json!({"valueIntArray": [1, 2.5]})).map(|e| e.name),
        Some("match.where.valueIntArray.1".into())
    );
    assert_eq!(err(json!("x")).map(|e| e.expected), Some("object"));
    assert!(err(json!({"operator": null, "valueInt": null, "unknown": 1})).is_none());
}
