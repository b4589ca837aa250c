//! Go's texts of numbers, values, strings and dates, pinned to what Go prints.

use serde_json::json;

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

#[test]
fn values_and_types_like_go_percent_v_and_percent_t() {
    assert_eq!(value(&json!(["a", 1, true, null])), "[a 1 true <nil>]");
    assert_eq!(value(&json!({"b": 1, "a": "x"})), "map[a:x b:1]");
    assert_eq!(value(&json!({"n": {"z": [2.5]}})), "map[n:map[z:[2.5]]]");
    assert_eq!(type_name(&json!(1)), "json.Number");
    assert_eq!(type_name(&json!({})), "map[string]interface {}");
    assert_eq!(type_name(&json!([])), "[]interface {}");
    assert_eq!(type_name(&json!(null)), "<nil>");
}

#[test]
fn integral_floats_are_json_integers() {
    assert_eq!(json_number(42.0).unwrap().to_string(), "42");
    assert_eq!(json_number(-0.0).unwrap().to_string(), "0");
    assert_eq!(json_number(1.5).unwrap().to_string(), "1.5");
    assert_eq!(json_number(1e300).unwrap().as_f64(), Some(1e300));
    assert_eq!(json_number(f64::NAN), None);
}

#[test]
fn graphql_string_coercion_of_numbers() {
    let text = |v: serde_json::Value| string_coercion(v.as_number().unwrap());
    assert_eq!(text(json!(3)), "3");
    assert_eq!(text(json!(3.0)), "3");
    assert_eq!(text(json!(-7.0)), "-7");
    assert_eq!(text(json!(2.5)), "2.5");
    // From 1e15 on the JSON text stays (Go would write every digit): unchanged behaviour, kept.
    assert_eq!(text(json!(1e20)), "1e+20");
    assert_eq!(text(json!(u64::MAX)), "18446744073709551615");
}

#[test]
fn quotes_like_go_percent_q() {
    assert_eq!(quote("plain"), "\"plain\"");
    assert_eq!(quote("x\"y\\z"), r#""x\"y\\z""#);
    assert_eq!(quote("a\nb\tc\rd"), r#""a\nb\tc\rd""#);
    assert_eq!(quote("\u{1}"), r#""\u0001""#);
    assert_eq!(quote("é"), "\"é\"");
}

#[test]
fn ansic_layout() {
    let t = chrono::DateTime::from_timestamp(1_136_214_245, 0).unwrap();
    assert_eq!(ansic(&t), "Mon Jan  2 15:04:05 2006");
    let t = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    assert_eq!(ansic(&t), "Tue Nov 14 22:13:20 2023");
}
