//! Fuzz target: see `cluster::raft::fuzz::raft_codec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cluster::raft::fuzz::raft_codec(data));
