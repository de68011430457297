//! Fuzz target: see `tests/fuzz_harness/mod.rs`, which `tests/fuzz_corpus.rs` shares.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::book_toml(data));
