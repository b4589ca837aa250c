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

#[cfg(test)]
mod tests {
    use super::*;

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
