//! The fuzz corpus (`fuzz/corpus/<target>/`), replayed through the same
//! harnesses the cargo-fuzz targets run (`helix_mod::fuzzing`), on stable:
//! an input that once crashed a parser stays in the corpus and keeps
//! being checked. `HELIX_WRITE_SEEDS=1 cargo test -p helix-mod --test
//! fuzz_corpus -- --ignored` rewrites the hand-made seeds.

mod support;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use helix_mod::fuzzing;
use helix_module_loader::fixtures::elf::RECORD;
use helix_module_loader::fixtures::native;
use support::{elf_fixture, wasm_with};

/// A harness: runs a parser on bytes, panics on a finding.
type Harness = fn(&[u8]);

const TARGETS: [(&str, Harness); 4] = [
    ("elf", fuzzing::elf),
    ("native", fuzzing::native),
    ("wasm", fuzzing::wasm),
    ("manifest", fuzzing::manifest),
];

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

#[test]
fn every_corpus_file_runs_through_its_parser_without_a_panic() {
    for (target, harness) in TARGETS {
        let dir = corpus_dir(target);
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}: empty corpus", dir.display());
        for file in files {
            let data = fs::read(&file).expect("read corpus file");
            let outcome = catch_unwind(AssertUnwindSafe(|| harness(&data)));
            assert!(outcome.is_ok(), "{target}: {} panics", file.display());
        }
    }
}

/// The hand-made seeds: valid files and a few truncations of them.
fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let elf = elf_fixture();
    let unsigned = native::valid();
    let signed = native::signed(1);
    let wasm = wasm_with(&[("name", b"\0"), ("helix_module", &RECORD)]);
    // The boot manifest example of docs/formats.md.
    let example = include_str!("../../../docs/formats.md")
        .split("## Boot manifest")
        .nth(1)
        .and_then(|s| s.split("### Example").nth(1))
        .and_then(|s| s.split("```").nth(1))
        .expect("docs/formats.md has a manifest example")
        .as_bytes()
        .to_vec();
    let mut out = vec![
        ("elf", String::from("valid"), elf.clone()),
        ("elf", String::from("cut-at-section-headers"), elf[..0x640].to_vec()),
        ("native", String::from("valid"), unsigned.clone()),
        ("native", String::from("signed"), signed.clone()),
        ("native", String::from("cut-in-signature"), signed[..signed.len() - 50].to_vec()),
        ("native", String::from("cut-in-table"), unsigned[..unsigned.len() / 2].to_vec()),
        ("wasm", String::from("with-metadata"), wasm.clone()),
        ("wasm", String::from("without-metadata"), wasm_with(&[("name", b"\0")])),
        ("wasm", String::from("cut"), wasm[..wasm.len() - 7].to_vec()),
        ("manifest", String::from("docs-example"), example),
        (
            "manifest",
            String::from("errors"),
            b"[system]\nconsole = nobody\n[module a]\nprioirty = 1\ncap report = irq 4\n[module a]\n".to_vec(),
        ),
    ];
    // A flipped header byte of each binary format.
    let mut flipped = unsigned.clone();
    flipped[9] ^= 0x40;
    out.push(("native", String::from("image-length-flipped"), flipped));
    out
}

#[test]
#[ignore = "writes fuzz/corpus seeds; set HELIX_WRITE_SEEDS=1"]
fn write_seeds() {
    if std::env::var_os("HELIX_WRITE_SEEDS").is_none() {
        return;
    }
    for (target, name, bytes) in seeds() {
        let dir = corpus_dir(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
    }
}

#[test]
fn the_seeds_pass_their_harnesses() {
    for (target, name, bytes) in seeds() {
        let harness = TARGETS.iter().find(|(t, _)| *t == target).unwrap().1;
        assert!(catch_unwind(|| harness(&bytes)).is_ok(), "{target}/{name}");
    }
}
