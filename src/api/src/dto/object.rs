//! Weaviate's `Object` JSON: parsing request bodies into [`ObjectWrite`]s and writing stored
//! [`Object`]s back.
//!
//! Input: `class` (string), `id` (uuid string, optional), `properties` (object; absent or null
//! is empty), `vector` (array of numbers), `vectors` (object of name -> array of numbers),
//! `tenant` (string). Other keys (`creationTimeUnix`, `additional`, `vectorWeights`, ...) are
//! ignored, as Weaviate ignores them on writes. A field of the wrong JSON type is an error that
//! names the field.
//!
//! Output: `class`, `creationTimeUnix`, `id` (lower case), `lastUpdateTimeUnix`, `properties`,
//! `tenant` when set, and with `include=vector` the legacy `vector` and the named `vectors`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use model::ObjectWrite;
use serde::Serialize;
use serde_json::{Map, Value};
use types::schema::{Class, DataType};
use types::{Object, DEFAULT_TARGET};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::parse_uuid;

/// An object as a request body describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ObjectInput {
    /// As sent; empty when absent.
    pub class: String,
    pub id: Option<Uuid>,
    pub tenant: Option<String>,
    pub properties: Map<String, Value>,
    pub vector: Option<Vec<f32>>,
    pub vectors: Option<BTreeMap<String, Vec<f32>>>,
}

impl ObjectInput {
    /// The coordinator's write for this input.
    pub fn into_write(self) -> ObjectWrite {
        ObjectWrite {
            class: self.class,
            id: self.id,
            tenant: self.tenant,
            properties: self.properties,
            vector: self.vector,
            vectors: self.vectors,
        }
    }
}

/// Parses one object body. An invalid `id` is go-swagger's type error ("id in body must be of
/// type uuid"); other type errors are 422 with Weaviate's envelope.
pub(crate) fn parse_object(body: &Value) -> ApiResult<ObjectInput> {
    let Value::Object(map) = body else {
        return Err(wrong_type("body", "an object", body));
    };
    Ok(ObjectInput {
        class: optional_string(map, "class")?.unwrap_or_default(),
        id: parse_id(map.get("id"))?,
        tenant: optional_string(map, "tenant")?.filter(|t| !t.is_empty()),
        properties: parse_properties(map.get("properties"))?,
        vector: parse_vector_field(map.get("vector"))?,
        vectors: parse_named_vectors(map.get("vectors"))?,
    })
}

/// Weaviate's message for an object without a class (`validation.ErrorMissingClass`); single
/// writes prefix it with "invalid object: ", batch results carry it bare.
pub(crate) const EMPTY_CLASS: &str = "the given class is empty";

/// 422 for a single-object write without a class.
pub(crate) fn empty_class_error() -> ApiError {
    ApiError::invalid(format!("invalid object: {EMPTY_CLASS}"))
}

fn wrong_type(field: &str, expected: &str, got: &Value) -> ApiError {
    ApiError::invalid(format!(
        "invalid object: field '{field}' must be {expected}, got {}",
        json_type(got)
    ))
}

/// The JSON type name of a value, for error messages.
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn optional_string(map: &Map<String, Value>, field: &str) -> ApiResult<Option<String>> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(wrong_type(field, "a string", other)),
    }
}

fn parse_id(value: Option<&Value>) -> ApiResult<Option<Uuid>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => parse_uuid(s)
            .map(Some)
            .ok_or_else(|| ApiError::swagger_type("id", "body", "uuid", s)),
        Some(other) => Err(wrong_type("id", "a uuid string", other)),
    }
}

fn parse_properties(value: Option<&Value>) -> ApiResult<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(other) => Err(wrong_type("properties", "an object", other)),
    }
}

fn parse_vector_field(value: Option<&Value>) -> ApiResult<Option<Vec<f32>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        // Weaviate treats an empty vector as no vector.
        Some(v) => parse_vector("vector", v).map(|v| Some(v).filter(|v| !v.is_empty())),
    }
}

fn parse_named_vectors(value: Option<&Value>) -> ApiResult<Option<BTreeMap<String, Vec<f32>>>> {
    let map = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(other) => return Err(wrong_type("vectors", "an object of vectors", other)),
    };
    let mut out = BTreeMap::new();
    for (name, v) in map {
        let vector = parse_vector(&format!("vectors.{name}"), v)?;
        if !vector.is_empty() {
            out.insert(name.clone(), vector);
        }
    }
    Ok(Some(out).filter(|m| !m.is_empty()))
}

/// An array of numbers as `f32`s.
fn parse_vector(field: &str, value: &Value) -> ApiResult<Vec<f32>> {
    let Value::Array(items) = value else {
        return Err(wrong_type(field, "an array of numbers", value));
    };
    items
        .iter()
        .map(|item| match item.as_f64() {
            Some(x) => Ok(x as f32),
            None => Err(wrong_type(field, "an array of numbers", item)),
        })
        .collect()
}

/// A stored object as Weaviate writes it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ObjectOut<'a> {
    class: &'a str,
    creation_time_unix: i64,
    id: Uuid,
    last_update_time_unix: i64,
    properties: Cow<'a, Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<&'a [f32]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vectors: Option<BTreeMap<&'a str, &'a [f32]>>,
}

impl<'a> ObjectOut<'a> {
    /// The wire form of `object`; vectors only when `with_vectors` (`include=vector`).
    /// Serialising `f32`s directly keeps their shortest form (`0.1`, not `0.10000000149`).
    pub fn new(object: &'a Object, with_vectors: bool) -> Self {
        let (vector, vectors) = if with_vectors {
            split_vectors(object)
        } else {
            (None, None)
        };
        ObjectOut {
            class: &object.class,
            creation_time_unix: object.creation_time_ms,
            id: object.id,
            last_update_time_unix: object.last_update_time_ms,
            properties: Cow::Borrowed(&object.properties),
            tenant: object.tenant.as_deref(),
            vector,
            vectors,
        }
    }
}

impl ObjectOut<'_> {
    /// Adds each beacon's `href` (`/v1/objects/<Class>/<uuid>`, or `/v1/objects/<uuid>` for a
    /// class-less beacon) to the reference properties of `class`, as Weaviate's reads do.
    pub fn with_hrefs(mut self, class: Option<&Class>) -> Self {
        let Some(class) = class else {
            return self;
        };
        let references: Vec<&str> = class
            .properties
            .iter()
            .flatten()
            .filter(|p| matches!(p.kind(), Some(DataType::Reference(_))))
            .map(|p| p.name.as_str())
            .filter(|name| self.properties.contains_key(*name))
            .collect();
        if references.is_empty() {
            return self;
        }
        let properties = self.properties.to_mut();
        for name in references {
            if let Some(Value::Array(refs)) = properties.get_mut(name) {
                refs.iter_mut().for_each(add_href);
            }
        }
        self
    }
}

/// `{"beacon": "weaviate://localhost/C/id"}` -> the same with `"href": "/v1/objects/C/id"`.
fn add_href(reference: &mut Value) {
    let Value::Object(map) = reference else {
        return;
    };
    let href = map
        .get("beacon")
        .and_then(Value::as_str)
        .and_then(|b| b.strip_prefix("weaviate://localhost/"))
        .map(|path| format!("/v1/objects/{path}"));
    if let Some(href) = href {
        map.insert("href".to_string(), Value::String(href));
    }
}

type SplitVectors<'a> = (Option<&'a [f32]>, Option<BTreeMap<&'a str, &'a [f32]>>);

/// The legacy vector (`""`) and the named ones, each `None` when there is none.
fn split_vectors(object: &Object) -> SplitVectors<'_> {
    let legacy = object
        .default_vector()
        .map(Vec::as_slice)
        .filter(|v| !v.is_empty());
    let named: BTreeMap<&str, &[f32]> = object
        .vectors
        .iter()
        .filter(|(name, v)| name.as_str() != DEFAULT_TARGET && !v.is_empty())
        .map(|(name, v)| (name.as_str(), v.as_slice()))
        .collect();
    (legacy, Some(named).filter(|m| !m.is_empty()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_a_full_object_and_ignores_unknown_keys() {
        let body = json!({
            "class": "Doc", "id": "00000000-0000-0000-0000-00000000000A",
            "properties": {"a": 1}, "vector": [1, 0.5], "vectors": {"t": [2]},
            "tenant": "t1", "creationTimeUnix": 5, "additional": {}
        });
        let input = parse_object(&body).unwrap();
        assert_eq!(input.class, "Doc");
        assert_eq!(
            input.id.unwrap().to_string(),
            "00000000-0000-0000-0000-00000000000a"
        );
        assert_eq!(input.vector, Some(vec![1.0, 0.5]));
        assert_eq!(input.vectors.unwrap()["t"], vec![2.0]);
        assert_eq!(input.tenant.as_deref(), Some("t1"));
        assert_eq!(input.properties["a"], json!(1));
    }

    #[test]
    fn absent_and_null_fields_are_empty() {
        let input =
            parse_object(&json!({"class": "Doc", "properties": null, "vector": []})).unwrap();
        assert!(input.properties.is_empty());
        assert_eq!(input.vector, None);
        assert_eq!(input.id, None);
    }

    #[test]
    fn wrong_types_name_the_field() {
        let err = parse_object(&json!({"class": 5})).unwrap_err();
        assert!(err.message().contains("'class'"), "{}", err.message());
        let err = parse_object(&json!({"class": "D", "vector": [1, "x"]})).unwrap_err();
        assert!(err.message().contains("'vector'"), "{}", err.message());
        let err = parse_object(&json!({"class": "D", "properties": []})).unwrap_err();
        assert!(err.message().contains("'properties'"), "{}", err.message());
        let err = parse_object(&json!({"class": "D", "id": "nope"})).unwrap_err();
        assert_eq!(err.message(), "id in body must be of type uuid: \"nope\"");
        assert!(parse_object(&json!([1])).is_err());
    }

    #[test]
    fn output_has_vectors_only_when_asked() {
        let mut vectors = types::Vectors::new();
        vectors.insert(String::new(), vec![0.1, 0.2]);
        vectors.insert("named".to_string(), vec![1.0]);
        let object = Object {
            id: Uuid::nil(),
            class: "Doc".to_string(),
            tenant: None,
            properties: Map::new(),
            vectors,
            creation_time_ms: 1,
            last_update_time_ms: 2,
        };
        let plain = serde_json::to_string(&ObjectOut::new(&object, false)).unwrap();
        assert!(!plain.contains("vector"), "{plain}");
        assert!(!plain.contains("tenant"), "{plain}");
        let full = serde_json::to_string(&ObjectOut::new(&object, true)).unwrap();
        assert!(full.contains(r#""vector":[0.1,0.2]"#), "{full}");
        assert!(full.contains(r#""vectors":{"named":[1.0]}"#), "{full}");
        assert!(full.contains(r#""creationTimeUnix":1"#), "{full}");
    }

    #[test]
    fn reads_add_an_href_to_every_beacon_of_a_reference_property() {
        let class = crate::graphql::test_support::class_from_json(serde_json::json!({
            "class": "Article",
            "properties": [
                {"name": "hasAuthors", "dataType": ["Author"]},
                {"name": "mentions", "dataType": ["Author", "Publisher"]},
                {"name": "meta", "dataType": ["object"], "nestedProperties": [
                    {"name": "beacon", "dataType": ["text"]}]}
            ]
        }));
        let id = "00000000-0000-0000-0000-00000000000a";
        let properties = json!({
            "hasAuthors": [{"beacon": format!("weaviate://localhost/Author/{id}")}],
            "mentions": [{"beacon": format!("weaviate://localhost/{id}")}],
            "meta": {"beacon": "weaviate://localhost/Author/x"}
        });
        let object = Object {
            id: Uuid::nil(),
            class: "Article".to_string(),
            tenant: None,
            properties: properties.as_object().cloned().unwrap(),
            vectors: types::Vectors::new(),
            creation_time_ms: 1,
            last_update_time_ms: 2,
        };
        let out =
            serde_json::to_value(ObjectOut::new(&object, false).with_hrefs(Some(&class))).unwrap();
        assert_eq!(
            out["properties"],
            json!({
                "hasAuthors": [{"beacon": format!("weaviate://localhost/Author/{id}"),
                                "href": format!("/v1/objects/Author/{id}")}],
                "mentions": [{"beacon": format!("weaviate://localhost/{id}"),
                              "href": format!("/v1/objects/{id}")}],
                "meta": {"beacon": "weaviate://localhost/Author/x"}
            })
        );
        let plain = serde_json::to_value(ObjectOut::new(&object, false).with_hrefs(None)).unwrap();
        assert_eq!(plain["properties"], properties);
    }
}
