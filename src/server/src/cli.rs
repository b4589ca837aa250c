//! The command line. Besides Shoal's own flags it accepts the ones Weaviate's Docker image and
//! Helm chart pass (`--scheme http`, `--read-timeout`, `--write-timeout`, `--config-file`), so
//! that Shoal can stand in for Weaviate without changing a deployment.

use std::path::PathBuf;

use clap::Parser;

/// Shoal: a distributed vector database that speaks Weaviate's REST and GraphQL API.
#[derive(Debug, Clone, Parser)]
#[command(name = "shoal", version, about)]
pub struct Cli {
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
    }
}
