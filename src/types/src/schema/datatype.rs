//! Property data types.

/// A property's data type, parsed from the wire form (`["text"]`, `["int[]"]`, `["Author"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataType {
    Text,
    TextArray,
    Int,
    IntArray,
    Number,
    NumberArray,
    Boolean,
    BooleanArray,
    Date,
    DateArray,
    Uuid,
    UuidArray,
    GeoCoordinates,
    PhoneNumber,
    Blob,
    Object,
    ObjectArray,
    /// A cross-reference to one or more classes.
    Reference(Vec<String>),
}

impl DataType {
    /// Parses the wire form. Primitive types are a single lower-case name; anything starting with
    /// an upper-case letter is a cross-reference. `string`/`string[]` are the legacy names of
    /// `text`/`text[]`.
    pub fn parse(data_type: &[String]) -> Option<DataType> {
        let first = data_type.first()?;
        if first.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            return Some(DataType::Reference(data_type.to_vec()));
        }
        if data_type.len() != 1 {
            return None;
        }
        Some(match first.as_str() {
            "text" | "string" => DataType::Text,
            "text[]" | "string[]" => DataType::TextArray,
            "int" => DataType::Int,
            "int[]" => DataType::IntArray,
            "number" => DataType::Number,
            "number[]" => DataType::NumberArray,
            "boolean" => DataType::Boolean,
            "boolean[]" => DataType::BooleanArray,
            "date" => DataType::Date,
            "date[]" => DataType::DateArray,
            "uuid" => DataType::Uuid,
            "uuid[]" => DataType::UuidArray,
            "geoCoordinates" => DataType::GeoCoordinates,
            "phoneNumber" => DataType::PhoneNumber,
            "blob" => DataType::Blob,
            "object" => DataType::Object,
            "object[]" => DataType::ObjectArray,
            _ => return None,
        })
    }

    /// The wire name of a primitive type (`None` for references).
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            DataType::Text => "text",
            DataType::TextArray => "text[]",
            DataType::Int => "int",
            DataType::IntArray => "int[]",
            DataType::Number => "number",
            DataType::NumberArray => "number[]",
            DataType::Boolean => "boolean",
            DataType::BooleanArray => "boolean[]",
            DataType::Date => "date",
            DataType::DateArray => "date[]",
            DataType::Uuid => "uuid",
            DataType::UuidArray => "uuid[]",
            DataType::GeoCoordinates => "geoCoordinates",
            DataType::PhoneNumber => "phoneNumber",
            DataType::Blob => "blob",
            DataType::Object => "object",
            DataType::ObjectArray => "object[]",
            DataType::Reference(_) => return None,
        })
    }

    /// True for `text` and `text[]`, the types that carry a tokenization.
    pub fn is_text(&self) -> bool {
        matches!(self, DataType::Text | DataType::TextArray)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_primitives_arrays_and_references() {
        let p = |s: &[&str]| DataType::parse(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(p(&["text"]), Some(DataType::Text));
        assert_eq!(p(&["string[]"]), Some(DataType::TextArray));
        assert_eq!(p(&["object[]"]), Some(DataType::ObjectArray));
        assert_eq!(
            p(&["Author", "Book"]),
            Some(DataType::Reference(vec!["Author".into(), "Book".into()]))
        );
        assert_eq!(p(&["no_such_type"]), None);
        assert_eq!(p(&[]), None);
        for t in ["text", "int[]", "geoCoordinates", "blob"] {
            assert_eq!(p(&[t]).unwrap().name(), Some(t));
        }
    }
}
