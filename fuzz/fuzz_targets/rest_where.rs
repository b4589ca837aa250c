//! Fuzz target: see `api::graphql::fuzz::rest_where`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| api::graphql::fuzz::rest_where(data));
