//! The command line. Besides Shoal's own flags it accepts the ones Weaviate's Docker image and
//! Helm chart pass (`--scheme http`, `--read-timeout`, `--write-timeout`, `--config-file`), so
//! that Shoal can stand in for Weaviate without changing a deployment. One subcommand,
//! `healthcheck`, probes a running node instead of running one (the image's HEALTHCHECK).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// What `shoal healthcheck` asks when given no `--url`: the readiness endpoint of a node on the
/// default port of the same host (container).
pub const DEFAULT_HEALTHCHECK_URL: &str = "http://127.0.0.1:8080/v1/.well-known/ready";

/// Shoal: a distributed vector database that speaks Weaviate's REST and GraphQL API.
#[derive(Debug, Clone, Parser)]
#[command(name = "shoal", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Without a subcommand, `shoal` runs a node.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address of the REST + GraphQL listener [default: 0.0.0.0, or the config file's]
    #[arg(long)]
    pub host: Option<String>,

    /// Port of the REST + GraphQL listener [default: 8080, or the config file's]
    #[arg(long)]
    pub port: Option<u16>,

    /// A TOML file merged over the built-in defaults; environment variables still win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Weaviate's listener scheme; only `http` is served.
    #[arg(long, hide = true, value_parser = ["http"])]
    pub scheme: Option<String>,

    /// Weaviate's read timeout (accepted and ignored).
    #[arg(long, hide = true, value_name = "DURATION")]
    pub read_timeout: Option<String>,

    /// Weaviate's write timeout (accepted and ignored).
    #[arg(long, hide = true, value_name = "DURATION")]
    pub write_timeout: Option<String>,

    /// Weaviate's YAML config file (accepted and ignored, with a warning: Shoal reads TOML
    /// through `--config` and Weaviate's environment variables).
    #[arg(long, hide = true, value_name = "FILE")]
    pub config_file: Option<PathBuf>,
}

/// Subcommands; none runs the node.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Exit 0 if a node's readiness endpoint answers 200, 1 otherwise (for Docker's HEALTHCHECK).
    Healthcheck(HealthcheckArgs),
}

/// `shoal healthcheck [--url URL] [--timeout SECONDS]`.
#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The URL to GET.
    #[arg(long, default_value = DEFAULT_HEALTHCHECK_URL)]
    pub url: String,

    /// Seconds to wait for the answer, connecting included.
    #[arg(
        long = "timeout",
        value_name = "SECONDS",
        default_value_t = 2,
        value_parser = clap::value_parser!(u64).range(1..=300)
    )]
    pub timeout_seconds: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_weaviate_helm_arguments() {
        let cli = Cli::try_parse_from([
            "shoal",
            "--host",
            "0.0.0.0",
            "--port",
            "8080",
            "--scheme",
            "http",
            "--config-file",
            "/weaviate-config/conf.yaml",
            "--read-timeout=60s",
            "--write-timeout=60s",
        ])
        .unwrap();
        assert_eq!(cli.port, Some(8080));
        assert_eq!(cli.read_timeout.as_deref(), Some("60s"));
    }

    #[test]
    fn rejects_https() {
        assert!(Cli::try_parse_from(["shoal", "--scheme", "https"]).is_err());
    }

    #[test]
    fn everything_is_optional() {
        let cli = Cli::try_parse_from(["shoal"]).unwrap();
        assert!(cli.host.is_none() && cli.port.is_none() && cli.config.is_none());
        assert!(cli.command.is_none());
    }

    fn healthcheck_args(cli: Cli) -> HealthcheckArgs {
        match cli.command {
            Some(Command::Healthcheck(args)) => args,
            None => panic!("no healthcheck subcommand parsed"),
        }
    }

    #[test]
    fn healthcheck_defaults_to_the_local_ready_endpoint() {
        let args = healthcheck_args(Cli::try_parse_from(["shoal", "healthcheck"]).unwrap());
        assert_eq!(args.url, "http://127.0.0.1:8080/v1/.well-known/ready");
        assert_eq!(args.timeout_seconds, 2);
    }

    #[test]
    fn healthcheck_takes_a_url_and_a_timeout() {
        let cli = Cli::try_parse_from([
            "shoal",
            "healthcheck",
            "--url",
            "http://10.0.0.5:8081/v1/.well-known/live",
            "--timeout",
            "7",
        ])
        .unwrap();
        let args = healthcheck_args(cli);
        assert_eq!(args.url, "http://10.0.0.5:8081/v1/.well-known/live");
        assert_eq!(args.timeout_seconds, 7);
    }

    #[test]
    fn healthcheck_rejects_a_zero_timeout_and_node_flags() {
        assert!(Cli::try_parse_from(["shoal", "healthcheck", "--timeout", "0"]).is_err());
        assert!(Cli::try_parse_from(["shoal", "healthcheck", "--timeout", "-1"]).is_err());
        assert!(Cli::try_parse_from(["shoal", "--port", "1", "healthcheck"]).is_err());
    }
}
