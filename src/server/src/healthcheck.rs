//! `shoal healthcheck`: one blocking HTTP GET of the node's readiness endpoint, for Docker's
//! `HEALTHCHECK` (the runtime image has no curl). Exit code 0 when the answer is 200, 1 for any
//! other answer, a refused connection or no answer within the timeout; the reason is printed,
//! and Docker keeps it in the container's health log.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::HealthcheckArgs;

/// Probes `args.url` and turns the outcome into the exit code Docker expects.
pub fn run(args: &HealthcheckArgs) -> ExitCode {
    let timeout = Duration::from_secs(args.timeout_seconds);
    match probe(&args.url, timeout) {
        Ok(200) => {
            println!("healthy: {} answered 200", args.url);
            ExitCode::SUCCESS
        }
        Ok(status) => {
            println!("unhealthy: {} answered {status}", args.url);
            ExitCode::FAILURE
        }
        Err(err) => {
            println!("unhealthy: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The status code `url` answers a GET with, within `timeout` (connecting included).
pub fn probe(url: &str, timeout: Duration) -> Result<u16> {
    // No proxy: the probe runs next to the node, and a proxy set for the node's own outbound
    // traffic must not sit between them.
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .no_proxy()
        .build()
        .context("cannot build the HTTP client")?;
    let response = client
        .get(url)
        .send()
        .with_context(|| format!("GET {url}"))?;
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::thread::JoinHandle;

    use super::*;

    /// A one-connection HTTP server answering `status_line`; returns its URL and the thread,
    /// which yields the request line it received.
    fn serve_once(status_line: &'static str) -> (String, JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/v1/.well-known/ready",
            listener.local_addr().unwrap()
        );
        let thread = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let answer = format!("{status_line}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            stream.write_all(answer.as_bytes()).unwrap();
            let text = String::from_utf8_lossy(&request).to_string();
            text.lines().next().unwrap_or_default().to_string()
        });
        (url, thread)
    }

    fn args(url: &str) -> HealthcheckArgs {
        HealthcheckArgs {
            url: url.to_string(),
            timeout_seconds: 5,
        }
    }

    #[test]
    fn ready_node_is_healthy() {
        let (url, server) = serve_once("HTTP/1.1 200 OK");
        assert_eq!(run(&args(&url)), ExitCode::SUCCESS);
        assert_eq!(server.join().unwrap(), "GET /v1/.well-known/ready HTTP/1.1");
    }

    #[test]
    fn node_without_leader_is_unhealthy() {
        let (url, server) = serve_once("HTTP/1.1 503 Service Unavailable");
        assert_eq!(probe(&url, Duration::from_secs(5)).unwrap(), 503);
        server.join().unwrap();
        let (url, server) = serve_once("HTTP/1.1 503 Service Unavailable");
        assert_eq!(run(&args(&url)), ExitCode::FAILURE);
        server.join().unwrap();
    }

    #[test]
    fn refused_connection_is_unhealthy() {
        // Bound and released: nothing listens there any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/v1/.well-known/ready");
        assert!(probe(&url, Duration::from_secs(5)).is_err());
        assert_eq!(run(&args(&url)), ExitCode::FAILURE);
    }

    #[test]
    fn silent_node_is_unhealthy_after_the_timeout() {
        // Accepts (the kernel completes the handshake) but never answers, like a hung node.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let err = probe(&url, Duration::from_millis(300)).unwrap_err();
        assert!(format!("{err:#}").contains("GET http://"), "{err:#}");
        drop(listener);
    }

    #[test]
    fn malformed_url_is_unhealthy() {
        assert_eq!(run(&args("not a url")), ExitCode::FAILURE);
    }
}
