//! Fuzz target: see `api::graphql::fuzz::rest_class`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| api::graphql::fuzz::rest_class(data));
