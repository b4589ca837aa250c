//! The verb and resource Weaviate 1.27's use cases authorize for each route (its
//! `authorizer.Authorize(principal, verb, resource)` calls), so that a 403 names the same
//! thing Weaviate's does. The aliases, new in 1.32, authorize in 1.32's RBAC, which the admin
//! list has no counterpart of: their routes name an `aliases/...` resource of our own.
//!
//! Routes that authorize nothing (`/v1`, `/v1/meta`, the well-known endpoints) answer any
//! authenticated user. `POST /v1/graphql/batch` authorizes each query inside its handler, as
//! Weaviate's resolvers do.

use axum::http::Method;

use crate::auth::Verb;

/// The permission `method` on `route` (axum's matched path, e.g. `/v1/objects/{class}/{id}`)
/// needs, with `param` giving the request's path parameters by name.
pub(crate) fn required<'a>(
    method: &Method,
    route: &str,
    param: impl Fn(&str) -> Option<&'a str>,
) -> Option<(Verb, String)> {
    let p = |name: &str| param(name).unwrap_or_default();
    let (verb, resource) = match (read_method(method), route) {
        (Read::Get, "/v1/schema") => (Verb::List, "schema/*".to_string()),
        (Read::Other, "/v1/schema") => (Verb::Create, "schema/objects".to_string()),
        (Read::Get, "/v1/schema/{class}") => (Verb::List, "schema/*".to_string()),
        (Read::Other, "/v1/schema/{class}") => (write_verb(method)?, "schema/objects".into()),
        (Read::Other, "/v1/schema/{class}/properties") => {
            (Verb::Update, "schema/objects".to_string())
        }
        (Read::Get, "/v1/schema/{class}/shards") => {
            (Verb::List, format!("schema/{}/shards", p("class")))
        }
        (Read::Other, "/v1/schema/{class}/shards/{shard}") => (
            Verb::Update,
            format!("schema/{}/shards/{}", p("class"), p("shard")),
        ),
        (Read::Get, "/v1/schema/{class}/tenants" | "/v1/schema/{class}/tenants/{tenant}") => {
            (Verb::Get, format!("schema/{}/tenants", p("class")))
        }
        (Read::Other, "/v1/schema/{class}/tenants") => (
            write_verb(method)?,
            format!("schema/{}/tenants", p("class")),
        ),
        // Weaviate 1.32's RBAC has an `aliases` domain (create/read/update/delete_aliases); in
        // the admin list, reads are for read-only users and changes for admins.
        (Read::Get, "/v1/aliases") => (Verb::List, "aliases/*".to_string()),
        (Read::Other, "/v1/aliases") => (Verb::Create, "aliases/*".to_string()),
        (Read::Get, "/v1/aliases/{alias}") => (Verb::Get, format!("aliases/{}", p("alias"))),
        (Read::Other, "/v1/aliases/{alias}") => {
            (write_verb(method)?, format!("aliases/{}", p("alias")))
        }
        (Read::Get, "/v1/objects") => (Verb::List, "objects".to_string()),
        (Read::Other, "/v1/objects") => (Verb::Create, "objects".to_string()),
        (Read::Other, "/v1/objects/validate") => (Verb::Validate, "objects".to_string()),
        (_, "/v1/objects/{id}") => (object_verb(method)?, format!("objects/{}", p("id"))),
        (_, "/v1/objects/{class}/{id}") => (
            object_verb(method)?,
            format!("objects/{}/{}", p("class"), p("id")),
        ),
        // Weaviate's reference changes update the source object; batch references "batch/*".
        (Read::Other, "/v1/objects/{id}/references/{property}") => {
            (Verb::Update, format!("objects/{}", p("id")))
        }
        (Read::Other, "/v1/objects/{class}/{id}/references/{property}") => {
            (Verb::Update, format!("objects/{}/{}", p("class"), p("id")))
        }
        (Read::Other, "/v1/batch/objects") => (write_verb(method)?, "batch/objects".into()),
        (Read::Other, "/v1/batch/references") => (Verb::Update, "batch/*".into()),
        // Weaviate: "All requests to the graphQL API need at least permissions to read the
        // schema."
        (Read::Other, "/v1/graphql") => (Verb::List, "schema/*".to_string()),
        (Read::Get, "/v1/nodes" | "/v1/nodes/{class}") => (Verb::List, "nodes".to_string()),
        (Read::Get, "/v1/cluster/statistics") => (Verb::List, "cluster".to_string()),
        _ => return None,
    };
    Some((verb, resource))
}

/// GET and HEAD (axum serves HEAD with the GET handler outside the object routes) versus the
/// rest.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Get,
    Other,
}

fn read_method(method: &Method) -> Read {
    if method == Method::GET || method == Method::HEAD {
        Read::Get
    } else {
        Read::Other
    }
}

/// Object routes name the method: Weaviate's `HeadObject` authorizes `head`, which read-only
/// users may not.
fn object_verb(method: &Method) -> Option<Verb> {
    match *method {
        Method::GET => Some(Verb::Get),
        Method::HEAD => Some(Verb::Head),
        Method::POST => Some(Verb::Create),
        _ => write_verb(method),
    }
}

fn write_verb(method: &Method) -> Option<Verb> {
    match *method {
        Method::POST => Some(Verb::Create),
        Method::PUT | Method::PATCH => Some(Verb::Update),
        Method::DELETE => Some(Verb::Delete),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(method: Method, route: &str, expected: Option<(&str, &str)>) {
        let params = [
            ("class", "Article"),
            ("id", "abc"),
            ("shard", "s1"),
            ("alias", "Library"),
        ];
        let param = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let got = required(&method, route, param);
        let got = got.as_ref().map(|(v, r)| (v.as_str(), r.as_str()));
        assert_eq!(got, expected, "{method} {route}");
    }

    #[test]
    fn schema_routes() {
        check(Method::GET, "/v1/schema", Some(("list", "schema/*")));
        check(
            Method::POST,
            "/v1/schema",
            Some(("create", "schema/objects")),
        );
        check(
            Method::GET,
            "/v1/schema/{class}",
            Some(("list", "schema/*")),
        );
        check(
            Method::PUT,
            "/v1/schema/{class}",
            Some(("update", "schema/objects")),
        );
        check(
            Method::DELETE,
            "/v1/schema/{class}",
            Some(("delete", "schema/objects")),
        );
        check(
            Method::POST,
            "/v1/schema/{class}/properties",
            Some(("update", "schema/objects")),
        );
        check(
            Method::GET,
            "/v1/schema/{class}/shards",
            Some(("list", "schema/Article/shards")),
        );
        check(
            Method::PUT,
            "/v1/schema/{class}/shards/{shard}",
            Some(("update", "schema/Article/shards/s1")),
        );
    }

    #[test]
    fn object_routes() {
        check(Method::GET, "/v1/objects", Some(("list", "objects")));
        check(Method::POST, "/v1/objects", Some(("create", "objects")));
        check(
            Method::POST,
            "/v1/objects/validate",
            Some(("validate", "objects")),
        );
        check(
            Method::GET,
            "/v1/objects/{id}",
            Some(("get", "objects/abc")),
        );
        check(
            Method::HEAD,
            "/v1/objects/{id}",
            Some(("head", "objects/abc")),
        );
        check(
            Method::PATCH,
            "/v1/objects/{class}/{id}",
            Some(("update", "objects/Article/abc")),
        );
        check(
            Method::DELETE,
            "/v1/objects/{class}/{id}",
            Some(("delete", "objects/Article/abc")),
        );
        check(
            Method::POST,
            "/v1/batch/objects",
            Some(("create", "batch/objects")),
        );
        check(
            Method::DELETE,
            "/v1/batch/objects",
            Some(("delete", "batch/objects")),
        );
    }

    #[test]
    fn alias_routes_read_for_read_only_users_and_change_for_admins() {
        check(Method::GET, "/v1/aliases", Some(("list", "aliases/*")));
        check(Method::POST, "/v1/aliases", Some(("create", "aliases/*")));
        check(
            Method::GET,
            "/v1/aliases/{alias}",
            Some(("get", "aliases/Library")),
        );
        check(
            Method::PUT,
            "/v1/aliases/{alias}",
            Some(("update", "aliases/Library")),
        );
        check(
            Method::DELETE,
            "/v1/aliases/{alias}",
            Some(("delete", "aliases/Library")),
        );
    }

    #[test]
    fn queries_and_cluster_routes() {
        check(Method::POST, "/v1/graphql", Some(("list", "schema/*")));
        check(Method::POST, "/v1/graphql/batch", None);
        check(Method::GET, "/v1/nodes", Some(("list", "nodes")));
        check(Method::GET, "/v1/nodes/{class}", Some(("list", "nodes")));
        check(Method::GET, "/v1/meta", None);
        check(Method::GET, "/v1", None);
        check(Method::GET, "/v1/.well-known/openid-configuration", None);
    }
}
