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

/// At most this many tenants change status in one update, as in Weaviate.
pub const MAX_UPDATED_AT_ONCE: usize = 100;

/// Checks the name of the tenant at `index` of a request: Weaviate's sentence for a name that
/// does not fit the pattern. Also what a tenant created automatically by a write is held to.
pub fn check_name(index: usize, name: &str) -> Result<()> {
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

/// One tenant of a create or update body: its name and the status as sent, the newer names
/// already mapped to the stored ones (`None` when it sent none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSent {
    pub name: String,
    pub status: Option<String>,
}

impl TenantSent {
    /// The status to store: the one sent, or `HOT`.
    pub fn stored_status(&self) -> String {
        self.status.clone().unwrap_or_else(|| HOT.to_string())
    }
}

/// The status to store for one a client sent, or why it is refused. Offloading
/// (`FROZEN`/`OFFLOADED`) needs Weaviate's S3 module, which Shoal does not have.
enum Checked {
    Stored(&'static str),
    Offload,
    Invalid,
}

fn check_status(status: &str) -> Checked {
    match status {
        "HOT" | "ACTIVE" => Checked::Stored(HOT),
        "COLD" | "INACTIVE" => Checked::Stored(COLD),
        "FROZEN" | "OFFLOADED" => Checked::Offload,
        _ => Checked::Invalid,
    }
}

/// The body of `POST` (`update` false: a missing status means `HOT`) or `PUT` (`update` true:
/// a status is required, at most [`MAX_UPDATED_AT_ONCE`] tenants) on the tenants endpoint:
/// `[{"name", "activityStatus"?}]`. Checked in Weaviate's order: the count, then each name
/// (pattern, then given twice), then every status, the refused ones reported together.
pub fn parse_tenants(body: &Value, update: bool) -> Result<Vec<TenantSent>> {
    let Value::Array(items) = body else {
        return Err(Error::invalid(
            "the body must be an array of tenants: [{\"name\": ..., \"activityStatus\": ...}]",
        ));
    };
    if update && items.len() > MAX_UPDATED_AT_ONCE {
        return Err(Error::invalid(format!(
            "maximum number of tenants allowed to be updated simultaneously is \
             {MAX_UPDATED_AT_ONCE}. Please reduce the number of tenants in your request and try again"
        )));
    }
    let mut sent: Vec<(String, String)> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let (name, status) = fields(index, item)?;
        check_name(index, &name)?;
        if sent.iter().any(|(n, _)| *n == name) {
            return Err(Error::invalid(format!(
                "tenant name {name} existed multiple times"
            )));
        }
        sent.push((name, status));
    }
    let mut refused = Vec::new();
    let mut out = Vec::with_capacity(sent.len());
    for (name, status) in sent {
        let stored = match check_status(&status) {
            Checked::Stored(s) => Some(s.to_string()),
            Checked::Invalid if status.is_empty() && !update => None,
            Checked::Offload => {
                return Err(Error::invalid(
                    "can't offload tenants, because offload-s3 module is not enabled",
                ))
            }
            Checked::Invalid => {
                refused.push(format!(
                    "invalid activity status '{status}' for tenant {name:?}"
                ));
                continue;
            }
        };
        out.push(TenantSent {
            name,
            status: stored,
        });
    }
    if !refused.is_empty() {
        return Err(Error::invalid(refused.join(", ")));
    }
    Ok(out)
}

/// The name and the status (empty when absent) of one entry of a tenants body.
fn fields(index: usize, item: &Value) -> Result<(String, String)> {
    let Value::Object(fields) = item else {
        return Err(Error::invalid(format!(
            "tenant at index {index}: expected an object with a 'name'"
        )));
    };
    let text = |key: &str| match fields.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) => Ok(String::new()),
        Some(_) => Err(Error::invalid(format!(
            "tenant at index {index}: '{key}' must be a string"
        ))),
    };
    Ok((text("name")?, text("activityStatus")?))
}

/// The body of `DELETE` on the tenants endpoint: a JSON array of names. As in Weaviate only an
/// empty name is refused; a name no tenant can have simply matches none.
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
            Value::String(name) if name.is_empty() => Err(Error::invalid(format!(
                "empty tenant name at index {index}"
            ))),
            Value::String(name) => Ok(name.clone()),
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
