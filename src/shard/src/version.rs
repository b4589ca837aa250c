//! The latest version of each object a shard has seen, live or deleted, kept in the `versions`
//! column family under `shard | token | uuid`:
//!
//! ```text
//! state u8 (0 = live, 1 = deleted) | time ms i64 BE   (last update, or deletion time)
//! ```
//! Replicas compare these to find what one of them missed (anti-entropy) and to settle a
//! delete against an update (`deletionStrategy`). A deletion leaves its marker here for good,
//! so that a replica that missed the delete cannot bring the object back.

use serde::{Deserialize, Serialize};
use storage::{keys, Cf, WriteBatch};
use uuid::Uuid;

use crate::{Error, Result};

/// One object's latest version on a replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Version {
    /// Present, last updated at `updated_ms` (its `lastUpdateTimeUnix`).
    Live { updated_ms: i64 },
    /// Deleted at `at_ms`.
    Deleted { at_ms: i64 },
}

impl Version {
    /// The time of the change: last update or deletion.
    pub fn time_ms(self) -> i64 {
        match self {
            Version::Live { updated_ms } => updated_ms,
            Version::Deleted { at_ms } => at_ms,
        }
    }

    pub fn is_deleted(self) -> bool {
        matches!(self, Version::Deleted { .. })
    }

    pub(crate) fn encode(self) -> [u8; 9] {
        let (state, time) = match self {
            Version::Live { updated_ms } => (0u8, updated_ms),
            Version::Deleted { at_ms } => (1u8, at_ms),
        };
        let mut out = [0u8; 9];
        out[0] = state;
        out[1..].copy_from_slice(&time.to_be_bytes());
        out
    }

    /// Stages this version as the entry of object `id` (with sharding token `token`) of the
    /// shard with key prefix `shard`.
    pub(crate) fn stage(self, batch: &mut WriteBatch, shard: u64, id: &Uuid, token: u64) {
        batch.put(
            Cf::Versions,
            keys::version_key(shard, token, id.as_bytes()),
            self.encode().to_vec(),
        );
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Version> {
        let corrupt = || Error::Corrupt(format!("version record of {} bytes", bytes.len()));
        let time: [u8; 8] = bytes
            .get(1..9)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(corrupt)?;
        let time = i64::from_be_bytes(time);
        match bytes.first() {
            Some(0) if bytes.len() == 9 => Ok(Version::Live { updated_ms: time }),
            Some(1) if bytes.len() == 9 => Ok(Version::Deleted { at_ms: time }),
            _ => Err(corrupt()),
        }
    }

    /// This version's contribution to its hash-tree leaf. The uuid, the time and the state all
    /// count, so two replicas' leaves agree only when they hold the same versions.
    pub(crate) fn digest(self, id: &Uuid) -> u128 {
        let mut bytes = [0u8; 25];
        bytes[..16].copy_from_slice(id.as_bytes());
        bytes[16..].copy_from_slice(&self.encode());
        // Hashing an in-memory slice cannot fail.
        murmur3::murmur3_x64_128(&mut std::io::Cursor::new(&bytes[..]), 0).unwrap_or(0)
    }
}

/// An object's version with where it sits in the token space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    pub id: Uuid,
    pub token: u64,
    pub version: Version,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_and_garbage_is_an_error() {
        for v in [
            Version::Live { updated_ms: -5 },
            Version::Deleted {
                at_ms: 1_700_000_000_000,
            },
        ] {
            assert_eq!(Version::decode(&v.encode()).expect("decode"), v);
        }
        assert!(Version::decode(&[]).is_err());
        assert!(Version::decode(&[2; 9]).is_err());
        assert!(Version::decode(&[0; 10]).is_err());
    }

    #[test]
    fn digests_tell_state_time_and_id_apart() {
        let id = Uuid::from_u128(7);
        let live = Version::Live { updated_ms: 10 };
        assert_eq!(live.digest(&id), live.digest(&id));
        assert_ne!(live.digest(&id), Version::Deleted { at_ms: 10 }.digest(&id));
        assert_ne!(
            live.digest(&id),
            Version::Live { updated_ms: 11 }.digest(&id)
        );
        assert_ne!(live.digest(&id), live.digest(&Uuid::from_u128(8)));
    }
}
