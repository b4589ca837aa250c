//! Request handlers, one file per resource. Each handler validates its parameters, makes one
//! coordinator call and writes Weaviate's response; the route table is in `crate::router`.

pub(crate) mod aliases;
pub(crate) mod batch;
pub(crate) mod batch_delete;
pub(crate) mod cluster;
pub(crate) mod fallback;
pub(crate) mod graphql;
pub(crate) mod list;
pub(crate) mod meta;
pub(crate) mod nodes;
pub(crate) mod objects;
pub(crate) mod references;
pub(crate) mod schema;
pub(crate) mod tenants;
