//! The `raft_codec` cargo-fuzz target (`fuzz/`, run by `scripts/fuzz.sh`): no bytes panic the
//! record decoder, and any JSON value a class can carry (its free-form module config) goes
//! through a Raft record and comes back the same, at any depth.

use serde_json::Value;

use crate::meta::MetaCommand;
use crate::raft::codec::{decode, encode};
use crate::raft::types::MetaRequest;

/// One fuzz input.
pub fn raft_codec(data: &[u8]) {
    let _ = decode::<MetaRequest>(data);
    let Ok(value) = types::json::from_slice::<Value>(data) else {
        return;
    };
    let mut class: types::schema::Class = match serde_json::from_value(minimal_class()) {
        Ok(class) => class,
        Err(e) => panic!("the minimal class is a class: {e}"),
    };
    // JSON has one `null`: an absent config and a config of `null` are the same record. The
    // API only stores objects there (found by this target: `Some(Null)` read back as `None`).
    class.module_config = Some(value).filter(|v| !v.is_null());
    let request = MetaRequest {
        request_id: "fuzz".to_string(),
        command: MetaCommand::UpdateClass {
            class: Box::new(class),
        },
    };
    let record = match encode(&request) {
        Ok(record) => record,
        Err(e) => panic!("a request always encodes: {e}"),
    };
    match decode::<MetaRequest>(&record) {
        Ok(back) => assert!(back == request, "the record changed"),
        Err(e) => panic!("a record does not read back: {e}"),
    }
}

/// The smallest class the state machine stores (test support reuses it).
pub fn minimal_class() -> Value {
    serde_json::json!({
        "class": "Fuzz",
        "properties": null,
        "invertedIndexConfig": {
            "cleanupIntervalSeconds": 60,
            "bm25": {"k1": 1.2, "b": 0.75},
            "stopwords": {"preset": "en", "additions": null, "removals": null}
        },
        "shardingConfig": {
            "virtualPerPhysical": 4, "desiredCount": 1, "actualCount": 1,
            "desiredVirtualCount": 4, "actualVirtualCount": 4,
            "key": "_id", "strategy": "hash", "function": "murmur3"
        },
        "replicationConfig": {"factor": 1, "asyncEnabled": false, "deletionStrategy": "NoAutomatedResolution"},
        "multiTenancyConfig": {"enabled": false, "autoTenantCreation": false, "autoTenantActivation": false}
    })
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;

    /// CI has no libFuzzer: every committed corpus file goes through the target here.
    #[test]
    fn the_committed_corpus_replays() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/raft_codec");
        let mut count = 0;
        for file in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = file.expect("a directory entry").path();
            raft_codec(&fs::read(&path).expect("a corpus file"));
            count += 1;
        }
        assert!(count > 0, "the corpus is empty");
    }
}
