//! Property values and vectors through the gRPC codecs: what the v4 client sends comes back
//! as the JSON the REST path stores, and stored JSON goes out typed by the schema, at the
//! limits of each type.

use std::collections::HashMap;

use prost_types::value::Kind as S;
use serde_json::{json, Map, Value};

use super::pb;
use super::pb::list_value::Kind as L;
use super::pb::value::Kind as V;
use super::values::{batch_properties, pack_f32, properties, unpack_f32, unpack_f64, Selection};
use crate::graphql::test_support::class_from_json;

fn strukt(fields: Vec<(&str, S)>) -> prost_types::Struct {
    prost_types::Struct {
        fields: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), prost_types::Value { kind: Some(v) }))
            .collect(),
    }
}

#[test]
fn batch_properties_read_struct_and_typed_arrays_at_their_limits() {
    let numbers = [f64::MAX, f64::MIN_POSITIVE, -0.0, -1.5e-300];
    let ints = [i64::MIN, i64::MAX, 0];
    let props = pb::batch_object::Properties {
        non_ref_properties: Some(strukt(vec![
            ("title", S::StringValue("fox".into())),
            ("count", S::NumberValue(120.0)),
            ("flag", S::BoolValue(true)),
            ("gone", S::NullValue(0)),
        ])),
        number_array_properties: vec![pb::NumberArrayProperties {
            prop_name: "scores".into(),
            values_bytes: numbers.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ..Default::default()
        }],
        int_array_properties: vec![pb::IntArrayProperties {
            prop_name: "counts".into(),
            values: ints.to_vec(),
        }],
        text_array_properties: vec![pb::TextArrayProperties {
            prop_name: "tags".into(),
            values: vec!["a".into(), "".into(), "ü".into()],
        }],
        boolean_array_properties: vec![pb::BooleanArrayProperties {
            prop_name: "bits".into(),
            values: vec![true, false],
        }],
        object_properties: vec![pb::ObjectProperties {
            prop_name: "author".into(),
            value: Some(pb::ObjectPropertiesValue {
                non_ref_properties: Some(strukt(vec![("name", S::StringValue("Ann".into()))])),
                int_array_properties: vec![pb::IntArrayProperties {
                    prop_name: "years".into(),
                    values: vec![1999, 2024],
                }],
                ..Default::default()
            }),
        }],
        empty_list_props: vec!["none".into()],
        ..Default::default()
    };
    let json = batch_properties(&props).expect("valid properties");
    assert_eq!(json["title"], json!("fox"));
    assert_eq!(json["count"].as_f64(), Some(120.0));
    assert_eq!(json["flag"], json!(true));
    assert_eq!(json["gone"], Value::Null);
    let scores: Vec<f64> = json["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        scores.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        numbers.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(json["counts"], json!([i64::MIN, i64::MAX, 0]));
    assert_eq!(json["tags"], json!(["a", "", "ü"]));
    assert_eq!(json["bits"], json!([true, false]));
    assert_eq!(
        json["author"],
        json!({"name": "Ann", "years": [1999, 2024]})
    );
    assert_eq!(json["none"], json!([]));
}

#[test]
fn malformed_packed_numbers_are_refused_by_name() {
    let props = pb::batch_object::Properties {
        number_array_properties: vec![pb::NumberArrayProperties {
            prop_name: "scores".into(),
            values_bytes: vec![0; 7],
            ..Default::default()
        }],
        ..Default::default()
    };
    let err = batch_properties(&props).unwrap_err();
    assert!(
        err.contains("'scores'") && err.contains("multiple of 8"),
        "{err}"
    );
}

#[test]
fn references_become_beacons() {
    let props = pb::batch_object::Properties {
        single_target_ref_props: vec![pb::batch_object::SingleTargetRefProps {
            prop_name: "author".into(),
            uuids: vec!["a".into(), "b".into()],
        }],
        multi_target_ref_props: vec![pb::batch_object::MultiTargetRefProps {
            prop_name: "mentions".into(),
            uuids: vec!["c".into()],
            target_collection: "Publisher".into(),
        }],
        ..Default::default()
    };
    let got = batch_properties(&props).unwrap();
    assert_eq!(
        serde_json::Value::Object(got),
        json!({
            "author": [{"beacon": "weaviate://localhost/a"}, {"beacon": "weaviate://localhost/b"}],
            "mentions": [{"beacon": "weaviate://localhost/Publisher/c"}]
        })
    );
}

fn schema() -> types::schema::Class {
    class_from_json(json!({
        "class": "Doc",
        "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "count", "dataType": ["int"]},
            {"name": "price", "dataType": ["number"]},
            {"name": "flag", "dataType": ["boolean"]},
            {"name": "when", "dataType": ["date"]},
            {"name": "ref", "dataType": ["uuid"]},
            {"name": "counts", "dataType": ["int[]"]},
            {"name": "prices", "dataType": ["number[]"]},
            {"name": "tags", "dataType": ["text[]"]},
            {"name": "where", "dataType": ["geoCoordinates"]},
            {"name": "phone", "dataType": ["phoneNumber"]},
            {"name": "author", "dataType": ["object"], "nestedProperties": [
                {"name": "name", "dataType": ["text"]},
                {"name": "age", "dataType": ["int"]}
            ]},
            {"name": "missing", "dataType": ["text"]}
        ]
    }))
}

fn stored() -> Map<String, Value> {
    json!({
        "title": "fox", "count": i64::MAX, "price": -0.25, "flag": false,
        "when": "2024-01-02T03:04:05Z", "ref": "00000000-0000-0000-0000-000000000001",
        "counts": [i64::MIN, 7], "prices": [1.5, f64::MAX], "tags": ["a", "b"],
        "where": {"latitude": 52.5, "longitude": 13.25},
        "phone": {"input": "+49 30 1234", "defaultCountry": "DE"},
        "author": {"name": "Ann", "age": 41},
        "missing": null
    })
    .as_object()
    .unwrap()
    .clone()
}

fn kind(fields: &HashMap<String, pb::Value>, name: &str) -> V {
    fields[name].kind.clone().expect("a value")
}

#[test]
fn search_properties_are_typed_by_the_schema() {
    let out = properties(
        &stored(),
        schema().properties.as_deref().unwrap(),
        &Selection::All,
    )
    .fields;
    assert_eq!(kind(&out, "title"), V::TextValue("fox".into()));
    assert_eq!(kind(&out, "count"), V::IntValue(i64::MAX));
    assert_eq!(kind(&out, "price"), V::NumberValue(-0.25));
    assert_eq!(kind(&out, "flag"), V::BoolValue(false));
    assert_eq!(
        kind(&out, "when"),
        V::DateValue("2024-01-02T03:04:05Z".into())
    );
    assert_eq!(
        kind(&out, "ref"),
        V::UuidValue("00000000-0000-0000-0000-000000000001".into())
    );
    let V::ListValue(pb::ListValue {
        kind: Some(L::IntValues(ints)),
    }) = kind(&out, "counts")
    else {
        panic!("int[] is a packed int list")
    };
    let ints: Vec<i64> = ints
        .values
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(ints, vec![i64::MIN, 7]);
    let V::ListValue(pb::ListValue {
        kind: Some(L::NumberValues(numbers)),
    }) = kind(&out, "prices")
    else {
        panic!("number[] is a packed number list")
    };
    assert_eq!(unpack_f64(&numbers.values), Some(vec![1.5, f64::MAX]));
    let V::GeoValue(geo) = kind(&out, "where") else {
        panic!("geo")
    };
    assert_eq!((geo.latitude, geo.longitude), (52.5, 13.25));
    let V::PhoneValue(phone) = kind(&out, "phone") else {
        panic!("phone")
    };
    assert_eq!(
        (phone.input.as_str(), phone.default_country.as_str()),
        ("+49 30 1234", "DE")
    );
    let V::ObjectValue(author) = kind(&out, "author") else {
        panic!("object")
    };
    assert_eq!(kind(&author.fields, "age"), V::IntValue(41));
    assert!(!out.contains_key("missing"), "nulls are left out");
}

#[test]
fn a_selection_narrows_top_level_and_nested_properties() {
    let selection = Selection::Some {
        names: vec!["title".into()],
        nested: vec![super::values::NestedSelection {
            name: "author".into(),
            primitives: vec!["name".into()],
            objects: vec![],
        }],
    };
    let out = properties(
        &stored(),
        schema().properties.as_deref().unwrap(),
        &selection,
    )
    .fields;
    let mut names: Vec<&String> = out.keys().collect();
    names.sort();
    assert_eq!(names, ["author", "title"]);
    let V::ObjectValue(author) = kind(&out, "author") else {
        panic!("object")
    };
    assert_eq!(author.fields.keys().collect::<Vec<_>>(), ["name"]);
}

#[test]
fn vectors_round_trip_through_little_endian_bytes() {
    let vector = [0.1f32, -0.0, f32::MAX, f32::MIN_POSITIVE, 1e-45];
    let back = unpack_f32(&pack_f32(&vector)).expect("whole floats");
    assert_eq!(
        back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        vector.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(unpack_f32(&[0; 6]), None);
    assert_eq!(unpack_f32(&[]), Some(vec![]));
}
