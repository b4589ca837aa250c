//! Node settings, composed in layers: `config/default.toml` (embedded in the binary), then the
//! `--config` TOML file (only the keys it sets), then environment variables, which win. The
//! command line's `--host`/`--port` are applied last by `main`. Every value is checked before
//! anything starts, and an invalid one is an error naming the variable or key.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use coordinator::CoordinatorConfig;
use serde::Deserialize;
use types::schema::{DefaultQuantization, Distance};

pub use self::auth::{AuthSettings, Secret};

mod auth;

/// The embedded defaults; also the documentation of every setting.
const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

/// Everything a node is configured with.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub persistence: PersistenceSettings,
    pub cluster: ClusterSettings,
    pub query: QuerySettings,
    pub schema: SchemaSettings,
    pub monitoring: MonitoringSettings,
    pub log: LogSettings,
    pub auth: AuthSettings,
}

/// `[server]`: the HTTP listener.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// `GRPC_PORT`: Weaviate's gRPC API.
    pub grpc_port: u16,
    /// `GRPC_MAX_MESSAGE_SIZE`: the largest gRPC message, both ways.
    pub grpc_max_message_size: usize,
    pub max_body_bytes: usize,
    /// `BATCH_MAX_BYTES_IN_FLIGHT`: body bytes of batch imports processed at once.
    pub batch_max_bytes_in_flight: usize,
    pub shutdown_timeout_seconds: u64,
}

/// `[persistence]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersistenceSettings {
    pub data_path: PathBuf,
    pub sync_writes: bool,
    /// `PERSISTENCE_BLOCK_CACHE_MB`.
    pub block_cache_mb: usize,
    /// `PERSISTENCE_MEMTABLES_MAX_SIZE_MB`.
    pub memtables_max_size_mb: usize,
}

/// `[cluster]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSettings {
    /// Empty until [`Settings::load`] resolves it to the OS hostname.
    pub hostname: String,
    /// `CLUSTER_DATA_BIND_PORT`; 0 picks the default (see [`ClusterSettings::bind_port`]).
    pub data_bind_port: u16,
    /// `CLUSTER_ADVERTISE_ADDR`; empty means `<hostname>:<port>`.
    pub advertise_addr: String,
    /// `CLUSTER_JOIN`.
    pub join: Vec<String>,
    /// `RAFT_BOOTSTRAP_EXPECT`.
    pub bootstrap_expect: usize,
    /// `CLUSTER_BASIC_AUTH_USERNAME`.
    pub basic_auth_username: String,
    /// `CLUSTER_BASIC_AUTH_PASSWORD`.
    pub basic_auth_password: Secret,
    /// `ASYNC_REPLICATION_DISABLED`: no anti-entropy rounds.
    pub async_replication_disabled: bool,
    /// `ASYNC_REPLICATION_FREQUENCY`: milliseconds between anti-entropy rounds.
    pub async_replication_frequency_ms: u64,
}

/// The default internal port of a node of a cluster (Weaviate's data port).
pub const DEFAULT_DATA_PORT: u16 = 7947;

impl ClusterSettings {
    /// A node alone: nobody to join and nobody to wait for.
    pub fn standalone(&self) -> bool {
        self.join.is_empty() && self.bootstrap_expect <= 1
    }

    /// The internal port to bind: the configured one, else [`DEFAULT_DATA_PORT`] in a cluster
    /// and 0 (any free port) on a standalone node.
    pub fn bind_port(&self) -> u16 {
        match self.data_bind_port {
            0 if self.standalone() => 0,
            0 => DEFAULT_DATA_PORT,
            port => port,
        }
    }

    /// The internal-port credentials, if both are set.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let (user, pass) = (&self.basic_auth_username, &self.basic_auth_password.0);
        (!user.is_empty() || !pass.is_empty()).then(|| (user.clone(), pass.clone()))
    }
}

/// `[query]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySettings {
    pub defaults_limit: usize,
    pub maximum_results: usize,
    /// `QUERY_NESTED_CROSS_REFERENCE_LIMIT`.
    pub nested_cross_reference_limit: usize,
    /// `QUERY_CROSS_REFERENCE_DEPTH_LIMIT`.
    pub cross_reference_depth_limit: usize,
    /// `GRAPHQL_MAX_QUERY_COST`.
    pub graphql_max_query_cost: usize,
}

/// `[schema]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaSettings {
    pub autoschema_enabled: bool,
    pub default_vector_distance_metric: String,
    pub async_indexing: bool,
    /// `DEFAULT_QUANTIZATION`.
    pub default_quantization: String,
}

/// `[monitoring]`: the Prometheus endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringSettings {
    /// `PROMETHEUS_MONITORING_ENABLED`.
    pub enabled: bool,
    /// `PROMETHEUS_MONITORING_PORT`.
    pub port: u16,
    /// `PROMETHEUS_MONITORING_GROUP`.
    pub group: bool,
}

/// `[log]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub level: String,
    pub format: LogFormat,
}

/// `LOG_FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

/// Where environment variables come from (the process, or a map in tests).
pub type EnvSource<'a> = &'a dyn Fn(&str) -> Option<String>;

impl Settings {
    /// Defaults, then `file`, then the environment; validated, with the node name resolved.
    pub fn load(file: Option<&Path>, env: EnvSource<'_>) -> Result<Settings> {
        let mut merged: toml::Value =
            toml::from_str(DEFAULT_TOML).context("embedded default.toml")?;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            let overlay: toml::Value = toml::from_str(&text)
                .with_context(|| format!("config file {} is not valid TOML", path.display()))?;
            merge(&mut merged, overlay);
        }
        let mut settings: Settings = merged.try_into().context("invalid configuration")?;
        settings.apply_env(env)?;
        if settings.cluster.hostname.is_empty() {
            settings.cluster.hostname = os_hostname(env);
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Overrides from environment variables (Weaviate's names; empty means unset).
    fn apply_env(&mut self, env: EnvSource<'_>) -> Result<()> {
        let env = Env(env);
        env.set_string("PERSISTENCE_DATA_PATH", |v| {
            self.persistence.data_path = v.into()
        });
        env.set_bool("PERSISTENCE_FSYNC", &mut self.persistence.sync_writes)?;
        env.set_parsed(
            "PERSISTENCE_BLOCK_CACHE_MB",
            &mut self.persistence.block_cache_mb,
        )?;
        env.set_parsed(
            "PERSISTENCE_MEMTABLES_MAX_SIZE_MB",
            &mut self.persistence.memtables_max_size_mb,
        )?;
        env.set_string("CLUSTER_HOSTNAME", |v| self.cluster.hostname = v);
        env.set_parsed("CLUSTER_DATA_BIND_PORT", &mut self.cluster.data_bind_port)?;
        env.set_string("CLUSTER_ADVERTISE_ADDR", |v| {
            self.cluster.advertise_addr = v
        });
        env.set_string("CLUSTER_JOIN", |v| {
            self.cluster.join = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect()
        });
        env.set_parsed("RAFT_BOOTSTRAP_EXPECT", &mut self.cluster.bootstrap_expect)?;
        env.set_string("CLUSTER_BASIC_AUTH_USERNAME", |v| {
            self.cluster.basic_auth_username = v
        });
        env.set_string("CLUSTER_BASIC_AUTH_PASSWORD", |v| {
            self.cluster.basic_auth_password = Secret(v)
        });
        env.set_bool(
            "ASYNC_REPLICATION_DISABLED",
            &mut self.cluster.async_replication_disabled,
        )?;
        env.set_parsed(
            "ASYNC_REPLICATION_FREQUENCY",
            &mut self.cluster.async_replication_frequency_ms,
        )?;
        env.set_parsed("GRPC_PORT", &mut self.server.grpc_port)?;
        env.set_parsed(
            "GRPC_MAX_MESSAGE_SIZE",
            &mut self.server.grpc_max_message_size,
        )?;
        env.set_parsed(
            "BATCH_MAX_BYTES_IN_FLIGHT",
            &mut self.server.batch_max_bytes_in_flight,
        )?;
        env.set_parsed("QUERY_DEFAULTS_LIMIT", &mut self.query.defaults_limit)?;
        env.set_parsed("QUERY_MAXIMUM_RESULTS", &mut self.query.maximum_results)?;
        env.set_parsed(
            "QUERY_NESTED_CROSS_REFERENCE_LIMIT",
            &mut self.query.nested_cross_reference_limit,
        )?;
        env.set_parsed(
            "QUERY_CROSS_REFERENCE_DEPTH_LIMIT",
            &mut self.query.cross_reference_depth_limit,
        )?;
        env.set_parsed(
            "GRAPHQL_MAX_QUERY_COST",
            &mut self.query.graphql_max_query_cost,
        )?;
        // Weaviate: anything but "false" turns auto-schema on.
        env.set_string("AUTOSCHEMA_ENABLED", |v| {
            self.schema.autoschema_enabled = !v.eq_ignore_ascii_case("false")
        });
        env.set_bool("ASYNC_INDEXING", &mut self.schema.async_indexing)?;
        env.set_string("DEFAULT_VECTOR_DISTANCE_METRIC", |v| {
            self.schema.default_vector_distance_metric = v
        });
        env.set_string("DEFAULT_QUANTIZATION", |v| {
            self.schema.default_quantization = v
        });
        env.set_bool(
            "PROMETHEUS_MONITORING_ENABLED",
            &mut self.monitoring.enabled,
        )?;
        env.set_parsed("PROMETHEUS_MONITORING_PORT", &mut self.monitoring.port)?;
        env.set_bool(
            "PROMETHEUS_MONITORING_GROUP_CLASSES",
            &mut self.monitoring.group,
        )?;
        env.set_bool("PROMETHEUS_MONITORING_GROUP", &mut self.monitoring.group)?;
        env.set_string("LOG_LEVEL", |v| self.log.level = v);
        if let Some(v) = env.get("LOG_FORMAT") {
            self.log.format = match v.to_ascii_lowercase().as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => bail!("LOG_FORMAT: expected json or text, got {v:?}"),
            };
        }
        self.auth.apply_env(&env)
    }

    /// Checks values the types alone do not.
    fn validate(&self) -> Result<()> {
        if self.persistence.data_path.as_os_str().is_empty() {
            bail!("PERSISTENCE_DATA_PATH (persistence.data_path) must not be empty");
        }
        if self.query.defaults_limit == 0 {
            bail!("QUERY_DEFAULTS_LIMIT (query.defaults_limit) must be at least 1");
        }
        if self.persistence.memtables_max_size_mb == 0 {
            bail!("PERSISTENCE_MEMTABLES_MAX_SIZE_MB (persistence.memtables_max_size_mb) must be at least 1");
        }
        // Shifted into bytes later; a terabyte is far beyond any machine this serves.
        for (name, mb) in [
            (
                "PERSISTENCE_BLOCK_CACHE_MB (persistence.block_cache_mb)",
                self.persistence.block_cache_mb,
            ),
            (
                "PERSISTENCE_MEMTABLES_MAX_SIZE_MB (persistence.memtables_max_size_mb)",
                self.persistence.memtables_max_size_mb,
            ),
        ] {
            if mb > 1 << 20 {
                bail!("{name} must be at most 1048576 (1 TiB), got {mb}");
            }
        }
        if self.query.maximum_results == 0 {
            bail!("QUERY_MAXIMUM_RESULTS (query.maximum_results) must be at least 1");
        }
        if self.query.graphql_max_query_cost == 0 {
            bail!("GRAPHQL_MAX_QUERY_COST (query.graphql_max_query_cost) must be at least 1");
        }
        if self.distance().is_none() {
            bail!(
                "DEFAULT_VECTOR_DISTANCE_METRIC (schema.default_vector_distance_metric): expected one of \
                 cosine, dot, l2-squared, manhattan, hamming, got {:?}",
                self.schema.default_vector_distance_metric
            );
        }
        if self.quantization().is_none() {
            bail!(
                "DEFAULT_QUANTIZATION (schema.default_quantization): expected one of none, pq, bq, \
                 sq, rq-8, rq-1, got {:?}",
                self.schema.default_quantization
            );
        }
        if self.log_directive().is_none() {
            bail!(
                "LOG_LEVEL (log.level): expected trace, debug, info, warning, error, fatal or panic, got {:?}",
                self.log.level
            );
        }
        if self.cluster.bootstrap_expect == 0 {
            bail!("RAFT_BOOTSTRAP_EXPECT (cluster.bootstrap_expect) must be at least 1");
        }
        if self.cluster.bootstrap_expect > 1 && self.cluster.join.is_empty() {
            bail!(
                "RAFT_BOOTSTRAP_EXPECT is {} but CLUSTER_JOIN is empty: list the voters' internal \
                 addresses (host:port) in CLUSTER_JOIN",
                self.cluster.bootstrap_expect
            );
        }
        if let Some(bad) = self.cluster.join.iter().find(|p| !is_host_port(p)) {
            bail!("CLUSTER_JOIN: expected comma-separated host:port addresses, got {bad:?}");
        }
        if !self.cluster.advertise_addr.is_empty() && !is_host_port(&self.cluster.advertise_addr) {
            bail!(
                "CLUSTER_ADVERTISE_ADDR: expected host:port, got {:?}",
                self.cluster.advertise_addr
            );
        }
        if self.cluster.async_replication_frequency_ms == 0 {
            bail!("ASYNC_REPLICATION_FREQUENCY (cluster.async_replication_frequency_ms) must be at least 1");
        }
        if self.monitoring.enabled && self.monitoring.port == self.server.port {
            bail!(
                "PROMETHEUS_MONITORING_PORT ({}) must differ from the REST port",
                self.monitoring.port
            );
        }
        if self.server.max_body_bytes == 0 {
            bail!("server.max_body_bytes must be at least 1");
        }
        if self.server.grpc_max_message_size == 0 {
            bail!("GRPC_MAX_MESSAGE_SIZE must be at least 1");
        }
        if self.server.batch_max_bytes_in_flight < self.server.max_body_bytes {
            bail!(
                "BATCH_MAX_BYTES_IN_FLIGHT ({}) must be at least server.max_body_bytes ({}): \
                 a batch of the largest accepted body must fit",
                self.server.batch_max_bytes_in_flight,
                self.server.max_body_bytes
            );
        }
        self.auth.validate()
    }

    /// The default distance metric.
    fn distance(&self) -> Option<Distance> {
        Distance::parse(
            &self
                .schema
                .default_vector_distance_metric
                .to_ascii_lowercase(),
        )
    }

    /// The default compression of new hnsw indexes.
    fn quantization(&self) -> Option<DefaultQuantization> {
        DefaultQuantization::parse(&self.schema.default_quantization)
    }

    /// The `tracing` level for `LOG_LEVEL` (Weaviate's logrus names).
    pub fn log_directive(&self) -> Option<&'static str> {
        match self.log.level.to_ascii_lowercase().as_str() {
            "trace" => Some("trace"),
            "debug" => Some("debug"),
            "info" => Some("info"),
            "warn" | "warning" => Some("warn"),
            "error" | "fatal" | "panic" => Some("error"),
            _ => None,
        }
    }

    /// The `tracing` filter for `LOG_LEVEL`: Shoal's own crates at that level, dependencies
    /// (openraft's timers, hyper, ...) at `warn` unless the level asks for debugging, so that
    /// `info` shows what the node does rather than what its libraries do.
    pub fn log_filter(&self) -> String {
        match self.log_directive().unwrap_or("info") {
            level @ ("debug" | "trace" | "warn" | "error") => level.to_string(),
            level => format!("warn,shoal={level}"),
        }
    }

    /// The coordinator's part of the settings.
    pub fn coordinator_config(&self) -> CoordinatorConfig {
        let mut config = CoordinatorConfig::new(
            self.persistence.data_path.clone(),
            self.cluster.hostname.clone(),
        );
        config.query_defaults_limit = self.query.defaults_limit;
        config.query_maximum_results = self.query.maximum_results;
        config.query_nested_cross_reference_limit = self.query.nested_cross_reference_limit;
        config.query_cross_reference_depth_limit = self.query.cross_reference_depth_limit;
        config.autoschema_enabled = self.schema.autoschema_enabled;
        config.async_indexing = self.schema.async_indexing;
        // Validated in `load`; cosine is only the type system's fallback.
        config.default_distance = self.distance().unwrap_or(Distance::Cosine);
        config.default_quantization = self.quantization().unwrap_or_default();
        config.sync_writes = self.persistence.sync_writes;
        config.block_cache_bytes = self.persistence.block_cache_mb << 20;
        config.memtables_bytes = self.persistence.memtables_max_size_mb << 20;
        config.monitoring_group = self.monitoring.group;
        config.async_replication_frequency = (!self.cluster.async_replication_disabled)
            .then(|| std::time::Duration::from_millis(self.cluster.async_replication_frequency_ms));
        config
    }
}

/// `host:port` with a non-empty host and a valid port.
fn is_host_port(addr: &str) -> bool {
    addr.rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
}

/// Deep-merges `overlay` into `base`: tables key by key, anything else replaced.
fn merge(base: &mut toml::Value, overlay: toml::Value) {
    match (base, overlay) {
        (toml::Value::Table(base), toml::Value::Table(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// The OS hostname: the kernel's, then `$HOSTNAME`, then "node1".
fn os_hostname(env: EnvSource<'_>) -> String {
    let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    kernel
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            env("HOSTNAME")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "node1".to_string())
}

/// Typed access to environment variables; an empty value counts as unset.
struct Env<'a>(EnvSource<'a>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn set_string(&self, name: &str, set: impl FnOnce(String)) {
        if let Some(v) = self.get(name) {
            set(v);
        }
    }

    fn set_parsed<T: FromStr>(&self, name: &str, target: &mut T) -> Result<()>
    where
        T::Err: std::fmt::Display,
    {
        if let Some(v) = self.get(name) {
            *target = v
                .parse()
                .map_err(|e| anyhow::anyhow!("{name}: invalid value {v:?}: {e}"))?;
        }
        Ok(())
    }

    fn set_bool(&self, name: &str, target: &mut bool) -> Result<()> {
        if let Some(v) = self.get(name) {
            *target = parse_bool(&v).with_context(|| {
                format!("{name}: expected true/on/enabled/1 or false/off/disabled/0, got {v:?}")
            })?;
        }
        Ok(())
    }
}

/// Weaviate's boolean spellings, case-insensitively.
fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "on" | "enabled" | "1" => Some(true),
        "false" | "off" | "disabled" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn load_with(vars: &[(&str, &str)], file: Option<&Path>) -> Result<Settings> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load(file, &move |name: &str| map.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let s = load_with(&[("CLUSTER_HOSTNAME", "n1")], None).unwrap();
        assert_eq!(s.server.host, "0.0.0.0");
        assert_eq!(s.server.port, 8080);
        assert_eq!(s.persistence.data_path, PathBuf::from("./data"));
        assert_eq!(s.query.defaults_limit, 10);
        assert_eq!(s.query.maximum_results, 10_000);
        assert!(s.schema.autoschema_enabled);
        assert_eq!(s.log.format, LogFormat::Json);
        assert_eq!(s.log_directive(), Some("info"));
        assert_eq!(
            s.log_filter(),
            "warn,shoal=info",
            "dependencies stay at warn"
        );
        assert_eq!(s.cluster.hostname, "n1");
        let c = s.coordinator_config();
        assert_eq!(c.node_name, "n1");
        assert_eq!(c.default_distance, Distance::Cosine);
        // The embedded file and the store's own defaults agree.
        let store_defaults = CoordinatorConfig::new("d", "n");
        assert_eq!(c.block_cache_bytes, store_defaults.block_cache_bytes);
        assert_eq!(c.memtables_bytes, store_defaults.memtables_bytes);
        assert_eq!(
            c.async_replication_frequency,
            Some(std::time::Duration::from_secs(5))
        );
    }

    #[test]
    fn anti_entropy_follows_weaviates_variables() {
        let s = load_with(&[("ASYNC_REPLICATION_FREQUENCY", "250")], None).unwrap();
        assert_eq!(
            s.coordinator_config().async_replication_frequency,
            Some(std::time::Duration::from_millis(250))
        );
        let s = load_with(&[("ASYNC_REPLICATION_DISABLED", "true")], None).unwrap();
        assert_eq!(s.coordinator_config().async_replication_frequency, None);
    }

    #[test]
    fn hostname_falls_back_to_the_os() {
        let s = load_with(&[], None).unwrap();
        assert!(!s.cluster.hostname.is_empty());
    }

    #[test]
    fn environment_wins() {
        let s = load_with(
            &[
                ("PERSISTENCE_DATA_PATH", "/tmp/x"),
                ("QUERY_DEFAULTS_LIMIT", "25"),
                ("AUTOSCHEMA_ENABLED", "FALSE"),
                ("ASYNC_INDEXING", "Enabled"),
                ("PERSISTENCE_FSYNC", "on"),
                ("PERSISTENCE_BLOCK_CACHE_MB", "16"),
                ("PERSISTENCE_MEMTABLES_MAX_SIZE_MB", "8"),
                ("DEFAULT_VECTOR_DISTANCE_METRIC", "l2-squared"),
                ("DEFAULT_QUANTIZATION", "RQ-8"),
                ("LOG_LEVEL", "warning"),
                ("LOG_FORMAT", "text"),
                ("CLUSTER_DATA_BIND_PORT", "7101"),
                ("GRPC_PORT", "50052"),
                ("GRAPHQL_MAX_QUERY_COST", "500"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(s.persistence.data_path, PathBuf::from("/tmp/x"));
        assert_eq!(s.query.defaults_limit, 25);
        assert!(!s.schema.autoschema_enabled);
        assert!(s.schema.async_indexing);
        assert!(s.persistence.sync_writes);
        assert_eq!(s.coordinator_config().block_cache_bytes, 16 << 20);
        assert_eq!(s.coordinator_config().memtables_bytes, 8 << 20);
        assert_eq!(s.coordinator_config().default_distance, Distance::L2Squared);
        assert_eq!(
            s.coordinator_config().default_quantization,
            DefaultQuantization::Rq8
        );
        assert_eq!(s.log_directive(), Some("warn"));
        assert_eq!(s.log_filter(), "warn");
        assert_eq!(s.log.format, LogFormat::Text);
        assert_eq!(s.cluster.data_bind_port, 7101);
        assert_eq!(s.server.grpc_port, 50052);
        assert_eq!(s.query.graphql_max_query_cost, 500);
    }

    #[test]
    fn monitoring_follows_weaviates_variables() {
        let s = load_with(&[], None).unwrap();
        assert!(!s.monitoring.enabled);
        assert_eq!(s.monitoring.port, 2112);
        assert!(!s.coordinator_config().monitoring_group);
        let s = load_with(
            &[
                ("PROMETHEUS_MONITORING_ENABLED", "true"),
                ("PROMETHEUS_MONITORING_PORT", "9100"),
                ("PROMETHEUS_MONITORING_GROUP", "on"),
            ],
            None,
        )
        .unwrap();
        assert!(s.monitoring.enabled);
        assert_eq!(s.monitoring.port, 9100);
        assert!(s.coordinator_config().monitoring_group);
        let s = load_with(&[("PROMETHEUS_MONITORING_GROUP_CLASSES", "true")], None).unwrap();
        assert!(s.monitoring.group, "Weaviate's older name still works");
    }

    #[test]
    fn autoschema_is_on_unless_false() {
        let s = load_with(&[("AUTOSCHEMA_ENABLED", "no")], None).unwrap();
        assert!(s.schema.autoschema_enabled);
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (var, value) in [
            ("QUERY_DEFAULTS_LIMIT", "ten"),
            ("ASYNC_INDEXING", "maybe"),
            ("DEFAULT_VECTOR_DISTANCE_METRIC", "euclid"),
            ("DEFAULT_QUANTIZATION", "opq"),
            ("LOG_LEVEL", "loud"),
            ("LOG_FORMAT", "xml"),
            ("CLUSTER_DATA_BIND_PORT", "70000"),
            ("QUERY_MAXIMUM_RESULTS", "0"),
            ("GRAPHQL_MAX_QUERY_COST", "0"),
            ("GRAPHQL_MAX_QUERY_COST", "many"),
            ("ASYNC_REPLICATION_FREQUENCY", "0"),
            ("ASYNC_REPLICATION_DISABLED", "sometimes"),
            ("RAFT_BOOTSTRAP_EXPECT", "0"),
            ("RAFT_BOOTSTRAP_EXPECT", "3"),
            ("CLUSTER_JOIN", "n1:7101,n2"),
            ("CLUSTER_ADVERTISE_ADDR", "10.0.0.1"),
            ("PROMETHEUS_MONITORING_ENABLED", "perhaps"),
            ("PROMETHEUS_MONITORING_PORT", "99999"),
        ] {
            let err = format!("{:#}", load_with(&[(var, value)], None).unwrap_err());
            assert!(err.contains(var), "{var}: {err}");
        }
    }

    #[test]
    fn a_standalone_node_binds_a_free_loopback_port_unless_told() {
        let s = load_with(&[("CLUSTER_HOSTNAME", "n1")], None).unwrap();
        assert!(s.cluster.standalone());
        assert_eq!(s.cluster.bind_port(), 0);
        assert_eq!(s.cluster.basic_auth(), None);
        let s = load_with(&[("CLUSTER_DATA_BIND_PORT", "7101")], None).unwrap();
        assert_eq!(s.cluster.bind_port(), 7101);
    }

    #[test]
    fn cluster_variables() {
        let s = load_with(
            &[
                (
                    "CLUSTER_JOIN",
                    " 127.0.0.1:7101, 127.0.0.1:7102 ,,127.0.0.1:7103",
                ),
                ("RAFT_BOOTSTRAP_EXPECT", "3"),
                ("CLUSTER_ADVERTISE_ADDR", "127.0.0.1:7101"),
                ("CLUSTER_BASIC_AUTH_USERNAME", "u"),
                ("CLUSTER_BASIC_AUTH_PASSWORD", "p"),
            ],
            None,
        )
        .unwrap();
        let c = &s.cluster;
        assert_eq!(
            c.join,
            ["127.0.0.1:7101", "127.0.0.1:7102", "127.0.0.1:7103"]
        );
        assert_eq!(c.bootstrap_expect, 3);
        assert!(!c.standalone());
        // A node of a cluster listens where peers expect Weaviate's data port.
        assert_eq!(c.bind_port(), DEFAULT_DATA_PORT);
        assert_eq!(c.advertise_addr, "127.0.0.1:7101");
        assert_eq!(c.basic_auth(), Some(("u".to_string(), "p".to_string())));
    }

    #[test]
    fn config_file_overlays_defaults_and_env_wins_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shoal.toml");
        std::fs::write(
            &path,
            "[query]\ndefaults_limit = 50\n[server]\nport = 9000\n",
        )
        .unwrap();
        let s = load_with(&[("QUERY_DEFAULTS_LIMIT", "7")], Some(&path)).unwrap();
        assert_eq!(s.server.port, 9000);
        assert_eq!(s.query.defaults_limit, 7);
        assert_eq!(s.query.maximum_results, 10_000);

        std::fs::write(&path, "[query]\ndefault_limit = 50\n").unwrap();
        assert!(
            load_with(&[], Some(&path)).is_err(),
            "unknown keys are rejected"
        );
    }
}
