//! A data object as the engine stores it: properties, vectors and timestamps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Target-vector name of the legacy unnamed vector (`vector` on the wire). Named vectors
/// (`vectors` on the wire) use their own names, which can never be empty.
pub const DEFAULT_TARGET: &str = "";

/// Vectors of one object by target-vector name.
pub type Vectors = BTreeMap<String, Vec<f32>>;

/// One stored object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Object {
    pub id: Uuid,
    pub class: String,
    pub tenant: Option<String>,
    /// Property values, normalised to the schema's types.
    pub properties: Map<String, Value>,
    /// All vectors of the object; the unnamed one is under [`DEFAULT_TARGET`].
    pub vectors: Vectors,
    /// Milliseconds since the epoch.
    pub creation_time_ms: i64,
    /// Milliseconds since the epoch.
    pub last_update_time_ms: i64,
}

impl Object {
    /// The legacy unnamed vector, if the object has one.
    pub fn default_vector(&self) -> Option<&Vec<f32>> {
        self.vectors.get(DEFAULT_TARGET)
    }
}
