//! JSON between nodes at any nesting depth: an axum extractor for the internal routes and a
//! reader for peers' responses.
//!
//! A node-to-node message wraps what a client sent (a class inside a Raft entry inside an
//! append-entries call, an object inside a shard call), so it nests deeper than the client's
//! own request did. With serde_json's default limit of 128 levels, a request the API accepted
//! could become a message the peer refuses forever (Raft would retry that entry without end).
//! Both ends therefore decode with [`types::json::from_slice`], which has no depth limit.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// Like `axum::Json`, but without a nesting limit (see the module documentation). Only for
/// the internal port, whose callers are our own nodes behind the cluster credentials.
pub struct DeepJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for DeepJson<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> std::result::Result<Self, Response> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        types::json::from_slice(&bytes).map(DeepJson).map_err(|e| {
            let message = format!("invalid internal request body: {e}");
            (StatusCode::BAD_REQUEST, message).into_response()
        })
    }
}

/// Reads a peer's JSON response body at any nesting depth; `what` names the call in errors.
/// A body that does not arrive in time is `Timeout`, any other failure `Unavailable`.
pub async fn read_json<T: DeserializeOwned>(what: &str, response: reqwest::Response) -> Result<T> {
    let bytes = response.bytes().await.map_err(|e| {
        if e.is_timeout() {
            Error::Timeout(format!("{what}: {e}"))
        } else {
            Error::Unavailable(format!("{what}: {e}"))
        }
    })?;
    types::json::from_slice(&bytes)
        .map_err(|e| Error::Unavailable(format!("{what}: bad response: {e}")))
}
