use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::dto::object::parse_object;

/// The fast path's reading, or `None` when it leaves the body to the ordinary parser.
fn fast(text: &str) -> Option<ObjectInput> {
    let object: RawObject = serde_json::from_str(text).ok()?;
    fast_input(&object)
}

#[test]
fn reads_an_ordinary_object_and_keeps_the_sent_text() {
    let text = r#"{"class":"Doc","id":"00000000-0000-0000-0000-00000000000A","tenant":"t",
        "properties":{"a": 1},"vector":[1, 0.5, -2e3],"vectors":{"x":[2]},"other":[{}]}"#;
    let object: RawObject = serde_json::from_str(text).unwrap();
    let (sent, input) = read(&object);
    let input = input.unwrap();
    assert_eq!(
        input,
        parse_object(&serde_json::from_str(text).unwrap()).unwrap()
    );
    assert_eq!(input.vector, Some(vec![1.0, 0.5, -2000.0]));
    assert_eq!(sent.properties.as_deref(), Some(r#"{"a": 1}"#));
    assert_eq!(sent.vector.as_deref(), Some("[1, 0.5, -2e3]"));
    assert_eq!(sent.class.as_deref(), Some(r#""Doc""#));
}

#[test]
fn null_and_empty_fields_read_as_absent() {
    let text =
        r#"{"class":"D","properties":null,"vector":[],"vectors":{"x":[]},"id":"","tenant":""}"#;
    let object: RawObject = serde_json::from_str(text).unwrap();
    let (sent, input) = read(&object);
    let input = input.unwrap();
    assert_eq!(input.vector, None);
    assert_eq!(input.vectors, None);
    assert_eq!(input.id, None);
    assert_eq!(input.tenant, None);
    assert!(input.properties.is_empty());
    assert_eq!(sent.properties, None, "null is not echoed");
}

#[test]
fn read_answers_unusual_bodies_with_the_ordinary_parsers_error() {
    let object: RawObject = serde_json::from_str(r#"{"class": "D", "vector": [1, "x"]}"#).unwrap();
    let (sent, input) = read(&object);
    assert_eq!(sent.vector.as_deref(), Some(r#"[1, "x"]"#));
    let err = input.unwrap_err();
    assert!(err.message().contains("'vector'"), "{}", err.message());
    assert!(serde_json::from_str::<RawObject>(r#"["D"]"#).is_err());
    assert!(serde_json::from_str::<RawObject>(r#"{"id": 1, "id": 2}"#).is_err());
}

#[test]
fn unusual_bodies_go_to_the_ordinary_parser() {
    for text in [
        r#"["Doc"]"#,
        r#"{"class":5}"#,
        r#"{"class":"D","vector":[1,"x"]}"#,
        r#"{"class":"D","vector":[1,null]}"#,
        r#"{"class":"D","vector":[[1,2],[3,4]]}"#,
        r#"{"class":"D","vectors":{"x":5}}"#,
        r#"{"class":"D","vectors":[1]}"#,
        r#"{"class":"D","properties":[]}"#,
        r#"{"class":"D","id":"nope"}"#,
        r#"{"class":"D","id":7}"#,
    ] {
        assert!(fast(text).is_none(), "{text}");
    }
}

#[test]
fn floats_match_serde_json_bit_for_bit() {
    for text in [
        "[]",
        " [ 1 , -2.5e-3 ,0.1,\n\t3E2 ] ",
        "[-0, -0.0, 0, 0e0, -0e0]",
        "[18446744073709551615, 18446744073709551616, -9223372036854775809]",
        "[123456789012345678901234567890, 1e39, -1e-50, 3.4028235e38]",
        "[0.30000000000000004, 1.00000005960464477539062500001, 16777217]",
    ] {
        let ours = floats(text).unwrap();
        let values: Vec<Value> = serde_json::from_str(text).unwrap();
        let theirs: Vec<f32> = values.iter().map(|v| v.as_f64().unwrap() as f32).collect();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&ours), bits(&theirs), "{text}");
    }
}

#[test]
fn floats_refuse_what_is_not_an_array_of_numbers() {
    for text in [
        "{}", "[1,[2]]", "[\"1\"]", "[null]", "[true]", "[1e400]", "5", "[1 2]",
    ] {
        assert_eq!(floats(text), None, "{text}");
    }
}

#[test]
fn echo_of_a_value_skips_nulls() {
    let sent = Sent::from_value(&json!({"class": "D", "vector": null, "properties": {"a": [1]}}));
    assert_eq!(sent.class.as_deref(), Some(r#""D""#));
    assert_eq!(sent.vector, None);
    assert_eq!(sent.properties.as_deref(), Some(r#"{"a":[1]}"#));
}

/// A field value of any JSON type, weighted towards the types a write expects.
fn field_value() -> impl Strategy<Value = Value> {
    let number = prop_oneof![
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| json!(x)),
        any::<i64>().prop_map(|x| json!(x)),
        any::<u64>().prop_map(|x| json!(x)),
        (-1000i32..1000).prop_map(|x| json!(f64::from(x) / 7.0)),
    ];
    let numbers = prop::collection::vec(number.clone(), 0..6).prop_map(Value::Array);
    prop_oneof![
        3 => numbers.clone(),
        1 => Just(Value::Null),
        1 => "[a-z]{0,4}".prop_map(Value::String),
        1 => Just(json!("00000000-0000-0000-0000-000000000001")),
        1 => number,
        1 => prop::collection::btree_map("[a-z]{1,2}", numbers, 0..3)
            .prop_map(|m| json!(m)),
        1 => Just(json!({"p": [1, {"q": null}], "r": "s"})),
        1 => Just(json!([[1.0, 2.0]])),
    ]
}

proptest! {
    /// Whatever the fields hold, the fast path either reads exactly what the ordinary parser
    /// reads or leaves the body to it; it never accepts a body the ordinary parser refuses.
    #[test]
    fn fast_path_agrees_with_the_ordinary_parser(
        fields in prop::collection::btree_map(
            prop_oneof![
                Just("class"), Just("id"), Just("tenant"), Just("properties"),
                Just("vector"), Just("vectors"), Just("other"),
            ],
            field_value(),
            0..7,
        )
    ) {
        let body = json!(fields);
        let text = body.to_string();
        let ordinary = parse_object(&body).ok();
        match fast(&text) {
            Some(input) => prop_assert_eq!(Some(input), ordinary),
            None => prop_assert!(
                ordinary.is_none(),
                "the fast path refused a body the ordinary parser takes: {}", text
            ),
        }
    }
}
