//! Arguments of class fields: validation of their literals (unknown names, types, with
//! graphql-go's messages) and their translation into coordinator queries with Weaviate 1.27's
//! semantics and resolver messages.
//!
//! - [`get`]: the arguments of `Get { <Class>(...) }` -> [`model::SearchQuery`];
//! - [`near`], [`filter`], [`search`], [`sort`], [`group`]: one argument each, shared with
//!   `Aggregate` where Weaviate shares them;
//! - [`types`]: their declared input types.

pub(crate) mod filter;
pub(crate) mod get;
pub(crate) mod group;
pub(crate) mod near;
pub(crate) mod search;
pub(crate) mod sort;
pub(crate) mod types;

#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use super::error::{self, Diag, GqlError};
use super::fields::Merged;
use super::value::{self, InputType, Value};

pub(crate) use get::{get_arg, search_query, Selected};

/// How an argument Weaviate declares is handled.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ArgSpec {
    /// Served: its literal is checked against this type.
    Typed(InputType),
    /// Declared by Weaviate but not implemented by Shoal: a resolver error names it.
    Unsupported,
}

/// Checks the arguments of `field` (a class under `root`): unknown and repeated names and
/// literal types are validation errors, unsupported ones are deferred to the resolver.
/// `parent_type` is the type owning the field (`GetObjectsObj`), `prefix` prefixes input types.
pub(crate) fn validate(
    field: &Merged<'_>,
    root: &str,
    parent_type: &str,
    prefix: &str,
    spec: impl Fn(&str) -> Option<ArgSpec>,
    diag: &mut Diag,
) {
    for (i, (name, v)) in field.args.iter().enumerate() {
        if field.args[..i].iter().any(|(n, _)| n == name) {
            diag.invalid(error::duplicate_argument(name, field.pos));
            continue;
        }
        match spec(name) {
            None => diag.invalid(error::unknown_argument(
                name,
                &field.name,
                parent_type,
                field.pos,
            )),
            Some(ArgSpec::Unsupported) => diag.unsupported(error::argument_not_supported(
                name,
                root,
                &field.name,
                field.pos,
            )),
            Some(ArgSpec::Typed(ty)) => {
                if let Err(lines) = value::check(&ty, v, prefix) {
                    let msg = format!(
                        "Argument \"{name}\" has invalid value {}.\n{}",
                        value::print(v),
                        lines.join("\n")
                    );
                    diag.invalid(GqlError::new(msg, field.pos));
                }
            }
        }
    }
}

/// An input-object literal's fields (`Err` names what was found instead).
pub(crate) fn object(v: &Value) -> Result<&BTreeMap<String, Value>, String> {
    if let Value::Object(map) = v {
        Ok(map)
    } else {
        Err(format!("expected an object, got {}", value::print(v)))
    }
}

/// The resolver message for a field of an argument that Shoal does not implement yet.
pub(crate) fn not_supported(arg: &str, field: &str) -> String {
    format!("{arg}.{field} is not supported by Shoal yet")
}
