//! An object's property values checked against its class and normalised for storage
//! (usecases/objects/validation/properties_validation.go). Messages follow Weaviate's wording,
//! prefixed with `invalid object: ` as its REST handlers do.

use serde_json::{json, Map, Value};
use types::schema::{Class, DataType, NestedProperty};

use super::json::as_i64;
use super::names::property_name;
use crate::{gofmt, Error, Result};

/// A step of validation: the normalised value, or why it is invalid.
type Check = std::result::Result<Value, String>;

/// Validates `values` (an object's `properties`) against `class` and returns them normalised:
/// keys with their first letter lower-cased, `null`s dropped, integers as i64, numbers as f64
/// (integral ones printed without a fraction, as Go does), uuids and beacons lower-cased,
/// dates and blobs validated but kept as given, phone numbers parsed (libphonenumber's rules,
/// through the `phonenumber` crate) into Weaviate's stored parts, and beacons without a class
/// completed when the reference has a single target class.
///
/// Whether a referenced object exists is the caller's to check.
pub fn normalize_properties(
    class: &Class,
    values: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in values {
        if value.is_null() {
            continue;
        }
        let name = property_name(key);
        let prop = class.property(&name).ok_or_else(|| {
            Error::invalid(format!(
                "invalid object: no such prop with name '{name}' found in class '{}' in the schema. \
                 Check your schema files for which properties in this class are available",
                class.class
            ))
        })?;
        let kind = prop.kind().ok_or_else(|| {
            Error::Internal(format!(
                "property '{name}' has an invalid dataType {:?}",
                prop.data_type
            ))
        })?;
        let nested = prop.nested_properties.as_deref().unwrap_or_default();
        let normalised = value_of(&class.class, &name, &kind, value, nested)
            .map_err(|msg| Error::invalid(format!("invalid object: {msg}")))?;
        out.insert(name, normalised);
    }
    Ok(out)
}

fn value_of(
    class: &str,
    name: &str,
    kind: &DataType,
    value: &Value,
    nested: &[NestedProperty],
) -> Check {
    if let DataType::Reference(targets) = kind {
        normalize_references(class, name, value, targets)
    } else if is_object(kind) {
        nested_value(class, name, kind, value, nested)
    } else {
        primitive_value(class, name, kind, value)
    }
}

fn is_object(kind: &DataType) -> bool {
    matches!(kind, DataType::Object | DataType::ObjectArray)
}

/// A primitive (non-object, non-reference) value, with Weaviate's per-type message.
fn primitive_value(class: &str, name: &str, kind: &DataType, value: &Value) -> Check {
    let (label, checked) = match kind {
        DataType::Text => ("text", text(value)),
        DataType::Uuid => ("uuid", uuid_value(value)),
        DataType::Int => ("integer", int(value)),
        DataType::Number => ("number", number(value)),
        DataType::Boolean => ("boolean", boolean(value)),
        DataType::Date => ("date", date(value)),
        DataType::GeoCoordinates => ("geoCoordinates", geo(value)),
        DataType::PhoneNumber => ("phoneNumber", phone(value)),
        DataType::Blob => ("blob", blob(value)),
        DataType::TextArray => ("text array", array(value, "a text", text)),
        DataType::IntArray => ("integer array", array(value, "an integer", int)),
        DataType::NumberArray => ("number array", array(value, "a number", number)),
        DataType::BooleanArray => ("boolean array", array(value, "a boolean", boolean)),
        DataType::DateArray => ("date array", array(value, "a date", date)),
        DataType::UuidArray => ("uuid array", array(value, "a uuid", uuid_value)),
        DataType::Object | DataType::ObjectArray | DataType::Reference(_) => {
            return Err(format!("unrecognized data type of property '{name}'"))
        }
    };
    checked.map_err(|e| format!("invalid {label} property '{name}' on class '{class}': {e}"))
}

/// An array whose every element passes `element`; `kind` is "a text", "an integer", ...
fn array(value: &Value, kind: &str, element: fn(&Value) -> Check) -> Check {
    let items = value
        .as_array()
        .ok_or_else(|| format!("not {kind} array, but {}", gofmt::type_name(value)))?;
    let type_name = kind.split_once(' ').map_or(kind, |(_, t)| t);
    items
        .iter()
        .map(|item| {
            element(item)
                .map_err(|_| format!("invalid {type_name} array value: {}", gofmt::value(value)))
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn text(value: &Value) -> Check {
    match value.is_string() {
        true => Ok(value.clone()),
        false => Err(format!("not a string, but {}", gofmt::type_name(value))),
    }
}

fn uuid_value(value: &Value) -> Check {
    value
        .as_str()
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .map(|u| Value::String(u.hyphenated().to_string()))
        .ok_or_else(|| {
            format!(
                "requires a string of UUID format, but the given value is '{}'",
                gofmt::value(value)
            )
        })
}

/// An integer. An integral float (`42.0`) is accepted too: the gRPC path carries every number
/// as a double.
fn int(value: &Value) -> Check {
    match (value, as_i64(value)) {
        (_, Some(i)) => Ok(Value::from(i)),
        (Value::Number(n), None) => Err(format!(
            "the JSON number '{n}' could not be converted to an int"
        )),
        (other, None) => Err(format!(
            "requires an integer, the given value is '{}'",
            gofmt::value(other)
        )),
    }
}

fn number(value: &Value) -> Check {
    value
        .as_f64()
        .and_then(gofmt::json_number)
        .map(Value::Number)
        .ok_or_else(|| {
            format!(
                "requires a float, the given value is '{}'",
                gofmt::value(value)
            )
        })
}

fn boolean(value: &Value) -> Check {
    match value.is_boolean() {
        true => Ok(value.clone()),
        false => Err(format!("not a bool, but {}", gofmt::type_name(value))),
    }
}

fn date(value: &Value) -> Check {
    match value.as_str() {
        Some(s) if is_rfc3339(s) => Ok(value.clone()),
        _ => Err(format!(
            "requires a string with a RFC3339 formatted date, but the given value is '{}'",
            gofmt::value(value)
        )),
    }
}

/// Go's `time.Parse(time.RFC3339, s)`: an upper-case `T` between date and time, `Z` or a
/// numeric offset, optional fractional seconds.
pub(super) fn is_rfc3339(s: &str) -> bool {
    s.as_bytes().get(10) == Some(&b'T')
        && !s.ends_with('z')
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn geo(value: &Value) -> Check {
    let map = value.as_object().ok_or_else(|| {
        format!(
            "geoCoordinates must be a map, but got: {}",
            gofmt::type_name(value)
        )
    })?;
    let longitude = coordinate(map, "longitude", 180.0)?;
    let latitude = coordinate(map, "latitude", 90.0)?;
    Ok(json!({"latitude": latitude, "longitude": longitude}))
}

fn coordinate(map: &Map<String, Value>, key: &str, limit: f64) -> Check {
    let value = map
        .get(key)
        .ok_or_else(|| format!("geoCoordinates is missing required field '{key}'"))?;
    let f = value.as_f64().ok_or_else(|| {
        format!(
            "invalid {key}: must be json.Number or float, but got {}",
            gofmt::type_name(value)
        )
    })?;
    if !(-limit..=limit).contains(&f) {
        return Err(format!(
            "invalid {key}: must be between -{limit} and {limit}, got {f}"
        ));
    }
    Ok(value.clone())
}

/// A phone number is kept as given (`input`, upper-cased `defaultCountry`); a national number
/// needs a two-letter default country, as libphonenumber does.
fn phone(value: &Value) -> Check {
    let map = value.as_object().ok_or_else(|| {
        format!(
            "phoneNumber must be a map, but got: {}",
            gofmt::type_name(value)
        )
    })?;
    let input = map
        .get("input")
        .ok_or("phoneNumber is missing required field 'input'")?;
    let input = input.as_str().ok_or("phoneNumber.input must be a string")?;
    let country = match map.get("defaultCountry") {
        None => String::new(),
        Some(c) => c
            .as_str()
            .ok_or("phoneNumber.defaultCountry must be a string")?
            .to_ascii_uppercase(),
    };
    if !input.chars().any(|c| c.is_ascii_digit()) {
        return Err(
            "invalid phone number: the string supplied did not seem to be a phone number"
                .to_string(),
        );
    }
    let international = input.trim_start().starts_with('+');
    let country_ok = country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic());
    if !(international || country_ok) {
        return Err("invalid phone number: invalid or missing defaultCountry - this field is optional if the \
                    specified number is in the international format, but required if the number is in \
                    national format, use ISO 3166-1 alpha-2"
            .to_string());
    }
    let region = match country.as_str() {
        "" => None,
        c => Some(
            c.parse::<phonenumber::country::Id>()
                .map_err(|_| format!("invalid phone number: unknown defaultCountry '{c}'"))?,
        ),
    };
    let number =
        phonenumber::parse(region, input).map_err(|e| format!("invalid phone number: {e}"))?;
    // The parts Weaviate stores beside the input (libphonenumber's parse and formats).
    let mut out = json!({
        "input": input,
        "countryCode": number.code().value(),
        "internationalFormatted":
            number.format().mode(phonenumber::Mode::International).to_string(),
        "national": number.national().value(),
        "nationalFormatted": number.format().mode(phonenumber::Mode::National).to_string(),
        "valid": phonenumber::is_valid(&number),
    });
    if !country.is_empty() {
        out["defaultCountry"] = Value::String(country);
    }
    Ok(out)
}

/// Standard base64 with padding, as Weaviate's regex requires (not empty).
fn blob(value: &Value) -> Check {
    let s = value
        .as_str()
        .ok_or_else(|| format!("not a blob base64 string, but {}", gofmt::type_name(value)))?;
    let body = s.trim_end_matches('=');
    let padding = s.len() - body.len();
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    if s.is_empty() || s.len() % 4 != 0 || padding > 2 || !body.bytes().all(alphabet) {
        return Err("not a valid blob base64 string".to_string());
    }
    Ok(value.clone())
}

fn nested_value(
    class: &str,
    path: &str,
    kind: &DataType,
    value: &Value,
    props: &[NestedProperty],
) -> Check {
    if matches!(kind, DataType::Object) {
        return object_value(class, path, value, props)
            .map_err(|e| format!("invalid object property '{path}' on class '{class}': {e}"));
    }
    let Some(items) = value.as_array() else {
        return Err(format!(
            "invalid object[] property '{path}' on class '{class}': not an object array, but {}",
            gofmt::type_name(value)
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let obj = object_value(class, path, item, props).map_err(|e| {
            format!("invalid object[] property '{path}' on class '{class}': invalid object '{i}' in array: {e}")
        })?;
        out.push(obj);
    }
    Ok(Value::Array(out))
}

/// One object against its nested properties; unknown keys are errors, `null`s are dropped.
fn object_value(class: &str, path: &str, value: &Value, props: &[NestedProperty]) -> Check {
    let map = value
        .as_object()
        .ok_or_else(|| format!("object must be a map, but got: {}", gofmt::type_name(value)))?;
    let mut out = Map::new();
    for (key, item) in map {
        let full = format!("{path}.{key}");
        let prop = props
            .iter()
            .find(|p| p.name == *key)
            .ok_or_else(|| format!("unknown property '{full}'"))?;
        if item.is_null() {
            continue;
        }
        let kind = prop
            .kind()
            .ok_or_else(|| format!("property '{full}': invalid dataType {:?}", prop.data_type))?;
        let nested = prop.nested_properties.as_deref().unwrap_or_default();
        let checked = match is_object(&kind) {
            true => nested_value(class, &full, &kind, item, nested),
            false => primitive_value(class, &full, &kind, item),
        };
        out.insert(
            key.clone(),
            checked.map_err(|e| format!("property '{full}': {e}"))?,
        );
    }
    Ok(Value::Object(out))
}

/// A cross-reference value of the property `name` of `class`, whose target classes are
/// `targets`: a list of `{"beacon": "weaviate://localhost/<Class>/<uuid>"}` (an `href` is
/// dropped). Beacons are returned re-written with a lower-cased uuid; `Err` is Weaviate's
/// message without the "invalid object" prefix of object writes.
pub fn normalize_references(class: &str, name: &str, value: &Value, targets: &[String]) -> Check {
    let Some(items) = value.as_array() else {
        return Err(match value.is_object() {
            true => format!(
                "invalid cref: reference must be an array, but got a map: {}",
                gofmt::value(value)
            ),
            false => format!(
                "invalid cref: invalid ref type. Needs to be []map, got {}",
                gofmt::type_name(value)
            ),
        });
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let reference = single_reference(class, name, item, targets)
            .map_err(|e| format!("invalid cref: {e}"))?;
        out.push(reference);
    }
    Ok(Value::Array(out))
}

fn single_reference(class: &str, name: &str, item: &Value, targets: &[String]) -> Check {
    let mut map = item.as_object().cloned().ok_or_else(|| {
        format!(
            "Multiple references in {class}.{name} should be a list of maps, but we got: {}",
            gofmt::type_name(item)
        )
    })?;
    map.remove("href");
    let Some(beacon) = map.get("beacon").filter(|_| map.len() == 1) else {
        return Err(match map.len() {
            1 => format!(
                "only direct references supported at the moment, concept references not supported yet:  class \
                 '{class}' with property '{name}' requires exactly 1 argument: 'beacon' is missing, check your input schema"
            ),
            _ => format!(
                "only direct references supported at the moment, concept references not supported yet: class \
                 '{class}' with property '{name}' requires exactly 1 arguments: 'beacon'. Check your input schema, got: {}",
                gofmt::value(&Value::Object(map.clone()))
            ),
        });
    };
    let beacon = beacon.as_str().ok_or_else(|| {
        format!(
            "beacon property is not a string: {}",
            gofmt::type_name(beacon)
        )
    })?;
    let (target, id) = parse_beacon(beacon).map_err(|e| format!("invalid reference: {e}"))?;
    let target = match (target, targets) {
        (Some(t), _) if !targets.contains(&t) => {
            return Err(format!(
                "class '{class}' with property '{name}': beacon class '{t}' is not one of the property's classes {targets:?}"
            ))
        }
        (None, [only]) => Some(only.clone()),
        (target, _) => target,
    };
    let beacon = match target {
        Some(t) => format!("weaviate://localhost/{t}/{id}"),
        None => format!("weaviate://localhost/{id}"),
    };
    Ok(json!({"beacon": beacon}))
}

/// Splits `weaviate://localhost/<Class>/<uuid>` (or `weaviate://localhost/<uuid>`) into the
/// class (if given) and the lower-cased canonical uuid.
pub fn parse_beacon(beacon: &str) -> std::result::Result<(Option<String>, String), String> {
    let rest = beacon
        .strip_prefix("weaviate://")
        .ok_or_else(|| format!("invalid cref URI: '{beacon}' does not start with weaviate://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host != "localhost" {
        return Err("unrecognized cross-ref ref format".to_string());
    }
    let segments: Vec<&str> = path.split('/').collect();
    let (class, id, position) = match segments.as_slice() {
        [class, id] => (Some(class.to_string()), *id, 2),
        [id] if !id.is_empty() => (None, *id, 1),
        _ => {
            return Err(format!(
                "invalid cref URI: path must be of format '<class>/<uuid>', but got '/{path}'"
            ))
        }
    };
    let ordinal = if position == 2 { "2nd" } else { "1st" };
    let id = uuid::Uuid::parse_str(id).map_err(|_| {
        format!("invalid cref URI: {ordinal} path segment must be uuid, but got '{id}'")
    })?;
    Ok((class.filter(|c| !c.is_empty()), id.hyphenated().to_string()))
}
