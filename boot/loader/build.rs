//! Links the loader at its fixed physical address with its own script.
//!
//! The x86_64-unknown-none target links static-PIE by default; the loader is
//! entered with paging off at a fixed physical address, so it is linked as a
//! plain non-PIE executable (`--no-pie`), which only this crate's binary gets.

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/linker.ld");
    println!("cargo:rustc-link-arg-bins=--no-pie");
    println!("cargo:rerun-if-changed=linker.ld");
    println!("cargo:rerun-if-changed=build.rs");
}
