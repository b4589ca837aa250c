//! `parse_property` and `check_new_property`: defaults of section 3.2, legacy migration,
//! tokenization, index flags, nested properties and references.

use serde_json::{json, Value};
use types::json::MAX_NESTING_DEPTH;

use super::{
    check_new_property, class_reference_targets, parse_class, parse_property, SchemaDefaults,
};

fn echo(body: Value) -> Value {
    serde_json::to_value(parse_property(&body).unwrap()).unwrap()
}

fn error(body: Value) -> String {
    match parse_property(&body) {
        Err(crate::Error::InvalidInput(msg)) => msg,
        other => panic!("expected InvalidInput for {body}, got {other:?}"),
    }
}

#[test]
fn text_defaults() {
    assert_eq!(
        echo(json!({"name": "title", "dataType": ["text"]})),
        json!({"name": "title", "dataType": ["text"], "tokenization": "word", "indexFilterable": true,
               "indexSearchable": true, "indexRangeFilters": false})
    );
    assert_eq!(
        echo(json!({"name": "tags", "dataType": ["text[]"]}))["tokenization"],
        "word"
    );
}

#[test]
fn non_text_defaults_have_no_tokenization() {
    for t in [
        "int",
        "number",
        "boolean",
        "date",
        "uuid",
        "geoCoordinates",
        "phoneNumber",
        "blob",
        "int[]",
        "date[]",
    ] {
        assert_eq!(
            echo(json!({"name": "p", "dataType": [t]})),
            json!({"name": "p", "dataType": [t], "indexFilterable": true, "indexSearchable": false,
                   "indexRangeFilters": false}),
            "{t}"
        );
    }
}

#[test]
fn name_first_letter_is_lowercased_and_description_kept() {
    let p = echo(json!({"name": "WordCount", "dataType": ["int"], "description": "words"}));
    assert_eq!(
        (p["name"].clone(), p["description"].clone()),
        (json!("wordCount"), json!("words"))
    );
}

#[test]
fn legacy_string_is_migrated_to_text() {
    let p = echo(json!({"name": "s", "dataType": ["string"]}));
    assert_eq!(
        (p["dataType"].clone(), p["tokenization"].clone()),
        (json!(["text"]), json!("whitespace"))
    );
    let p = echo(json!({"name": "s", "dataType": ["string[]"], "tokenization": "field"}));
    assert_eq!(
        (p["dataType"].clone(), p["tokenization"].clone()),
        (json!(["text[]"]), json!("field"))
    );
    let e = error(json!({"name": "s", "dataType": ["string"], "tokenization": "lowercase"}));
    assert!(
        e.contains("Tokenization 'lowercase' is not allowed for data type 'string'"),
        "{e}"
    );
}

#[test]
fn legacy_index_inverted_is_migrated() {
    let p = echo(json!({"name": "t", "dataType": ["text"], "indexInverted": false}));
    assert_eq!(
        (p["indexFilterable"].clone(), p["indexSearchable"].clone()),
        (json!(false), json!(false))
    );
    assert!(p.get("indexInverted").is_none());
    let p = echo(json!({"name": "n", "dataType": ["int"], "indexInverted": true}));
    assert_eq!(
        (p["indexFilterable"].clone(), p["indexSearchable"].clone()),
        (json!(true), json!(false))
    );
    let e = error(
        json!({"name": "t", "dataType": ["text"], "indexInverted": true, "indexFilterable": true}),
    );
    assert!(
        e.contains("`indexInverted` is deprecated and can not be set together"),
        "{e}"
    );
}

#[test]
fn tokenizations() {
    for t in ["word", "lowercase", "whitespace", "field", "trigram"] {
        assert_eq!(
            echo(json!({"name": "t", "dataType": ["text"], "tokenization": t}))["tokenization"],
            t
        );
    }
    for t in ["gse", "kagome_kr"] {
        let e = error(json!({"name": "t", "dataType": ["text"], "tokenization": t}));
        assert!(e.contains("not supported"), "{t}: {e}");
    }
    let e = error(json!({"name": "t", "dataType": ["text"], "tokenization": "nope"}));
    assert_eq!(
        e,
        "property 't': Tokenization 'nope' is not allowed for data type 'text'"
    );
    let e = error(json!({"name": "n", "dataType": ["int"], "tokenization": "word"}));
    assert_eq!(
        e,
        "property 'n': Tokenization is not allowed for data type 'int'"
    );
    let e = error(json!({"name": "r", "dataType": ["Other"], "tokenization": "word"}));
    assert_eq!(
        e,
        "property 'r': Tokenization is not allowed for reference data type"
    );
    let e = error(
        json!({"name": "o", "dataType": ["object"], "tokenization": "word",
                         "nestedProperties": [{"name": "a", "dataType": ["text"]}]}),
    );
    assert_eq!(
        e,
        "property 'o': Tokenization is not allowed for object/object[] data types"
    );
    // an empty tokenization is "not set"
    assert!(
        echo(json!({"name": "n", "dataType": ["int"], "tokenization": ""}))
            .get("tokenization")
            .is_none()
    );
}

#[test]
fn index_flags() {
    let p = echo(
        json!({"name": "n", "dataType": ["number"], "indexRangeFilters": true, "indexFilterable": false}),
    );
    assert_eq!(
        (p["indexRangeFilters"].clone(), p["indexFilterable"].clone()),
        (json!(true), json!(false))
    );
    let p = echo(json!({"name": "t", "dataType": ["text"], "indexSearchable": false}));
    assert_eq!(p["indexSearchable"], false);
    let e = error(json!({"name": "n", "dataType": ["int"], "indexSearchable": true}));
    assert!(
        e.contains("`indexSearchable` is allowed only for text/text[] data types"),
        "{e}"
    );
    let e = error(json!({"name": "t", "dataType": ["text"], "indexRangeFilters": true}));
    assert!(
        e.contains("`indexRangeFilters` is allowed only for number/int/date data types"),
        "{e}"
    );
    let e = error(json!({"name": "t", "dataType": ["int[]"], "indexRangeFilters": true}));
    assert!(e.contains("`indexRangeFilters`"), "{e}");
    let e = error(json!({"name": "t", "dataType": ["text"], "indexFilterable": "yes"}));
    assert_eq!(
        e,
        "property 't': indexFilterable must be a boolean, got \"yes\""
    );
}

#[test]
fn data_type_errors() {
    let cases = [
        (
            json!({"name": "x", "dataType": []}),
            "property 'x': invalid dataType: dataType must have at least one element",
        ),
        (
            json!({"name": "x", "dataType": [""]}),
            "dataType cannot be an empty string",
        ),
        (
            json!({"name": "x", "dataType": ["no_such_type"]}),
            "unknown primitive data type 'no_such_type'",
        ),
        (
            json!({"name": "x", "dataType": ["Bad-Class"]}),
            "'Bad-Class' is not a valid class name",
        ),
        (
            json!({"name": "x", "dataType": ["bad-Class"]}),
            "unknown primitive data type 'bad-Class'",
        ),
        (
            json!({"name": "x", "dataType": ["Good", "text"]}),
            "'text' is not a valid class name",
        ),
        (
            json!({"name": "x"}),
            "property 'x': property must contain dataType",
        ),
        (
            json!({"name": "x", "dataType": "text"}),
            "dataType must be a list of strings",
        ),
        (json!({"dataType": ["text"]}), "property must contain name"),
        (
            json!({"name": "", "dataType": ["text"]}),
            "property must contain name",
        ),
        (json!("title"), "property must be a JSON object"),
        (
            json!({"name": "x", "dataType": ["int"], "nestedProperties": [{"name": "a", "dataType": ["int"]}]}),
            "nestedProperties not allowed for data types other than object/object[]",
        ),
        (
            json!({"name": "x", "dataType": ["int"], "moduleConfig": 1}),
            "moduleConfig must be an object",
        ),
    ];
    for (body, want) in cases {
        let e = error(body.clone());
        assert!(e.contains(want), "{body}: {e}");
    }
}

#[test]
fn references_keep_their_targets() {
    let p = echo(json!({"name": "author", "dataType": ["Author", "Person"]}));
    assert_eq!(
        p,
        json!({"name": "author", "dataType": ["Author", "Person"], "indexFilterable": true,
               "indexSearchable": false, "indexRangeFilters": false})
    );
    let class = parse_class(
        &json!({"class": "Book", "properties": [
            {"name": "author", "dataType": ["Author"]}, {"name": "related", "dataType": ["Book", "Author", "Shelf"]},
            {"name": "title", "dataType": ["text"]}]}),
        &SchemaDefaults::default(),
    )
    .unwrap();
    assert_eq!(
        class_reference_targets(&class),
        vec![("author", "Author"), ("related", "Shelf")]
    );
}

#[test]
fn nested_properties_get_defaults() {
    let p = echo(
        json!({"name": "meta", "dataType": ["object"], "nestedProperties": [
            {"name": "Note", "dataType": ["text"]},
            {"name": "count", "dataType": ["int"], "indexRangeFilters": true},
            {"name": "raw", "dataType": ["blob"]},
            {"name": "inner", "dataType": ["object[]"], "nestedProperties": [{"name": "x", "dataType": ["text[]"], "tokenization": "field"}]}
        ]}),
    );
    assert_eq!(
        p,
        json!({"name": "meta", "dataType": ["object"], "indexFilterable": true, "indexSearchable": false,
               "indexRangeFilters": false, "nestedProperties": [
            {"name": "Note", "dataType": ["text"], "tokenization": "word", "indexFilterable": true,
             "indexSearchable": true, "indexRangeFilters": false},
            {"name": "count", "dataType": ["int"], "indexFilterable": true, "indexSearchable": false,
             "indexRangeFilters": true},
            {"name": "raw", "dataType": ["blob"], "indexFilterable": false, "indexSearchable": false,
             "indexRangeFilters": false},
            {"name": "inner", "dataType": ["object[]"], "indexFilterable": true, "indexSearchable": false,
             "indexRangeFilters": false, "nestedProperties": [
                {"name": "x", "dataType": ["text[]"], "tokenization": "field", "indexFilterable": true,
                 "indexSearchable": true, "indexRangeFilters": false}]}
        ]})
    );
}

#[test]
fn nested_property_errors() {
    let obj =
        |nested: Value| json!({"name": "o", "dataType": ["object"], "nestedProperties": nested});
    let cases = [
        (
            json!({"name": "o", "dataType": ["object"]}),
            "Property 'o': At least one nested property is required",
        ),
        (obj(json!([])), "At least one nested property is required"),
        (
            obj(json!([{"name": "a-b", "dataType": ["text"]}])),
            "'a-b' is not a valid nested property name of 'o'",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["string"]}])),
            "Property 'o.a': data type 'string' is deprecated",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["geoCoordinates"]}])),
            "Property 'o.a': data type 'geoCoordinates' not allowed as nested property",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["phoneNumber"]}])),
            "not allowed as nested property",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["Other"]}])),
            "Property 'o.a': reference data type not allowed",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["text"], "tokenization": "trigram"}])),
            "Tokenization 'trigram' is not allowed",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["int"], "tokenization": "word"}])),
            "Tokenization is not allowed for data type 'int'",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["blob"], "indexFilterable": true}])),
            "indexFilterable is not allowed for blob data type",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["int"], "indexSearchable": true}])),
            "`indexSearchable` is not allowed",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["text"], "indexRangeFilters": true}])),
            "`indexRangeFilters` is not allowed",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["object"]}])),
            "Property 'o.a': At least one nested property is required",
        ),
        (
            obj(json!([{"name": "a", "dataType": ["int"]}, {"name": "a", "dataType": ["text"]}])),
            "provided multiple times",
        ),
        (
            obj(
                json!([{"name": "a", "dataType": ["int"], "nestedProperties": [{"name": "b", "dataType": ["int"]}]}]),
            ),
            "nestedProperties not allowed",
        ),
        (obj(json!("x")), "nestedProperties must be a list"),
    ];
    for (body, want) in cases {
        let e = error(body.clone());
        assert!(e.contains(want), "{body}: {e}");
    }
}

#[test]
fn duplicate_property_against_the_class() {
    let class = parse_class(
        &json!({"class": "AddProp", "properties": [{"name": "title", "dataType": ["text"]}]}),
        &SchemaDefaults::default(),
    )
    .unwrap();
    check_new_property(
        &class,
        &parse_property(&json!({"name": "year", "dataType": ["int"]})).unwrap(),
    )
    .unwrap();
    for name in ["title", "Title", "tITLE"] {
        let prop = parse_property(&json!({"name": name, "dataType": ["int"]})).unwrap();
        let e = check_new_property(&class, &prop).unwrap_err().to_string();
        assert!(
            e.starts_with("class \"AddProp\": conflict for property"),
            "{e}"
        );
        assert!(
            e.contains("already in use or provided multiple times"),
            "{e}"
        );
    }
}

/// An `object` property whose nested properties go `depth` levels down.
fn nested(depth: usize) -> Value {
    let mut children = json!([{"name": "leaf", "dataType": ["text"]}]);
    for level in (1..depth).rev() {
        children = json!([{
            "name": format!("deeper{level}"),
            "dataType": ["object"],
            "nestedProperties": children,
        }]);
    }
    json!({"name": "meta", "dataType": ["object"], "nestedProperties": children})
}

#[test]
fn nesting_beyond_the_limit_is_refused_naming_it() {
    let class = |depth| json!({"class": "Nested", "properties": [nested(depth)]});
    assert!(parse_class(&class(MAX_NESTING_DEPTH), &SchemaDefaults::default()).is_ok());
    match parse_class(&class(MAX_NESTING_DEPTH + 1), &SchemaDefaults::default()) {
        Err(crate::Error::InvalidInput(message)) => assert!(
            message.contains(&format!("at most {MAX_NESTING_DEPTH} levels")),
            "{message}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
