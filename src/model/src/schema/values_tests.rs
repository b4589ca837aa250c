//! `normalize_properties`: each data type's accepted forms, normalisation and messages.

use serde_json::{json, Map, Value};
use types::schema::Class;

use super::{normalize_properties, parse_class, SchemaDefaults};

const UUID: &str = "36ddd591-2dee-4e7e-a3cc-eb86d30a4303";

fn class() -> Class {
    let props = json!([
        {"name": "title", "dataType": ["text"]},
        {"name": "count", "dataType": ["int"]},
        {"name": "price", "dataType": ["number"]},
        {"name": "flag", "dataType": ["boolean"]},
        {"name": "when", "dataType": ["date"]},
        {"name": "ref", "dataType": ["uuid"]},
        {"name": "tags", "dataType": ["text[]"]},
        {"name": "counts", "dataType": ["int[]"]},
        {"name": "prices", "dataType": ["number[]"]},
        {"name": "flags", "dataType": ["boolean[]"]},
        {"name": "whens", "dataType": ["date[]"]},
        {"name": "refs", "dataType": ["uuid[]"]},
        {"name": "location", "dataType": ["geoCoordinates"]},
        {"name": "phone", "dataType": ["phoneNumber"]},
        {"name": "image", "dataType": ["blob"]},
        {"name": "author", "dataType": ["Author"]},
        {"name": "related", "dataType": ["Author", "Obj"]},
        {"name": "meta", "dataType": ["object"], "nestedProperties": [
            {"name": "note", "dataType": ["text"]},
            {"name": "n", "dataType": ["int"]},
            {"name": "inner", "dataType": ["object[]"], "nestedProperties": [{"name": "x", "dataType": ["number"]}]}]},
        {"name": "items", "dataType": ["object[]"], "nestedProperties": [{"name": "sku", "dataType": ["text"]}]}
    ]);
    parse_class(
        &json!({"class": "Obj", "properties": props}),
        &SchemaDefaults::default(),
    )
    .unwrap()
}

fn map(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn ok(values: Value) -> Value {
    Value::Object(normalize_properties(&class(), &map(values)).unwrap())
}

fn error(values: Value) -> String {
    match normalize_properties(&class(), &map(values.clone())) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {values}, got {other:?}"),
    }
}

#[test]
fn primitives_round_trip() {
    let input = json!({
        "title": "hello", "count": 42, "price": 2.5, "flag": true, "when": "2021-03-04T05:06:07Z",
        "tags": ["a", "b"], "counts": [1, -2], "prices": [1.5, 2], "flags": [true, false],
        "whens": ["2021-03-04T05:06:07.123+02:00"], "image": "aGVsbG8="
    });
    assert_eq!(ok(input.clone()), input);
}

#[test]
fn numbers_print_like_go() {
    let out = ok(json!({"price": 42, "prices": [1.0, 2.5, -0.0], "count": 7.0}));
    assert_eq!(
        out.to_string(),
        r#"{"price":42,"prices":[1,2.5,0],"count":7}"#
    );
    assert_eq!(ok(json!({"price": 1e300}))["price"].as_f64(), Some(1e300));
    assert_eq!(
        ok(json!({"count": 9007199254740993i64}))["count"],
        json!(9007199254740993i64)
    );
}

#[test]
fn keys_are_lowercased_and_nulls_dropped() {
    assert_eq!(
        ok(json!({"Title": "x", "count": null})),
        json!({"title": "x"})
    );
    assert_eq!(ok(json!({})), json!({}));
}

#[test]
fn uuids_are_lowercased() {
    let upper = UUID.to_uppercase();
    assert_eq!(
        ok(json!({"ref": upper, "refs": [upper, UUID]})),
        json!({"ref": UUID, "refs": [UUID, UUID]})
    );
    assert_eq!(ok(json!({"ref": UUID.replace('-', "")}))["ref"], UUID);
}

#[test]
fn unknown_property() {
    assert_eq!(
        error(json!({"title": "x", "nope": 1})),
        "invalid object: no such prop with name 'nope' found in class 'Obj' in the schema. \
         Check your schema files for which properties in this class are available"
    );
}

#[test]
fn wrong_types_name_the_property_and_type() {
    let cases = [
        (json!({"count": "many"}), "invalid object: invalid integer property 'count' on class 'Obj': requires an integer, the given value is 'many'"),
        (json!({"count": 1.5}), "invalid integer property 'count' on class 'Obj': the JSON number '1.5' could not be converted to an int"),
        (json!({"price": "cheap"}), "invalid number property 'price' on class 'Obj': requires a float, the given value is 'cheap'"),
        (json!({"title": 5}), "invalid text property 'title' on class 'Obj': not a string, but json.Number"),
        (json!({"flag": "yes"}), "invalid boolean property 'flag' on class 'Obj': not a bool, but string"),
        (json!({"when": "yesterday"}), "invalid date property 'when' on class 'Obj': requires a string with a RFC3339 formatted date, but the given value is 'yesterday'"),
        (json!({"when": "2021-03-04 05:06:07Z"}), "invalid date property 'when'"),
        (json!({"ref": "abc"}), "invalid uuid property 'ref' on class 'Obj': requires a string of UUID format, but the given value is 'abc'"),
        (json!({"tags": "a"}), "invalid text array property 'tags' on class 'Obj': not a text array, but string"),
        (json!({"tags": ["a", 1]}), "invalid text array property 'tags' on class 'Obj': invalid text array value: [a 1]"),
        (json!({"counts": [1, 2.5]}), "invalid integer array property 'counts' on class 'Obj': invalid integer array value: [1 2.5]"),
        (json!({"prices": {"a": 1}}), "invalid number array property 'prices' on class 'Obj': not a number array, but map[string]interface {}"),
        (json!({"flags": [1]}), "invalid boolean array property 'flags'"),
        (json!({"whens": ["x"]}), "invalid date array property 'whens'"),
        (json!({"refs": ["x"]}), "invalid uuid array property 'refs' on class 'Obj': invalid uuid array value: [x]"),
        (json!({"image": "not base64!"}), "invalid blob property 'image' on class 'Obj': not a valid blob base64 string"),
        (json!({"image": 5}), "invalid blob property 'image' on class 'Obj': not a blob base64 string, but json.Number"),
    ];
    for (values, want) in cases {
        let e = error(values.clone());
        assert!(e.contains(want), "{values}: {e}");
        assert!(e.starts_with("invalid object: "), "{e}");
    }
}

#[test]
fn blobs_need_padded_standard_base64() {
    for good in ["aGVsbG8=", "aGk=", "YWJj", "a+/9"] {
        ok(json!({"image": good}));
    }
    for bad in ["", "aGVsbG8", "a===", "aGk", "aG-k", "===="] {
        assert!(
            error(json!({"image": bad})).contains("not a valid blob base64 string"),
            "{bad}"
        );
    }
}

#[test]
fn geo_coordinates() {
    let geo = json!({"latitude": 52.366667, "longitude": 4.9});
    assert_eq!(ok(json!({"location": geo.clone()}))["location"], geo);
    for (value, want) in [
        (
            json!({"latitude": 1}),
            "geoCoordinates is missing required field 'longitude'",
        ),
        (
            json!({"longitude": 1}),
            "geoCoordinates is missing required field 'latitude'",
        ),
        (
            json!({"latitude": "1", "longitude": 1}),
            "invalid latitude: must be json.Number or float, but got string",
        ),
        (
            json!({"latitude": 91, "longitude": 1}),
            "invalid latitude: must be between -90 and 90, got 91",
        ),
        (
            json!({"latitude": 0, "longitude": -181}),
            "invalid longitude: must be between -180 and 180",
        ),
        (
            json!([1, 2]),
            "geoCoordinates must be a map, but got: []interface {}",
        ),
    ] {
        let e = error(json!({"location": value}));
        assert!(
            e.contains(want) && e.contains("invalid geoCoordinates property 'location'"),
            "{e}"
        );
    }
}

#[test]
fn phone_numbers() {
    // What Weaviate stores for these (libphonenumber's parse and formats).
    let amsterdam = |input: &str| {
        json!({"input": input, "countryCode": 31, "internationalFormatted": "+31 20 123 4567",
               "national": 201234567u64, "nationalFormatted": "020 123 4567", "valid": true})
    };
    assert_eq!(
        ok(json!({"phone": {"input": "+31 20 1234567"}}))["phone"],
        amsterdam("+31 20 1234567")
    );
    let mut national = amsterdam("020 1234567");
    national["defaultCountry"] = json!("NL");
    assert_eq!(
        ok(json!({"phone": {"input": "020 1234567", "defaultCountry": "nl"}}))["phone"],
        national
    );
    let short = ok(json!({"phone": {"input": "+49 30 1", "defaultCountry": "DE"}}));
    assert_eq!(
        short["phone"]["valid"],
        json!(false),
        "parsed, but not a valid number"
    );
    for (value, want) in [
        (
            json!({"input": "020 1234567"}),
            "invalid or missing defaultCountry",
        ),
        (
            json!({"defaultCountry": "NL"}),
            "phoneNumber is missing required field 'input'",
        ),
        (json!({"input": 5}), "phoneNumber.input must be a string"),
        (
            json!({"input": "+31", "defaultCountry": 1}),
            "phoneNumber.defaultCountry must be a string",
        ),
        (
            json!({"input": "call me"}),
            "did not seem to be a phone number",
        ),
        (
            json!({"input": "020 1234567", "defaultCountry": "XX"}),
            "unknown defaultCountry 'XX'",
        ),
        (
            json!("+31 20"),
            "phoneNumber must be a map, but got: string",
        ),
    ] {
        let e = error(json!({"phone": value}));
        assert!(
            e.contains(want) && e.contains("invalid phoneNumber property 'phone'"),
            "{e}"
        );
    }
}

#[test]
fn cross_references() {
    let beacon = format!("weaviate://localhost/Author/{UUID}");
    let upper = format!("weaviate://localhost/Author/{}", UUID.to_uppercase());
    let out = ok(json!({"author": [{"beacon": upper, "href": "/v1/x"}]}));
    assert_eq!(out["author"], json!([{"beacon": beacon}]));
    // a class-less beacon is completed when the property has a single target
    let out = ok(json!({"author": [{"beacon": format!("weaviate://localhost/{UUID}")}]}));
    assert_eq!(out["author"], json!([{"beacon": beacon}]));
    let out = ok(
        json!({"related": [{"beacon": format!("weaviate://localhost/{UUID}")}, {"beacon": format!("weaviate://localhost/Obj/{UUID}")}]}),
    );
    assert_eq!(
        out["related"],
        json!([{"beacon": format!("weaviate://localhost/{UUID}")}, {"beacon": format!("weaviate://localhost/Obj/{UUID}")}])
    );
    assert_eq!(ok(json!({"author": []}))["author"], json!([]));
}

#[test]
fn cross_reference_errors() {
    let cases = [
        (
            json!({"beacon": format!("weaviate://localhost/Author/{UUID}")}),
            "reference must be an array, but got a map",
        ),
        (
            json!("x"),
            "invalid ref type. Needs to be []map, got string",
        ),
        (
            json!(["x"]),
            "Multiple references in Obj.author should be a list of maps, but we got: string",
        ),
        (
            json!([{"beacon": format!("weaviate://localhost/Author/{UUID}"), "x": 1}]),
            "requires exactly 1 arguments: 'beacon'",
        ),
        (json!([{"target": "x"}]), "'beacon' is missing"),
        (
            json!([{"beacon": 5}]),
            "beacon property is not a string: json.Number",
        ),
        (
            json!([{"beacon": format!("http://localhost/Author/{UUID}")}]),
            "invalid reference: invalid cref URI",
        ),
        (
            json!([{"beacon": format!("weaviate://remote/Author/{UUID}")}]),
            "unrecognized cross-ref ref format",
        ),
        (
            json!([{"beacon": "weaviate://localhost/Author/not-a-uuid"}]),
            "2nd path segment must be uuid, but got 'not-a-uuid'",
        ),
        (
            json!([{"beacon": "weaviate://localhost/a/b/c"}]),
            "path must be of format '<class>/<uuid>'",
        ),
        (
            json!([{"beacon": format!("weaviate://localhost/Book/{UUID}")}]),
            "beacon class 'Book' is not one of the property's classes",
        ),
    ];
    for (value, want) in cases {
        let e = error(json!({"author": value.clone()}));
        assert!(e.contains(want), "{value}: {e}");
        assert!(e.starts_with("invalid object: invalid cref: "), "{e}");
    }
}

#[test]
fn nested_objects() {
    let input = json!({"meta": {"note": "n", "n": 3.0, "inner": [{"x": 1}, {"x": 2.5}], "gone": null},
                       "items": [{"sku": "a"}, {}]});
    // `gone` is unknown but null: Weaviate looks the key up first, so it is still an error
    let e = error(input.clone());
    assert!(e.contains("unknown property 'meta.gone'"), "{e}");
    let input =
        json!({"meta": {"note": "n", "n": 3.0, "inner": [{"x": 1}, {"x": 2.5}], "note2": null}});
    assert!(error(input).contains("unknown property 'meta.note2'"));
    let out = ok(
        json!({"meta": {"note": "n", "n": 3.0, "inner": [{"x": 1}, {"x": 2.5}]}, "items": [{"sku": "a"}, {"sku": null}]}),
    );
    assert_eq!(
        out,
        json!({"meta": {"note": "n", "n": 3, "inner": [{"x": 1}, {"x": 2.5}]}, "items": [{"sku": "a"}, {}]})
    );
}

#[test]
fn nested_errors() {
    let cases = [
        (json!({"meta": "x"}), "invalid object property 'meta' on class 'Obj': object must be a map, but got: string"),
        (json!({"meta": {"note": 1}}), "invalid object property 'meta' on class 'Obj': property 'meta.note': invalid text property 'meta.note' on class 'Obj': not a string, but json.Number"),
        (json!({"meta": {"inner": [{"x": "y"}]}}), "property 'meta.inner': invalid object[] property 'meta.inner' on class 'Obj': invalid object '0' in array: property 'meta.inner.x': invalid number property"),
        (json!({"items": {"sku": "a"}}), "invalid object[] property 'items' on class 'Obj': not an object array, but map[string]interface {}"),
        (json!({"items": [{"sku": "a"}, 3]}), "invalid object '1' in array: object must be a map, but got: json.Number"),
    ];
    for (values, want) in cases {
        let e = error(values.clone());
        assert!(e.contains(want), "{values}: {e}");
    }
}
