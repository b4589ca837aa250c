//! Argument literals: their declared input types, graphql-go's literal validation (with its
//! messages), coercion into Rust values, printing, and substitution of request variables.
//!
//! Weaviate's dialect is checked by hand rather than by a typed schema library because it relies
//! on graphql-go's lenient input coercion: a single value where a list is declared is a list of
//! one, and Int literals are valid Floats.

use std::collections::BTreeMap;

use serde_json::Map;

/// An argument value as parsed (owned strings).
pub(crate) type Value = graphql_parser::query::Value<'static, String>;

/// A declared input type of an argument or of an input-object field.
#[derive(Debug, Clone, Copy)]
pub(crate) enum InputType {
    /// graphql-go's Int: a 32-bit integer literal.
    Int,
    /// Float: an Int or Float literal.
    Float,
    String,
    /// A list; a single value is coerced to a list of one.
    List(&'static InputType),
    /// A required value (`T!`): absent or `null` is an error.
    NonNull(&'static InputType),
    /// An input object: its type name without the `GetObjects<Class>` prefix, and its fields.
    Object(&'static str, &'static [(&'static str, InputType)]),
    /// An enum: its name (after the prefix when `prefixed`) and its values.
    Enum {
        name: &'static str,
        prefixed: bool,
        values: &'static [&'static str],
    },
    /// One of Weaviate's `where` value scalars, which take a value or a list of values of one
    /// kind; named `<lead><prefix>` (`TextGetObjectsArticle`).
    WhereScalar(&'static str, ScalarKind),
    /// Not checked here (custom scalars, or arguments refused later anyway).
    Any,
}

/// The literal kind a `where` value scalar accepts (alone or in a list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScalarKind {
    String,
    Int,
    /// Int or Float literals.
    Float,
    Boolean,
}

impl InputType {
    /// The GraphQL type name used in messages.
    fn name(&self, prefix: &str) -> String {
        match self {
            InputType::Int => "Int".into(),
            InputType::Float => "Float".into(),
            InputType::String => "String".into(),
            InputType::List(inner) => format!("[{}]", inner.name(prefix)),
            InputType::NonNull(inner) => format!("{}!", inner.name(prefix)),
            InputType::Object(suffix, _) => format!("{prefix}{suffix}"),
            InputType::Enum {
                name,
                prefixed: true,
                ..
            } => format!("{prefix}{name}"),
            InputType::Enum { name, .. } => name.to_string(),
            InputType::WhereScalar(lead, _) => format!("{lead}{prefix}"),
            InputType::Any => "Any".into(),
        }
    }
}

/// Validates a literal against its type, returning graphql-go's explanation lines when it is not
/// valid (ArgumentsOfCorrectTypeRule's `isValidLiteralValue`). `prefix` names input-object types.
pub(crate) fn check(ty: &InputType, value: &Value, prefix: &str) -> Result<(), Vec<String>> {
    if let InputType::NonNull(inner) = ty {
        if matches!(value, Value::Null) {
            return Err(vec![non_null_missing(inner, prefix)]);
        }
        return check(inner, value, prefix);
    }
    if matches!(value, Value::Null | Value::Variable(_)) {
        return Ok(());
    }
    match ty {
        // NonNull was unwrapped above.
        InputType::Any | InputType::NonNull(_) => Ok(()),
        InputType::List(inner) => check_list(inner, value, prefix),
        InputType::Object(_, fields) => check_object(ty, fields, value, prefix),
        InputType::Int
        | InputType::Float
        | InputType::String
        | InputType::Enum { .. }
        | InputType::WhereScalar(..) => check_leaf(ty, value, prefix),
    }
}

fn check_leaf(ty: &InputType, value: &Value, prefix: &str) -> Result<(), Vec<String>> {
    if leaf_ok(ty, value) {
        Ok(())
    } else {
        Err(vec![format!(
            "Expected type \"{}\", found {}.",
            ty.name(prefix),
            print(value)
        )])
    }
}

/// graphql-go's message for a required value that is absent (lists have no name).
fn non_null_missing(inner: &InputType, prefix: &str) -> String {
    if let InputType::List(_) = inner {
        "Expected non-null value, found null.".to_string()
    } else {
        format!("Expected \"{}!\", found null.", inner.name(prefix))
    }
}

/// A list literal element by element; a single value is checked as the element type.
fn check_list(inner: &InputType, value: &Value, prefix: &str) -> Result<(), Vec<String>> {
    let Value::List(items) = value else {
        return check(inner, value, prefix);
    };
    let mut messages = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Err(m) = check(inner, item, prefix) {
            messages.extend(m.into_iter().map(|m| format!("In element #{i}: {m}")));
        }
    }
    if messages.is_empty() {
        Ok(())
    } else {
        Err(messages)
    }
}

fn check_object(
    ty: &InputType,
    fields: &[(&str, InputType)],
    value: &Value,
    prefix: &str,
) -> Result<(), Vec<String>> {
    let Value::Object(map) = value else {
        return Err(vec![format!(
            "Expected \"{}\", found not an object.",
            ty.name(prefix)
        )]);
    };
    let mut messages = Vec::new();
    for key in map.keys() {
        if !fields.iter().any(|(name, _)| name == key) {
            messages.push(format!("In field \"{key}\": Unknown field."));
        }
    }
    for (name, field_ty) in fields {
        let v = map.get(*name).unwrap_or(&Value::Null);
        if let Err(m) = check(field_ty, v, prefix) {
            messages.extend(m.into_iter().map(|m| format!("In field \"{name}\": {m}")));
        }
    }
    if messages.is_empty() {
        Ok(())
    } else {
        Err(messages)
    }
}

/// Whether a (non-null) literal is valid for a leaf type.
fn leaf_ok(ty: &InputType, value: &Value) -> bool {
    match ty {
        InputType::Enum { values, .. } => {
            matches!(value, Value::Enum(v) if values.contains(&v.as_str()))
        }
        InputType::WhereScalar(_, kind) => {
            if let Value::List(items) = value {
                items.iter().all(|item| kind_ok(*kind, item))
            } else {
                kind_ok(*kind, value)
            }
        }
        InputType::Int => kind_ok(ScalarKind::Int, value) && as_int(value).is_some_and(fits_i32),
        InputType::Float => kind_ok(ScalarKind::Float, value),
        InputType::String => kind_ok(ScalarKind::String, value),
        InputType::List(_) | InputType::NonNull(_) | InputType::Object(..) | InputType::Any => {
            false
        }
    }
}

fn fits_i32(n: i64) -> bool {
    i32::try_from(n).is_ok()
}

fn kind_ok(kind: ScalarKind, value: &Value) -> bool {
    match (kind, value) {
        (ScalarKind::Int, Value::Int(n)) => n.as_i64().is_some(),
        (ScalarKind::Float, Value::Int(_) | Value::Float(_)) => true,
        (ScalarKind::String, Value::String(_)) => true,
        (ScalarKind::Boolean, Value::Boolean(_)) => true,
        _ => false,
    }
}

/// Prints a literal the way it would be written in a query (for messages).
pub(crate) fn print(value: &Value) -> String {
    match value {
        Value::Variable(name) => format!("${name}"),
        Value::Int(n) => n.as_i64().map(|n| n.to_string()).unwrap_or_default(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Enum(e) => e.clone(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(print).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k}: {}", print(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An integer literal.
pub(crate) fn as_int(value: &Value) -> Option<i64> {
    if let Value::Int(n) = value {
        n.as_i64()
    } else {
        None
    }
}

/// A Float-typed literal (Int literals are valid Floats).
pub(crate) fn as_float(value: &Value) -> Option<f64> {
    if let Value::Float(f) = value {
        Some(*f)
    } else {
        as_int(value).map(|n| n as f64)
    }
}

/// A list of floats with graphql-go's list coercion (a single number is a list of one).
pub(crate) fn as_float_list(value: &Value) -> Option<Vec<f32>> {
    if let Value::List(items) = value {
        items
            .iter()
            .map(|v| as_float(v).map(|f| f as f32))
            .collect()
    } else {
        as_float(value).map(|f| vec![f as f32])
    }
}

/// A list of strings, with the same coercion.
pub(crate) fn as_string_list(value: &Value) -> Option<Vec<String>> {
    if let Value::List(items) = value {
        items
            .iter()
            .map(|v| as_str(v).map(str::to_string))
            .collect()
    } else {
        as_str(value).map(|s| vec![s.to_string()])
    }
}

/// A boolean literal.
pub(crate) fn as_bool(value: &Value) -> Option<bool> {
    if let Value::Boolean(b) = value {
        Some(*b)
    } else {
        None
    }
}

/// An enum literal.
pub(crate) fn as_enum(value: &Value) -> Option<&str> {
    if let Value::Enum(e) = value {
        Some(e)
    } else {
        None
    }
}

/// A string literal.
pub(crate) fn as_str(value: &Value) -> Option<&str> {
    if let Value::String(s) = value {
        Some(s)
    } else {
        None
    }
}

/// Looks up an argument; a `null` literal counts as absent (as in graphql-go's `p.Args`).
pub(crate) fn arg<'v>(args: &'v [(String, Value)], name: &str) -> Option<&'v Value> {
    args.iter()
        .find(|(n, v)| n == name && !matches!(v, Value::Null))
        .map(|(_, v)| v)
}

/// Looks up a field of an input object; `null` counts as absent.
pub(crate) fn field<'v>(map: &'v BTreeMap<String, Value>, name: &str) -> Option<&'v Value> {
    map.get(name).filter(|v| !matches!(v, Value::Null))
}

/// Replaces `$name` references by the request's variables (or the operation's defaults).
/// Returns the name of the first variable that has no value.
pub(crate) fn substitute(
    value: &mut Value,
    variables: &Map<String, serde_json::Value>,
    defaults: &BTreeMap<String, Value>,
) -> Result<(), String> {
    match value {
        Value::Variable(name) => {
            let replacement = match variables.get(name.as_str()) {
                Some(json) => from_json(json),
                None => defaults
                    .get(name.as_str())
                    .cloned()
                    .ok_or_else(|| name.clone())?,
            };
            *value = replacement;
            Ok(())
        }
        Value::List(items) => items
            .iter_mut()
            .try_for_each(|v| substitute(v, variables, defaults)),
        Value::Object(map) => map
            .values_mut()
            .try_for_each(|v| substitute(v, variables, defaults)),
        Value::Int(_)
        | Value::Float(_)
        | Value::String(_)
        | Value::Boolean(_)
        | Value::Null
        | Value::Enum(_) => Ok(()),
    }
}

/// A JSON variable value as a literal. Integral numbers become Int (valid for Float too).
fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Value::Int(i.into()),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(src: &str) -> Value {
        let q = format!("{{f(a: {src})}}");
        let doc = graphql_parser::query::parse_query::<String>(&q)
            .expect("parses")
            .into_static();
        let graphql_parser::query::Definition::Operation(
            graphql_parser::query::OperationDefinition::SelectionSet(set),
        ) = &doc.definitions[0]
        else {
            panic!("not a selection set")
        };
        let graphql_parser::query::Selection::Field(f) = &set.items[0] else {
            panic!("no field")
        };
        f.arguments[0].1.clone()
    }

    const NEAR: InputType = InputType::Object(
        "NearVectorInpObj",
        &[
            ("vector", InputType::List(&InputType::Float)),
            ("distance", InputType::Float),
        ],
    );

    #[test]
    fn ints_and_floats_are_floats() {
        assert!(check(
            &InputType::List(&InputType::Float),
            &literal("[1, -0.5, 2e3]"),
            ""
        )
        .is_ok());
        assert_eq!(as_float_list(&literal("[1, -0.5]")), Some(vec![1.0, -0.5]));
        assert_eq!(as_float_list(&literal("3")), Some(vec![3.0]));
        assert_eq!(as_float_list(&literal("[1, \"a\"]")), None);
    }

    #[test]
    fn graphql_go_messages() {
        assert_eq!(
            check(&InputType::Int, &literal("\"x\""), ""),
            Err(vec!["Expected type \"Int\", found \"x\".".to_string()])
        );
        assert_eq!(
            check(&InputType::Int, &literal("1.5"), ""),
            Err(vec!["Expected type \"Int\", found 1.5.".to_string()])
        );
        assert!(check(&InputType::Int, &literal("99999999999"), "").is_err());
        assert_eq!(
            check(
                &NEAR,
                &literal("{vector: [1, \"a\"], foo: 1}"),
                "GetObjectsA"
            ),
            Err(vec![
                "In field \"foo\": Unknown field.".to_string(),
                "In field \"vector\": In element #1: Expected type \"Float\", found \"a\"."
                    .to_string(),
            ])
        );
        assert_eq!(
            check(&NEAR, &literal("5"), "GetObjectsA"),
            Err(vec![
                "Expected \"GetObjectsANearVectorInpObj\", found not an object.".to_string()
            ])
        );
    }

    #[test]
    fn prints_literals() {
        assert_eq!(
            print(&literal("{b: [1, 2.5], a: \"q\\\"\", c: ONE}")),
            "{a: \"q\\\"\", b: [1, 2.5], c: ONE}"
        );
    }

    #[test]
    fn substitutes_variables() {
        let mut v = literal("{vector: $v, distance: $d}");
        let vars = serde_json::json!({"v": [1, 0.5]});
        let defaults = BTreeMap::from([("d".to_string(), Value::Float(0.3))]);
        let serde_json::Value::Object(vars) = vars else {
            panic!()
        };
        substitute(&mut v, &vars, &defaults).expect("all defined");
        assert_eq!(print(&v), "{distance: 0.3, vector: [1, 0.5]}");
        let mut missing = literal("$nope");
        assert_eq!(
            substitute(&mut missing, &vars, &defaults),
            Err("nope".to_string())
        );
    }
}
