//! Alias requests of `/v1/aliases`: the bodies `{"alias", "class"}` (create) and `{"class"}`
//! (switch), with names stored as Weaviate 1.32 stores them: both first letters upper-cased,
//! the alias then checked as a class name is (`usecases/schema/alias.go`).

use serde_json::Value;

use crate::schema::{alias_name, class_name};
use crate::{Error, Result};

/// `POST /v1/aliases`: `(alias, class)`, both normalised; the alias validated.
pub fn parse_create(body: &Value) -> Result<(String, String)> {
    let alias = alias_name(&field(body, "alias")?)?;
    Ok((alias, target(body)?))
}

/// `PUT /v1/aliases/{alias}`: the class the alias is to name, normalised.
pub fn parse_replace(body: &Value) -> Result<String> {
    target(body)
}

fn target(body: &Value) -> Result<String> {
    Ok(class_name(&field(body, "class")?))
}

/// The non-empty string `name` of the body object.
fn field(body: &Value, name: &str) -> Result<String> {
    let Value::Object(fields) = body else {
        return Err(Error::invalid(
            "the body must be a JSON object: {\"alias\": ..., \"class\": ...}",
        ));
    };
    match fields.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            Err(Error::invalid(format!("field '{name}' is required")))
        }
        Some(_) => Err(Error::invalid(format!("field '{name}' must be a string"))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(r: Result<impl std::fmt::Debug>) -> String {
        r.expect_err("refused").to_string()
    }

    #[test]
    fn names_are_stored_with_an_upper_case_first_letter() {
        let body = json!({"alias": "bookAlias", "class": "books"});
        assert_eq!(
            parse_create(&body).unwrap(),
            ("BookAlias".to_string(), "Books".to_string())
        );
        assert_eq!(
            parse_replace(&json!({"class": "booksV2"})).unwrap(),
            "BooksV2"
        );
        assert_eq!(
            parse_create(&json!({"alias": "Test_alias1", "class": "C"}))
                .unwrap()
                .0,
            "Test_alias1"
        );
    }

    #[test]
    fn an_alias_is_checked_as_a_class_name_is() {
        // The cases of Weaviate's acceptance test "create alias with invalid char".
        for bad in [
            "invalid_alias_!#",
            "invalid_alias_@",
            "!invalid_alias_@",
            "#invalid_alias_*",
        ] {
            let got = message(parse_create(&json!({"alias": bad, "class": "Books"})));
            assert!(got.ends_with("is not a valid alias name"), "{bad}: {got}");
        }
        let long = "a".repeat(256);
        let got = message(parse_create(&json!({"alias": long, "class": "Books"})));
        assert!(got.contains("not be longer than 255"), "{got}");
        assert!(parse_create(&json!({"alias": "A".repeat(255), "class": "Books"})).is_ok());
    }

    #[test]
    fn bodies_name_the_field_they_lack() {
        assert_eq!(
            message(parse_create(&json!({"class": "Books"}))),
            "field 'alias' is required"
        );
        assert_eq!(
            message(parse_create(&json!({"alias": "", "class": "Books"}))),
            "field 'alias' is required"
        );
        assert_eq!(
            message(parse_create(&json!({"alias": "A"}))),
            "field 'class' is required"
        );
        assert_eq!(
            message(parse_replace(&json!({"class": 3}))),
            "field 'class' must be a string"
        );
        assert!(
            message(parse_replace(&json!(["Books"]))).starts_with("the body must be a JSON object")
        );
    }
}
