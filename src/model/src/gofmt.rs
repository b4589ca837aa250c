//! Go's text forms of floats and times, for strings that Weaviate builds with `fmt` or
//! `encoding/json` and that clients may read back (explainScore, group values, date
//! aggregations).
//!
//! Rust and Go both print the shortest digits that round-trip, so only the layout differs:
//! where Go switches to an exponent, and how it writes one (`1e+06`, `1e-05`).

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
