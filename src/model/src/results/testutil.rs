//! Builders shared by the tests of the compute module.

use serde_json::Value;
use types::schema::{
    Bm25Config, Class, InvertedIndexConfig, MultiTenancyConfig, Property, ReplicationConfig,
    ShardingConfig, StopwordConfig,
};
use types::Object;
use uuid::Uuid;

use crate::query::SearchHit;

/// A class with the given `(name, dataType)` properties and defaults elsewhere.
pub(crate) fn class(props: &[(&str, &str)]) -> Class {
    let properties = props
        .iter()
        .map(|(name, dt)| Property {
            name: name.to_string(),
            data_type: vec![dt.to_string()],
            description: None,
            tokenization: None,
            index_filterable: true,
            index_searchable: false,
            index_range_filters: false,
            nested_properties: None,
            module_config: None,
        })
        .collect();
    Class {
        class: "Thing".into(),
        description: None,
        properties: Some(properties),
        vectorizer: Some("none".into()),
        vector_index_type: None,
        vector_index_config: None,
        vector_config: None,
        module_config: None,
        inverted_index_config: InvertedIndexConfig {
            cleanup_interval_seconds: 60,
            bm25: Bm25Config { k1: 1.2, b: 0.75 },
            stopwords: StopwordConfig {
                preset: "en".into(),
                additions: None,
                removals: None,
            },
            index_timestamps: false,
            index_null_state: false,
            index_property_length: false,
        },
        sharding_config: ShardingConfig {
            virtual_per_physical: 128,
            desired_count: 1,
            actual_count: 1,
            desired_virtual_count: 128,
            actual_virtual_count: 128,
            key: "_id".into(),
            strategy: "hash".into(),
            function: "murmur3".into(),
        },
        replication_config: ReplicationConfig {
            factor: 1,
            async_enabled: false,
            deletion_strategy: "NoAutomatedResolution".into(),
        },
        multi_tenancy_config: MultiTenancyConfig {
            enabled: false,
            auto_tenant_creation: false,
            auto_tenant_activation: false,
        },
    }
}

/// The uuid `00000000-0000-0000-0000-<n>`.
pub(crate) fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// An object with id `n` and the given properties (a JSON object).
pub(crate) fn obj(n: u128, props: Value) -> Object {
    Object {
        id: id(n),
        class: "Thing".into(),
        tenant: None,
        properties: props.as_object().cloned().unwrap_or_default(),
        vectors: Default::default(),
        creation_time_ms: 1_000 + n as i64,
        last_update_time_ms: 2_000 - n as i64,
    }
}

/// A keyword hit on object `n`.
pub(crate) fn kw(n: u128, score: f32) -> SearchHit {
    SearchHit {
        object: obj(n, Value::Null),
        distance: None,
        score: Some(score),
        explain_score: None,
        is_consistent: None,
        references: Default::default(),
    }
}

/// A vector hit on object `n`.
pub(crate) fn vec_hit(n: u128, distance: f32) -> SearchHit {
    SearchHit {
        object: obj(n, Value::Null),
        distance: Some(distance),
        score: None,
        explain_score: None,
        is_consistent: None,
        references: Default::default(),
    }
}
