//! `shoal`: one Shoal node. Reads the command line and settings, installs logging, and hands
//! over to [`startup::run`], which serves until SIGTERM or SIGINT and then shuts down cleanly
//! (exit code 0). A configuration error exits with 2, a failure while running with 1.
//! `shoal healthcheck` instead probes a running node's readiness (see [`healthcheck`]).

mod cli;
mod healthcheck;
mod memory;
mod settings;
mod startup;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::settings::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Healthcheck(args)) = &cli.command {
        return healthcheck::run(args);
    }
    let settings = match load_settings(&cli) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("shoal: configuration error: {err:#}");
            return ExitCode::from(2);
        }
    };
    if let Err(err) = startup::init_logging(&settings) {
        eprintln!("shoal: {err:#}");
        return ExitCode::from(2);
    }
    if let Some(path) = &cli.config_file {
        tracing::warn!(file = %path.display(), "ignoring Weaviate's --config-file; use --config with a TOML file");
    }
    match run(settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "shoal stopped with an error");
            ExitCode::FAILURE
        }
    }
}

/// Settings from defaults, `--config`, the environment and finally `--host`/`--port`.
fn load_settings(cli: &Cli) -> anyhow::Result<Settings> {
    let env = |name: &str| std::env::var(name).ok();
    let mut settings = Settings::load(cli.config.as_deref(), &env)?;
    if let Some(host) = &cli.host {
        settings.server.host = host.clone();
    }
    if let Some(port) = cli.port {
        settings.server.port = port;
    }
    Ok(settings)
}

/// Runs the node on a multi-threaded tokio runtime.
fn run(settings: Settings) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("shoal")
        .build()?;
    runtime.block_on(startup::run(settings))
}
