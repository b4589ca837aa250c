//! The route layer that authenticates a request and checks the admin lists.
//!
//! It runs only for matched routes (axum's `route_layer`), so an unknown path is 404 and a
//! wrong method 405 whatever the credentials, as go-swagger routes before it authenticates.
//! Then, as Weaviate 1.27 answers:
//! 1. `/`, `/v1/.well-known/live` and `/v1/.well-known/ready` are served before any check.
//! 2. No token and anonymous access off: 401, except on `/v1` and the OpenID discovery
//!    document, which clients read before they have credentials.
//! 3. A token (`Authorization: Bearer ...` or `?access_token=`, go-openapi's two places) must
//!    be a configured API key: 401 otherwise, even where anonymous access would do.
//! 4. With the admin list on, the route's verb and resource must be allowed: 403 otherwise.
//!
//! The request then carries its [`Principal`] as an extension.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, MatchedPath, Query, RawPathParams, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{permissions, AuthConfig, Principal, Verb};
use crate::error::ApiError;
use crate::state::AppState;

/// Served before authentication, with any credentials or none.
const UNGUARDED: [&str; 3] = ["/", "/v1/.well-known/live", "/v1/.well-known/ready"];

/// Open to requests without a token even when anonymous access is off.
const ANONYMOUS_ALWAYS: [&str; 2] = ["/v1", "/v1/.well-known/openid-configuration"];

const NO_ANONYMOUS: &str =
    "anonymous access not enabled, please provide an auth scheme such as OIDC";
const NO_SCHEME: &str = "oidc auth is not configured, please try another auth scheme or set up weaviate with OIDC configured";
const BAD_KEY: &str = "invalid api key, please provide a valid api key";

/// See the module documentation.
pub(crate) async fn authenticate(
    State(state): State<AppState>,
    matched: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let route = matched.as_str();
    if UNGUARDED.contains(&route) {
        return next.run(request).await;
    }
    let auth = &state.config.auth;
    let principal = match principal_of(auth, route, &request) {
        Ok(principal) => principal,
        Err(message) => return unauthorized(message),
    };
    let (mut parts, body) = request.into_parts();
    if let Some(list) = &auth.admin_list {
        let params = RawPathParams::from_request_parts(&mut parts, &state).await;
        let params: HashMap<&str, &str> = params.iter().flat_map(|p| p.iter()).collect();
        let required =
            permissions::required(&parts.method, route, |name| params.get(name).copied());
        if let Some((verb, resource)) = required {
            if let Err(message) = list.authorize(&principal, verb, &resource) {
                return ApiError::new(StatusCode::FORBIDDEN, message).into_response();
            }
        }
    }
    parts.extensions.insert(principal);
    next.run(Request::from_parts(parts, body)).await
}

/// Who the request acts as, or the 401 message.
fn principal_of(
    auth: &AuthConfig,
    route: &str,
    request: &Request,
) -> Result<Principal, &'static str> {
    principal(
        auth,
        bearer_token(request).as_deref(),
        ANONYMOUS_ALWAYS.contains(&route),
    )
}

/// Who a caller with `token` acts as, or the 401 message; `open` routes take callers without
/// a token even when anonymous access is off. Shared by REST and gRPC.
pub(crate) fn principal(
    auth: &AuthConfig,
    token: Option<&str>,
    open: bool,
) -> Result<Principal, &'static str> {
    let Some(token) = token else {
        if auth.anonymous_access || open {
            return Ok(Principal::Anonymous);
        }
        return Err(NO_ANONYMOUS);
    };
    let keys = auth.api_keys.as_ref().ok_or(NO_SCHEME)?;
    keys.user_for(token)
        .map(|user| Principal::User(user.to_string()))
        .ok_or(BAD_KEY)
}

/// The bearer token where go-openapi looks for one: the `Authorization` header (the scheme is
/// case-sensitive there), else the `access_token` query parameter. Empty means none.
fn bearer_token(request: &Request) -> Option<String> {
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty());
    if let Some(token) = header {
        return Some(token.to_string());
    }
    let Query(query) = Query::<HashMap<String, String>>::try_from_uri(request.uri()).ok()?;
    query.get("access_token").filter(|t| !t.is_empty()).cloned()
}

/// go-openapi's 401 body, `{"code":401,"message":...}`.
fn unauthorized(message: &str) -> Response {
    ApiError::swagger(StatusCode::UNAUTHORIZED, 401, message).into_response()
}

/// The check `POST /v1/graphql/batch` makes for each query, as Weaviate's resolvers do
/// (`get traversal/*`); `Err` is the 403 sentence. Without the admin list, or without a
/// principal (a router built without this layer), everything is allowed.
pub(crate) fn authorize_traversal(
    auth: &AuthConfig,
    principal: Option<&Principal>,
) -> Result<(), String> {
    match (&auth.admin_list, principal) {
        (Some(list), Some(principal)) => list.authorize(principal, Verb::Get, "traversal/*"),
        (Some(_), None) | (None, _) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;
    use crate::auth::{AdminList, ApiKeys};

    fn request(auth_header: Option<&str>, uri: &str) -> Request {
        let mut builder = Request::builder().uri(uri);
        if let Some(value) = auth_header {
            builder = builder.header(header::AUTHORIZATION, value);
        }
        builder.body(Body::empty()).unwrap()
    }

    fn keyed(anonymous_access: bool) -> AuthConfig {
        AuthConfig {
            anonymous_access,
            api_keys: Some(ApiKeys::new([("k1".to_string(), "jane".to_string())])),
            admin_list: Some(AdminList::default()),
        }
    }

    #[test]
    fn tokens_come_from_the_header_or_the_query() {
        assert_eq!(
            bearer_token(&request(Some("Bearer k1"), "/v1/schema")).as_deref(),
            Some("k1")
        );
        assert_eq!(
            bearer_token(&request(Some("bearer k1"), "/v1/schema")),
            None
        );
        assert_eq!(bearer_token(&request(Some("Bearer "), "/v1/schema")), None);
        assert_eq!(
            bearer_token(&request(Some("Basic abc"), "/v1/schema")),
            None
        );
        let uri = "/v1/schema?access_token=k%201";
        assert_eq!(bearer_token(&request(None, uri)).as_deref(), Some("k 1"));
    }

    #[test]
    fn who_a_request_is() {
        let closed = keyed(false);
        let no_token = request(None, "/v1/schema");
        assert_eq!(
            principal_of(&closed, "/v1/schema", &no_token),
            Err(NO_ANONYMOUS)
        );
        assert_eq!(
            principal_of(&closed, "/v1", &no_token),
            Ok(Principal::Anonymous)
        );
        let good = request(Some("Bearer k1"), "/v1/schema");
        assert_eq!(
            principal_of(&closed, "/v1/schema", &good),
            Ok(Principal::User("jane".to_string()))
        );
        let bad = request(Some("Bearer k2"), "/v1/schema");
        assert_eq!(principal_of(&closed, "/v1/schema", &bad), Err(BAD_KEY));
        assert_eq!(principal_of(&keyed(true), "/v1", &bad), Err(BAD_KEY));
        assert_eq!(
            principal_of(&AuthConfig::default(), "/v1/schema", &bad),
            Err(NO_SCHEME)
        );
        assert_eq!(
            principal_of(&AuthConfig::default(), "/v1/schema", &no_token),
            Ok(Principal::Anonymous)
        );
    }
}
