//! Property values between Shoal's JSON and the protobuf forms: a search result's
//! `Properties` typed by the class's schema (the client turns `int_value` into an int and
//! `number_value` into a float, so the schema, not the JSON, decides), and a batch object's
//! `google.protobuf.Struct` plus typed arrays back into JSON for the shared write path.

use prost_types::value::Kind as StructKind;
use serde_json::{Map, Number, Value};
use types::schema::{DataType, NestedProperty, Property};

use super::pb;
use super::pb::value::Kind;

/// Which properties of an object to return, as `PropertiesRequest` says.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Selection {
    /// Every non-reference property, nested objects in full.
    #[default]
    All,
    /// These top-level properties; `nested` narrows object properties to some of their fields.
    Some {
        names: Vec<String>,
        nested: Vec<NestedSelection>,
    },
}

/// `ObjectPropertiesRequest`: the fields to return of one object property.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NestedSelection {
    pub name: String,
    pub primitives: Vec<String>,
    pub objects: Vec<NestedSelection>,
}

impl NestedSelection {
    pub(crate) fn from_proto(request: &pb::ObjectPropertiesRequest) -> Self {
        NestedSelection {
            name: request.prop_name.clone(),
            primitives: request.primitive_properties.clone(),
            objects: request
                .object_properties
                .iter()
                .map(NestedSelection::from_proto)
                .collect(),
        }
    }
}

/// The selected properties of `values`, typed by `schema`. Properties the schema does not
/// know (there are none after validation) and JSON nulls are left out, as Weaviate leaves out
/// unset properties.
pub(crate) fn properties(
    values: &Map<String, Value>,
    schema: &[Property],
    selection: &Selection,
) -> pb::Properties {
    let mut fields = std::collections::HashMap::new();
    for property in schema {
        let nested = match selection {
            Selection::All => None,
            Selection::Some { names, nested } => {
                match nested.iter().find(|n| n.name == property.name) {
                    Some(n) => Some(n),
                    None if names.contains(&property.name) => None,
                    None => continue,
                }
            }
        };
        let Some(value) = values.get(&property.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(kind) = property.kind() else {
            continue;
        };
        let children = property.nested_properties.as_deref().unwrap_or_default();
        if let Some(encoded) = encode(value, &kind, children, nested) {
            fields.insert(property.name.clone(), encoded);
        }
    }
    pb::Properties { fields }
}

/// One value as the client decodes it for `kind`. `None` for references, which are returned
/// through `ref_props`, not here.
fn encode(
    value: &Value,
    kind: &DataType,
    children: &[NestedProperty],
    nested: Option<&NestedSelection>,
) -> Option<pb::Value> {
    let kind = match kind {
        DataType::Text => Kind::TextValue(text(value)),
        DataType::Int => Kind::IntValue(value.as_i64().unwrap_or_default()),
        DataType::Number => Kind::NumberValue(value.as_f64().unwrap_or_default()),
        DataType::Boolean => Kind::BoolValue(value.as_bool().unwrap_or_default()),
        DataType::Date => Kind::DateValue(text(value)),
        DataType::Uuid => Kind::UuidValue(text(value)),
        DataType::Blob => Kind::BlobValue(text(value)),
        DataType::GeoCoordinates => Kind::GeoValue(pb::GeoCoordinate {
            latitude: field_f64(value, "latitude") as f32,
            longitude: field_f64(value, "longitude") as f32,
        }),
        DataType::PhoneNumber => Kind::PhoneValue(phone(value)),
        DataType::Object => Kind::ObjectValue(object(value, children, nested)),
        DataType::TextArray => list(pb::list_value::Kind::TextValues(pb::TextValues {
            values: items(value).map(text).collect(),
        })),
        DataType::DateArray => list(pb::list_value::Kind::DateValues(pb::DateValues {
            values: items(value).map(text).collect(),
        })),
        DataType::UuidArray => list(pb::list_value::Kind::UuidValues(pb::UuidValues {
            values: items(value).map(text).collect(),
        })),
        DataType::BooleanArray => list(pb::list_value::Kind::BoolValues(pb::BoolValues {
            values: items(value)
                .map(|v| v.as_bool().unwrap_or_default())
                .collect(),
        })),
        DataType::IntArray => list(pb::list_value::Kind::IntValues(pb::IntValues {
            values: items(value)
                .flat_map(|v| v.as_i64().unwrap_or_default().to_le_bytes())
                .collect(),
        })),
        DataType::NumberArray => list(pb::list_value::Kind::NumberValues(pb::NumberValues {
            values: items(value)
                .flat_map(|v| v.as_f64().unwrap_or_default().to_le_bytes())
                .collect(),
        })),
        DataType::ObjectArray => list(pb::list_value::Kind::ObjectValues(pb::ObjectValues {
            values: items(value).map(|v| object(v, children, nested)).collect(),
        })),
        DataType::Reference(_) => return None,
    };
    Some(pb::Value { kind: Some(kind) })
}

fn list(kind: pb::list_value::Kind) -> Kind {
    Kind::ListValue(pb::ListValue { kind: Some(kind) })
}

fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().map(|a| a.iter()).into_iter().flatten()
}

/// A string as it is, any other JSON value as its JSON text.
pub(crate) fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

fn field_f64(value: &Value, key: &str) -> f64 {
    value.get(key).and_then(Value::as_f64).unwrap_or_default()
}

/// A nested object typed by its nested properties, narrowed by `nested` if given.
fn object(
    value: &Value,
    children: &[NestedProperty],
    nested: Option<&NestedSelection>,
) -> pb::Properties {
    let mut fields = std::collections::HashMap::new();
    let Some(map) = value.as_object() else {
        return pb::Properties { fields };
    };
    for child in children {
        let grandchild = nested.and_then(|n| n.objects.iter().find(|o| o.name == child.name));
        if let Some(n) = nested {
            if grandchild.is_none() && !n.primitives.contains(&child.name) {
                continue;
            }
        }
        let (Some(v), Some(kind)) = (map.get(&child.name).filter(|v| !v.is_null()), child.kind())
        else {
            continue;
        };
        let children = child.nested_properties.as_deref().unwrap_or_default();
        if let Some(encoded) = encode(v, &kind, children, grandchild) {
            fields.insert(child.name.clone(), encoded);
        }
    }
    pb::Properties { fields }
}

/// A stored phone number (`input`, `defaultCountry`, and the parsed parts when present).
fn phone(value: &Value) -> pb::PhoneNumber {
    let s = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let n = |key: &str| value.get(key).and_then(Value::as_u64).unwrap_or_default();
    pb::PhoneNumber {
        country_code: n("countryCode"),
        default_country: s("defaultCountry"),
        input: s("input"),
        international_formatted: s("internationalFormatted"),
        national: n("national"),
        national_formatted: s("nationalFormatted"),
        valid: value.get("valid").and_then(Value::as_bool).unwrap_or(false),
    }
}

/// A batch object's properties as the JSON map the write path validates and normalises.
/// `Err` names the property whose packed bytes are malformed.
pub(crate) fn batch_properties(
    properties: &pb::batch_object::Properties,
) -> Result<Map<String, Value>, String> {
    let mut out = properties
        .non_ref_properties
        .as_ref()
        .map(struct_map)
        .unwrap_or_default();
    typed_arrays(
        &mut out,
        TypedArrays {
            numbers: &properties.number_array_properties,
            ints: &properties.int_array_properties,
            texts: &properties.text_array_properties,
            booleans: &properties.boolean_array_properties,
            objects: &properties.object_properties,
            object_arrays: &properties.object_array_properties,
            empty: &properties.empty_list_props,
        },
    )?;
    // References become the beacons a REST write carries; a single-target beacon gets its
    // class from the property when the write is checked against the schema.
    for reference in &properties.single_target_ref_props {
        let beacons = reference.uuids.iter().map(|id| beacon(None, id));
        add_references(&mut out, &reference.prop_name, beacons);
    }
    for reference in &properties.multi_target_ref_props {
        let class = Some(reference.target_collection.as_str()).filter(|c| !c.is_empty());
        let beacons = reference.uuids.iter().map(|id| beacon(class, id));
        add_references(&mut out, &reference.prop_name, beacons);
    }
    Ok(out)
}

fn beacon(class: Option<&str>, id: &str) -> Value {
    let beacon = match class {
        Some(class) => format!("weaviate://localhost/{class}/{id}"),
        None => format!("weaviate://localhost/{id}"),
    };
    serde_json::json!({ "beacon": beacon })
}

/// Appends to the property's list of references (a property may come in several parts).
fn add_references(
    out: &mut Map<String, Value>,
    property: &str,
    beacons: impl Iterator<Item = Value>,
) {
    let entry = out
        .entry(property.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = entry {
        items.extend(beacons);
    } else {
        // the same name as a plain property too: the references win, as the last part read
        *entry = Value::Array(beacons.collect());
    }
}

/// The typed parts of a batch object or a nested object value.
struct TypedArrays<'a> {
    numbers: &'a [pb::NumberArrayProperties],
    ints: &'a [pb::IntArrayProperties],
    texts: &'a [pb::TextArrayProperties],
    booleans: &'a [pb::BooleanArrayProperties],
    objects: &'a [pb::ObjectProperties],
    object_arrays: &'a [pb::ObjectArrayProperties],
    empty: &'a [String],
}

fn typed_arrays(out: &mut Map<String, Value>, parts: TypedArrays<'_>) -> Result<(), String> {
    for p in parts.numbers {
        // The deprecated float list is what clients before packed bytes send.
        #[allow(deprecated)]
        let values = if p.values_bytes.is_empty() {
            p.values.clone()
        } else {
            unpack_f64(&p.values_bytes)
                .ok_or_else(|| packed_error(&p.prop_name, "values_bytes", 8))?
        };
        let values = values.into_iter().map(json_f64).collect();
        out.insert(p.prop_name.clone(), Value::Array(values));
    }
    for p in parts.ints {
        let values = p.values.iter().map(|&v| Value::from(v)).collect();
        out.insert(p.prop_name.clone(), Value::Array(values));
    }
    for p in parts.texts {
        let values = p.values.iter().cloned().map(Value::String).collect();
        out.insert(p.prop_name.clone(), Value::Array(values));
    }
    for p in parts.booleans {
        let values = p.values.iter().map(|&v| Value::Bool(v)).collect();
        out.insert(p.prop_name.clone(), Value::Array(values));
    }
    for p in parts.objects {
        let value = p.value.as_ref().map(object_value).transpose()?;
        out.insert(
            p.prop_name.clone(),
            value.map_or(Value::Null, Value::Object),
        );
    }
    for p in parts.object_arrays {
        let values = p
            .values
            .iter()
            .map(|v| object_value(v).map(Value::Object))
            .collect::<Result<_, _>>()?;
        out.insert(p.prop_name.clone(), Value::Array(values));
    }
    for name in parts.empty {
        out.insert(name.clone(), Value::Array(Vec::new()));
    }
    Ok(())
}

fn object_value(value: &pb::ObjectPropertiesValue) -> Result<Map<String, Value>, String> {
    let mut out = value
        .non_ref_properties
        .as_ref()
        .map(struct_map)
        .unwrap_or_default();
    typed_arrays(
        &mut out,
        TypedArrays {
            numbers: &value.number_array_properties,
            ints: &value.int_array_properties,
            texts: &value.text_array_properties,
            booleans: &value.boolean_array_properties,
            objects: &value.object_properties,
            object_arrays: &value.object_array_properties,
            empty: &value.empty_list_props,
        },
    )?;
    Ok(out)
}

fn packed_error(property: &str, field: &str, width: usize) -> String {
    format!("property '{property}': {field} must hold a multiple of {width} bytes")
}

/// Little-endian f64s, as the client packs number arrays.
pub(crate) fn unpack_f64(bytes: &[u8]) -> Option<Vec<f64>> {
    bytes.len().is_multiple_of(8).then(|| {
        bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect()
    })
}

/// Little-endian f32s, as the client packs vectors.
pub(crate) fn unpack_f32(bytes: &[u8]) -> Option<Vec<f32>> {
    bytes.len().is_multiple_of(4).then(|| {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect()
    })
}

/// Packs a vector the way the client unpacks it.
pub(crate) fn pack_f32(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn struct_map(s: &prost_types::Struct) -> Map<String, Value> {
    s.fields
        .iter()
        .map(|(k, v)| (k.clone(), struct_value(v)))
        .collect()
}

fn struct_value(value: &prost_types::Value) -> Value {
    match &value.kind {
        None | Some(StructKind::NullValue(_)) => Value::Null,
        Some(StructKind::NumberValue(x)) => json_f64(*x),
        Some(StructKind::StringValue(s)) => Value::String(s.clone()),
        Some(StructKind::BoolValue(b)) => Value::Bool(*b),
        Some(StructKind::StructValue(s)) => Value::Object(struct_map(s)),
        Some(StructKind::ListValue(l)) => Value::Array(l.values.iter().map(struct_value).collect()),
    }
}

/// A double as JSON; NaN and infinities, which JSON cannot hold, become null (and are then
/// refused by the property's type check).
fn json_f64(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}
