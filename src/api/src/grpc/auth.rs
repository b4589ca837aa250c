//! Authentication and the admin list on the gRPC port, with the rules and sentences of the REST
//! port (`auth::middleware`): the key travels in the `authorization` metadata as
//! `Bearer <key>`; a missing or wrong key is `UNAUTHENTICATED`, a verb the admin list denies
//! `PERMISSION_DENIED`. The health service is not guarded, like REST's probes.

use tonic::metadata::MetadataMap;
use tonic::Status;

use crate::auth::middleware::principal;
use crate::auth::{AuthConfig, Verb};

/// Checks that the caller may `verb` on `resource`.
pub(crate) fn authorize(
    auth: &AuthConfig,
    metadata: &MetadataMap,
    verb: Verb,
    resource: &str,
) -> Result<(), Status> {
    let token = metadata
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty());
    let principal = principal(auth, token, false).map_err(Status::unauthenticated)?;
    if let Some(list) = &auth.admin_list {
        list.authorize(&principal, verb, resource)
            .map_err(Status::permission_denied)?;
    }
    Ok(())
}
