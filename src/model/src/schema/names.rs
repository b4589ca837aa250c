//! Names of classes, aliases, properties, nested properties and named vectors: case
//! conventions and the GraphQL-compatible patterns Weaviate enforces
//! (entities/schema/validation.go).

use crate::{Error, Result};

/// Longest class name: it becomes a directory name in Weaviate.
const CLASS_NAME_MAX: usize = 255;
/// Longest property name (255 minus the longest suffix Weaviate appends to it on disk).
const PROPERTY_NAME_MAX: usize = 231;
/// Longest named-vector name.
const TARGET_VECTOR_NAME_MAX: usize = 230;
/// Property names the API uses for itself.
const RESERVED_PROPERTY_NAMES: [&str; 3] = ["_additional", "_id", "id"];

/// The stored form of a class name: first letter upper-cased (`article` -> `Article`).
/// Only an ASCII first letter changes; anything else is left for validation to reject.
pub fn class_name(raw: &str) -> String {
    let mut chars = raw.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The stored form of a property name: first letter lower-cased (`WordCount` -> `wordCount`).
pub fn property_name(raw: &str) -> String {
    let mut chars = raw.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// True when `name` is `first` followed by at most `max_rest` of `[_0-9A-Za-z]`.
fn matches(name: &str, first: fn(u8) -> bool, max_rest: usize) -> bool {
    let bytes = name.as_bytes();
    match bytes.split_first() {
        Some((head, rest)) => {
            first(*head)
                && rest.len() <= max_rest
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        None => false,
    }
}

fn letter_or_underscore(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// `[A-Z][_0-9A-Za-z]{0,254}`.
pub(super) fn validate_class_name(name: &str) -> Result<()> {
    if name.len() > CLASS_NAME_MAX {
        return Err(Error::invalid(format!(
            "'{name}' is not a valid class name. Name should not be longer than {CLASS_NAME_MAX} characters."
        )));
    }
    if !matches(name, |b| b.is_ascii_uppercase(), CLASS_NAME_MAX - 1) {
        return Err(Error::invalid(format!(
            "'{name}' is not a valid class name"
        )));
    }
    if name.eq_ignore_ascii_case("raft") {
        // Weaviate keeps its Raft data in a directory of that name next to the classes.
        return Err(Error::invalid(
            "parse class name: class name `raft` is reserved",
        ));
    }
    Ok(())
}

/// An alias name as stored: first letter upper-cased, then checked as a class name is
/// (`[A-Z][_0-9A-Za-z]{0,254}`), since an alias stands wherever a class name does.
pub fn alias_name(raw: &str) -> Result<String> {
    let name = class_name(raw);
    if name.len() > CLASS_NAME_MAX {
        return Err(Error::invalid(format!(
            "'{name}' is not a valid alias name. Name should not be longer than {CLASS_NAME_MAX} characters."
        )));
    }
    if !matches(&name, |b| b.is_ascii_uppercase(), CLASS_NAME_MAX - 1) {
        return Err(Error::invalid(format!(
            "'{name}' is not a valid alias name"
        )));
    }
    Ok(name)
}

/// `[_A-Za-z][_0-9A-Za-z]{0,230}`, and not one of the reserved names.
pub(super) fn validate_property_name(name: &str) -> Result<()> {
    if name.len() > PROPERTY_NAME_MAX {
        return Err(Error::invalid(format!(
            "'{name}' is not a valid property name. Name should not be longer than {PROPERTY_NAME_MAX} characters."
        )));
    }
    if !matches(name, letter_or_underscore, PROPERTY_NAME_MAX - 1) {
        return Err(Error::invalid(format!(
            "'{name}' is not a valid property name. Property names in Weaviate are restricted to valid \
             GraphQL names, which must be “/[_A-Za-z][_0-9A-Za-z]{{0,230}}/”."
        )));
    }
    if RESERVED_PROPERTY_NAMES.contains(&name) {
        return Err(Error::invalid(format!(
            "'{name}' is a reserved property name"
        )));
    }
    Ok(())
}

/// `[_A-Za-z][_0-9A-Za-z]*` for a nested property of `prefix`.
pub(super) fn validate_nested_name(name: &str, prefix: &str) -> Result<()> {
    if !matches(name, letter_or_underscore, usize::MAX) {
        return Err(Error::invalid(format!(
            "'{name}' is not a valid nested property name of '{prefix}'. NestedProperty names in Weaviate \
             are restricted to valid GraphQL names, which must be “/[_A-Za-z][_0-9A-Za-z]*/”."
        )));
    }
    Ok(())
}

/// `[_A-Za-z][_0-9A-Za-z]{0,229}` for a named vector.
pub(super) fn validate_target_vector_name(name: &str) -> Result<()> {
    if name.len() > TARGET_VECTOR_NAME_MAX {
        return Err(Error::invalid(format!(
            "class.VectorConfig target vector name {name:?} is not valid. Target vector name should not \
             be longer than {TARGET_VECTOR_NAME_MAX} characters."
        )));
    }
    if !matches(name, letter_or_underscore, TARGET_VECTOR_NAME_MAX - 1) {
        return Err(Error::invalid(format!(
            "class.VectorConfig target vector name {name:?} is not valid, in Weaviate target vector names \
             are restricted to valid GraphQL names, which must be “/[_A-Za-z][_0-9A-Za-z]{{0,229}}/”."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conventions() {
        assert_eq!(class_name("article"), "Article");
        assert_eq!(class_name("Article"), "Article");
        assert_eq!(class_name("a"), "A");
        assert_eq!(class_name(""), "");
        assert_eq!(class_name("Ünicode"), "Ünicode");
        assert_eq!(property_name("WordCount"), "wordCount");
        assert_eq!(property_name("_id"), "_id");
        assert_eq!(property_name("X"), "x");
    }

    #[test]
    fn class_names() {
        for ok in ["A", "YellowCars", "Has_9_Things"] {
            validate_class_name(ok).unwrap();
        }
        for bad in [
            "",
            "Bad-Name",
            "9Lives",
            "Has Space",
            "Dotted.Name",
            "Ünicode",
            "lower",
            "_X",
        ] {
            let err = validate_class_name(bad).unwrap_err().to_string();
            assert!(err.contains("is not a valid class name"), "{bad}: {err}");
        }
        assert!(validate_class_name(&format!("A{}", "b".repeat(254))).is_ok());
        let long = format!("A{}", "b".repeat(255));
        assert!(validate_class_name(&long)
            .unwrap_err()
            .to_string()
            .contains("longer than 255"));
        assert!(validate_class_name("Raft")
            .unwrap_err()
            .to_string()
            .contains("reserved"));
    }

    #[test]
    fn property_names() {
        for ok in ["title", "_private", "a1", "wordCount"] {
            validate_property_name(ok).unwrap();
        }
        for bad in ["", "bad-prop", "1st", "has space", "ü"] {
            assert!(validate_property_name(bad).is_err(), "{bad}");
        }
        for reserved in ["id", "_id", "_additional"] {
            let err = validate_property_name(reserved).unwrap_err().to_string();
            assert_eq!(err, format!("'{reserved}' is a reserved property name"));
        }
        assert!(validate_property_name(&"a".repeat(231)).is_ok());
        assert!(validate_property_name(&"a".repeat(232)).is_err());
    }

    #[test]
    fn nested_and_vector_names() {
        validate_nested_name(&"a".repeat(500), "obj").unwrap();
        let err = validate_nested_name("a-b", "obj").unwrap_err().to_string();
        assert!(
            err.contains("'a-b' is not a valid nested property name of 'obj'"),
            "{err}"
        );
        validate_target_vector_name("title_vec").unwrap();
        assert!(validate_target_vector_name("title-vec").is_err());
        assert!(validate_target_vector_name(&"v".repeat(231)).is_err());
    }
}
