//! Fuzz target: see `api::graphql::fuzz::rest_object`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| api::graphql::fuzz::rest_object(data));
