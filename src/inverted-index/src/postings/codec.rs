//! Order-preserving byte encodings of property values: comparing the encodings bytewise
//! compares the values.

use chrono::DateTime;

/// `i64` as sign-flipped big-endian bytes.
pub(crate) fn int(v: i64) -> [u8; 8] {
    ((v as u64) ^ (1 << 63)).to_be_bytes()
}

/// Inverse of [`int`].
pub(crate) fn decode_int(b: [u8; 8]) -> i64 {
    (u64::from_be_bytes(b) ^ (1 << 63)) as i64
}

/// `f64` in total order (negative numbers bit-inverted, positive ones with the sign bit set);
/// `-0.0` is encoded as `0.0` so that the two compare equal, as they do in Python and Go.
pub(crate) fn number(v: f64) -> [u8; 8] {
    let v = if v == 0.0 { 0.0 } else { v };
    let bits = v.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    ordered.to_be_bytes()
}

/// A boolean as one byte.
pub(crate) fn boolean(v: bool) -> [u8; 1] {
    [u8::from(v)]
}

/// An RFC 3339 date as ordered seconds and nanoseconds (12 bytes), `None` if it does not parse.
pub(crate) fn date(s: &str) -> Option<[u8; 12]> {
    let t = DateTime::parse_from_rfc3339(s).ok()?;
    let mut out = [0u8; 12];
    out[..8].copy_from_slice(&int(t.timestamp()));
    out[8..].copy_from_slice(&t.timestamp_subsec_nanos().to_be_bytes());
    Some(out)
}

/// An RFC 3339 date as Unix milliseconds (rounded down, as Go's `UnixMilli`).
pub(crate) fn date_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// A uuid string (any form the `uuid` crate parses) as its 16 bytes.
pub(crate) fn uuid(s: &str) -> Option<[u8; 16]> {
    uuid::Uuid::parse_str(s).ok().map(|u| *u.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_preserve_order() {
        let ints = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        for w in ints.windows(2) {
            assert!(int(w[0]) < int(w[1]));
        }
        for v in ints {
            assert_eq!(decode_int(int(v)), v);
        }
        let nums = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -1e-300,
            0.0,
            1e-300,
            0.25,
            3.0,
            f64::INFINITY,
        ];
        for w in nums.windows(2) {
            assert!(number(w[0]) < number(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(number(-0.0), number(0.0));
        assert!(boolean(false) < boolean(true));
        let d = |s| date(s).unwrap();
        assert!(d("1969-12-31T23:59:59Z") < d("1970-01-01T00:00:00Z"));
        assert!(d("2020-01-01T00:00:00Z") < d("2020-01-01T00:00:00.000000001Z"));
        assert_eq!(d("2020-01-01T02:00:00+02:00"), d("2020-01-01T00:00:00Z"));
        assert!(d("0001-01-01T00:00:00Z") < d("9999-12-31T23:59:59Z"));
        assert_eq!(date("2020-13-01T00:00:00Z"), None);
        assert_eq!(date_ms("1970-01-01T00:00:01.999Z"), Some(1999));
        assert_eq!(uuid("not a uuid"), None);
    }
}
