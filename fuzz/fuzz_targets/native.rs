//! Fuzz the HelixNative loader (as is, and behind a recomputed checksum): `helix_mod::fuzzing::native`, the same harness the stable
//! corpus replay runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| helix_mod::fuzzing::native(data));
