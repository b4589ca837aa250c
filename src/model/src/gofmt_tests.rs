//! Go's texts of floats and dates, pinned to what Go prints.

use super::*;

#[test]
fn v_matches_go_percent_v() {
    assert_eq!(v_f32(1.0 / 60.0), "0.016666668");
    assert_eq!(v_f32(0.5), "0.5");
    assert_eq!(v_f32(1.0), "1");
    assert_eq!(v_f32(0.0), "0");
    assert_eq!(v_f32(0.00001), "1e-05");
    assert_eq!(v_f32(0.0001), "0.0001");
    assert_eq!(v_f32(-0.25), "-0.25");
    assert_eq!(v_f64(123456.0), "123456");
    assert_eq!(v_f64(1234567.0), "1.234567e+06");
    assert_eq!(v_f64(1e6), "1e+06");
    assert_eq!(v_f64(3.5), "3.5");
    assert_eq!(v_f64(1e100), "1e+100");
    assert_eq!(v_f64(f64::NAN), "NaN");
}

#[test]
fn json_matches_go_encoding_json() {
    assert_eq!(json_f64(120.0), "120");
    assert_eq!(json_f64(1234567.0), "1234567");
    assert_eq!(json_f64(0.5), "0.5");
    assert_eq!(json_f64(1e21), "1e+21");
    assert_eq!(json_f64(1e-7), "1e-7");
    assert_eq!(json_f64(1.5e-10), "1.5e-10");
    assert_eq!(json_f64(-2.0), "-2");
    assert_eq!(json_f64(0.000001), "0.000001");
}

#[test]
fn dates_format_like_rfc3339_nano() {
    let n = parse_rfc3339_nanos("2022-06-16T17:30:19.451235Z").unwrap();
    assert_eq!(rfc3339_nano_utc(n), "2022-06-16T17:30:19.451235Z");
    let n = parse_rfc3339_nanos("2021-01-01T02:00:00+02:00").unwrap();
    assert_eq!(rfc3339_nano_utc(n), "2021-01-01T00:00:00Z");
    let n = parse_rfc3339_nanos("1969-12-31T23:59:59.5Z").unwrap();
    assert_eq!(n, -500_000_000);
    assert_eq!(rfc3339_nano_utc(n), "1969-12-31T23:59:59.5Z");
    assert_eq!(parse_rfc3339_nanos("yesterday"), None);
}
