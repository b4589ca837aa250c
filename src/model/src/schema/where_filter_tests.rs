//! `validate_where`: every rule of Weaviate's filter validator, with its message.

use serde_json::json;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::Class;

use super::{parse_class, validate_where, SchemaDefaults};

fn class() -> Class {
    let body = json!({"class": "Shop", "properties": [
        {"name": "title", "dataType": ["text"]},
        {"name": "tags", "dataType": ["text[]"]},
        {"name": "count", "dataType": ["int"]},
        {"name": "prices", "dataType": ["number[]"]},
        {"name": "open", "dataType": ["boolean"]},
        {"name": "since", "dataType": ["date"]},
        {"name": "owner", "dataType": ["uuid"]},
        {"name": "where", "dataType": ["geoCoordinates"]},
        {"name": "meta", "dataType": ["object"], "nestedProperties": [
            {"name": "note", "dataType": ["text"]}]}
    ]});
    parse_class(&body, &SchemaDefaults::default()).expect("valid class")
}

fn no_classes(_: &str) -> Option<Class> {
    None
}

fn cond(path: FilterPath, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path,
        operator,
        value,
    })
}

fn prop(name: &str, operator: Operator, value: FilterValue) -> Filter {
    cond(FilterPath::Property(name.into()), operator, value)
}

fn text(s: &str) -> FilterValue {
    FilterValue::Text(s.into())
}

fn error(f: &Filter) -> String {
    validate_where(&class(), f, &no_classes).expect_err("must be refused")
}

#[test]
fn matching_value_types_pass() {
    let ok = [
        prop("title", Operator::Equal, text("a")),
        prop(
            "tags",
            Operator::ContainsAny,
            FilterValue::TextList(vec!["a".into()]),
        ),
        prop("count", Operator::GreaterThan, FilterValue::Int(3)),
        prop("prices", Operator::LessThan, FilterValue::Number(1.5)),
        prop("open", Operator::Equal, FilterValue::Boolean(true)),
        prop(
            "since",
            Operator::Equal,
            FilterValue::Date("2020-01-01T00:00:00Z".into()),
        ),
        prop(
            "owner",
            Operator::Equal,
            text("36ddd591-2dee-4e7e-a3cc-eb86d30a4303"),
        ),
        prop(
            "where",
            Operator::WithinGeoRange,
            FilterValue::GeoRange {
                latitude: 1.0,
                longitude: 2.0,
                max_distance_m: 3.0,
            },
        ),
        prop("count", Operator::IsNull, FilterValue::Boolean(true)),
        cond(FilterPath::Id, Operator::Equal, text("x")),
        cond(FilterPath::CreationTime, Operator::GreaterThan, text("1")),
        cond(
            FilterPath::UpdateTime,
            Operator::LessThan,
            FilterValue::Date("2020-01-01T00:00:00Z".into()),
        ),
        cond(
            FilterPath::Length("title".into()),
            Operator::Equal,
            FilterValue::Int(0),
        ),
        Filter::And(vec![]),
    ];
    for f in ok {
        assert_eq!(validate_where(&class(), &f, &no_classes), Ok(()), "{f:?}");
    }
}

#[test]
fn unknown_property_names_the_class() {
    assert_eq!(
        error(&prop("nope", Operator::Equal, text("a"))),
        "no such prop with name 'nope' found in class 'Shop' in the schema. Check your schema \
         files for which properties in this class are available"
    );
    let e = error(&cond(
        FilterPath::Length("nope".into()),
        Operator::Equal,
        FilterValue::Int(1),
    ));
    assert!(e.starts_with("no such prop with name 'nope'"), "{e}");
}

#[test]
fn wrong_value_types_name_the_expected_field() {
    let cases = [
        (
            prop("count", Operator::Equal, text("3")),
            r#"data type filter cannot use "valueText" on type "int", use "valueInt" instead"#,
        ),
        (
            prop("prices", Operator::Equal, FilterValue::Int(3)),
            r#"data type filter cannot use "valueInt" on type "number[]", use "valueNumber" instead"#,
        ),
        (
            prop("meta", Operator::Equal, text("x")),
            r#"data type filter cannot use "valueText" on type "object", use "valueObject" instead"#,
        ),
        (
            prop("title", Operator::IsNull, text("x")),
            r#"operator IsNull requires a booleanValue, got "valueText" instead"#,
        ),
        (
            prop("owner", Operator::Equal, FilterValue::Int(1)),
            r#"property "owner" is of type "uuid" or "uuid[]": specify uuid as string using "valueText""#,
        ),
        (
            prop("owner", Operator::Like, text("a*")),
            r#"operator "Like" cannot be used on uuid/uuid[] props"#,
        ),
        (
            cond(FilterPath::Id, Operator::Equal, FilterValue::Int(1)),
            r#"using ["_id"] to filter by uuid: must use "valueText" to specify the id"#,
        ),
        (
            cond(
                FilterPath::CreationTime,
                Operator::Equal,
                FilterValue::Boolean(true),
            ),
            r#"using ["_creationTimeUnix"] to filter by timestamp: must use "valueText" or "valueDate""#,
        ),
    ];
    for (f, want) in cases {
        assert_eq!(error(&f), want, "{f:?}");
    }
}

#[test]
fn length_rules() {
    let len = |op, v| cond(FilterPath::Length("title".into()), op, v);
    assert_eq!(
        error(&len(Operator::Equal, text("1"))),
        r#"Filtering for property length requires IntValue, got "valueText" instead"#
    );
    assert_eq!(
        error(&len(Operator::Like, FilterValue::Int(1))),
        r#"Filtering for property length supports operators (not) equal and greater/less than (equal), got "Like" instead"#
    );
    assert_eq!(
        error(&len(Operator::Equal, FilterValue::Int(-1))),
        "Can only filter for positive property length got -1 instead"
    );
}

#[test]
fn nested_operands_report_their_positions() {
    let f = Filter::And(vec![
        prop("title", Operator::Equal, text("a")),
        Filter::Or(vec![prop("nope", Operator::Equal, text("a"))]),
        prop("count", Operator::Equal, text("3")),
    ]);
    let e = error(&f);
    assert!(
        e.starts_with("child operand at position 1: child operand at position 0: no such prop"),
        "{e}"
    );
    assert!(
        e.contains(r#", child operand at position 2: data type filter cannot use "valueText""#),
        "{e}"
    );
}

/// Article -hasAuthors-> Author -worksFor-> Publisher; `hasAuthors` may also point at Shop.
fn linked(name: &str) -> Option<Class> {
    let body = match name {
        "Article" => json!({"class": "Article", "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "hasAuthors", "dataType": ["Author", "Shop"]}]}),
        "Author" => json!({"class": "Author", "properties": [
            {"name": "name", "dataType": ["text"]},
            {"name": "worksFor", "dataType": ["Publisher"]}]}),
        "Publisher" => json!({"class": "Publisher", "properties": [
            {"name": "founded", "dataType": ["int"]}]}),
        "Shop" => return Some(class()),
        _ => return None,
    };
    Some(parse_class(&body, &SchemaDefaults::default()).expect("valid class"))
}

fn through(hops: &[(&str, &str)], last: FilterPath) -> FilterPath {
    hops.iter()
        .rev()
        .fold(last, |rest, (property, class)| FilterPath::Reference {
            property: property.to_string(),
            class: class.to_string(),
            rest: Box::new(rest),
        })
}

fn check_article(path: FilterPath, operator: Operator, value: FilterValue) -> Result<(), String> {
    let article = linked("Article").expect("Article");
    validate_where(&article, &cond(path, operator, value), &linked)
}

#[test]
fn reference_paths_check_every_hop_and_the_innermost_property() {
    let name = FilterPath::Property("name".into());
    assert_eq!(
        check_article(
            through(&[("hasAuthors", "Author")], name.clone()),
            Operator::Equal,
            text("a")
        ),
        Ok(())
    );
    let founded = FilterPath::Property("founded".into());
    let two_hops = through(
        &[("hasAuthors", "Author"), ("worksFor", "Publisher")],
        founded,
    );
    assert_eq!(
        check_article(two_hops.clone(), Operator::GreaterThan, FilterValue::Int(1)),
        Ok(())
    );
    // the innermost condition is checked against the innermost class
    assert_eq!(
        check_article(two_hops, Operator::GreaterThan, text("x")),
        Err(
            r#"data type filter cannot use "valueText" on type "int", use "valueInt" instead"#
                .into()
        )
    );
    // a second target class of a multi-target property
    assert_eq!(
        check_article(
            through(
                &[("hasAuthors", "Shop")],
                FilterPath::Property("count".into())
            ),
            Operator::Equal,
            FilterValue::Int(1)
        ),
        Ok(())
    );
    // the count of the innermost reference property, and its null state
    assert_eq!(
        check_article(
            through(
                &[("hasAuthors", "Author")],
                FilterPath::Property("worksFor".into())
            ),
            Operator::GreaterThan,
            FilterValue::Int(0)
        ),
        Ok(())
    );
}

#[test]
fn reference_paths_refuse_unknown_classes_and_wrong_hops() {
    let name = || FilterPath::Property("name".into());
    assert_eq!(
        check_article(
            through(&[("hasAuthors", "Nobody")], name()),
            Operator::Equal,
            text("a")
        ),
        Err(r#"class "Nobody" does not exist in schema"#.into())
    );
    let err = check_article(
        through(&[("hasAuthors", "Publisher")], name()),
        Operator::Equal,
        text("a"),
    )
    .expect_err("Publisher is not a target of hasAuthors");
    assert!(
        err.contains(r#"does not reference class "Publisher""#),
        "{err}"
    );
    let err = check_article(
        through(&[("title", "Author")], name()),
        Operator::Equal,
        text("a"),
    )
    .expect_err("title is not a reference");
    assert!(
        err.contains(r#"property "title" of class "Article" is not a cross-reference"#),
        "{err}"
    );
    let err = check_article(
        through(&[("nope", "Author")], name()),
        Operator::Equal,
        text("a"),
    )
    .expect_err("no such property");
    assert!(
        err.starts_with("no such prop with name 'nope' found in class 'Article'"),
        "{err}"
    );
    let err = check_article(
        through(
            &[("hasAuthors", "Author")],
            FilterPath::Property("nope".into()),
        ),
        Operator::Equal,
        text("a"),
    )
    .expect_err("no such property on the target");
    assert!(
        err.starts_with("no such prop with name 'nope' found in class 'Author'"),
        "{err}"
    );
}

#[test]
fn resolved_reference_filters_name_a_reference_property() {
    let article = linked("Article").expect("Article");
    let resolved = |property: &str| Filter::ReferencesAny {
        property: property.into(),
        targets: vec![],
    };
    assert_eq!(
        validate_where(&article, &resolved("hasAuthors"), &linked),
        Ok(())
    );
    let err = validate_where(&article, &resolved("title"), &linked).expect_err("not a reference");
    assert!(err.contains("is not a cross-reference"), "{err}");
}
