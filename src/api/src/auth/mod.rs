//! Weaviate's static API-key authentication and admin-list authorization (Weaviate 1.27,
//! before RBAC), as one route layer ([`middleware::authenticate`]).
//!
//! - [`AuthConfig`]: who may call (anonymous access, API keys and the user each stands for)
//!   and what they may do (admin and read-only lists). Built by the server from its settings,
//!   which also check it; nothing here reads the environment.
//! - `permissions`: the verb and resource Weaviate checks for each route, e.g. `create
//!   objects` or `list schema/*`.
//! - `middleware`: the order Weaviate answers in: probes first, unknown routes 404 before
//!   authentication, then 401 (go-openapi's `{"code":401,...}`), then 403 (the standard error
//!   body).
//!
//! Keys are kept only as SHA-256 digests, compared in constant time, and never logged: the
//! `Debug` impls print users and counts, never keys.

mod config;
pub(crate) mod middleware;
mod permissions;

pub(crate) use config::Verb;
pub use config::{AdminList, ApiKeys, AuthConfig, Principal};
