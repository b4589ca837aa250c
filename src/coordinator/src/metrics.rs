//! The node's Prometheus metrics, under Weaviate's names and labels where Weaviate has them
//! (so its dashboards work) and `shoal_` names for what is Shoal's own (Raft, replication,
//! RocksDB).
//!
//! Two kinds: events (durations, counters) are recorded where they happen; state (object
//! counts, index sizes, Raft indexes, store sizes) is read from the shards, Raft and RocksDB
//! when a scrape asks, so it is never stale and costs nothing between scrapes. Weaviate's
//! summaries are histograms here (the prometheus crate has no summary); the millisecond
//! buckets include every bound of Weaviate's, so queries written for its `le` labels still work.

use model::ConsistencyLevel;
use parking_lot::Mutex;
use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts,
    Registry, TextEncoder,
};

use crate::Coordinator;

/// Millisecond buckets: Weaviate's (10 ms to 5 min) with finer ones below 10 ms, where most
/// of Shoal's queries finish.
const MS_BUCKETS: &[f64] = &[
    0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
    60000.0, 300000.0,
];

/// Second buckets of latencies (Weaviate's `LatencyBuckets`).
pub const SECONDS_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0,
];

/// What class and shard labels become with `PROMETHEUS_MONITORING_GROUP`.
const GROUPED: &str = "n/a";

/// Every metric of a node, in one registry that the API's own metrics join.
pub struct Metrics {
    registry: Registry,
    group: bool,
    queries_durations: HistogramVec,
    batch_durations: HistogramVec,
    objects_durations: HistogramVec,
    schema_writes: HistogramVec,
    replication_writes: IntCounterVec,
    replica_failures: IntCounterVec,
    read_repairs: IntCounter,
    anti_entropy_pushed: IntCounter,
    state: StateGauges,
    /// One scrape at a time: refreshing the state gauges resets them first.
    scraping: Mutex<()>,
}

/// Gauges set from the node's state at each scrape.
struct StateGauges {
    object_count: GaugeVec,
    vector_index_size: GaugeVec,
    vector_index_operations: GaugeVec,
    vector_index_tombstones: GaugeVec,
    index_queue_size: GaugeVec,
    raft_term: Gauge,
    raft_is_leader: Gauge,
    raft_last_log_index: Gauge,
    raft_commit_index: Gauge,
    raft_applied_index: Gauge,
    rocksdb_sst_bytes: GaugeVec,
    rocksdb_memtable_bytes: GaugeVec,
    rocksdb_pending_compaction_bytes: GaugeVec,
}

impl Metrics {
    /// A registry with every metric of the node and the process collector. `group` is
    /// `PROMETHEUS_MONITORING_GROUP`.
    pub fn new(group: bool) -> prometheus::Result<Metrics> {
        let registry = Registry::new();
        let r = Registrar(&registry);
        let metrics = Metrics {
            group,
            queries_durations: r.histogram(
                "queries_durations_ms",
                "Duration in ms of a query (Get or Aggregate) over every shard of a class",
                &["class_name", "query_type"],
                MS_BUCKETS,
            )?,
            batch_durations: r.histogram(
                "batch_durations_ms",
                "Duration in ms of a batch import, by phase",
                &["operation", "class_name", "shard_name"],
                MS_BUCKETS,
            )?,
            objects_durations: r.histogram(
                "objects_durations_ms",
                "Duration in ms of a single-object operation",
                &["operation", "step", "class_name", "shard_name"],
                MS_BUCKETS,
            )?,
            schema_writes: r.histogram(
                "schema_writes_seconds",
                "Duration of a schema change through Raft until this node applied it",
                &["type"],
                SECONDS_BUCKETS,
            )?,
            replication_writes: r.counter_vec(
                "shoal_replication_writes_total",
                "Replicated writes (objects) by consistency level and outcome",
                &["consistency_level", "result"],
            )?,
            replica_failures: r.counter_vec(
                "shoal_replication_replica_failures_total",
                "Replica calls of a write that failed to reach or be taken by a replica",
                &["operation"],
            )?,
            read_repairs: r.counter(
                "shoal_read_repairs_total",
                "Stale replicas updated by read repair",
            )?,
            anti_entropy_pushed: r.counter(
                "shoal_anti_entropy_objects_pushed_total",
                "Objects pushed to replicas by anti-entropy",
            )?,
            state: StateGauges::new(&r)?,
            scraping: Mutex::new(()),
            registry,
        };
        register_process_collector(&metrics.registry);
        Ok(metrics)
    }

    /// The registry, for the API to add its request metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// `class` as a label value (`n/a` when grouped).
    pub fn class_label<'a>(&self, class: &'a str) -> &'a str {
        if self.group {
            GROUPED
        } else {
            class
        }
    }

    pub(crate) fn observe_query(&self, class: &str, kind: &str, ms: f64) {
        self.queries_durations
            .with_label_values(&[self.class_label(class), kind])
            .observe(ms);
    }

    pub(crate) fn observe_batch(&self, operation: &str, class: &str, shard: &str, ms: f64) {
        self.batch_durations
            .with_label_values(&[operation, self.class_label(class), self.class_label(shard)])
            .observe(ms);
    }

    pub(crate) fn observe_object(&self, operation: &str, class: &str, shard: &str, ms: f64) {
        let labels = [
            operation,
            "total",
            self.class_label(class),
            self.class_label(shard),
        ];
        self.objects_durations
            .with_label_values(&labels)
            .observe(ms);
    }

    pub(crate) fn observe_schema_write(&self, kind: &str, seconds: f64) {
        self.schema_writes
            .with_label_values(&[kind])
            .observe(seconds);
    }

    /// Counts the outcome of each item of a replicated write.
    pub(crate) fn count_replicated<T, E>(&self, level: ConsistencyLevel, results: &[Result<T, E>]) {
        let ok = results.iter().filter(|r| r.is_ok()).count();
        let level = level.as_str();
        self.replication_writes
            .with_label_values(&[level, "ok"])
            .inc_by(ok as u64);
        self.replication_writes
            .with_label_values(&[level, "failed"])
            .inc_by((results.len() - ok) as u64);
    }

    pub(crate) fn count_replica_failure(&self, operation: &str) {
        self.replica_failures.with_label_values(&[operation]).inc();
    }

    pub(crate) fn count_read_repair(&self) {
        self.read_repairs.inc();
    }

    pub(crate) fn count_anti_entropy_pushed(&self, objects: usize) {
        self.anti_entropy_pushed.inc_by(objects as u64);
    }
}

impl Coordinator {
    /// The node's metrics, for the API to record requests into.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Every metric in Prometheus' text format, with the state gauges read now.
    pub fn render_metrics(&self) -> String {
        let metrics = &self.metrics;
        let _one_scrape = metrics.scraping.lock();
        self.refresh_state_gauges();
        let mut out = Vec::new();
        let encoded = TextEncoder::new().encode(&metrics.registry.gather(), &mut out);
        if let Err(e) = encoded {
            tracing::warn!(error = %e, "cannot encode metrics");
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn refresh_state_gauges(&self) {
        let m = &self.metrics;
        let g = &m.state;
        g.reset_shards();
        for shard in self.shards.all() {
            let (class, name) = (m.class_label(shard.class()), m.class_label(shard.name()));
            let labels = [class, name];
            g.object_count
                .with_label_values(&labels)
                .add(shard.object_count() as f64);
            for t in shard.vector_stats() {
                g.vector_index_size
                    .with_label_values(&labels)
                    .add(t.size as f64);
                g.vector_index_tombstones
                    .with_label_values(&labels)
                    .add(t.tombstones as f64);
                g.vector_index_operations
                    .with_label_values(&["create", class, name])
                    .add(t.created as f64);
                g.vector_index_operations
                    .with_label_values(&["delete", class, name])
                    .add(t.deleted as f64);
                g.index_queue_size
                    .with_label_values(&[class, name, &t.target])
                    .add(t.queue_len as f64);
            }
        }
        let data = self.shards.store_stats();
        g.set_store("data", &data);
        let stats = self.meta.raft().stats();
        g.raft_term.set(stats.term as f64);
        g.raft_is_leader.set(u8::from(stats.is_leader).into());
        g.raft_last_log_index.set(stats.last_log_index as f64);
        g.raft_commit_index.set(stats.commit_index as f64);
        g.raft_applied_index.set(stats.applied_index as f64);
        g.set_store("raft", &stats.store);
    }
}

impl StateGauges {
    fn new(r: &Registrar) -> prometheus::Result<StateGauges> {
        let shard = &["class_name", "shard_name"];
        Ok(StateGauges {
            object_count: r.gauge_vec("object_count", "Objects in the shard", shard)?,
            vector_index_size: r.gauge_vec(
                "vector_index_size",
                "Nodes of the vector index, live or awaiting cleanup",
                shard,
            )?,
            vector_index_operations: r.gauge_vec(
                "vector_index_operations",
                "Vectors inserted into (create) and removed from (delete) the index since the shard opened",
                &["operation", "class_name", "shard_name"],
            )?,
            vector_index_tombstones: r.gauge_vec(
                "vector_index_tombstones",
                "Deleted graph nodes awaiting cleanup",
                shard,
            )?,
            index_queue_size: r.gauge_vec(
                "index_queue_size",
                "Vector changes waiting for the index",
                &["class_name", "shard_name", "target_vector"],
            )?,
            raft_term: r.gauge("shoal_raft_term", "This node's current Raft term")?,
            raft_is_leader: r.gauge("shoal_raft_is_leader", "1 when this node leads the metadata Raft group")?,
            raft_last_log_index: r.gauge("shoal_raft_last_log_index", "Last entry in this node's Raft log")?,
            raft_commit_index: r.gauge("shoal_raft_commit_index", "Last Raft entry this node knows committed")?,
            raft_applied_index: r.gauge("shoal_raft_applied_index", "Last Raft entry this node applied")?,
            rocksdb_sst_bytes: r.gauge_vec("shoal_rocksdb_sst_bytes", "Bytes of RocksDB's sorted files on disk", &["db"])?,
            rocksdb_memtable_bytes: r.gauge_vec("shoal_rocksdb_memtable_bytes", "Bytes in RocksDB's memtables", &["db"])?,
            rocksdb_pending_compaction_bytes: r.gauge_vec(
                "shoal_rocksdb_pending_compaction_bytes",
                "Bytes RocksDB estimates compaction still has to rewrite",
                &["db"],
            )?,
        })
    }

    /// Drops every per-shard series, so that a dropped shard disappears from the next scrape.
    fn reset_shards(&self) {
        self.object_count.reset();
        self.vector_index_size.reset();
        self.vector_index_operations.reset();
        self.vector_index_tombstones.reset();
        self.index_queue_size.reset();
    }

    fn set_store(&self, db: &str, stats: &shard::StoreStats) {
        self.rocksdb_sst_bytes
            .with_label_values(&[db])
            .set(stats.sst_bytes as f64);
        self.rocksdb_memtable_bytes
            .with_label_values(&[db])
            .set(stats.memtable_bytes as f64);
        self.rocksdb_pending_compaction_bytes
            .with_label_values(&[db])
            .set(stats.pending_compaction_bytes as f64);
    }
}

/// Creates metrics and registers them in one registry.
struct Registrar<'a>(&'a Registry);

type Made<M> = prometheus::Result<M>;

impl Registrar<'_> {
    fn register<M: prometheus::core::Collector + Clone + 'static>(&self, metric: M) -> Made<M> {
        self.0.register(Box::new(metric.clone()))?;
        Ok(metric)
    }

    fn histogram(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
        buckets: &[f64],
    ) -> Made<HistogramVec> {
        let opts = HistogramOpts::new(name, help).buckets(buckets.to_vec());
        self.register(HistogramVec::new(opts, labels)?)
    }

    fn counter_vec(&self, name: &str, help: &str, labels: &[&str]) -> Made<IntCounterVec> {
        self.register(IntCounterVec::new(Opts::new(name, help), labels)?)
    }

    fn counter(&self, name: &str, help: &str) -> Made<IntCounter> {
        self.register(IntCounter::new(name, help)?)
    }

    fn gauge_vec(&self, name: &str, help: &str, labels: &[&str]) -> Made<GaugeVec> {
        self.register(GaugeVec::new(Opts::new(name, help), labels)?)
    }

    fn gauge(&self, name: &str, help: &str) -> Made<Gauge> {
        self.register(Gauge::new(name, help)?)
    }
}

/// CPU, memory, file descriptors and start time of this process (`process_*`), where the
/// platform reports them.
fn register_process_collector(registry: &Registry) {
    #[cfg(target_os = "linux")]
    {
        let collector = prometheus::process_collector::ProcessCollector::for_self();
        if let Err(e) = registry.register(Box::new(collector)) {
            tracing::warn!(error = %e, "cannot export process metrics");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = registry;
}
