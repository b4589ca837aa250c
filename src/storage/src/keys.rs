//! Key codecs. Every engine key starts with the 8-byte big-endian shard prefix, so a shard's data
//! is contiguous in every column family and big-endian numbers sort in numeric order.

/// Bytes of a shard prefix.
pub const SHARD_PREFIX_LEN: usize = 8;

/// The key prefix of a shard.
pub fn shard_prefix(shard: u64) -> [u8; SHARD_PREFIX_LEN] {
    shard.to_be_bytes()
}

/// The first key after every key of `shard` (exclusive end of a range delete).
pub fn shard_end(shard: u64) -> Vec<u8> {
    match shard.checked_add(1) {
        Some(next) => next.to_be_bytes().to_vec(),
        // Prefixes are allocated upwards from 1 and never reach u64::MAX; should one ever be
        // used, its keys (bounded by RocksDB's practical key sizes) still sort below this.
        None => vec![0xff; SHARD_PREFIX_LEN + 4096],
    }
}

/// `shard | suffix`.
pub fn shard_key(shard: u64, suffix: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(SHARD_PREFIX_LEN + suffix.len());
    key.extend_from_slice(&shard.to_be_bytes());
    key.extend_from_slice(suffix);
    key
}

/// `shard | doc id` (big-endian).
pub fn doc_key(shard: u64, doc: u32) -> Vec<u8> {
    shard_key(shard, &doc.to_be_bytes())
}

/// `shard | len(target) | target`: the prefix of one target vector's entries.
pub fn vector_prefix(shard: u64, target: &str) -> Vec<u8> {
    let name = target.as_bytes();
    let mut key = Vec::with_capacity(SHARD_PREFIX_LEN + 2 + name.len() + 4);
    key.extend_from_slice(&shard.to_be_bytes());
    // Names are bounded by the property-name regex (231 chars); u16 leaves room.
    key.extend_from_slice(&(name.len() as u16).to_be_bytes());
    key.extend_from_slice(name);
    key
}

/// `shard | len(target) | target | doc id`.
pub fn vector_key(shard: u64, target: &str, doc: u32) -> Vec<u8> {
    let mut key = vector_prefix(shard, target);
    key.extend_from_slice(&doc.to_be_bytes());
    key
}

/// `shard | len(target) | target`: the prefix of one target's index log.
pub fn log_prefix(shard: u64, target: &str) -> Vec<u8> {
    vector_prefix(shard, target)
}

/// `shard | len(target) | target | seq` (big-endian, so the log iterates in write order).
pub fn log_key(shard: u64, target: &str, seq: u64) -> Vec<u8> {
    let mut key = vector_prefix(shard, target);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// `shard | token (u64 BE) | uuid`: an object's entry in [`crate::Cf::Versions`]. The token
/// is the object's sharding token, so the entries of a token range are contiguous.
pub fn version_key(shard: u64, token: u64, id: &[u8; 16]) -> Vec<u8> {
    let mut key = Vec::with_capacity(SHARD_PREFIX_LEN + 8 + 16);
    key.extend_from_slice(&shard.to_be_bytes());
    key.extend_from_slice(&token.to_be_bytes());
    key.extend_from_slice(id);
    key
}

/// The token and uuid of a [`version_key`]; `None` for a key of another shape.
pub fn version_from_key(key: &[u8]) -> Option<(u64, [u8; 16])> {
    if key.len() != SHARD_PREFIX_LEN + 8 + 16 {
        return None;
    }
    let token: [u8; 8] = key[SHARD_PREFIX_LEN..SHARD_PREFIX_LEN + 8]
        .try_into()
        .ok()?;
    let id: [u8; 16] = key[SHARD_PREFIX_LEN + 8..].try_into().ok()?;
    Some((u64::from_be_bytes(token), id))
}

/// The doc id at the end of a doc or vector key.
pub fn doc_from_key(key: &[u8]) -> Option<u32> {
    let tail: [u8; 4] = key.get(key.len().checked_sub(4)?..)?.try_into().ok()?;
    Some(u32::from_be_bytes(tail))
}

/// Encodes a vector as little-endian f32 bytes.
pub fn encode_vector(v: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 4);
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Decodes little-endian f32 bytes; `None` if the length is not a multiple of 4.
pub fn decode_vector(bytes: &[u8]) -> Option<Vec<f32>> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// The key of the Raft log entry at `index` in [`crate::Cf::RaftLog`]: big-endian, so byte order
/// is log order and a truncation or purge is one range delete.
pub fn raft_log_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

/// The exclusive end of every Raft log key: one byte longer than any 8-byte key, and greater
/// than all of them, so `[raft_log_key(i), RAFT_LOG_END)` also covers index `u64::MAX`.
pub const RAFT_LOG_END: [u8; 9] = [0xff; 9];

/// The log index of a [`raft_log_key`]; `None` if the key is not 8 bytes.
pub fn raft_log_index(key: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = key.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// Keys of [`crate::Cf::RaftMeta`]. Raft's records and the state machine's share the column
/// family (and therefore one atomic batch); prefixes keep them apart.
pub mod raft {
    /// The last vote (term, node, committed flag).
    pub const VOTE: &[u8] = b"log/vote";
    /// The last known committed log id (a hint: on start, entries up to it are re-applied).
    pub const COMMITTED: &[u8] = b"log/committed";
    /// The last purged log id.
    pub const LAST_PURGED: &[u8] = b"log/last_purged";
    /// The node name this directory belongs to (the node id is derived from it).
    pub const NODE_NAME: &[u8] = b"node/name";
    /// The last applied log id of the state machine.
    pub const APPLIED: &[u8] = b"sm/applied";
    /// The last applied membership.
    pub const MEMBERSHIP: &[u8] = b"sm/membership";
    /// The last built or installed snapshot (meta and data).
    pub const SNAPSHOT: &[u8] = b"sm/snapshot";
    /// Every collection alias, `alias -> class`, as one record (aliases are few and small).
    pub const ALIASES: &[u8] = b"sm/aliases";
    /// Prefix of `class name -> class metadata`.
    pub const CLASS_PREFIX: &[u8] = b"sm/class/";
    /// Exclusive end of [`CLASS_PREFIX`] keys (`/` + 1 = `0`).
    pub const CLASS_END: &[u8] = b"sm/class0";
    /// Prefix of `log index -> (request id, outcome)`: the recent requests kept for dedup.
    pub const DEDUP_PREFIX: &[u8] = b"sm/dedup/";
    /// Exclusive end of [`DEDUP_PREFIX`] keys.
    pub const DEDUP_END: &[u8] = b"sm/dedup0";

    /// Prefix of `class name, tenant name -> tenant metadata`: tenants live in rows of their
    /// own, so that changing some of a class's many tenants writes only theirs.
    pub const TENANT_PREFIX: &[u8] = b"sm/tenant/";
    /// Exclusive end of [`TENANT_PREFIX`] keys.
    pub const TENANT_END: &[u8] = b"sm/tenant0";

    /// `sm/class/<name>`.
    pub fn class_key(name: &str) -> Vec<u8> {
        [CLASS_PREFIX, name.as_bytes()].concat()
    }

    /// `sm/tenant/<class>\0<tenant>` (class names hold no NUL).
    pub fn tenant_key(class: &str, tenant: &str) -> Vec<u8> {
        [TENANT_PREFIX, class.as_bytes(), b"\0", tenant.as_bytes()].concat()
    }

    /// The range of every tenant key of `class`: `[start, end)`.
    pub fn tenant_range(class: &str) -> (Vec<u8>, Vec<u8>) {
        let start = [TENANT_PREFIX, class.as_bytes(), b"\0"].concat();
        let end = [TENANT_PREFIX, class.as_bytes(), b"\x01"].concat();
        (start, end)
    }

    /// The class and tenant names of a [`tenant_key`].
    pub fn tenant_of_key(key: &[u8]) -> Option<(&str, &str)> {
        let rest = key.strip_prefix(TENANT_PREFIX)?;
        let split = rest.iter().position(|&b| b == 0)?;
        let class = std::str::from_utf8(&rest[..split]).ok()?;
        let tenant = std::str::from_utf8(&rest[split + 1..]).ok()?;
        Some((class, tenant))
    }

    /// `sm/dedup/<index big-endian>`: ordered by the index that applied the request.
    pub fn dedup_key(index: u64) -> Vec<u8> {
        [DEDUP_PREFIX, &index.to_be_bytes()].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_keys_order_by_token_and_round_trip() {
        let (a, b) = ([7u8; 16], [1u8; 16]);
        assert!(version_key(3, 1, &a) < version_key(3, 2, &b));
        assert!(version_key(3, u64::MAX, &a) < shard_end(3));
        assert_eq!(version_from_key(&version_key(3, 42, &a)), Some((42, a)));
        assert_eq!(version_from_key(&doc_key(3, 1)), None);
    }

    #[test]
    fn raft_log_keys_sort_numerically_and_stay_below_the_end() {
        assert!(raft_log_key(255) < raft_log_key(256));
        assert!(raft_log_key(u64::MAX).as_slice() < RAFT_LOG_END.as_slice());
        assert_eq!(raft_log_index(&raft_log_key(77)), Some(77));
        assert_eq!(raft_log_index(b"short"), None);
    }

    #[test]
    fn tenant_keys_round_trip_and_stay_in_their_class_range() {
        let k = raft::tenant_key("Docs", "t-1_A");
        assert_eq!(raft::tenant_of_key(&k), Some(("Docs", "t-1_A")));
        let (start, end) = raft::tenant_range("Docs");
        assert!(start <= k && k < end);
        // A class whose name extends another's is outside the shorter one's range.
        let other = raft::tenant_key("DocsMore", "a");
        assert!(other >= end || other < start);
        assert!(k.as_slice() >= raft::TENANT_PREFIX && k.as_slice() < raft::TENANT_END);
        assert_eq!(raft::tenant_of_key(b"sm/class/Docs"), None);
    }

    #[test]
    fn raft_meta_prefix_ends_bound_their_keys() {
        let k = raft::class_key("\u{10FFFF}Zzz");
        assert!(k.as_slice() < raft::CLASS_END && k.as_slice() >= raft::CLASS_PREFIX);
        let d = raft::dedup_key(u64::MAX);
        assert!(d.as_slice() < raft::DEDUP_END && d.as_slice() >= raft::DEDUP_PREFIX);
    }

    #[test]
    fn shard_prefixes_sort_numerically_and_bound_their_keys() {
        let a = shard_key(1, &[0xff; 20]);
        let b = shard_key(2, &[]);
        assert!(a < b);
        assert!(a < shard_end(1));
        assert!(shard_key(u64::MAX, &[0xff; 30]) < shard_end(u64::MAX));
    }

    #[test]
    fn vector_keys_group_by_target_and_sort_by_doc() {
        let k1 = vector_key(3, "a", 1);
        let k2 = vector_key(3, "a", 256);
        let k3 = vector_key(3, "ab", 0);
        assert!(k1 < k2);
        assert!(k1.starts_with(&vector_prefix(3, "a")));
        assert!(!k3.starts_with(&vector_prefix(3, "a")));
        assert_eq!(doc_from_key(&k2), Some(256));
    }

    #[test]
    fn vectors_round_trip() {
        let v = vec![0.25f32, -1.5, f32::MIN_POSITIVE, 3.0e7];
        assert_eq!(decode_vector(&encode_vector(&v)), Some(v));
        assert_eq!(decode_vector(&[1, 2, 3]), None);
    }
}
