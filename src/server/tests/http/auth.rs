//! API keys, the admin list and the internal port's credentials, against the real binary. Each
//! answer is the one Weaviate 1.27 gives: go-openapi's `{"code":401,...}` for a missing or
//! wrong key, the standard error body for a 403, a bare 401 on the internal port.

use anyhow::{Context, Result};
use reqwest::blocking::{RequestBuilder, Response};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::{article_class, json_of, Node, ID1};

const ADMIN_KEY: &str = "admin-key-7f3a9c";
const READ_ONLY_KEY: &str = "read-only-key-51d0e2";
/// A valid key whose user is on neither list.
const OTHER_KEY: &str = "other-key-c4b8a1";
const WRONG_KEY: &str = "wrong-key-9e6d47";
const INTERNAL_PASSWORD: &str = "internal-password-3b2f";

const NO_ANONYMOUS: &str =
    "anonymous access not enabled, please provide an auth scheme such as OIDC";
const BAD_KEY: &str = "invalid api key, please provide a valid api key";

/// A node with three keys (jane: admin, ian: read-only, bob: neither) and internal credentials.
fn start_guarded(extra: &[(&str, &str)]) -> Result<Node> {
    let keys = format!("{ADMIN_KEY},{READ_ONLY_KEY},{OTHER_KEY}");
    let mut env = vec![
        ("AUTHENTICATION_APIKEY_ENABLED", "true"),
        ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", keys.as_str()),
        ("AUTHENTICATION_APIKEY_USERS", "jane,ian,bob"),
        ("AUTHORIZATION_ADMINLIST_ENABLED", "true"),
        ("AUTHORIZATION_ADMINLIST_USERS", "jane"),
        ("AUTHORIZATION_ADMINLIST_READONLY_USERS", "ian"),
        ("CLUSTER_BASIC_AUTH_USERNAME", "shoal"),
        ("CLUSTER_BASIC_AUTH_PASSWORD", INTERNAL_PASSWORD),
    ];
    env.extend_from_slice(extra);
    Node::start_with(&env)
}

fn call(
    node: &Node,
    key: Option<&str>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<Response> {
    let mut req: RequestBuilder = node.http.request(method, node.url(path));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().with_context(|| format!("request to {path}"))
}

/// Status and JSON body (Null when empty).
fn answer(
    node: &Node,
    key: Option<&str>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Result<(StatusCode, Value)> {
    json_of(call(node, key, method, path, body)?)
}

fn unauthorized(message: &str) -> (StatusCode, Value) {
    (
        StatusCode::UNAUTHORIZED,
        json!({"code": 401, "message": message}),
    )
}

fn forbidden(user: &str, verb: &str, resource: &str) -> (StatusCode, Value) {
    let message =
        format!("forbidden: user '{user}' has insufficient permissions to {verb} {resource}");
    (
        StatusCode::FORBIDDEN,
        json!({"error": [{"message": message}]}),
    )
}

fn get_query() -> Value {
    json!({"query": "{ Get { Article { title } } }"})
}

#[test]
fn missing_and_wrong_keys_get_weaviates_401() -> Result<()> {
    let node = start_guarded(&[])?;
    let graphql = get_query();
    for (method, path, body) in [
        (Method::GET, "/v1/schema", None),
        (Method::GET, "/v1/meta", None),
        (Method::POST, "/v1/graphql", Some(&graphql)),
        (
            Method::GET,
            &format!("/v1/objects/Article/{ID1}") as &str,
            None,
        ),
    ] {
        let no_key = answer(&node, None, method.clone(), path, body)?;
        assert_eq!(
            no_key,
            unauthorized(NO_ANONYMOUS),
            "{method} {path} without a key"
        );
        let wrong = answer(&node, Some(WRONG_KEY), method.clone(), path, body)?;
        assert_eq!(
            wrong,
            unauthorized(BAD_KEY),
            "{method} {path} with a wrong key"
        );
    }
    // go-openapi's other place for a token.
    let query_token = answer(
        &node,
        None,
        Method::GET,
        &format!("/v1/schema?access_token={WRONG_KEY}"),
        None,
    )?;
    assert_eq!(query_token, unauthorized(BAD_KEY));
    let query_token = answer(
        &node,
        None,
        Method::GET,
        &format!("/v1/schema?access_token={ADMIN_KEY}"),
        None,
    )?;
    assert_eq!(query_token.0, StatusCode::OK);
    // Routing comes first: an unknown path is 404 whatever the credentials.
    let unknown = answer(&node, None, Method::GET, "/v1/nothing-here", None)?;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    Ok(())
}

#[test]
fn probes_and_discovery_stay_open() -> Result<()> {
    let node = start_guarded(&[])?;
    for path in ["/v1/.well-known/live", "/v1/.well-known/ready"] {
        assert_eq!(
            call(&node, None, Method::GET, path, None)?.status(),
            StatusCode::OK,
            "{path}"
        );
        let wrong = call(&node, Some(WRONG_KEY), Method::GET, path, None)?;
        assert_eq!(wrong.status(), StatusCode::OK, "{path} with a wrong key");
    }
    // What clients read before they have credentials.
    let openid = call(
        &node,
        None,
        Method::GET,
        "/v1/.well-known/openid-configuration",
        None,
    )?;
    assert_eq!(openid.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        call(&node, None, Method::GET, "/v1", None)?.status(),
        StatusCode::OK
    );
    // ... but a token given there must still be valid.
    let wrong = answer(&node, Some(WRONG_KEY), Method::GET, "/v1", None)?;
    assert_eq!(wrong, unauthorized(BAD_KEY));
    Ok(())
}

#[test]
fn the_admin_list_decides_who_writes_and_who_reads() -> Result<()> {
    let node = start_guarded(&[])?;
    let admin = Some(ADMIN_KEY);
    let read_only = Some(READ_ONLY_KEY);
    let object = json!({"class": "Article", "id": ID1, "properties": {"title": "one"}, "vector": [1.0, 0.0]});
    let batch = json!({"objects": [object]});

    // A read-only key writing: 403 naming Weaviate's verb and resource.
    let (class, object_path) = (article_class(), format!("/v1/objects/Article/{ID1}"));
    assert_eq!(
        answer(&node, read_only, Method::POST, "/v1/schema", Some(&class))?,
        forbidden("ian", "create", "schema/objects")
    );
    assert_eq!(
        answer(
            &node,
            read_only,
            Method::POST,
            "/v1/batch/objects",
            Some(&batch)
        )?,
        forbidden("ian", "create", "batch/objects")
    );
    assert_eq!(
        answer(&node, read_only, Method::POST, "/v1/objects", Some(&object))?,
        forbidden("ian", "create", "objects")
    );
    assert_eq!(
        answer(&node, read_only, Method::DELETE, &object_path, None)?,
        forbidden("ian", "delete", &format!("objects/Article/{ID1}"))
    );

    // An admin key writing.
    assert_eq!(
        answer(&node, admin, Method::POST, "/v1/schema", Some(&class))?.0,
        StatusCode::OK
    );
    let (status, results) = answer(
        &node,
        admin,
        Method::POST,
        "/v1/batch/objects",
        Some(&batch),
    )?;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(results[0]["result"]["status"], "SUCCESS", "{results}");

    // A read-only key reading, REST and GraphQL.
    let (status, schema) = answer(&node, read_only, Method::GET, "/v1/schema", None)?;
    assert_eq!(
        (status, schema["classes"][0]["class"].clone()),
        (StatusCode::OK, json!("Article"))
    );
    let (status, fetched) = answer(&node, read_only, Method::GET, &object_path, None)?;
    assert_eq!(
        (status, fetched["properties"]["title"].clone()),
        (StatusCode::OK, json!("one"))
    );
    let (status, result) = answer(
        &node,
        read_only,
        Method::POST,
        "/v1/graphql",
        Some(&get_query()),
    )?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        result["data"]["Get"]["Article"][0]["title"], "one",
        "{result}"
    );

    // A valid key whose user is on neither list: authenticated, then refused.
    let other = Some(OTHER_KEY);
    assert_eq!(
        answer(&node, other, Method::GET, "/v1/schema", None)?,
        forbidden("bob", "list", "schema/*")
    );
    assert_eq!(
        answer(
            &node,
            other,
            Method::POST,
            "/v1/graphql",
            Some(&get_query())
        )?,
        forbidden("bob", "list", "schema/*")
    );
    let (status, batched) = answer(
        &node,
        other,
        Method::POST,
        "/v1/graphql/batch",
        Some(&json!([get_query()])),
    )?;
    assert_eq!(status, StatusCode::OK);
    let message = "forbidden: user 'bob' has insufficient permissions to get traversal/*";
    assert_eq!(batched[0]["errors"][0]["message"], message, "{batched}");
    assert_eq!(
        answer(&node, other, Method::GET, "/v1/meta", None)?.0,
        StatusCode::OK
    );
    Ok(())
}

#[test]
fn anonymous_access_can_stay_on_beside_api_keys() -> Result<()> {
    let node = start_guarded(&[
        ("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "true"),
        ("AUTHORIZATION_ADMINLIST_READONLY_USERS", "ian,anonymous"),
    ])?;
    assert_eq!(
        answer(&node, None, Method::GET, "/v1/schema", None)?.0,
        StatusCode::OK
    );
    assert_eq!(
        answer(
            &node,
            None,
            Method::POST,
            "/v1/schema",
            Some(&article_class())
        )?,
        forbidden("anonymous", "create", "schema/objects")
    );
    // A token is still checked.
    assert_eq!(
        answer(&node, Some(WRONG_KEY), Method::GET, "/v1/schema", None)?,
        unauthorized(BAD_KEY)
    );
    Ok(())
}

#[test]
fn the_internal_port_needs_the_cluster_credentials() -> Result<()> {
    let node = start_guarded(&[])?;
    let internal = |path: &str| format!("http://127.0.0.1:{}{path}", node.data_port);
    for path in [
        "/cluster/status",
        "/raft/vote",
        "/internal/nodes/status",
        "/shards/Article/s1/put",
        "/no-such-route",
    ] {
        for credentials in [
            None,
            Some(("shoal", "not-the-password")),
            Some(("other", INTERNAL_PASSWORD)),
        ] {
            let mut req = node.http.get(internal(path));
            if let Some((user, pass)) = credentials {
                req = req.basic_auth(user, Some(pass));
            }
            let resp = req.send()?;
            // Weaviate's data port: a bare 401, no body, no challenge.
            assert_eq!(
                resp.status(),
                StatusCode::UNAUTHORIZED,
                "{path} {credentials:?}"
            );
            assert!(
                resp.headers().get(header::WWW_AUTHENTICATE).is_none(),
                "{path}"
            );
            assert_eq!(resp.text()?, "", "{path}");
        }
    }
    let status = node
        .http
        .get(internal("/cluster/status"))
        .basic_auth("shoal", Some(INTERNAL_PASSWORD))
        .send()?;
    assert_eq!(status.status(), StatusCode::OK);
    let body: Value = status.json()?;
    assert_eq!(body["initialized"], true, "{body}");
    Ok(())
}

#[test]
fn keys_and_passwords_never_reach_the_log() -> Result<()> {
    let node = start_guarded(&[("LOG_LEVEL", "debug"), ("LOG_FORMAT", "json")])?;
    for key in [
        Some(ADMIN_KEY),
        Some(READ_ONLY_KEY),
        Some(OTHER_KEY),
        Some(WRONG_KEY),
        None,
    ] {
        call(&node, key, Method::GET, "/v1/schema", None)?;
        call(&node, key, Method::POST, "/v1/graphql", Some(&get_query()))?;
    }
    call(
        &node,
        None,
        Method::GET,
        &format!("/v1/schema?access_token={WRONG_KEY}"),
        None,
    )?;
    let internal = format!("http://127.0.0.1:{}/cluster/status", node.data_port);
    node.http
        .get(&internal)
        .basic_auth("shoal", Some(INTERNAL_PASSWORD))
        .send()?;
    let log = std::fs::read_to_string(node.log_path())?;
    assert!(
        log.contains("request completed"),
        "debug request lines expected:\n{}",
        node.log_tail()
    );
    for secret in [
        ADMIN_KEY,
        READ_ONLY_KEY,
        OTHER_KEY,
        WRONG_KEY,
        INTERNAL_PASSWORD,
    ] {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
    Ok(())
}
