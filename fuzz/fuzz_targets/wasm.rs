//! Fuzz the Wasm metadata reader: `helix_mod::fuzzing::wasm`, the same harness the stable
//! corpus replay runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| helix_mod::fuzzing::wasm(data));
