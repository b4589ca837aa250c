//! Shared helpers: test classes, a recording listener, nodes served over real HTTP.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cluster::raft::{RaftMeta, RaftMetaConfig, RaftTimeouts};
use cluster::{ClassMeta, MetaChange, MetaCommand, MetaListener, MetaState, ShardingState};
use parking_lot::Mutex;
use rand::SeedableRng;

/// Records what the state machine announces.
#[derive(Default)]
pub struct Recorder {
    pub changes: Mutex<Vec<MetaChange>>,
}

impl MetaListener for Recorder {
    fn on_applied(&self, change: &MetaChange, _state: &MetaState) {
        self.changes.lock().push(change.clone());
    }
}

/// A minimal class with one physical shard on `n1`.
pub fn class_meta(name: &str) -> ClassMeta {
    let mut body = cluster::raft::fuzz::minimal_class();
    body["class"] = name.into();
    let class = serde_json::from_value(body).expect("test class");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let sharding = ShardingState::new(1, 4, &["n1".to_string()], 1, &mut rng);
    ClassMeta {
        class,
        sharding,
        vector_dims: Default::default(),
        tenants: Default::default(),
        copy: None,
    }
}

/// `AddClass` of [`class_meta`].
pub fn add_class(name: &str) -> MetaCommand {
    MetaCommand::AddClass {
        meta: Box::new(class_meta(name)),
    }
}

/// Binds a loopback port first, so that addresses are known before any node starts.
pub async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    (listener, addr)
}

/// Timing for tests on a small, busy machine: fast heartbeats, elections in about a second.
pub fn config(
    name: &str,
    dir: &Path,
    addr: &str,
    join: &[String],
    expect: usize,
) -> RaftMetaConfig {
    let mut config = RaftMetaConfig::new(name, dir, addr, format!("api-of-{name}:8080"));
    config.join = join.to_vec();
    config.bootstrap_expect = expect;
    config.reconcile_interval = Duration::from_millis(200);
    config.timeouts = RaftTimeouts {
        heartbeat: Duration::from_millis(150),
        election_min: Duration::from_millis(800),
        election_max: Duration::from_millis(1600),
        install_snapshot: Duration::from_secs(10),
        write: Duration::from_secs(20),
        connect: Duration::from_millis(300),
    };
    config
}

/// A running node: Raft plus its internal HTTP server on a runtime of its own, so that killing
/// it also closes every connection it accepted (as a dead process would).
pub struct TestNode {
    pub name: String,
    pub meta: Arc<RaftMeta>,
    pub recorder: Arc<Recorder>,
    server: Option<tokio::runtime::Runtime>,
}

impl TestNode {
    /// Starts Raft from `config` and serves its router on `listener`.
    pub async fn start(config: RaftMetaConfig, listener: tokio::net::TcpListener) -> TestNode {
        let recorder = Arc::new(Recorder::default());
        let name = config.node_name.clone();
        let meta = Arc::new(
            RaftMeta::start(config, recorder.clone())
                .await
                .expect("start raft"),
        );
        let server = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("server runtime");
        let router = meta.router();
        let std_listener = listener.into_std().expect("listener");
        server.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
            let _ = axum::serve(listener, router).await;
        });
        TestNode {
            name,
            meta,
            recorder,
            server: Some(server),
        }
    }

    /// Stops serving and shuts Raft down, like a crashed process (its directory stays).
    pub async fn kill(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown_background();
        }
        self.meta.shutdown().await.expect("shutdown");
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown_background();
        }
    }
}

/// Polls `check` every 50 ms until it holds, or panics after `timeout` naming `what`.
pub async fn eventually(what: &str, timeout: Duration, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until every node is ready (member, leader known, caught up) and they agree on the leader.
pub async fn wait_formed(nodes: &[&TestNode]) -> u64 {
    for node in nodes {
        node.meta
            .raft()
            .wait(Some(Duration::from_secs(30)))
            .metrics(|m| m.current_leader.is_some(), "a leader")
            .await
            .expect("leader elected");
    }
    eventually("all nodes ready", Duration::from_secs(30), || {
        nodes.iter().all(|n| n.meta.is_ready())
    })
    .await;
    let leader = nodes[0].meta.leader().expect("leader").0;
    eventually("one leader", Duration::from_secs(30), || {
        nodes
            .iter()
            .all(|n| n.meta.leader().map(|l| l.0) == Some(leader))
    })
    .await;
    leader
}
