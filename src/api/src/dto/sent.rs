//! An object body read without building a JSON tree: each field stays the slice of the body
//! the client sent, vectors are parsed straight into `f32` buffers, and the batch answer
//! echoes the slices verbatim instead of serialising them again.
//!
//! The fast path only takes bodies it can read the ordinary way too. Anything unusual (an
//! entry that is not an object, a field of the wrong type, a key given twice, a multi-vector)
//! is left to [`super::object::parse_object`], which writes the error that names the field; so
//! both paths accept the same bodies and answer them alike, which the tests below pin.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::object::{parse_object, ObjectInput};
use crate::error::ApiResult;
use crate::extract::parse_uuid;

/// The fields of one object as the client wrote them; `None` when absent or `null`.
#[derive(Debug, Default)]
pub(crate) struct Sent<'a> {
    pub class: Option<Cow<'a, str>>,
    pub id: Option<Cow<'a, str>>,
    pub tenant: Option<Cow<'a, str>>,
    pub properties: Option<Cow<'a, str>>,
    pub vector: Option<Cow<'a, str>>,
    pub vectors: Option<Cow<'a, str>>,
}

impl<'a> Sent<'a> {
    /// The echoed fields of an entry the fast path did not take, written from its JSON tree.
    pub fn from_value(value: &Value) -> Sent<'static> {
        let field = |name: &str| {
            value
                .get(name)
                .filter(|v| !v.is_null())
                .map(|v| Cow::Owned(v.to_string()))
        };
        Sent {
            class: field("class"),
            id: field("id"),
            tenant: field("tenant"),
            properties: field("properties"),
            vector: field("vector"),
            vectors: field("vectors"),
        }
    }
}

/// The top-level keys of an object body that a write reads, each left as the text the client
/// sent; other keys are skipped unparsed. Only a JSON object deserializes into it (serde's
/// derive would also fill a struct from an array, by position), and a key given twice is an
/// error, so that such bodies take the ordinary parser, which keeps the last.
#[derive(Debug, Default)]
pub(crate) struct RawObject<'a> {
    class: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    tenant: Option<&'a RawValue>,
    properties: Option<&'a RawValue>,
    vector: Option<&'a RawValue>,
    vectors: Option<&'a RawValue>,
}

impl<'a> RawObject<'a> {
    /// The sent text of every field, `null` read as absent.
    fn sent(&self) -> Sent<'a> {
        fn text(f: Option<&RawValue>) -> Option<Cow<'_, str>> {
            f.filter(|r| r.get() != "null")
                .map(|r| Cow::Borrowed(r.get()))
        }
        Sent {
            class: text(self.class),
            id: text(self.id),
            tenant: text(self.tenant),
            properties: text(self.properties),
            vector: text(self.vector),
            vectors: text(self.vectors),
        }
    }

    /// The fields as a JSON tree, for the ordinary parser; it reads no other key.
    fn to_value(&self) -> Value {
        let fields = [
            ("class", self.class),
            ("id", self.id),
            ("tenant", self.tenant),
            ("properties", self.properties),
            ("vector", self.vector),
            ("vectors", self.vectors),
        ];
        let map = fields
            .into_iter()
            .filter_map(|(name, raw)| {
                let value = serde_json::from_str(raw?.get()).unwrap_or(Value::Null);
                Some((name.to_string(), value))
            })
            .collect();
        Value::Object(map)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RawObjectVisitor)
    }
}

struct RawObjectVisitor;

impl<'de> Visitor<'de> for RawObjectVisitor {
    type Value = RawObject<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawObject<'de>, A::Error> {
        let mut out = RawObject::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Class => &mut out.class,
                Key::Id => &mut out.id,
                Key::Tenant => &mut out.tenant,
                Key::Properties => &mut out.properties,
                Key::Vector => &mut out.vector,
                Key::Vectors => &mut out.vectors,
                Key::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                    continue;
                }
            };
            if slot.replace(map.next_value()?).is_some() {
                return Err(de::Error::custom("a key given twice"));
            }
        }
        Ok(out)
    }
}

/// A top-level key of an object body.
enum Key {
    Class,
    Id,
    Tenant,
    Properties,
    Vector,
    Vectors,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "class" => Key::Class,
                    "id" => Key::Id,
                    "tenant" => Key::Tenant,
                    "properties" => Key::Properties,
                    "vector" => Key::Vector,
                    "vectors" => Key::Vectors,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads one object body: the fields as sent, and the input they describe or the ordinary
/// parser's error naming the field.
pub(crate) fn read<'a>(object: &RawObject<'a>) -> (Sent<'a>, ApiResult<ObjectInput>) {
    let input = fast_input(object).map_or_else(|| parse_object(&object.to_value()), Ok);
    (object.sent(), input)
}

/// The input of an ordinary body, every field of the type it must have; `None` otherwise.
fn fast_input(fields: &RawObject<'_>) -> Option<ObjectInput> {
    Some(ObjectInput {
        class: string(fields.class)?.unwrap_or_default(),
        id: id(fields.id)?,
        tenant: string(fields.tenant)?.filter(|t| !t.is_empty()),
        properties: match fields.properties {
            None => Map::new(),
            Some(r) if r.get() == "null" => Map::new(),
            Some(r) => serde_json::from_str(r.get()).ok()?,
        },
        vector: match fields.vector {
            None => None,
            Some(r) if r.get() == "null" => None,
            Some(r) => Some(floats(r.get())?).filter(|v| !v.is_empty()),
        },
        vectors: match fields.vectors {
            None => None,
            Some(r) if r.get() == "null" => None,
            Some(r) => named_vectors(r)?,
        },
    })
}

fn string(field: Option<&RawValue>) -> Option<Option<String>> {
    match field {
        None => Some(None),
        Some(r) if r.get() == "null" => Some(None),
        Some(r) => serde_json::from_str::<String>(r.get()).ok().map(Some),
    }
}

fn id(field: Option<&RawValue>) -> Option<Option<uuid::Uuid>> {
    match string(field)? {
        None => Some(None),
        Some(s) if s.is_empty() => Some(None),
        Some(s) => parse_uuid(&s).map(Some),
    }
}

fn named_vectors(raw: &RawValue) -> Option<Option<BTreeMap<String, Vec<f32>>>> {
    let map: BTreeMap<String, &RawValue> = serde_json::from_str(raw.get()).ok()?;
    let mut out = BTreeMap::new();
    for (name, raw) in map {
        let v = floats(raw.get())?;
        if !v.is_empty() {
            out.insert(name, v);
        }
    }
    Some(Some(out).filter(|m| !m.is_empty()))
}

/// A JSON array of numbers as `f32`s; `None` for anything else (a nested array, a string,
/// `null`). `text` is already valid JSON (serde_json checked the body while splitting it), so
/// a token that starts with `-` or a digit is a JSON number, and the standard library parses
/// every JSON number. Each converts through `f64` exactly as `serde_json::Value::as_f64` does,
/// so both paths store the same bits: correctly rounded to `f64`, then to `f32`.
///
/// This is the hot loop of a REST import (a 1536-dimensional vector is ~30 KB of text). With
/// this reader, a REST import at 128 dimensions took 62 µs of request CPU per object against
/// 92-106 µs with a `serde_json::Value` per float (perf, issue 13's note).
fn floats(text: &str) -> Option<Vec<f32>> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    at = skip_space(bytes, at + 1);
    // Commas count the elements exactly, so the buffer is allocated once at its final size.
    let mut out = Vec::with_capacity(bytes.iter().filter(|&&b| b == b',').count() + 1);
    if bytes.get(at) == Some(&b']') {
        return Some(out);
    }
    loop {
        let start = at;
        while at < bytes.len() && is_number_byte(bytes[at]) {
            at += 1;
        }
        let token = text.get(start..at).filter(|t| !t.is_empty())?;
        if !matches!(token.as_bytes()[0], b'-' | b'0'..=b'9') {
            return None;
        }
        // serde_json refuses a number beyond f64's range, so the ordinary parser refuses the
        // entry: leave it to that parser.
        let x: f64 = token.parse().ok().filter(|x: &f64| x.is_finite())?;
        out.push(x as f32);
        at = skip_space(bytes, at);
        match bytes.get(at) {
            Some(b',') => at = skip_space(bytes, at + 1),
            Some(b']') => break,
            _ => return None,
        }
    }
    Some(out)
}

fn is_number_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\n' | b'\r' | b'\t') {
        at += 1;
    }
    at
}

#[cfg(test)]
#[path = "sent_tests.rs"]
mod tests;
