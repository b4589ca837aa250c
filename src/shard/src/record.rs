//! The encoding of an object record in the `objects` column family:
//!
//! ```text
//! version u8 (=1) | doc id u32 BE | creation ms i64 BE | update ms i64 BE | properties JSON
//! ```
//! The uuid is in the key and vectors are in their own column family, so reading an object for
//! a filter or a listing never touches its vectors.

use serde_json::{Map, Value};
use types::DocId;

use crate::{Error, Result};

const VERSION: u8 = 1;
const HEADER: usize = 1 + 4 + 8 + 8;

/// A decoded record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub doc: DocId,
    pub creation_ms: i64,
    pub update_ms: i64,
    pub properties: Map<String, Value>,
}

impl Record {
    /// Encodes the record.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(HEADER + 64);
        out.push(VERSION);
        out.extend_from_slice(&self.doc.to_be_bytes());
        out.extend_from_slice(&self.creation_ms.to_be_bytes());
        out.extend_from_slice(&self.update_ms.to_be_bytes());
        serde_json::to_writer(&mut out, &self.properties)
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(out)
    }

    /// Decodes a record written by [`Record::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Record> {
        if bytes.len() < HEADER || bytes[0] != VERSION {
            return Err(Error::Corrupt(format!(
                "object record of {} bytes has no valid header",
                bytes.len()
            )));
        }
        let doc = u32::from_be_bytes(field(bytes, 1));
        let creation_ms = i64::from_be_bytes(field(bytes, 5));
        let update_ms = i64::from_be_bytes(field(bytes, 13));
        let properties =
            types::json::from_slice(&bytes[HEADER..]).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(Record {
            doc,
            creation_ms,
            update_ms,
            properties,
        })
    }

    /// The inverted index's view of the stored object.
    pub fn input<'a>(&'a self, id: &'a uuid::Uuid) -> inverted_index::DocInput<'a> {
        inverted_index::DocInput {
            id,
            properties: &self.properties,
            creation_ms: self.creation_ms,
            update_ms: self.update_ms,
        }
    }

    /// Only the last update time, without parsing the properties.
    pub fn update_ms_of(bytes: &[u8]) -> Result<i64> {
        if bytes.len() < HEADER || bytes[0] != VERSION {
            return Err(Error::Corrupt("object record has no valid header".into()));
        }
        Ok(i64::from_be_bytes(field(bytes, 13)))
    }

    /// Only the doc id, without parsing the properties.
    pub fn doc_of(bytes: &[u8]) -> Result<DocId> {
        if bytes.len() < HEADER || bytes[0] != VERSION {
            return Err(Error::Corrupt("object record has no valid header".into()));
        }
        Ok(u32::from_be_bytes(field(bytes, 1)))
    }
}

fn field<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let mut properties = Map::new();
        properties.insert("title".into(), Value::from("hello"));
        properties.insert("count".into(), Value::from(7));
        let r = Record {
            doc: 42,
            creation_ms: 1_700_000_000_000,
            update_ms: -1,
            properties,
        };
        let bytes = r.encode().expect("encode");
        assert_eq!(Record::decode(&bytes).expect("decode"), r);
        assert_eq!(Record::doc_of(&bytes).expect("doc"), 42);
        assert_eq!(Record::update_ms_of(&bytes).expect("update"), -1);
    }

    #[test]
    fn properties_at_any_depth_round_trip() {
        // Past the client-facing parser's 128 levels: a stored record is read back whatever
        // the API's nesting limit lets through.
        for levels in [1, 127, 128, 300] {
            let mut value = Value::from("leaf");
            for _ in 0..levels {
                value = Value::Array(vec![serde_json::json!({ "k": value })]);
            }
            let mut properties = Map::new();
            properties.insert("deep".into(), value);
            let r = Record {
                doc: 1,
                creation_ms: 0,
                update_ms: 0,
                properties,
            };
            let bytes = r.encode().expect("encode");
            assert_eq!(
                Record::decode(&bytes).expect("decode"),
                r,
                "{levels} levels"
            );
        }
    }

    #[test]
    fn garbage_is_reported_not_panicked() {
        assert!(Record::decode(&[]).is_err());
        assert!(Record::decode(&[9; 40]).is_err());
        assert!(Record::decode(&[1; 21]).is_err());
    }
}
