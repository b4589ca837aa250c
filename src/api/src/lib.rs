//! The wire face of Shoal: Weaviate's REST API (`/v1/...`) and the route to the GraphQL
//! executor, served with axum, and Weaviate's gRPC API, served with tonic. Handlers parse
//! requests into `model` types (schema bodies with `model::schema`, checked searches with
//! `model::search_rules`), call the coordinator, and write responses, status codes and error
//! bodies exactly as Weaviate does, so the official clients cannot tell the difference.
//!
//! This crate is wire formats only. It holds no schema or result rules (those are `model`'s),
//! no routing, replication or index code (the coordinator's and below), and never imports
//! `shard`, `storage` or an index. Errors reach the wire through one mapping in [`error`].
//!
//! Layout:
//! - [`router`]: the route table and the layers around it (request id and log, panic catcher,
//!   body limit, authentication, request metrics).
//! - [`auth`]: API-key authentication and admin-list authorization, Weaviate's way.
//! - [`observe`]: request ids, the request span and the request log.
//! - [`metrics`]: request metrics and the `/metrics` endpoint of the monitoring port.
//! - `handlers/`: one file per resource (`meta`, `schema`, `tenants`, `aliases`, `objects`,
//!   `list`, `batch`, `batch_delete`, `references`, `nodes`, `cluster`, `graphql`).
//! - `dto/`: wire JSON to `model` types and back.
//! - `extract`, `params`: request extractors with go-swagger's rejection shapes, shared query
//!   parameters (`consistency_level`, `include`, `tenant`, `node_name`).
//! - `filter`: the `where` filter shared by GraphQL and REST batch delete, parsed into
//!   `types::filter::Filter` with Weaviate's rules and messages.
//! - `graphql/`: parsing and executing Weaviate's GraphQL dialect.
//! - [`grpc`]: Weaviate's gRPC API (`weaviate.v1.Weaviate`, health) with tonic.

pub mod auth;
pub mod error;
pub mod graphql;
pub mod grpc;
pub mod metrics;
pub mod observe;
pub mod router;

mod budget;
mod dto;
mod extract;
mod filter;
mod handlers;
mod params;
mod state;

pub use auth::AuthConfig;
pub use metrics::metrics_router;
pub use router::router;

/// Settings of the HTTP layer. `Debug` shows no API key (see [`auth::ApiKeys`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// Largest request body accepted; larger ones get 413. Defaults to Weaviate's
    /// `grpcMaxMessageSize` (104858000), which is also what `/v1/meta` advertises.
    pub max_body_bytes: usize,
    /// What `/v1/meta` reports as `hostname`, e.g. `http://[::]:8080` (Weaviate reports its
    /// listen address, not the name a client used).
    pub hostname: String,
    /// `BATCH_MAX_BYTES_IN_FLIGHT`: request-body bytes of batch imports processed at once; a
    /// batch that finds no room waits, then gets 429 (see `budget`).
    pub batch_max_bytes_in_flight: usize,
    /// `GRAPHQL_MAX_QUERY_COST`: the most fields one GraphQL query may select, every field
    /// counting once for every alias it is selected under.
    pub graphql_max_query_cost: usize,
    /// Who may call and what they may do.
    pub auth: AuthConfig,
    /// `GRPC_MAX_MESSAGE_SIZE`: the largest gRPC message, reported by `/v1/meta` as
    /// `grpcMaxMessageSize`.
    pub grpc_max_message_bytes: usize,
}

/// Weaviate's default `GRPC_MAX_MESSAGE_SIZE`, reported by `/v1/meta` as `grpcMaxMessageSize`.
pub const GRPC_MAX_MESSAGE_SIZE: usize = 104_858_000;

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_body_bytes: GRPC_MAX_MESSAGE_SIZE,
            hostname: "http://[::]:8080".to_string(),
            batch_max_bytes_in_flight: 2 * GRPC_MAX_MESSAGE_SIZE,
            graphql_max_query_cost: graphql::DEFAULT_MAX_QUERY_COST,
            auth: AuthConfig::default(),
            grpc_max_message_bytes: GRPC_MAX_MESSAGE_SIZE,
        }
    }
}
