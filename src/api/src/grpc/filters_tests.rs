//! `Filters` messages into the filter model: every operator, the value kinds, dates typed by
//! the schema, and the refusals.

use serde_json::json;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};

use super::filters::translate;
use super::pb;
use super::pb::filters::{Operator as Op, TestValue};
use crate::graphql::test_support::class_from_json;

fn class() -> types::schema::Class {
    class_from_json(json!({
        "class": "Doc",
        "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "when", "dataType": ["date"]},
            {"name": "whens", "dataType": ["date[]"]},
            {"name": "author", "dataType": ["Person"]},
            {"name": "mentions", "dataType": ["Person", "Company"]}
        ]
    }))
}

/// Doc -author-> Person -employer-> Company; `mentions` points at Person or Company.
fn schema(name: &str) -> Option<types::schema::Class> {
    let body = match name {
        "Doc" => return Some(class()),
        "Person" => json!({"class": "Person", "properties": [
            {"name": "born", "dataType": ["date"]},
            {"name": "employer", "dataType": ["Company"]}]}),
        "Company" => json!({"class": "Company", "properties": [
            {"name": "name", "dataType": ["text"]}]}),
        _ => return None,
    };
    Some(class_from_json(body))
}

fn leaf(op: Op, property: &str, value: TestValue) -> pb::Filters {
    pb::Filters {
        operator: op as i32,
        test_value: Some(value),
        target: Some(pb::FilterTarget {
            target: Some(pb::filter_target::Target::Property(property.into())),
        }),
        ..Default::default()
    }
}

fn cond(path: FilterPath, operator: Operator, value: FilterValue) -> Filter {
    Filter::Condition(Condition {
        path,
        operator,
        value,
    })
}

fn text(s: &str) -> TestValue {
    TestValue::ValueText(s.into())
}

#[test]
fn every_comparison_operator_maps_to_its_model_operator() {
    let cases = [
        (Op::Equal, Operator::Equal),
        (Op::NotEqual, Operator::NotEqual),
        (Op::GreaterThan, Operator::GreaterThan),
        (Op::GreaterThanEqual, Operator::GreaterThanEqual),
        (Op::LessThan, Operator::LessThan),
        (Op::LessThanEqual, Operator::LessThanEqual),
        (Op::Like, Operator::Like),
        (Op::IsNull, Operator::IsNull),
        (Op::ContainsAny, Operator::ContainsAny),
        (Op::ContainsAll, Operator::ContainsAll),
        (Op::WithinGeoRange, Operator::WithinGeoRange),
    ];
    for (wire, model) in cases {
        let got = translate(&class(), &schema, &leaf(wire, "title", text("x"))).unwrap();
        let want = cond(
            FilterPath::Property("title".into()),
            model,
            FilterValue::Text("x".into()),
        );
        assert_eq!(got, want, "{wire:?}");
    }
}

#[test]
fn and_or_not_and_contains_none_nest() {
    let a = leaf(Op::Equal, "title", text("a"));
    let b = leaf(
        Op::ContainsNone,
        "title",
        TestValue::ValueTextArray(pb::TextArray {
            values: vec!["x".into(), "y".into()],
        }),
    );
    let not = pb::Filters {
        operator: Op::Not as i32,
        filters: vec![pb::Filters {
            operator: Op::Or as i32,
            filters: vec![a.clone(), b],
            ..Default::default()
        }],
        ..Default::default()
    };
    let all = pb::Filters {
        operator: Op::And as i32,
        filters: vec![a, not],
        ..Default::default()
    };
    let title = || FilterPath::Property("title".into());
    let a = cond(title(), Operator::Equal, FilterValue::Text("a".into()));
    let none = Filter::Not(Box::new(cond(
        title(),
        Operator::ContainsAny,
        FilterValue::TextList(vec!["x".into(), "y".into()]),
    )));
    assert_eq!(
        translate(&class(), &schema, &all).unwrap(),
        Filter::And(vec![
            a.clone(),
            Filter::Not(Box::new(Filter::Or(vec![a, none])))
        ])
    );
}

#[test]
fn text_on_dates_and_timestamps_is_a_date_but_epoch_milliseconds_stay_text() {
    let class = class();
    let date = "2024-01-02T03:04:05Z";
    let got = |f: pb::Filters| match translate(&class, &schema, &f).unwrap() {
        Filter::Condition(c) => (c.path, c.value),
        other
        @ (Filter::And(_) | Filter::Or(_) | Filter::Not(_) | Filter::ReferencesAny { .. }) => {
            panic!("{other:?}")
        }
    };
    assert_eq!(
        got(leaf(Op::GreaterThan, "when", text(date))).1,
        FilterValue::Date(date.into())
    );
    assert_eq!(
        got(leaf(
            Op::ContainsAny,
            "whens",
            TestValue::ValueTextArray(pb::TextArray {
                values: vec![date.into()],
            })
        ))
        .1,
        FilterValue::DateList(vec![date.into()])
    );
    assert_eq!(
        got(leaf(Op::GreaterThan, "_creationTimeUnix", text(date))),
        (FilterPath::CreationTime, FilterValue::Date(date.into()))
    );
    assert_eq!(
        got(leaf(
            Op::Equal,
            "_lastUpdateTimeUnix",
            text("1700000000000")
        )),
        (
            FilterPath::UpdateTime,
            FilterValue::Text("1700000000000".into())
        )
    );
    assert_eq!(got(leaf(Op::Equal, "_id", text("x"))).0, FilterPath::Id);
    assert_eq!(
        got(leaf(Op::Equal, "len(title)", TestValue::ValueInt(3))).0,
        FilterPath::Length("title".into())
    );
}

#[test]
fn value_kinds_keep_their_types() {
    let got = |v: TestValue| match translate(&class(), &schema, &leaf(Op::Equal, "title", v))
        .unwrap()
    {
        Filter::Condition(c) => c.value,
        other
        @ (Filter::And(_) | Filter::Or(_) | Filter::Not(_) | Filter::ReferencesAny { .. }) => {
            panic!("{other:?}")
        }
    };
    assert_eq!(
        got(TestValue::ValueInt(i64::MIN)),
        FilterValue::Int(i64::MIN)
    );
    assert_eq!(got(TestValue::ValueNumber(-0.5)), FilterValue::Number(-0.5));
    assert_eq!(
        got(TestValue::ValueBoolean(true)),
        FilterValue::Boolean(true)
    );
    assert_eq!(
        got(TestValue::ValueIntArray(pb::IntArray {
            values: vec![1, 2]
        })),
        FilterValue::IntList(vec![1, 2])
    );
    assert_eq!(
        got(TestValue::ValueNumberArray(pb::NumberArray {
            values: vec![1.5]
        })),
        FilterValue::NumberList(vec![1.5])
    );
    assert_eq!(
        got(TestValue::ValueBooleanArray(pb::BooleanArray {
            values: vec![false]
        })),
        FilterValue::BooleanList(vec![false])
    );
    assert_eq!(
        got(TestValue::ValueGeo(pb::GeoCoordinatesFilter {
            latitude: 52.5,
            longitude: 13.25,
            distance: 1000.0
        })),
        FilterValue::GeoRange {
            latitude: 52.5,
            longitude: 13.25,
            max_distance_m: 1000.0
        }
    );
}

#[test]
fn malformed_trees_are_refused_with_a_reason() {
    let class = class();
    let err = |f: pb::Filters| translate(&class, &schema, &f).unwrap_err();
    let empty_and = pb::Filters {
        operator: Op::And as i32,
        ..Default::default()
    };
    assert!(err(empty_and).contains("no operands"));
    let mut no_value = leaf(Op::Equal, "title", text("x"));
    no_value.test_value = None;
    assert!(err(no_value).contains("needs a value"));
    let unknown = pb::Filters {
        operator: 99,
        ..Default::default()
    };
    assert!(err(unknown).contains("unknown filter operator 99"));
    let single_on_multi = pb::Filters {
        operator: Op::Equal as i32,
        test_value: Some(text("x")),
        target: Some(single("mentions", property("name"))),
        ..Default::default()
    };
    assert!(err(single_on_multi).contains("several target collections"));
    let unknown_class = pb::Filters {
        operator: Op::Equal as i32,
        test_value: Some(text("x")),
        target: Some(multi("mentions", "Nobody", property("name"))),
        ..Default::default()
    };
    assert!(err(unknown_class).contains(r#"class "Nobody" does not exist"#));
    let mut deep = leaf(Op::Equal, "title", text("x"));
    for _ in 0..100 {
        deep = pb::Filters {
            operator: Op::Not as i32,
            filters: vec![deep],
            ..Default::default()
        };
    }
    assert!(err(deep).contains("nested deeper"));
}

mod arbitrary_messages {
    //! Whatever bytes arrive, reading a message into a query returns a value or an error and
    //! never panics (tonic hands every decodable message to these functions).
    use proptest::prelude::*;
    use prost::Message;

    use super::super::{aggregate, batch, pb, search};
    use model::search_rules::Limits;

    const LIMITS: Limits = Limits {
        defaults_limit: 10,
        maximum_results: 10_000,
    };

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn search_aggregate_and_batch_messages_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let class = super::class();
            if let Ok(request) = pb::SearchRequest::decode(bytes.as_slice()) {
                let _ = search::plan(&class, &super::schema, &request, &LIMITS);
            }
            if let Ok(request) = pb::AggregateRequest::decode(bytes.as_slice()) {
                let _ = aggregate::plan(&class, &super::schema, &request);
            }
            if let Ok(object) = pb::BatchObject::decode(bytes.as_slice()) {
                let _ = batch::write_of(&object);
            }
            if let Ok(filters) = pb::Filters::decode(bytes.as_slice()) {
                let _ = super::translate(&class, &super::schema, &filters);
            }
        }
    }
}

fn property(name: &str) -> pb::FilterTarget {
    pb::FilterTarget {
        target: Some(pb::filter_target::Target::Property(name.into())),
    }
}

fn single(on: &str, inner: pb::FilterTarget) -> pb::FilterTarget {
    pb::FilterTarget {
        target: Some(pb::filter_target::Target::SingleTarget(Box::new(
            pb::FilterReferenceSingleTarget {
                on: on.into(),
                target: Some(Box::new(inner)),
            },
        ))),
    }
}

fn multi(on: &str, collection: &str, inner: pb::FilterTarget) -> pb::FilterTarget {
    pb::FilterTarget {
        target: Some(pb::filter_target::Target::MultiTarget(Box::new(
            pb::FilterReferenceMultiTarget {
                on: on.into(),
                target: Some(Box::new(inner)),
                target_collection: collection.into(),
            },
        ))),
    }
}

#[test]
fn reference_targets_become_reference_paths_typed_by_the_innermost_class() {
    let filter = |target: pb::FilterTarget, value: TestValue| pb::Filters {
        operator: Op::Equal as i32,
        test_value: Some(value),
        target: Some(target),
        ..Default::default()
    };
    let hop = |property: &str, class: &str, rest: FilterPath| FilterPath::Reference {
        property: property.into(),
        class: class.into(),
        rest: Box::new(rest),
    };
    // one hop: a text on the Person's date property is a date
    let got = translate(
        &class(),
        &schema,
        &filter(
            single("author", property("born")),
            text("2020-01-01T00:00:00Z"),
        ),
    );
    assert_eq!(
        got,
        Ok(cond(
            hop("author", "Person", FilterPath::Property("born".into())),
            Operator::Equal,
            FilterValue::Date("2020-01-01T00:00:00Z".into())
        ))
    );
    // two hops, the second through a multi-target property's named collection
    let two = single("author", single("employer", property("name")));
    assert_eq!(
        translate(&class(), &schema, &filter(two, text("acme"))),
        Ok(cond(
            hop(
                "author",
                "Person",
                hop("employer", "Company", FilterPath::Property("name".into()))
            ),
            Operator::Equal,
            FilterValue::Text("acme".into())
        ))
    );
    let through_multi = multi("mentions", "Company", property("name"));
    assert_eq!(
        translate(&class(), &schema, &filter(through_multi, text("acme"))),
        Ok(cond(
            hop("mentions", "Company", FilterPath::Property("name".into())),
            Operator::Equal,
            FilterValue::Text("acme".into())
        ))
    );
    // the number of references
    let count = pb::FilterTarget {
        target: Some(pb::filter_target::Target::Count(pb::FilterReferenceCount {
            on: "author".into(),
        })),
    };
    assert_eq!(
        translate(&class(), &schema, &filter(count, TestValue::ValueInt(2))),
        Ok(cond(
            FilterPath::Property("author".into()),
            Operator::Equal,
            FilterValue::Int(2)
        ))
    );
    // the deprecated `on` list
    #[allow(deprecated)]
    let legacy = pb::Filters {
        operator: Op::Equal as i32,
        test_value: Some(text("2020-01-01T00:00:00Z")),
        on: vec!["author".into(), "Person".into(), "born".into()],
        ..Default::default()
    };
    assert_eq!(
        translate(&class(), &schema, &legacy),
        Ok(cond(
            hop("author", "Person", FilterPath::Property("born".into())),
            Operator::Equal,
            FilterValue::Date("2020-01-01T00:00:00Z".into())
        ))
    );
}
