//! Tenant requests of `/v1/schema/{class}/tenants`: names checked as Weaviate checks them, and
//! activity statuses in both vocabularies clients use (`HOT`/`COLD` and, since 1.26,
//! `ACTIVE`/`INACTIVE`), stored and answered under the legacy names, as Weaviate does.

use serde_json::Value;

use crate::{Error, Result};

/// The activity status of a loaded tenant.
pub const HOT: &str = "HOT";
/// The activity status of an unloaded tenant.
pub const COLD: &str = "COLD";

/// A tenant name Weaviate accepts: `[A-Za-z0-9_-]{1,64}`.
pub fn is_valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks the name of the tenant at `index` of a request.
fn check_name(index: usize, name: &str) -> Result<()> {
    if is_valid_name(name) {
        return Ok(());
    }
    let why = if name.is_empty() {
        "empty tenant name"
    } else {
        "tenant name should only contain alphanumeric characters (a-z, A-Z, 0-9), underscore (_), \
         and hyphen (-), with a length between 1 and 64 characters"
    };
    Err(Error::invalid(format!(
        "tenant name at index {index}: {why}"
    )))
}

/// The stored status for one a client sent: `HOT`/`ACTIVE` or `COLD`/`INACTIVE`. Offloading
/// (`FROZEN`/`OFFLOADED`) needs Weaviate's S3 module, which Shoal does not have, and is refused
/// with Weaviate's sentence for that case.
fn stored_status(tenant: &str, status: &str) -> Result<&'static str> {
    match status {
        "HOT" | "ACTIVE" => Ok(HOT),
        "COLD" | "INACTIVE" => Ok(COLD),
        "FROZEN" | "OFFLOADED" => Err(Error::invalid(
            "can't offload tenants, because offload-s3 module is not enabled",
        )),
        other => Err(Error::invalid(format!(
            "invalid activity status '{other}' for tenant {tenant:?}"
        ))),
    }
}

/// The body of `POST` (`status_required` false: a missing status means `HOT`) or `PUT`
/// (`status_required` true) on the tenants endpoint: `[{"name", "activityStatus"?}]`, as
/// `(name, stored status)` pairs, a name given twice kept once (its first occurrence).
pub fn parse_tenants(body: &Value, status_required: bool) -> Result<Vec<(String, String)>> {
    let Value::Array(items) = body else {
        return Err(Error::invalid(
            "the body must be an array of tenants: [{\"name\": ..., \"activityStatus\": ...}]",
        ));
    };
    let mut out: Vec<(String, String)> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Value::Object(fields) = item else {
            return Err(Error::invalid(format!(
                "tenant at index {index}: expected an object with a 'name'"
            )));
        };
        let name = match fields.get("name") {
            Some(Value::String(s)) => s.as_str(),
            None | Some(Value::Null) => "",
            Some(_) => {
                return Err(Error::invalid(format!(
                    "tenant at index {index}: 'name' must be a string"
                )))
            }
        };
        check_name(index, name)?;
        let status = match fields.get("activityStatus") {
            Some(Value::String(s)) if !s.is_empty() => stored_status(name, s)?,
            None | Some(Value::Null) | Some(Value::String(_)) if !status_required => HOT,
            None | Some(Value::Null) | Some(Value::String(_)) => {
                return Err(Error::invalid(format!(
                    "invalid activity status '' for tenant {name:?}"
                )))
            }
            Some(_) => {
                return Err(Error::invalid(format!(
                    "tenant at index {index}: 'activityStatus' must be a string"
                )))
            }
        };
        if !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), status.to_string()));
        }
    }
    Ok(out)
}

/// The body of `DELETE` on the tenants endpoint: a JSON array of names.
pub fn parse_tenant_names(body: &Value) -> Result<Vec<String>> {
    let Value::Array(items) = body else {
        return Err(Error::invalid(
            "the body must be an array of tenant names: [\"t1\", \"t2\"]",
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::String(name) => check_name(index, name).map(|()| name.clone()),
            Value::Null
            | Value::Bool(_)
            | Value::Number(_)
            | Value::Array(_)
            | Value::Object(_) => Err(Error::invalid(format!(
                "tenant name at index {index}: expected a string"
            ))),
        })
        .collect()
}

#[cfg(test)]
#[path = "tenants_tests.rs"]
mod tests;
