//! Properties and nested properties: data types, tokenization, index flags and their defaults
//! (usecases/schema/class.go, property.go, validation.go; entities/schema/data_types.go).
//!
//! Legacy input is migrated as Weaviate does: `string`/`string[]` become `text`/`text[]` (with
//! `word` tokenization turned into `whitespace`), and `indexInverted` becomes
//! `indexFilterable`/`indexSearchable`.

use serde_json::Value;
use types::json::MAX_NESTING_DEPTH;
use types::schema::{Class, DataType, NestedProperty, Property};

use super::json::{self, Obj};
use super::names::{self, property_name};
use crate::{Error, Result};

/// Tokenizations Shoal implements for text properties.
const TEXT_TOKENIZATIONS: [&str; 5] = ["word", "lowercase", "whitespace", "field", "trigram"];
/// Tokenizations of nested text properties (Weaviate allows fewer there).
const NESTED_TOKENIZATIONS: [&str; 4] = ["word", "lowercase", "whitespace", "field"];
/// Valid in Weaviate but needing tokenizer libraries Shoal does not ship.
const UNSUPPORTED_TOKENIZATIONS: [&str; 3] = ["gse", "kagome_kr", "kagome_ja"];

/// Parses a `POST /v1/schema/{class}/properties` body (or one entry of a class's `properties`)
/// into a complete property: name first letter lower-cased, validated, defaults filled in and
/// legacy settings migrated. Duplicates against the class are checked by [`check_new_property`].
pub fn parse_property(body: &Value) -> Result<Property> {
    let obj = json::as_obj(body, "property")?;
    let name = match json::opt_str(obj, "name", "")? {
        Some(raw) if !raw.is_empty() => property_name(raw),
        _ => return Err(Error::invalid("property must contain name")),
    };
    names::validate_property_name(&name)?;
    let raw_types = data_type_list(obj, &name)?;
    let kind = classify(&raw_types).map_err(|e| invalid_data_type(&name, &e))?;
    let legacy = matches!(
        raw_types.first().map(String::as_str),
        Some("string" | "string[]")
    );
    let nested = top_level_nested(obj, &name, &kind)?;
    let tokenization = tokenization(obj, &name, &kind, legacy)?;
    let (index_filterable, index_searchable, index_range_filters) = index_flags(obj, &name, &kind)?;
    let description = at("property", &name, description(obj))?;
    let module_config = at("property", &name, module_config(obj, ""))?;
    Ok(Property {
        data_type: wire_types(&kind, raw_types),
        name,
        description,
        tokenization,
        index_filterable,
        index_searchable,
        index_range_filters,
        nested_properties: nested,
        module_config,
    })
}

/// Rejects a property whose name (compared case-insensitively, as Weaviate does) the class
/// already uses.
pub fn check_new_property(class: &Class, prop: &Property) -> Result<()> {
    if class
        .props()
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case(&prop.name))
    {
        return Err(conflict(&class.class, &prop.name));
    }
    Ok(())
}

/// Weaviate's message for a property name used twice.
pub(super) fn conflict(class: &str, property: &str) -> Error {
    Error::invalid(format!(
        "class {class:?}: conflict for property {property:?}: already in use or provided multiple times"
    ))
}

/// True when a wire data type is a cross-reference (`["Author"]`).
pub(super) fn is_reference(data_type: &[String]) -> bool {
    matches!(classify(data_type), Ok(DataType::Reference(_)))
}

/// `description`; an empty one is absent, as Go's `omitempty` echoes it.
fn description(obj: &Obj) -> Result<Option<String>> {
    Ok(json::opt_str(obj, "description", "")?
        .filter(|d| !d.is_empty())
        .map(str::to_string))
}

/// Prefixes an error with the property it is about (`property 'x': ...`; Weaviate writes
/// `Property` for nested ones).
fn at<T>(label: &str, name: &str, result: Result<T>) -> Result<T> {
    result.map_err(|e| Error::invalid(format!("{label} '{name}': {e}")))
}

fn invalid_data_type(name: &str, why: &str) -> Error {
    Error::invalid(format!("property '{name}': invalid dataType: {why}"))
}

fn data_type_list(obj: &Obj, name: &str) -> Result<Vec<String>> {
    match json::field(obj, "dataType") {
        None => Err(Error::invalid(format!(
            "property '{name}': property must contain dataType"
        ))),
        Some(_) => {
            Ok(at("property", name, json::opt_str_list(obj, "dataType", ""))?.unwrap_or_default())
        }
    }
}

/// The data type of a wire `dataType`, or why it is invalid (Weaviate's wording).
fn classify(data_type: &[String]) -> std::result::Result<DataType, String> {
    let first = data_type
        .first()
        .ok_or("dataType must have at least one element")?;
    if data_type.len() == 1 {
        if let Some(kind) =
            DataType::parse(data_type).filter(|k| !matches!(k, DataType::Reference(_)))
        {
            return Ok(kind);
        }
        if first.is_empty() {
            return Err("dataType cannot be an empty string".to_string());
        }
        if first.chars().next().is_some_and(char::is_lowercase) {
            return Err(format!("unknown primitive data type '{first}'"));
        }
    }
    for target in data_type {
        names::validate_class_name(target).map_err(|e| e.to_string())?;
    }
    Ok(DataType::Reference(data_type.to_vec()))
}

/// The stored `dataType`: primitive names after the `string` -> `text` migration, reference
/// targets as given.
fn wire_types(kind: &DataType, raw: Vec<String>) -> Vec<String> {
    match kind.name() {
        Some(name) => vec![name.to_string()],
        None => raw,
    }
}

fn is_nested(kind: &DataType) -> bool {
    matches!(kind, DataType::Object | DataType::ObjectArray)
}

/// The type name used in messages (`text`, `int[]`, ...).
fn type_label(kind: &DataType, legacy: bool) -> &'static str {
    match (kind, legacy) {
        (DataType::Text, true) => "string",
        (DataType::TextArray, true) => "string[]",
        _ => kind.name().unwrap_or("cref"),
    }
}

fn top_level_nested(obj: &Obj, name: &str, kind: &DataType) -> Result<Option<Vec<NestedProperty>>> {
    let given = json::field(obj, "nestedProperties");
    if !is_nested(kind) {
        if given
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
        {
            return Err(Error::invalid(format!(
                "property '{name}': nestedProperties not allowed for data types other than object/object[]"
            )));
        }
        return Ok(None);
    }
    parse_nested_list(given, name).map(Some)
}

/// The tokenization of a property: defaulted to `word` for text, checked against the type.
fn tokenization(obj: &Obj, name: &str, kind: &DataType, legacy: bool) -> Result<Option<String>> {
    let given =
        at("property", name, json::opt_str(obj, "tokenization", ""))?.filter(|t| !t.is_empty());
    let label = type_label(kind, legacy);
    if !kind.is_text() {
        return match given {
            None => Ok(None),
            Some(_) => Err(Error::invalid(format!(
                "property '{name}': {}",
                no_tokenization(kind, label)
            ))),
        };
    }
    let chosen = given.unwrap_or("word");
    let allowed: &[&str] = if legacy {
        &["word", "field"]
    } else {
        &TEXT_TOKENIZATIONS
    };
    if !allowed.contains(&chosen) {
        return Err(tokenization_error(name, chosen, label));
    }
    // Legacy `string` with `word` kept its whitespace splitting when it became `text`.
    let migrated = if legacy && chosen == "word" {
        "whitespace"
    } else {
        chosen
    };
    Ok(Some(migrated.to_string()))
}

fn no_tokenization(kind: &DataType, label: &str) -> String {
    if is_nested(kind) {
        "Tokenization is not allowed for object/object[] data types".to_string()
    } else if matches!(kind, DataType::Reference(_)) {
        "Tokenization is not allowed for reference data type".to_string()
    } else {
        format!("Tokenization is not allowed for data type '{label}'")
    }
}

fn tokenization_error(name: &str, tokenization: &str, label: &str) -> Error {
    if UNSUPPORTED_TOKENIZATIONS.contains(&tokenization) {
        return Error::invalid(format!(
            "property '{name}': tokenization '{tokenization}' is not supported by this server \
             (it needs a language-specific tokenizer that is not available); use one of \
             word, lowercase, whitespace, field, trigram"
        ));
    }
    Error::invalid(format!(
        "property '{name}': Tokenization '{tokenization}' is not allowed for data type '{label}'"
    ))
}

/// `(indexFilterable, indexSearchable, indexRangeFilters)` with defaults, migrating the
/// legacy `indexInverted`.
fn index_flags(obj: &Obj, name: &str, kind: &DataType) -> Result<(bool, bool, bool)> {
    let flag = |key| at("property", name, json::opt_bool(obj, key, ""));
    let (inverted, filterable) = (flag("indexInverted")?, flag("indexFilterable")?);
    let (searchable, range) = (flag("indexSearchable")?, flag("indexRangeFilters")?);
    let any_new = filterable.is_some() || searchable.is_some() || range.is_some();
    if let Some(inverted) = inverted {
        if any_new {
            return Err(Error::invalid(format!(
                "property '{name}': `indexInverted` is deprecated and can not be set together with \
                 `indexFilterable`, `indexSearchable` or `indexRangeFilters`"
            )));
        }
        return Ok((inverted, inverted && kind.is_text(), false));
    }
    if searchable == Some(true) && !kind.is_text() {
        return Err(Error::invalid(format!(
            "property '{name}': `indexSearchable` is allowed only for text/text[] data types. \
             For other data types set false or leave empty"
        )));
    }
    if range == Some(true) && !supports_range(kind) {
        return Err(Error::invalid(format!(
            "property '{name}': `indexRangeFilters` is allowed only for number/int/date data types. \
             For other data types set false or leave empty"
        )));
    }
    Ok((
        filterable.unwrap_or(true),
        searchable.unwrap_or(kind.is_text()),
        range.unwrap_or(false),
    ))
}

fn supports_range(kind: &DataType) -> bool {
    matches!(kind, DataType::Int | DataType::Number | DataType::Date)
}

/// `moduleConfig` of a class or property: opaque, but it must be an object.
pub(super) fn module_config(obj: &Obj, path: &str) -> Result<Option<Value>> {
    Ok(json::opt_obj(obj, "moduleConfig", path)?.map(|o| Value::Object(o.clone())))
}

/// The nested properties of an `object`/`object[]` property named `prefix`: at least one,
/// names unique.
fn parse_nested_list(value: Option<&Value>, prefix: &str) -> Result<Vec<NestedProperty>> {
    let items = match value {
        None => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(other) => {
            return Err(Error::invalid(format!(
                "Property '{prefix}': nestedProperties must be a list, got {other}"
            )))
        }
    };
    if items.is_empty() {
        return Err(Error::invalid(format!(
            "Property '{prefix}': At least one nested property is required for data type object/object[]"
        )));
    }
    // Nested names have no dots, so the path's length is the level these properties are at.
    let level = prefix.split('.').count();
    if level > MAX_NESTING_DEPTH {
        return Err(Error::invalid(format!(
            "Property '{prefix}': nestedProperties may nest at most {MAX_NESTING_DEPTH} levels deep"
        )));
    }
    let mut out: Vec<NestedProperty> = Vec::with_capacity(items.len());
    for item in items {
        let nested = parse_nested(item, prefix)?;
        if out.iter().any(|n| n.name == nested.name) {
            return Err(Error::invalid(format!(
                "Property '{prefix}.{}': nested property provided multiple times",
                nested.name
            )));
        }
        out.push(nested);
    }
    Ok(out)
}

/// One nested property of `prefix` (nested names keep their case, as in Weaviate).
fn parse_nested(value: &Value, prefix: &str) -> Result<NestedProperty> {
    let obj = json::as_obj(value, &format!("Property '{prefix}': a nested property"))?;
    let name = at("Property", prefix, json::opt_str(obj, "name", ""))?
        .unwrap_or_default()
        .to_string();
    names::validate_nested_name(&name, prefix)?;
    let full = format!("{prefix}.{name}");
    let kind = nested_kind(obj, &full)?;
    let nested = match is_nested(&kind) {
        true => Some(parse_nested_list(json::field(obj, "nestedProperties"), &full)?),
        false if json::field(obj, "nestedProperties").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) => {
            return Err(Error::invalid(format!(
                "Property '{full}': nestedProperties not allowed for data types other than object/object[]"
            )))
        }
        false => None,
    };
    let (index_filterable, index_searchable, index_range_filters) =
        nested_flags(obj, &full, &kind)?;
    Ok(NestedProperty {
        name,
        data_type: wire_types(&kind, Vec::new()),
        description: at("Property", &full, description(obj))?,
        tokenization: nested_tokenization(obj, &full, &kind)?,
        index_filterable,
        index_searchable,
        index_range_filters,
        nested_properties: nested,
    })
}

/// The data type of a nested property: any primitive except the deprecated `string` types,
/// geo and phone; no references.
fn nested_kind(obj: &Obj, full: &str) -> Result<DataType> {
    let raw = at("Property", full, json::opt_str_list(obj, "dataType", ""))?.unwrap_or_default();
    let kind = classify(&raw)
        .map_err(|e| Error::invalid(format!("Property '{full}': invalid dataType: {e}")))?;
    let first = raw.first().map(String::as_str).unwrap_or_default();
    if matches!(kind, DataType::Reference(_)) {
        return Err(Error::invalid(format!(
            "Property '{full}': reference data type not allowed"
        )));
    }
    if matches!(first, "string" | "string[]") {
        return Err(Error::invalid(format!(
            "Property '{full}': data type '{first}' is deprecated and not allowed as nested property"
        )));
    }
    if matches!(kind, DataType::GeoCoordinates | DataType::PhoneNumber) {
        return Err(Error::invalid(format!(
            "Property '{full}': data type '{first}' not allowed as nested property"
        )));
    }
    Ok(kind)
}

fn nested_tokenization(obj: &Obj, full: &str, kind: &DataType) -> Result<Option<String>> {
    let given =
        at("Property", full, json::opt_str(obj, "tokenization", ""))?.filter(|t| !t.is_empty());
    if !kind.is_text() {
        return match given {
            None => Ok(None),
            Some(_) => Err(Error::invalid(format!(
                "Property '{full}': {}",
                no_tokenization(kind, type_label(kind, false))
            ))),
        };
    }
    let chosen = given.unwrap_or("word");
    if !NESTED_TOKENIZATIONS.contains(&chosen) {
        return Err(tokenization_error(full, chosen, type_label(kind, false)));
    }
    Ok(Some(chosen.to_string()))
}

fn nested_flags(obj: &Obj, full: &str, kind: &DataType) -> Result<(bool, bool, bool)> {
    let flag = |key| at("Property", full, json::opt_bool(obj, key, ""));
    let is_blob = matches!(kind, DataType::Blob);
    let filterable = flag("indexFilterable")?.unwrap_or(!is_blob);
    let searchable = flag("indexSearchable")?.unwrap_or(kind.is_text());
    let range = flag("indexRangeFilters")?.unwrap_or(false);
    if filterable && is_blob {
        return Err(Error::invalid(format!(
            "Property: '{full}': indexFilterable is not allowed for blob data type"
        )));
    }
    if searchable && !kind.is_text() {
        return Err(Error::invalid(format!(
            "Property '{full}': `indexSearchable` is not allowed for other than text/text[] data types"
        )));
    }
    if range && !supports_range(kind) {
        return Err(Error::invalid(format!(
            "Property '{full}': `indexRangeFilters` is not allowed for other than number/int/date data types"
        )));
    }
    Ok((filterable, searchable, range))
}
