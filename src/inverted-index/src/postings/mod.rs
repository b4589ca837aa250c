//! Posting entries: their byte layout (see the crate docs), encoding and decoding.

pub(crate) mod codec;
mod extract;

pub(crate) use extract::{postings, reference_postings};

use types::DocId;

use crate::{Error, Result};

/// One durable entry: opaque key/value bytes (the shard prefixes the key with its shard id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Posting {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
}

/// What the index stores for a document (besides the uuid, which is always indexed as `_id`).
#[derive(Debug, Clone, Copy)]
pub struct DocInput<'a> {
    pub id: &'a uuid::Uuid,
    pub properties: &'a serde_json::Map<String, serde_json::Value>,
    /// `_creationTimeUnix` in milliseconds.
    pub creation_ms: i64,
    /// `_lastUpdateTimeUnix` in milliseconds.
    pub update_ms: i64,
}

/// The version of the entry layout (see the crate docs): 2 added references' value entries
/// (their targets' uuids), which version 1 did not have.
pub const LAYOUT_VERSION: u32 = 2;

pub(crate) const KIND_ID: u8 = 0x01;
pub(crate) const KIND_CREATED: u8 = 0x02;
pub(crate) const KIND_UPDATED: u8 = 0x03;
pub(crate) const KIND_VALUE: u8 = 0x10;
pub(crate) const KIND_PRESENT: u8 = 0x11;
pub(crate) const KIND_GEO: u8 = 0x12;

/// The length of a present property that has no length (numbers, booleans, ...).
pub(crate) const NO_LENGTH: u32 = u32::MAX;

/// A decoded entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Entry<'a> {
    Id {
        id: [u8; 16],
        doc: DocId,
    },
    Created {
        ms: i64,
        doc: DocId,
    },
    Updated {
        ms: i64,
        doc: DocId,
    },
    /// `tf` is set for text tokens.
    Value {
        prop: &'a str,
        value: &'a [u8],
        doc: DocId,
        tf: Option<u32>,
    },
    Present {
        prop: &'a str,
        len: u32,
        doc: DocId,
    },
    Geo {
        prop: &'a str,
        doc: DocId,
        lat: f64,
        lon: f64,
    },
}

/// Builds keys: kind, optional property, payload, doc.
pub(crate) fn key(kind: u8, prop: Option<&str>, payload: &[u8], doc: DocId) -> Vec<u8> {
    let prop_len = prop.map_or(0, |p| 2 + p.len());
    let mut k = Vec::with_capacity(1 + prop_len + payload.len() + 4);
    k.push(kind);
    if let Some(p) = prop {
        // property names are short identifiers; longer ones are cut to keep the layout valid
        let bytes = &p.as_bytes()[..p.len().min(u16::MAX as usize)];
        k.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        k.extend_from_slice(bytes);
    }
    k.extend_from_slice(payload);
    k.extend_from_slice(&doc.to_be_bytes());
    k
}

fn corrupt(what: &str, key: &[u8]) -> Error {
    Error::Corrupt(format!("{what} (key {key:02x?})"))
}

fn array<const N: usize>(b: &[u8], key: &[u8]) -> Result<[u8; N]> {
    b.try_into()
        .map_err(|_| corrupt("wrong payload length", key))
}

/// Decodes a stored entry.
pub(crate) fn decode<'a>(key: &'a [u8], value: &'a [u8]) -> Result<Entry<'a>> {
    let (&kind, rest) = key.split_first().ok_or_else(|| corrupt("empty key", key))?;
    if rest.len() < 4 {
        return Err(corrupt("key too short", key));
    }
    let (body, doc) = rest.split_at(rest.len() - 4);
    let doc = u32::from_be_bytes(array(doc, key)?);
    match kind {
        KIND_ID => Ok(Entry::Id {
            id: array(body, key)?,
            doc,
        }),
        KIND_CREATED | KIND_UPDATED => {
            let ms = codec::decode_int(array(body, key)?);
            Ok(if kind == KIND_CREATED {
                Entry::Created { ms, doc }
            } else {
                Entry::Updated { ms, doc }
            })
        }
        KIND_VALUE | KIND_PRESENT | KIND_GEO => {
            if body.len() < 2 {
                return Err(corrupt("missing property name", key));
            }
            let n = u16::from_be_bytes([body[0], body[1]]) as usize;
            if body.len() < 2 + n {
                return Err(corrupt("truncated property name", key));
            }
            let prop = std::str::from_utf8(&body[2..2 + n])
                .map_err(|_| corrupt("property name is not UTF-8", key))?;
            let payload = &body[2 + n..];
            match kind {
                KIND_VALUE => {
                    let tf = match value.len() {
                        0 => None,
                        4 => Some(u32::from_be_bytes(array(value, key)?)),
                        _ => return Err(corrupt("bad term frequency", key)),
                    };
                    // non-text values are encoded in at most 16 bytes (a uuid), which the
                    // in-memory value keys rely on
                    if tf.is_none() && payload.len() > 16 {
                        return Err(corrupt("value longer than 16 bytes", key));
                    }
                    Ok(Entry::Value {
                        prop,
                        value: payload,
                        doc,
                        tf,
                    })
                }
                KIND_PRESENT => Ok(Entry::Present {
                    prop,
                    len: u32::from_be_bytes(array(payload, key)?),
                    doc,
                }),
                _ => {
                    if !payload.is_empty() || value.len() != 16 {
                        return Err(corrupt("bad geo entry", key));
                    }
                    let lat = f64::from_be_bytes(array(&value[..8], key)?);
                    let lon = f64::from_be_bytes(array(&value[8..], key)?);
                    Ok(Entry::Geo {
                        prop,
                        doc,
                        lat,
                        lon,
                    })
                }
            }
        }
        other => Err(corrupt(&format!("unknown entry kind {other:#04x}"), key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decode_back() {
        let k = key(KIND_VALUE, Some("name"), b"apple", 7);
        assert_eq!(
            decode(&k, &3u32.to_be_bytes()).unwrap(),
            Entry::Value {
                prop: "name",
                value: b"apple",
                doc: 7,
                tf: Some(3)
            }
        );
        let k = key(KIND_PRESENT, Some(""), &5u32.to_be_bytes(), u32::MAX);
        assert_eq!(
            decode(&k, &[]).unwrap(),
            Entry::Present {
                prop: "",
                len: 5,
                doc: u32::MAX
            }
        );
        let k = key(KIND_CREATED, None, &codec::int(-3), 1);
        assert_eq!(decode(&k, &[]).unwrap(), Entry::Created { ms: -3, doc: 1 });
        let mut v = 1.5f64.to_be_bytes().to_vec();
        v.extend_from_slice(&(-2.0f64).to_be_bytes());
        let k = key(KIND_GEO, Some("loc"), &[], 2);
        assert_eq!(
            decode(&k, &v).unwrap(),
            Entry::Geo {
                prop: "loc",
                doc: 2,
                lat: 1.5,
                lon: -2.0
            }
        );
    }

    #[test]
    fn malformed_keys_are_errors() {
        for (k, v) in [
            (vec![], vec![]),
            (vec![KIND_ID, 0, 0, 1], vec![]),
            (vec![0x7f, 0, 0, 0, 1], vec![]),
            (vec![KIND_VALUE, 0, 9, b'a', 0, 0, 0, 1], vec![]),
            (key(KIND_VALUE, Some("p"), b"x", 1), vec![1, 2]),
            (key(KIND_PRESENT, Some("p"), b"xy", 1), vec![]),
            (key(KIND_VALUE, Some("p"), &[7; 17], 1), vec![]),
        ] {
            assert!(matches!(decode(&k, &v), Err(Error::Corrupt(_))), "{k:?}");
        }
    }
}
