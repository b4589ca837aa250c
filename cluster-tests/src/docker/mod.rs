//! Shoal in Docker containers, for the container fault scenarios (`tests/docker`).
//!
//! What it is: the `docker` CLI driven through `std::process::Command`: whether Docker is there
//! ([`docker_or_skip`]), the runtime image built offline from the test profile's binary by
//! `docker/build-image.sh` ([`Image`]), and a cluster of containers on a private network with
//! the faults Docker can inflict: kill, graceful stop, restart, network disconnect
//! ([`DockerCluster`]). Everything a run creates carries a unique prefix and is removed when
//! its guard drops, also when the scenario fails or panics.
//!
//! What it is not: a Docker client library or a mock. Assertions go through the nodes' public
//! REST API, as in the process-based harness.

mod cluster;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

pub use cluster::{ContainerNode, DockerCluster, NODE_NAMES};

/// Names a prebuilt image to use instead of building one (e.g. `shoal:latest`).
pub const IMAGE_ENV: &str = "SHOAL_DOCKER_IMAGE";

/// Runs `docker args...` and returns its trimmed stdout; fails with its stderr.
pub fn docker(args: &[&str]) -> Result<String> {
    let out = Command::new("docker")
        .args(args)
        .output()
        .with_context(|| format!("cannot run docker {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "docker {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether the scenarios can run: `Ok(true)` when the Docker daemon answers. When it does not,
/// `Ok(false)` after printing why, or an error when `CI=true`: CI machines have Docker, so a
/// missing one there is a broken setup, not a reason to skip silently.
pub fn docker_or_skip(test: &str) -> Result<bool> {
    match docker(&["info", "--format", "{{.ServerVersion}}"]) {
        Ok(version) => {
            eprintln!("{test}: Docker Engine {version}");
            Ok(true)
        }
        Err(e) => skip_or_fail(test, &format!("Docker is not available: {e:#}")),
    }
}

/// Prints `reason` and returns `Ok(false)` (skip), or fails with it when `CI=true`.
pub fn skip_or_fail(test: &str, reason: &str) -> Result<bool> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        bail!("{test}: {reason} (CI=true: failing instead of skipping)");
    }
    eprintln!("{test}: SKIPPED: {reason}");
    Ok(false)
}

/// A unique prefix for the names of one run's containers, network and image.
pub fn run_prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("shoal-t{}-{:x}", std::process::id(), nanos)
}

/// The image the containers run; removed on drop when this run built it.
pub struct Image {
    pub tag: String,
    /// How long `docker/build-image.sh` took; `None` for a prebuilt image.
    pub build_time: Option<Duration>,
    built: bool,
}

impl Image {
    /// The image named by `SHOAL_DOCKER_IMAGE`, or one built now by `docker/build-image.sh`
    /// from the binary of the test's profile (`SHOAL_BIN` or `target/<profile>/shoal`),
    /// tagged `<prefix>:test`.
    pub fn for_tests(prefix: &str) -> Result<Image> {
        if let Ok(tag) = std::env::var(IMAGE_ENV) {
            docker(&["image", "inspect", "--format", "{{.Id}}", &tag])
                .with_context(|| format!("{IMAGE_ENV}={tag} names no local image"))?;
            return Ok(Image {
                tag,
                build_time: None,
                built: false,
            });
        }
        let binary = crate::shoal_binary()?;
        let tag = format!("{prefix}:test");
        let script = build_script();
        let started = Instant::now();
        let out = Command::new(&script)
            .arg(&binary)
            .arg(&tag)
            .output()
            .with_context(|| format!("cannot run {}", script.display()))?;
        if !out.status.success() {
            bail!(
                "{} {} {tag} failed ({}): {}",
                script.display(),
                binary.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(Image {
            tag,
            build_time: Some(started.elapsed()),
            built: true,
        })
    }

    /// `docker image inspect` of one field of the image's configuration, as JSON text.
    pub fn config(&self, field: &str) -> Result<String> {
        let format = format!("{{{{json .Config.{field}}}}}");
        docker(&["image", "inspect", "--format", &format, &self.tag])
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        if self.built {
            let _ = docker(&["image", "rm", "--force", &self.tag]);
        }
    }
}

/// `docker/build-image.sh` of this repository.
fn build_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docker/build-image.sh")
}
