//! Fuzz the boot manifest parser: `helix_mod::fuzzing::manifest`, the same harness the stable
//! corpus replay runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| helix_mod::fuzzing::manifest(data));
