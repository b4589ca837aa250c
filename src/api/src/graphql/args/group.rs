//! `groupBy: {path: ["prop"], groups: N, objectsPerGroup: M}` of Get
//! (common_filters/group_by.go). Every field is required by the argument's type.

use model::GroupBy;

use super::object;
use crate::graphql::value::{self, as_int, as_string_list, Value};

/// Reads `groupBy`. `Err` is a resolver message.
pub(crate) fn group_by(args: &[(String, Value)]) -> Result<Option<GroupBy>, String> {
    let Some(v) = value::arg(args, "groupBy") else {
        return Ok(None);
    };
    let map = object(v)?;
    let path = value::field(map, "path")
        .and_then(as_string_list)
        .unwrap_or_default();
    let [property] = <[String; 1]>::try_from(path).map_err(|path| {
        format!(
            "groupBy: path must name exactly one property, got {} elements",
            path.len()
        )
    })?;
    Ok(Some(GroupBy {
        property,
        groups: positive(value::field(map, "groups"), "groups")?,
        objects_per_group: positive(value::field(map, "objectsPerGroup"), "objectsPerGroup")?,
    }))
}

fn positive(v: Option<&Value>, name: &str) -> Result<usize, String> {
    let n = v.and_then(as_int).unwrap_or(0);
    usize::try_from(n)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("groupBy: {name} must be a positive number, got {n}"))
}
