//! Go's text forms of numbers, values, strings and times: every string Weaviate builds with
//! `fmt`, `strconv`, `time` or `encoding/json` that Shoal must reproduce byte for byte
//! (explainScore, group values, date aggregations, GraphQL's String coercion, error messages
//! quoting a value or naming its type). One place, so that the rules agree everywhere.
//!
//! Rust and Go both print the shortest digits that round-trip, so for floats only the layout
//! differs: where Go switches to an exponent, and how it writes one (`1e+06`, `1e-05`).

use serde_json::{Number, Value};

/// The shortest round-trip digits of a finite, non-zero float: `(negative, digits, dp)` where
/// the value is `0.<digits> * 10^dp`, as Go's `decimalSlice`.
fn shortest_digits(scientific: &str) -> (bool, String, i32) {
    // `scientific` is Rust's `{:e}` form, e.g. "-1.6393442e-2".
    let (neg, rest) = match scientific.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, scientific),
    };
    let (mantissa, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (neg, digits, exp + 1)
}

/// Go's `%e` layout with every digit: `d.ddde±XX`, at least two exponent digits.
fn layout_e(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let (first, more) = digits.split_at(1.min(digits.len()));
    out.push_str(if first.is_empty() { "0" } else { first });
    if !more.is_empty() {
        out.push('.');
        out.push_str(more);
    }
    let exp = dp - 1;
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.unsigned_abs()));
    out
}

/// Go's `%f` layout with exactly the shortest digits (no exponent).
fn layout_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let nd = digits.len() as i32;
    if dp <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(dp.unsigned_abs() as usize));
        out.push_str(digits);
    } else if dp >= nd {
        out.push_str(digits);
        out.push_str(&"0".repeat((dp - nd) as usize));
    } else {
        let (int, frac) = digits.split_at(dp as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// `%v` (shortest `%g`): an exponent when the decimal exponent is < -4 or >= 6.
fn format_g(scientific: &str, zero: bool, negative_zero: bool) -> String {
    if zero {
        return if negative_zero {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, dp) = shortest_digits(scientific);
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        layout_e(neg, &digits, dp)
    } else {
        layout_f(neg, &digits, dp)
    }
}

/// Go's `fmt.Sprintf("%v", x)` for a `float32` (explainScore numbers).
pub fn v_f32(x: f32) -> String {
    if !x.is_finite() {
        return non_finite(f64::from(x));
    }
    format_g(&format!("{x:e}"), x == 0.0, x.is_sign_negative())
}

/// Go's `fmt.Sprintf("%v", x)` for a `float64` (GraphQL String coercion of a number).
pub fn v_f64(x: f64) -> String {
    if !x.is_finite() {
        return non_finite(x);
    }
    format_g(&format!("{x:e}"), x == 0.0, x.is_sign_negative())
}

/// Go's `encoding/json` text of a `float64`: plain digits unless |x| < 1e-6 or >= 1e21, and
/// then `1e-7` / `1e+21` (a negative exponent loses its leading zero).
pub fn json_f64(x: f64) -> String {
    if !x.is_finite() {
        return non_finite(x);
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, dp) = shortest_digits(&format!("{x:e}"));
    let abs = x.abs();
    if !(1e-6..1e21).contains(&abs) {
        let text = layout_e(neg, &digits, dp);
        // Go cleans "e-07" up to "e-7" (only for negative exponents below 10).
        match text.rsplit_once("e-0") {
            Some((head, tail)) if tail.len() == 1 => format!("{head}e-{tail}"),
            _ => text,
        }
    } else {
        layout_f(neg, &digits, dp)
    }
}

fn non_finite(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x > 0.0 {
        "+Inf".into()
    } else {
        "-Inf".into()
    }
}

/// The floats that convert to i64 exactly when integral (2^63 itself does not fit).
pub(crate) const I64_RANGE: std::ops::Range<f64> =
    -9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0;

/// A float as the JSON number Go's `encoding/json` writes for a float64 holding an integer:
/// `42`, not `42.0` (as a serde number, so that it serialises that way).
pub fn json_number(f: f64) -> Option<Number> {
    if f.fract() == 0.0 && I64_RANGE.contains(&f) {
        // Exact in range; -0.0 becomes 0, as Go prints it.
        return Some(Number::from(f as i64));
    }
    Number::from_f64(f)
}

/// A JSON number as graphql-go coerces it to a `String` field: integral floats without a
/// fraction, as Go's `FormatFloat(v, 'f', -1, 64)`; anything else as its JSON text.
pub fn string_coercion(n: &Number) -> String {
    match n.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 && !n.is_i64() && !n.is_u64() => {
            format!("{x:.0}")
        }
        _ => n.to_string(),
    }
}

/// A value decoded from JSON formatted like Go's `%v`: strings bare, arrays `[a b]`, objects
/// `map[k:v]` with sorted keys, null `<nil>`.
pub fn value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(value).collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Object(map) => {
            // Go prints map keys sorted.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", value(&map[*k])))
                .collect();
            format!("map[{}]", inner.join(" "))
        }
    }
}

/// The name Go's `%T` gives a value decoded from JSON (numbers as `json.Number`).
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "json.Number",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%q` for the common cases: double quotes around the text, with quotes, backslashes and
/// control characters escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `time.ANSIC` layout, `Mon Jan  2 15:04:05 2006`.
pub fn ansic<Tz: chrono::TimeZone>(t: &chrono::DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    t.format("%a %b %e %H:%M:%S %Y").to_string()
}

/// Nanoseconds since the epoch of an RFC 3339 date (`None` if it does not parse).
pub fn parse_rfc3339_nanos(s: &str) -> Option<i128> {
    let t = chrono::DateTime::parse_from_rfc3339(s).ok()?;
    Some(i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos()))
}

/// Go's `time.Unix(0, nanos).UTC().Format(time.RFC3339Nano)`: `2006-01-02T15:04:05.999999999Z`,
/// trailing zeros of the fraction (and the dot) dropped.
pub fn rfc3339_nano_utc(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000) as u32;
    let Some(t) = i64::try_from(secs)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, frac))
    else {
        return String::new();
    };
    let mut out = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    if frac > 0 {
        let digits = format!("{frac:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
#[path = "gofmt_tests.rs"]
mod tests;
