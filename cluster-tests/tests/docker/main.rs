//! Container fault scenarios: the runtime image built offline, three containers forming one
//! cluster on a private Docker network, and the faults an operator meets: a node killed, the
//! leader cut off by a network partition, a rolling restart. Every acknowledged write is recorded
//! ([`ledger::Ledger`]) and checked through every node at the end.
//!
//! Needs Docker: without it the test prints why and passes, except with `CI=true`, where it
//! fails. `SHOAL_DOCKER_IMAGE` names a prebuilt image instead of building one from
//! `target/<profile>/shoal` (or `SHOAL_BIN`). Ignored by a plain `cargo test`, because it takes
//! minutes: `scripts/docker-scenarios.sh` runs it.
//!
//! Every wait is a poll with a deadline; nothing asserts how long anything took. The durations
//! printed at the end are a report, not a check.
//!
//! A failed or panicking run removes its containers, network and image; only an interrupted one
//! (Ctrl-C, SIGKILL) leaves them: containers and networks labelled `shoal-test`, images tagged
//! `shoal-t<pid>-<n>:test`. `docker rm -fv $(docker ps -aq --filter label=shoal-test)` and
//! `docker network prune --filter label=shoal-test` remove the first two.

mod ledger;
mod steps;

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use shoal_cluster_tests::docker::{docker_or_skip, run_prefix, skip_or_fail, DockerCluster, Image};

const TEST: &str = "docker scenario";

#[test]
#[ignore = "needs Docker and takes minutes: run scripts/docker-scenarios.sh"]
fn container_cluster_survives_kill_partition_and_rolling_restart() -> Result<()> {
    if !docker_or_skip(TEST)? {
        return Ok(());
    }
    let prefix = run_prefix();
    let image = match Image::for_tests(&prefix) {
        Ok(image) => image,
        Err(e) => {
            skip_or_fail(TEST, &format!("cannot build the image: {e:#}"))?;
            return Ok(());
        }
    };
    match image.build_time {
        Some(t) => eprintln!("{TEST}: built {} in {t:.1?}", image.tag),
        None => eprintln!("{TEST}: using the prebuilt image {}", image.tag),
    }
    check_image_interface(&image)?;

    let started = Instant::now();
    let mut cluster = DockerCluster::start(&prefix, &image.tag)?;
    let mut timings = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        steps::run_all(&mut cluster, &mut timings)
    }));
    let failed = !matches!(outcome, Ok(Ok(_)));
    if failed {
        cluster.print_logs();
    }
    for (step, took) in &timings {
        eprintln!("{TEST}: {step:<40} {took:>8.1?}");
    }
    eprintln!(
        "{TEST}: whole scenario {:.1?} (image build not included)",
        started.elapsed()
    );
    match outcome {
        Ok(result) => result.map(|ledger| {
            eprintln!(
                "{TEST}: {} acknowledged writes checked through every node: {:?}",
                ledger.counts.values().sum::<usize>(),
                ledger.counts
            );
        }),
        Err(panic) => resume_unwind(panic),
    }
}

/// The image presents what docker/Dockerfile declares: the non-root user, the ports, the data
/// volume, SIGTERM and the `shoal healthcheck` HEALTHCHECK.
fn check_image_interface(image: &Image) -> Result<()> {
    let expect = |field: &str, wanted: &str| -> Result<()> {
        let got = image.config(field)?;
        ensure!(
            got == wanted,
            "image {}: {field} is {got}, expected {wanted}",
            image.tag
        );
        Ok(())
    };
    expect("User", r#""10001:10001""#)?;
    expect(
        "ExposedPorts",
        r#"{"2112/tcp":{},"50051/tcp":{},"7947/tcp":{},"8080/tcp":{}}"#,
    )?;
    expect("Volumes", r#"{"/var/lib/shoal":{}}"#)?;
    expect("StopSignal", r#""SIGTERM""#)?;
    expect("Entrypoint", r#"["/usr/local/bin/shoal"]"#)?;
    let health = image.config("Healthcheck.Test")?;
    ensure!(
        health == r#"["CMD","/usr/local/bin/shoal","healthcheck"]"#,
        "image {}: HEALTHCHECK is {health}",
        image.tag
    );
    let env = image.config("Env")?;
    ensure!(
        env.contains("PERSISTENCE_DATA_PATH=/var/lib/shoal"),
        "image {}: Env is {env}",
        image.tag
    );
    Ok(())
}

/// Records how long `step` took.
fn timed<T>(
    timings: &mut Vec<(String, Duration)>,
    step: &str,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let started = Instant::now();
    let result = f();
    timings.push((step.to_string(), started.elapsed()));
    result
}
