//! Shared helpers of the CLI tests: running the binary, writing fixture
//! modules (the loader's ELF fixture, HelixNative files with chosen
//! records, Wasm modules with a `helix_module` section).

#![allow(
    dead_code,
    clippy::allow_attributes,
    reason = "each test file uses a different part: in some the lint fires, in others not, so `expect` would be unfulfilled there"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use helix_module_loader::SegmentRights;
use helix_module_loader::fixtures::elf::Image;
use helix_module_loader::native::{NativeSegment, encode};
use helix_protocol::metadata::{RecordSpec, SymbolSpec};
use helix_protocol::{AbiVersion, ModuleFlags, SymbolKind};
use serde_json::Value;

/// What a run of `helix-mod` gave.
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// Run `helix-mod args...`.
pub fn helix_mod<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_helix-mod"))
        .args(args)
        .output()
        .expect("run helix-mod");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// A scratch directory.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Write `bytes` to `dir/name`, giving the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

/// The loader's valid ELF fixture (module "synthetic" 1.2.3, ABI 1.4.2,
/// symbols `get` and deprecated `LIMIT`).
pub fn elf_fixture() -> Vec<u8> {
    Image::valid().bytes()
}

/// A HelixNative module with record `record`: one code page at 0x400000.
pub fn native_with(record: &[u8]) -> Vec<u8> {
    let code = [0xc3u8; 32];
    let data = [1u8; 8];
    let segments = [
        NativeSegment {
            vaddr: 0x40_0000,
            mem_size: 32,
            rights: SegmentRights::RX,
            bytes: &code,
        },
        NativeSegment {
            vaddr: 0x40_1000,
            mem_size: 0x1000,
            rights: SegmentRights::RW,
            bytes: &data,
        },
    ];
    encode(record, 0x40_0000, &segments).expect("fits")
}

/// `bytes` as an unsigned LEB128.
fn leb(mut n: usize, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A Wasm module: the header, a type section with one `() -> ()` type,
/// and a custom section per `(name, bytes)`.
pub fn wasm_with(sections: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    out.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
    for (name, bytes) in sections {
        let mut body = Vec::new();
        leb(name.len(), &mut body);
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(bytes);
        out.push(0);
        leb(body.len(), &mut out);
        out.extend_from_slice(&body);
    }
    out
}

/// A function symbol.
pub const fn function(name: &'static str, signature: &'static str) -> SymbolSpec<'static> {
    SymbolSpec {
        name,
        kind: SymbolKind::Function,
        signature,
        deprecated: false,
    }
}

/// A record spec with the given name, version, ABI, dependencies,
/// provided interfaces and symbols.
pub const fn spec(
    name: &'static str,
    version: &'static str,
    abi: AbiVersion,
    dependencies: &'static [(&'static str, &'static str)],
    provides: &'static [&'static str],
    symbols: &'static [SymbolSpec<'static>],
) -> RecordSpec<'static> {
    RecordSpec {
        name,
        version,
        author: "cli tests",
        description: "fixture",
        flags: ModuleFlags::USERSPACE.bits(),
        abi,
        dependencies,
        provides,
        symbols,
    }
}
