//! Fuzz the ELF loader: `helix_mod::fuzzing::elf`, the same harness the stable
//! corpus replay runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| helix_mod::fuzzing::elf(data));
