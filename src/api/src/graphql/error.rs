//! GraphQL error entries in the shape Weaviate (graphql-go) writes them:
//! `{"locations":[{"column":C,"line":L}],"message":"...","path":null | ["Get","Class"]}`.
//!
//! Validation errors (unknown fields and arguments, literals of the wrong type, syntax errors)
//! have no path and make the whole response carry no `data`. Resolver errors carry the path of
//! the failing field, whose value becomes `null` while its siblings still resolve.
//! The message texts follow graphql-go's `rules.go` so that clients matching on them keep working.

use graphql_parser::Pos;
use serde_json::{json, Value};

/// One entry of the response's `errors` list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GqlError {
    pub message: String,
    /// Where in the query text the offending node starts (one-based line and column).
    pub locations: Vec<Pos>,
    /// Response keys from the root to the failing field; `None` for validation errors.
    pub path: Option<Vec<String>>,
}

impl GqlError {
    /// A validation error at `pos` (no path).
    pub fn new(message: impl Into<String>, pos: Pos) -> GqlError {
        GqlError {
            message: message.into(),
            locations: vec![pos],
            path: None,
        }
    }

    /// The same error as a resolver error of the field at `path`.
    pub fn at_path(mut self, path: &[&str]) -> GqlError {
        self.path = Some(path.iter().map(|s| s.to_string()).collect());
        self
    }

    /// The wire form of this entry.
    pub fn to_json(&self) -> Value {
        let locations: Vec<Value> = self
            .locations
            .iter()
            .map(|p| json!({"column": p.column, "line": p.line}))
            .collect();
        json!({"locations": locations, "message": self.message, "path": self.path})
    }

    /// A syntax error from graphql-parser. Its text looks like
    /// `query parse error: Parse error at 1:20\nUnexpected ...\nExpected ...\n`; the position is
    /// lifted into `locations` and the rest is flattened to one line, after graphql-go's
    /// `Syntax Error GraphQL request (L:C) ...`.
    pub fn from_parse(err: &graphql_parser::query::ParseError) -> GqlError {
        let text = err.to_string();
        let pos = parse_error_position(&text).unwrap_or(Pos { line: 1, column: 1 });
        let detail: Vec<&str> = text
            .lines()
            .skip(1)
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let message = format!(
            "Syntax Error GraphQL request ({}:{}) {}",
            pos.line,
            pos.column,
            if detail.is_empty() {
                "invalid query".to_string()
            } else {
                detail.join("; ")
            }
        );
        GqlError::new(message, pos)
    }
}

/// Finds `at L:C` in the first line of graphql-parser's error text.
fn parse_error_position(text: &str) -> Option<Pos> {
    let first = text.lines().next()?;
    let (_, tail) = first.rsplit_once(" at ")?;
    let (line, column) = tail.trim().split_once(':')?;
    Some(Pos {
        line: line.parse().ok()?,
        column: column.parse().ok()?,
    })
}

/// The response body for errors that stop the query before execution (no `data`).
pub(crate) fn errors_body(errors: &[GqlError]) -> Value {
    json!({"errors": errors.iter().map(GqlError::to_json).collect::<Vec<_>>()})
}

/// graphql-go's FieldsOnCorrectTypeRule.
pub(crate) fn unknown_field(field: &str, type_name: &str, pos: Pos) -> GqlError {
    GqlError::new(
        format!("Cannot query field \"{field}\" on type \"{type_name}\"."),
        pos,
    )
}

/// graphql-go's KnownArgumentNamesRule.
pub(crate) fn unknown_argument(arg: &str, field: &str, type_name: &str, pos: Pos) -> GqlError {
    GqlError::new(
        format!("Unknown argument \"{arg}\" on field \"{field}\" of type \"{type_name}\"."),
        pos,
    )
}

/// graphql-go's UniqueArgumentNamesRule.
pub(crate) fn duplicate_argument(arg: &str, pos: Pos) -> GqlError {
    GqlError::new(
        format!("There can be only one argument named \"{arg}\"."),
        pos,
    )
}

/// graphql-go's ScalarLeafsRule, for an object-typed field without a selection.
pub(crate) fn needs_selection(field: &str, type_name: &str, pos: Pos) -> GqlError {
    GqlError::new(
        format!("Field \"{field}\" of type \"{type_name}\" must have a sub selection."),
        pos,
    )
}

/// graphql-go's ScalarLeafsRule, for a leaf field with a selection.
pub(crate) fn no_selection_allowed(field: &str, type_name: &str, pos: Pos) -> GqlError {
    GqlError::new(
        format!("Field \"{field}\" of type \"{type_name}\" must not have a sub selection."),
        pos,
    )
}

/// A resolver error for an argument Weaviate knows that Shoal does not implement yet. Answering
/// with an error (instead of ignoring the argument) keeps results from silently being wrong.
pub(crate) fn argument_not_supported(arg: &str, root: &str, class: &str, pos: Pos) -> GqlError {
    let message = if arg == "nearText" {
        // Weaviate only declares nearText with a text vectorizer module; Shoal has none.
        format!(
            "argument \"nearText\" of {root}.{class} is not supported by Shoal: it needs a text \
             vectorizer module, and Shoal only has vectorizer \"none\" (use nearVector)"
        )
    } else {
        format!("argument \"{arg}\" of {root}.{class} is not supported by Shoal yet")
    };
    GqlError::new(message, pos)
}

/// A resolver error for a field Weaviate knows that Shoal does not implement yet.
pub(crate) fn field_not_supported(what: &str, pos: Pos) -> GqlError {
    GqlError::new(format!("{what} is not supported by Shoal yet"), pos)
}

/// Collected diagnostics of planning one part of the query.
#[derive(Debug, Default)]
pub(crate) struct Diag {
    /// Validation errors: any of them fails the whole query.
    pub invalid: Vec<GqlError>,
    /// The first resolver-level refusal (an unsupported feature) of the field being planned.
    pub unsupported: Option<GqlError>,
}

impl Diag {
    /// Records a validation error.
    pub fn invalid(&mut self, e: GqlError) {
        self.invalid.push(e);
    }

    /// Records an unsupported feature; the first one is reported.
    pub fn unsupported(&mut self, e: GqlError) {
        if self.unsupported.is_none() {
            self.unsupported = Some(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_carry_their_position() {
        let err = graphql_parser::query::parse_query::<String>("{Get{Article(limit: ){title}}}")
            .expect_err("must not parse");
        let e = GqlError::from_parse(&err);
        assert_eq!(
            e.locations,
            vec![Pos {
                line: 1,
                column: 21
            }]
        );
        assert!(
            e.message
                .starts_with("Syntax Error GraphQL request (1:21) "),
            "{}",
            e.message
        );
        assert!(!e.message.contains('\n'));
        assert_eq!(e.path, None);
    }

    #[test]
    fn wire_shape_of_entries() {
        let e = GqlError::new("boom", Pos { line: 2, column: 7 });
        assert_eq!(
            e.to_json(),
            json!({"locations":[{"column":7,"line":2}],"message":"boom","path":null})
        );
        let r = e.at_path(&["Get", "Article"]);
        assert_eq!(r.to_json()["path"], json!(["Get", "Article"]));
        assert_eq!(
            errors_body(std::slice::from_ref(&r)),
            json!({"errors": [r.to_json()]})
        );
    }

    #[test]
    fn multi_line_positions() {
        let err =
            graphql_parser::query::parse_query::<String>("{\n  Get {\n    A(limit: ) {x}\n  }\n}")
                .expect_err("must not parse");
        assert_eq!(
            GqlError::from_parse(&err).locations,
            vec![Pos {
                line: 3,
                column: 14
            }]
        );
    }
}
