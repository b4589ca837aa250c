//! Structured logs and request ids, against the real binary: every response carries an
//! `X-Request-Id`, a client's sane id is kept, and the JSON log line of the request names it.

use anyhow::{Context, Result};
use reqwest::blocking::Response;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::Node;

fn request_id(resp: &Response) -> Result<String> {
    let value = resp
        .headers()
        .get("x-request-id")
        .context("no X-Request-Id header")?;
    Ok(value.to_str()?.to_string())
}

/// The node's JSON log lines.
fn log_lines(node: &Node) -> Result<Vec<Value>> {
    let text = std::fs::read_to_string(node.log_path())?;
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}

fn json_node() -> Result<Node> {
    Node::start_with(&[("LOG_FORMAT", "json"), ("LOG_LEVEL", "debug")])
}

#[test]
fn every_response_carries_a_request_id() -> Result<()> {
    let node = Node::start_with(&[
        ("AUTHENTICATION_APIKEY_ENABLED", "true"),
        ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "k1"),
        ("AUTHENTICATION_APIKEY_USERS", "u1"),
    ])?;
    let url = |path: &str| node.url(path);
    let answers = [
        (
            "ok",
            node.http.get(url("/v1/schema")).bearer_auth("k1").send()?,
        ),
        ("401", node.http.get(url("/v1/schema")).send()?),
        ("404", node.http.get(url("/v1/nothing-here")).send()?),
        (
            "405",
            node.http
                .patch(url("/v1/schema"))
                .bearer_auth("k1")
                .send()?,
        ),
        (
            "415",
            node.http
                .post(url("/v1/schema"))
                .bearer_auth("k1")
                .header(header::CONTENT_TYPE, "text/plain")
                .body("{}")
                .send()?,
        ),
        (
            "422",
            node.http
                .post(url("/v1/schema"))
                .bearer_auth("k1")
                .json(&json!({"class": 1}))
                .send()?,
        ),
        ("probe", node.http.get(url("/v1/.well-known/live")).send()?),
    ];
    let mut seen = Vec::new();
    for (what, resp) in &answers {
        let id = request_id(resp).with_context(|| format!("{what} ({})", resp.status()))?;
        let parsed = Uuid::parse_str(&id).with_context(|| format!("{what}: {id}"))?;
        assert_eq!(parsed.get_version_num(), 4, "{what}: {id}");
        seen.push(id);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), answers.len(), "ids are per request");
    assert_eq!(answers[1].1.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(answers[4].1.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    Ok(())
}

#[test]
fn a_sane_incoming_request_id_is_kept_and_an_odd_one_replaced() -> Result<()> {
    let node = json_node()?;
    let sent = "client-chosen.id_42";
    let resp = node
        .http
        .get(node.url("/v1/schema"))
        .header("x-request-id", sent)
        .send()?;
    assert_eq!(request_id(&resp)?, sent);
    for odd in ["has space", &"x".repeat(129)] {
        let resp = node
            .http
            .get(node.url("/v1/schema"))
            .header("x-request-id", odd)
            .send()?;
        let id = request_id(&resp)?;
        assert!(Uuid::parse_str(&id).is_ok(), "{odd:?} was replaced by {id}");
    }
    Ok(())
}

#[test]
fn the_json_log_line_of_a_request_names_its_id() -> Result<()> {
    let node = json_node()?;
    let sent = "trace-me-7";
    let resp = node
        .http
        .post(node.url("/v1/schema"))
        .header("x-request-id", sent)
        .json(&json!({"class": "Logged", "vectorizer": "none"}))
        .send()?;
    assert_eq!(resp.status(), StatusCode::OK);
    let missing = node.http.get(node.url("/v1/schema/Nope")).send()?;
    let missing_id = request_id(&missing)?;

    let lines = log_lines(&node)?;
    let line = lines
        .iter()
        .find(|l| l["request_id"] == sent && l["message"] == "request completed")
        .with_context(|| format!("no request line for {sent}\n{}", node.log_tail()))?;
    assert_eq!(line["level"], "DEBUG", "{line}");
    assert_eq!(line["method"], "POST", "{line}");
    assert_eq!(line["route"], "/v1/schema", "{line}");
    assert_eq!(line["status"], 200, "{line}");
    assert!(line["latency_ms"].is_number(), "{line}");
    assert!(
        line["timestamp"].is_string() && line["target"].is_string(),
        "{line}"
    );
    // Events logged while the request runs carry its id through the request span; the
    // request's own line is one of them.
    assert_eq!(line["span"]["name"], "request", "{line}");
    assert_eq!(line["span"]["request_id"], sent, "{line}");

    let missing_line = lines
        .iter()
        .find(|l| l["request_id"] == missing_id.as_str())
        .with_context(|| format!("no request line for {missing_id}"))?;
    assert_eq!(
        missing_line["route"], "/v1/schema/{class}",
        "{missing_line}"
    );
    assert_eq!(missing_line["status"], 404, "{missing_line}");
    Ok(())
}
