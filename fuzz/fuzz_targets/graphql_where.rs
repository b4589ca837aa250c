//! Fuzz target: see `api::graphql::fuzz::graphql_where`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| api::graphql::fuzz::graphql_where(data));
