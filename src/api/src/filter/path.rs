//! The `path` of a condition (filterext `parsePath`, `entities/filters/path.go`): one property
//! name, an internal field, `len(prop)`, or a cross-reference path `[refProp, Class, ...]`.

use types::filter::FilterPath;

/// Longest property and class names Weaviate accepts (`schema.ValidatePropertyName`).
const MAX_PROPERTY_NAME: usize = 231;
const MAX_CLASS_NAME: usize = 255;

/// Parses a path. Weaviate walks `[Class, p0, p1, ...]` two at a time, so a path must have an
/// odd length: `[prop]` or `[refProp, TargetClass, prop]` (and longer reference chains).
pub(super) fn parse(path: Option<&[String]>) -> Result<FilterPath, String> {
    let path = match path {
        Some(p) if !p.is_empty() => p,
        _ => return Err("field 'path': must have at least one element".into()),
    };
    if path.len() % 2 == 0 {
        let last = path.last().map(String::as_str).unwrap_or_default();
        return Err(format!("missing an argument after '{last}'"));
    }
    for (i, segment) in path.iter().enumerate() {
        // Odd positions name the class a reference points to, the others properties.
        if i % 2 == 1 {
            check_class_name(segment)?;
        } else {
            check_property_segment(segment)?;
        }
    }
    Ok(nested(path))
}

/// `[prop]`, or `[refProp, Class, ...rest]` as a reference hop in front of the rest.
fn nested(path: &[String]) -> FilterPath {
    match path {
        [property, class, rest @ ..] if !rest.is_empty() => FilterPath::Reference {
            property: property.clone(),
            class: class.clone(),
            rest: Box::new(nested(rest)),
        },
        [only, ..] => single(only),
        [] => FilterPath::Property(String::new()),
    }
}

/// A one-element path.
fn single(name: &str) -> FilterPath {
    match name {
        "id" | "_id" => FilterPath::Id,
        "_creationTimeUnix" => FilterPath::CreationTime,
        "_lastUpdateTimeUnix" => FilterPath::UpdateTime,
        _ => match length_of(name) {
            Some(inner) => FilterPath::Length(inner.to_string()),
            None => FilterPath::Property(name.to_string()),
        },
    }
}

/// `len(prop)` -> `prop` (`schema.IsPropertyLength`).
fn length_of(name: &str) -> Option<&str> {
    name.strip_prefix("len(")?.strip_suffix(')')
}

fn check_property_segment(segment: &str) -> Result<(), String> {
    let name = length_of(segment).unwrap_or(segment);
    if valid_name(name, MAX_PROPERTY_NAME, |c| {
        c == '_' || c.is_ascii_alphabetic()
    }) {
        Ok(())
    } else {
        Err(format!(
            "Expected a valid property name in 'path' field for the filter, but got '{name}'"
        ))
    }
}

fn check_class_name(segment: &str) -> Result<(), String> {
    if valid_name(segment, MAX_CLASS_NAME, |c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!(
            "Expected a valid class name in 'path' field for the filter but got '{segment}'"
        ))
    }
}

/// `^<first>[_0-9A-Za-z]{0,max-1}$`.
fn valid_name(name: &str, max: usize, first: impl Fn(char) -> bool) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(first)
        && name.len() <= max
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}
