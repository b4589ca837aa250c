//! Wiring and lifecycle: logging, opening the coordinator, serving HTTP, and the graceful
//! shutdown on SIGTERM or SIGINT (stop accepting, let in-flight requests finish within a bounded
//! time, flush the coordinator, exit 0).

use std::future::IntoFuture;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use api::ApiConfig;
use coordinator::{Coordinator, RaftMetaConfig};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, Settings};

/// Installs the global `tracing` subscriber: JSON lines or text on stdout, filtered by
/// [`Settings::log_filter`] unless `RUST_LOG` gives a full filter.
pub fn init_logging(settings: &Settings) -> Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(&spec)
            .with_context(|| format!("RUST_LOG: invalid filter {spec:?}"))?,
        _ => EnvFilter::new(settings.log_filter()),
    };
    // Colours only on a terminal: logs usually go to files and collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stdout)
        .with_ansi(ansi);
    let installed = match settings.log.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}

/// Runs a node until SIGTERM or SIGINT, then shuts it down cleanly.
pub async fn run(settings: Settings) -> Result<()> {
    let addr = (settings.server.host.as_str(), settings.server.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {}:{}", addr.0, addr.1))?;
    let local = listener.local_addr().context("listener address")?;
    let internal = bind_internal(&settings).await?;
    let raft = raft_config(&settings, &internal, local.port())?;
    let coordinator = open_coordinator(&settings, raft).await?;
    let internal_server =
        tokio::spawn(axum::serve(internal, coordinator.internal_router()).into_future());
    tracing::info!(
        address = %local,
        node = %settings.cluster.hostname,
        data_path = %settings.persistence.data_path.display(),
        version = types::SHOAL_VERSION,
        "serving REST and GraphQL"
    );

    let config = ApiConfig {
        max_body_bytes: settings.server.max_body_bytes,
        hostname: public_hostname(&settings.server.host, local.port()),
        batch_max_bytes_in_flight: settings.server.batch_max_bytes_in_flight,
        graphql_max_query_cost: settings.query.graphql_max_query_cost,
        auth: settings.auth.to_config(),
        grpc_max_message_bytes: settings.server.grpc_max_message_size,
    };
    log_auth(&config.auth);
    let app = api::router(coordinator.clone(), config.clone()).context("cannot set up the API")?;
    let metrics_server = match settings.monitoring.enabled {
        true => Some(serve_metrics(&settings, coordinator.clone()).await?),
        false => None,
    };
    let maintenance = coordinator.start_maintenance(MAINTENANCE_EVERY);
    coordinator.resume_copies();
    let trimmer = crate::memory::spawn_trimmer(TRIM_EVERY);
    let anti_entropy = coordinator
        .config()
        .async_replication_frequency
        .map(|every| coordinator.start_anti_entropy(every));
    let grpc = Grpc {
        listener: bind_grpc(&settings).await?,
        coordinator: coordinator.clone(),
        config: config.clone(),
        max_message_bytes: settings.server.grpc_max_message_size,
    };
    let grace = Duration::from_secs(settings.server.shutdown_timeout_seconds);
    let served = serve(listener, app, grpc, grace).await;
    maintenance.abort();
    trimmer.abort();
    if let Some(task) = metrics_server {
        task.abort();
    }
    if let Some(task) = anti_entropy {
        task.abort();
    }

    // Flush even when serving failed: acknowledged writes must reach disk either way.
    tracing::info!("flushing data");
    let flushed = coordinator.shutdown().await.context("coordinator shutdown");
    internal_server.abort();
    served?;
    flushed?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Serves `/metrics` on `PROMETHEUS_MONITORING_PORT`, on the REST listener's host.
async fn serve_metrics(
    settings: &Settings,
    coordinator: Arc<Coordinator>,
) -> Result<tokio::task::JoinHandle<std::io::Result<()>>> {
    let addr = (settings.server.host.as_str(), settings.monitoring.port);
    let listener = TcpListener::bind(addr).await.with_context(|| {
        format!(
            "cannot listen on the metrics port {}:{} (PROMETHEUS_MONITORING_PORT)",
            addr.0, addr.1
        )
    })?;
    let local = listener.local_addr().context("metrics listener address")?;
    tracing::info!(address = %local, "serving Prometheus metrics at /metrics");
    let app = api::metrics_router(coordinator);
    Ok(tokio::spawn(axum::serve(listener, app).into_future()))
}

/// Binds `GRPC_PORT` on the REST listener's host.
async fn bind_grpc(settings: &Settings) -> Result<TcpListener> {
    let addr = (settings.server.host.as_str(), settings.server.grpc_port);
    let listener = TcpListener::bind(addr).await.with_context(|| {
        format!(
            "cannot listen on the gRPC port {}:{} (GRPC_PORT)",
            addr.0, addr.1
        )
    })?;
    let local = listener.local_addr().context("gRPC listener address")?;
    tracing::info!(address = %local, "serving gRPC");
    Ok(listener)
}

/// Says how requests are authenticated and authorized: switches and counts, never a key.
fn log_auth(auth: &api::AuthConfig) {
    tracing::info!(
        anonymous_access = auth.anonymous_access,
        api_keys = auth.api_keys.as_ref().map_or(0, api::auth::ApiKeys::len),
        admin_list = auth.admin_list.is_some(),
        "authentication"
    );
}

/// How often shards are checked for upkeep; each index's own `cleanupIntervalSeconds` decides
/// whether a check cleans anything.
const MAINTENANCE_EVERY: Duration = Duration::from_secs(5);

/// How often freed heap memory is given back to the system (see `memory`).
const TRIM_EVERY: Duration = Duration::from_secs(5);

/// Opens the node's data and starts its member of the metadata Raft group.
async fn open_coordinator(settings: &Settings, raft: RaftMetaConfig) -> Result<Arc<Coordinator>> {
    let config = settings.coordinator_config();
    tracing::info!(
        data_path = %config.data_path.display(),
        node = %config.node_name,
        internal = %raft.advertise_addr,
        join = ?raft.join,
        bootstrap_expect = raft.bootstrap_expect,
        "opening data"
    );
    Coordinator::start_clustered(config, raft)
        .await
        .context("cannot open the node's data")
}

/// Binds the internal port (Raft and node-to-node requests): all interfaces in a cluster, the
/// loopback interface on a standalone node, which nobody else needs to reach.
async fn bind_internal(settings: &Settings) -> Result<TcpListener> {
    let cluster = &settings.cluster;
    let host = if cluster.standalone() {
        "127.0.0.1"
    } else {
        "0.0.0.0"
    };
    let port = cluster.bind_port();
    TcpListener::bind((host, port)).await.with_context(|| {
        format!("cannot listen on the internal port {host}:{port} (CLUSTER_DATA_BIND_PORT)")
    })
}

/// The Raft settings: the advertised internal address defaults to `<hostname>:<port>` in a
/// cluster and to the bound loopback address on a standalone node.
fn raft_config(
    settings: &Settings,
    internal: &TcpListener,
    api_port: u16,
) -> Result<RaftMetaConfig> {
    let cluster = &settings.cluster;
    let bound = internal.local_addr().context("internal listener address")?;
    let advertise = match cluster.advertise_addr.as_str() {
        "" if cluster.standalone() => bound.to_string(),
        "" => format!("{}:{}", cluster.hostname, bound.port()),
        addr => addr.to_string(),
    };
    let advertise_host = advertise
        .rsplit_once(':')
        .map_or(advertise.as_str(), |(host, _)| host);
    let api_addr = format!("{advertise_host}:{api_port}");
    let mut config = RaftMetaConfig::new(
        cluster.hostname.clone(),
        settings.persistence.data_path.clone(),
        advertise,
        api_addr,
    );
    config.join = cluster.join.clone();
    config.bootstrap_expect = cluster.bootstrap_expect;
    config.basic_auth = cluster.basic_auth();
    Ok(config)
}

/// The gRPC half of the public API, served beside REST.
struct Grpc {
    listener: TcpListener,
    coordinator: Arc<Coordinator>,
    config: ApiConfig,
    max_message_bytes: usize,
}

/// Serves REST and gRPC until a shutdown signal, then stops accepting and waits up to `grace`
/// for in-flight requests of both; after that, remaining connections are dropped.
async fn serve(
    listener: TcpListener,
    app: axum::Router,
    grpc: Grpc,
    grace: Duration,
) -> Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    // A dropped sender also means "stop".
    let stopped = |mut rx: tokio::sync::watch::Receiver<()>| async move {
        let _ = rx.changed().await;
    };
    let rest = axum::serve(listener, app).with_graceful_shutdown(stopped(stop_rx.clone()));
    let mut rest = tokio::spawn(rest.into_future());
    let mut grpc = tokio::spawn(api::grpc::serve(
        grpc.listener,
        grpc.coordinator,
        grpc.config,
        grpc.max_message_bytes,
        stopped(stop_rx),
    ));

    tokio::select! {
        // The servers only return on their own when accepting fails.
        joined = &mut rest => {
            joined.context("HTTP server task failed")?.context("HTTP server failed")?;
            bail!("the HTTP server stopped on its own");
        }
        joined = &mut grpc => {
            joined.context("gRPC server task failed")?.context("gRPC server failed")?;
            bail!("the gRPC server stopped on its own");
        }
        signal = shutdown_signal() => {
            tracing::info!(signal = signal?, "shutdown requested: finishing in-flight requests");
        }
    }
    drop(stop_tx);
    let both = async {
        let rest = (&mut rest).await;
        let grpc = (&mut grpc).await;
        (rest, grpc)
    };
    match tokio::time::timeout(grace, both).await {
        Ok((rest, grpc)) => {
            rest.context("HTTP server task failed")?
                .context("HTTP server failed")?;
            grpc.context("gRPC server task failed")?
                .context("gRPC server failed")?;
        }
        Err(_) => {
            tracing::warn!(
                grace_seconds = grace.as_secs(),
                "in-flight requests did not finish in time; closing them"
            );
            rest.abort();
            grpc.abort();
        }
    }
    Ok(())
}

/// Waits for SIGTERM or SIGINT and returns its name.
async fn shutdown_signal() -> Result<&'static str> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    tokio::select! {
        _ = term.recv() => Ok("SIGTERM"),
        _ = int.recv() => Ok("SIGINT"),
    }
}

/// What `/v1/meta` reports as `hostname`: Weaviate reports its listen address
/// (`http://[::]:8080`), IPv6 addresses in brackets.
fn public_hostname(host: &str, port: u16) -> String {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(ip)) => format!("http://[{ip}]:{port}"),
        _ => format!("http://{host}:{port}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        assert_eq!(public_hostname("0.0.0.0", 8080), "http://0.0.0.0:8080");
        assert_eq!(public_hostname("::", 8080), "http://[::]:8080");
        assert_eq!(public_hostname("localhost", 1), "http://localhost:1");
    }
}
