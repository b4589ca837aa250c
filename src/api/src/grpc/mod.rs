//! Weaviate's gRPC API (`weaviate.v1.Weaviate` from the protos the official client 4.24.1
//! ships, vendored under `proto/v1/`) and the standard `grpc.health.v1.Health`, served with
//! tonic on `GRPC_PORT`.
//!
//! Each method reads its message into the same coordinator request REST and GraphQL build
//! ([`model::SearchQuery`], [`model::ObjectWrite`], ...), checked by the same rules
//! (`search_rules`), so a request behaves the same whichever API carries it, through any node.
//! Coordinator errors become statuses through [`crate::error::grpc_code_of`].
//!
//! Layout: `search` (Search), `aggregate` (Aggregate), `batch` (BatchObjects and BatchDelete
//! replies), `filters` (`Filters` -> the filter model), `values` (typed property values both
//! ways), `vectors` (the several vector encodings), `auth` (keys and the admin list).

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use coordinator::Coordinator;
use model::search_rules::{certainty_metric, Limits};
use model::BatchDelete;
use tokio::net::TcpListener;
use tonic::{Request, Response, Status};
use types::schema::Class;

use crate::auth::Verb;
use crate::ApiConfig;

mod aggregate;
mod auth;
mod batch;
mod filters;
mod references;
mod search;
mod values;
mod vectors;

#[cfg(test)]
mod filters_tests;
#[cfg(test)]
mod values_tests;

/// The code generated from Weaviate's protos.
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::wildcard_enum_match_arm,
    missing_docs,
    unused_qualifications
)]
pub mod pb {
    tonic::include_proto!("weaviate.v1");
}

use pb::weaviate_server::{Weaviate, WeaviateServer};

/// Serves gRPC on `listener` until `shutdown` completes; in-flight calls then finish.
/// `max_message_bytes` bounds requests and replies (`GRPC_MAX_MESSAGE_SIZE`).
pub async fn serve(
    listener: TcpListener,
    coordinator: Arc<Coordinator>,
    config: ApiConfig,
    max_message_bytes: usize,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), tonic::transport::Error> {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    reporter.set_serving::<WeaviateServer<Service>>().await;
    let service = WeaviateServer::new(Service {
        coordinator,
        config: Arc::new(config),
    })
    .max_decoding_message_size(max_message_bytes)
    .max_encoding_message_size(max_message_bytes);
    tonic::transport::Server::builder()
        .add_service(health)
        .add_service(service)
        .serve_with_incoming_shutdown(
            // Replies are written in several frames: without nodelay, Nagle's algorithm meets
            // the client's delayed ACK and every reply of more than a few rows waits ~40 ms.
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await
}

/// The `weaviate.v1.Weaviate` service.
#[derive(Clone)]
struct Service {
    coordinator: Arc<Coordinator>,
    config: Arc<ApiConfig>,
}

impl Service {
    fn authorize<T>(&self, request: &Request<T>, verb: Verb, resource: &str) -> Result<(), Status> {
        auth::authorize(&self.config.auth, request.metadata(), verb, resource)
    }

    /// The classes of the schema by name.
    fn schema(&self) -> impl Fn(&str) -> Option<Class> + '_ {
        |name| self.coordinator.class(name)
    }

    /// The collection a request names, or Weaviate's not-found error.
    fn class(&self, name: &str) -> Result<Class, Status> {
        if name.is_empty() {
            return Err(Status::invalid_argument("collection must be set"));
        }
        self.coordinator
            .class(name)
            .ok_or_else(|| Status::not_found(format!("class {name:?} not found in schema")))
    }

    fn limits(&self) -> Limits {
        let config = self.coordinator.config();
        Limits {
            defaults_limit: config.query_defaults_limit,
            maximum_results: config.query_maximum_results,
        }
    }
}

/// Seconds since `started`, the unit of every reply's `took`.
fn took(started: Instant) -> f32 {
    started.elapsed().as_secs_f32()
}

/// A coordinator error as a status with Weaviate's message.
fn status(err: coordinator::Error) -> Status {
    Status::new(crate::error::grpc_code_of(err.kind()), err.to_string())
}

#[tonic::async_trait]
impl Weaviate for Service {
    async fn search(
        &self,
        request: Request<pb::SearchRequest>,
    ) -> Result<Response<pb::SearchReply>, Status> {
        self.authorize(&request, Verb::Get, "traversal/*")?;
        let started = Instant::now();
        let request = request.into_inner();
        let class = self.class(&request.collection)?;
        let (query, plan) = search::plan(&class, &self.schema(), &request, &self.limits())
            .map_err(Status::invalid_argument)?;
        let grouped = query.group_by.is_some();
        let result = self.coordinator.search(query).await.map_err(status)?;
        if plan.metadata.certainty {
            // Checked against the schema before searching; the metric actually used is final.
            if let Some(metric) = result.metric {
                certainty_metric(metric).map_err(Status::invalid_argument)?;
            }
        }
        Ok(Response::new(search::reply(
            &class,
            &result,
            &plan,
            grouped,
            took(started),
        )))
    }

    async fn batch_objects(
        &self,
        request: Request<pb::BatchObjectsRequest>,
    ) -> Result<Response<pb::BatchObjectsReply>, Status> {
        self.authorize(&request, Verb::Create, "batch/objects")?;
        let started = Instant::now();
        let request = request.into_inner();
        let level = search::consistency(request.consistency_level).unwrap_or_default();
        let schema = self.schema();
        let parsed: Vec<Result<model::ObjectWrite, String>> = request
            .objects
            .iter()
            .map(|o| batch::check_references(o, &schema).and_then(|()| batch::write_of(o)))
            .collect();
        let writes: Vec<_> = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok().cloned())
            .collect();
        let mut stored = self
            .coordinator
            .batch_objects(writes, level)
            .await
            .into_iter();
        let outcomes = parsed
            .into_iter()
            .map(|p| match p {
                Err(message) => Err(message),
                Ok(_) => match stored.next() {
                    Some(Ok(_)) => Ok(()),
                    Some(Err(e)) => Err(e.to_string()),
                    None => Err("batch object was not processed".into()),
                },
            })
            .collect();
        Ok(Response::new(batch::reply(outcomes, took(started))))
    }

    async fn batch_references(
        &self,
        request: Request<pb::BatchReferencesRequest>,
    ) -> Result<Response<pb::BatchReferencesReply>, Status> {
        self.authorize(&request, Verb::Update, "batch/*")?;
        let started = Instant::now();
        let request = request.into_inner();
        let level = search::consistency(request.consistency_level).unwrap_or_default();
        let parsed: Vec<Result<_, String>> =
            request.references.iter().map(batch::reference_of).collect();
        let valid = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok().cloned())
            .collect();
        let mut done = self
            .coordinator
            .batch_references(valid, level)
            .await
            .into_iter();
        let outcomes = parsed
            .into_iter()
            .map(|p| {
                p.and_then(|_| {
                    done.next()
                        .unwrap_or_else(|| {
                            Err(coordinator::Error::Internal(
                                "reference was not processed".into(),
                            ))
                        })
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        Ok(Response::new(batch::references_reply(
            outcomes,
            took(started),
        )))
    }

    async fn batch_delete(
        &self,
        request: Request<pb::BatchDeleteRequest>,
    ) -> Result<Response<pb::BatchDeleteReply>, Status> {
        self.authorize(&request, Verb::Delete, "batch/objects")?;
        let started = Instant::now();
        let request = request.into_inner();
        let class = self.class(&request.collection)?;
        let filters = request
            .filters
            .as_ref()
            .ok_or_else(|| Status::invalid_argument("batch delete needs filters"))?;
        let filter = filters::translate(&class, &self.schema(), filters)
            .map_err(|e| Status::invalid_argument(format!("invalid where filter: {e}")))?;
        let delete = BatchDelete {
            class: class.class.clone(),
            tenant: request.tenant.clone().filter(|t| !t.is_empty()),
            filter,
            dry_run: request.dry_run,
            verbose: request.verbose,
            deletion_time_ms: None,
        };
        let level = search::consistency(request.consistency_level).unwrap_or_default();
        let result = self
            .coordinator
            .batch_delete(delete, level)
            .await
            .map_err(status)?;
        Ok(Response::new(batch::delete_reply(
            &result,
            request.verbose,
            took(started),
        )))
    }

    async fn tenants_get(
        &self,
        request: Request<pb::TenantsGetRequest>,
    ) -> Result<Response<pb::TenantsGetReply>, Status> {
        let started = Instant::now();
        let name = request.get_ref().collection.clone();
        self.authorize(&request, Verb::Get, &format!("schema/{name}/tenants"))?;
        let class = self.class(&name)?;
        let names = request.get_ref().params.as_ref().map(|p| match p {
            pb::tenants_get_request::Params::Names(n) => n.values.clone(),
        });
        let tenants = self
            .coordinator
            .tenants(&class.class, names.as_deref())
            .map_err(status)?;
        Ok(Response::new(pb::TenantsGetReply {
            took: took(started),
            tenants: tenants
                .into_iter()
                .map(|(name, activity)| pb::Tenant {
                    name,
                    activity_status: tenant_status(&activity) as i32,
                })
                .collect(),
        }))
    }

    async fn aggregate(
        &self,
        request: Request<pb::AggregateRequest>,
    ) -> Result<Response<pb::AggregateReply>, Status> {
        self.authorize(&request, Verb::Get, "traversal/*")?;
        let started = Instant::now();
        let request = request.into_inner();
        let class = self.class(&request.collection)?;
        let query =
            aggregate::plan(&class, &self.schema(), &request).map_err(Status::invalid_argument)?;
        let result = self.coordinator.aggregate(query).await.map_err(status)?;
        Ok(Response::new(aggregate::reply(
            &class,
            &request,
            &result,
            took(started),
        )))
    }

    type BatchStreamStream = std::pin::Pin<
        Box<
            dyn tonic::codegen::tokio_stream::Stream<Item = Result<pb::BatchStreamReply, Status>>
                + Send,
        >,
    >;

    async fn batch_stream(
        &self,
        _request: Request<tonic::Streaming<pb::BatchStreamRequest>>,
    ) -> Result<Response<Self::BatchStreamStream>, Status> {
        Err(Status::unimplemented(format!(
            "batch streaming is a Weaviate 1.36 API; this server serves {}: use BatchObjects",
            types::WEAVIATE_COMPAT_VERSION
        )))
    }
}

fn tenant_status(status: &str) -> pb::TenantActivityStatus {
    match status {
        "HOT" | "ACTIVE" => pb::TenantActivityStatus::Hot,
        "COLD" | "INACTIVE" => pb::TenantActivityStatus::Cold,
        _ => pb::TenantActivityStatus::Unspecified,
    }
}
