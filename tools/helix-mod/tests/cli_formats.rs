//! `inspect`, `pack`, `keygen`, `sign`, `verify` on real files, and the
//! errors for bad files and bad usage.

mod support;

use helix_module_loader::fixtures::elf::RECORD;
use helix_protocol::metadata::ModuleRecord;
use std::ffi::OsStr;
use std::path::Path;

use support::{Run, elf_fixture, helix_mod, scratch, wasm_with, write};

#[test]
fn inspect_an_elf_module() {
    let dir = scratch();
    let elf = write(dir.path(), "synthetic.elf", &elf_fixture());
    let run = helix_mod(&["inspect".as_ref(), elf.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let field = |label: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(label))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {label} in {}", run.stdout))
    };
    assert_eq!(field("format:"), "ELF");
    assert_eq!(field("name:"), "synthetic");
    assert_eq!(field("abi:"), "1.4.2");
    assert_eq!(field("flags:"), "HOT_RELOADABLE | USERSPACE");
    assert_eq!(field("dependencies:"), "kvstore ^0.1, helix-hal >=0.4.0");
    assert_eq!(field("provides:"), "kv");
    assert_eq!(field("entry:"), "0x401410");
    assert!(field("signature:").starts_with("none"));
    assert!(
        lines
            .iter()
            .any(|l| l.trim() == "function get: fn(String) -> Option<Vec<u8>>")
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim() == "variable LIMIT: u64 (deprecated)")
    );
    let segment_lines = lines
        .iter()
        .filter(|l| l.trim_start().starts_with("0x"))
        .count();
    assert_eq!(segment_lines, 3);

    let json = helix_mod(&["--json".as_ref(), "inspect".as_ref(), elf.as_os_str()]).json();
    let record = ModuleRecord::decode(&RECORD).unwrap();
    assert_eq!(json["format"], "ELF");
    assert_eq!(json["metadata"]["name"], record.name.as_str());
    assert_eq!(json["metadata"]["version"], record.version.as_str());
    assert_eq!(
        json["metadata"]["symbols"].as_array().unwrap().len(),
        record.symbols.len()
    );
    assert_eq!(json["metadata"]["dependencies"][1]["constraint"], ">=0.4.0");
    assert_eq!(json["segments"].as_array().unwrap().len(), 3);
    assert_eq!(json["segments"][1]["rights"], "r-x");
    assert_eq!(json["signature"]["status"], "not-applicable");
}

#[test]
fn pack_gives_the_same_module_as_helix_native() {
    let dir = scratch();
    let elf = write(dir.path(), "synthetic.elf", &elf_fixture());
    let out = dir.path().join("synthetic.hxnm");
    let run = helix_mod(&[
        "pack".as_ref(),
        elf.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("3 segments, unsigned"),
        "{}",
        run.stdout
    );
    let from_elf = helix_mod(&["--json".as_ref(), "inspect".as_ref(), elf.as_os_str()]).json();
    let native = helix_mod(&["--json".as_ref(), "inspect".as_ref(), out.as_os_str()]).json();
    assert_eq!(native["format"], "HelixNative");
    assert_eq!(native["metadata"], from_elf["metadata"]);
    assert_eq!(native["entry"], from_elf["entry"]);
    for (n, e) in native["segments"]
        .as_array()
        .unwrap()
        .iter()
        .zip(from_elf["segments"].as_array().unwrap())
    {
        for key in ["vaddr", "mem_size", "file_size", "rights"] {
            assert_eq!(n[key], e[key], "{key}");
        }
    }
    assert_eq!(native["signature"]["status"], "unsigned");
    // The record travels verbatim.
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[32..32 + RECORD.len()], &RECORD[..]);
}

/// `helix-mod [--json] verify FILE --trust KEYS... [extra...]`.
fn verify(file: &Path, keys: &[&Path], extra: &[&str], json: bool) -> Run {
    let mut args: Vec<&OsStr> = Vec::new();
    if json {
        args.push("--json".as_ref());
    }
    args.extend([OsStr::new("verify"), file.as_os_str(), "--trust".as_ref()]);
    args.extend(keys.iter().map(|k| k.as_os_str()));
    args.extend(extra.iter().map(OsStr::new));
    helix_mod(&args)
}

/// `helix-mod ARGS...` on paths.
fn run_on(args: &[&dyn AsRef<OsStr>]) -> Run {
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_ref()).collect();
    helix_mod(&args)
}

#[test]
fn keygen_sign_and_verify() {
    let dir = scratch();
    let d = dir.path();
    let key = d.join("release");
    let run = run_on(&[&"keygen", &"-o", &key]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let private = std::fs::read_to_string(&key).unwrap();
    let public = std::fs::read_to_string(d.join("release.pub")).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No silent overwrite of a key.
    assert_eq!(run_on(&[&"keygen", &"-o", &key]).code, 2);
    let other_key = d.join("other");
    assert_eq!(run_on(&[&"keygen", &"-o", &other_key]).code, 0);

    let elf = write(d, "m.elf", &elf_fixture());
    let signed = d.join("signed.hxnm");
    let run = run_on(&[&"pack", &elf, &"-o", &signed, &"--sign", &key]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let info = run_on(&[&"--json", &"inspect", &signed]).json();
    assert_eq!(info["signature"]["status"], "signed");
    assert_eq!(info["signature"]["verifies"], true);
    let fingerprint = info["signature"]["key"].as_str().unwrap().to_string();
    assert_eq!(fingerprint.len(), 16);

    let pubkey = d.join("release.pub");
    let other = d.join("other.pub");
    let ok = verify(&signed, &[&other, &pubkey], &[], false);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("trusted key release"), "{}", ok.stdout);
    let untrusted = verify(&signed, &[&other], &[], false);
    assert_eq!(untrusted.code, 1);
    assert!(
        untrusted.stdout.contains("REFUSED") && untrusted.stdout.contains(&fingerprint),
        "{}",
        untrusted.stdout
    );

    // Unsigned: refused unless allowed.
    let unsigned = d.join("unsigned.hxnm");
    assert_eq!(run_on(&[&"pack", &elf, &"-o", &unsigned]).code, 0);
    let refused = verify(&unsigned, &[&pubkey], &[], false);
    assert_eq!(refused.code, 1);
    assert!(refused.stdout.contains("unsigned"), "{}", refused.stdout);
    let allowed = verify(&unsigned, &[&pubkey], &["--allow-unsigned"], true);
    assert_eq!(allowed.code, 0);
    assert_eq!(allowed.json()["trusted"], true);

    // `sign` in place, with the other key: now only that key verifies.
    assert_eq!(run_on(&[&"sign", &unsigned, &"--key", &other_key]).code, 0);
    assert_eq!(verify(&unsigned, &[&other], &[], false).code, 0);
    assert_eq!(verify(&unsigned, &[&pubkey], &[], false).code, 1);

    // A flipped byte: the file is corrupt, a file error.
    let mut bytes = std::fs::read(&signed).unwrap();
    bytes[100] ^= 1;
    let corrupt = write(d, "corrupt.hxnm", &bytes);
    let run = verify(&corrupt, &[&pubkey], &[], false);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("checksum mismatch"), "{}", run.stderr);
    // A flipped signature byte: the signature is refused.
    let mut bytes = std::fs::read(&signed).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let forged = write(d, "forged.hxnm", &bytes);
    let run = verify(&forged, &[&pubkey], &[], false);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("does not verify"), "{}", run.stdout);
    let info = run_on(&[&"--json", &"inspect", &forged]).json();
    assert_eq!(info["signature"]["verifies"], false);
}

#[test]
fn inspect_a_wasm_module_with_and_without_metadata() {
    let dir = scratch();
    let with = write(
        dir.path(),
        "with.wasm",
        &wasm_with(&[("name", b"\0"), ("helix_module", &RECORD)]),
    );
    let json = helix_mod(&["--json".as_ref(), "inspect".as_ref(), with.as_os_str()]).json();
    assert_eq!(json["format"], "WebAssembly");
    assert_eq!(json["metadata"]["name"], "synthetic");
    assert_eq!(json["metadata"]["abi"], "1.4.2");
    assert_eq!(json["segments"].as_array().unwrap().len(), 0);

    let without = write(dir.path(), "without.wasm", &wasm_with(&[("name", b"\0")]));
    let run = helix_mod(&["inspect".as_ref(), without.as_os_str()]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("metadata:     none (no `helix_module` custom section)"),
        "{}",
        run.stdout
    );
    assert!(
        helix_mod(&["--json".as_ref(), "inspect".as_ref(), without.as_os_str()]).json()["metadata"]
            .is_null()
    );

    let twice = write(
        dir.path(),
        "twice.wasm",
        &wasm_with(&[("helix_module", &RECORD), ("helix_module", &RECORD)]),
    );
    let run = helix_mod(&["inspect".as_ref(), twice.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("more than one"), "{}", run.stderr);
    let bad_record = write(
        dir.path(),
        "bad.wasm",
        &wasm_with(&[("helix_module", b"HXMD")]),
    );
    let run = helix_mod(&["inspect".as_ref(), bad_record.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bad `helix_module` record"),
        "{}",
        run.stderr
    );
    let mut cut = wasm_with(&[("helix_module", &RECORD)]);
    cut.truncate(cut.len() - 10);
    let truncated = write(dir.path(), "cut.wasm", &cut);
    let run = helix_mod(&["inspect".as_ref(), truncated.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("malformed WebAssembly"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_files_and_bad_usage_exit_2_with_a_readable_error() {
    let dir = scratch();
    let missing = dir.path().join("missing.elf");
    let run = helix_mod(&["inspect".as_ref(), missing.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("missing.elf: cannot read"),
        "{}",
        run.stderr
    );
    let text = write(dir.path(), "notes.txt", b"hello");
    let run = helix_mod(&["inspect".as_ref(), text.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a module"), "{}", run.stderr);
    let mut elf = elf_fixture();
    elf.truncate(0x300);
    let cut = write(dir.path(), "cut.elf", &elf);
    let run = helix_mod(&["--json".as_ref(), "inspect".as_ref(), cut.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.json()["error"]
            .as_str()
            .unwrap()
            .contains("lie outside the file"),
        "{}",
        run.stdout
    );
    // pack wants an ELF, sign a HelixNative file.
    let wasm = write(dir.path(), "m.wasm", &wasm_with(&[]));
    let run = helix_mod(&[
        "pack".as_ref(),
        wasm.as_os_str(),
        "-o".as_ref(),
        dir.path().join("x").as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`pack` takes an ELF"), "{}", run.stderr);
    let key = dir.path().join("k");
    helix_mod(&["keygen".as_ref(), "-o".as_ref(), key.as_os_str()]);
    let good_elf = write(dir.path(), "good.elf", &elf_fixture());
    let run = helix_mod(&[
        "sign".as_ref(),
        good_elf.as_os_str(),
        "--key".as_ref(),
        key.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("only HelixNative files carry signatures"),
        "{}",
        run.stderr
    );
    // A public key where a private key belongs.
    let hxnm = dir.path().join("m.hxnm");
    helix_mod(&[
        "pack".as_ref(),
        good_elf.as_os_str(),
        "-o".as_ref(),
        hxnm.as_os_str(),
    ]);
    let run = helix_mod(&[
        "sign".as_ref(),
        hxnm.as_os_str(),
        "--key".as_ref(),
        dir.path().join("k.pub").as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not an Ed25519 private key"),
        "{}",
        run.stderr
    );
    // Usage errors.
    assert_eq!(helix_mod::<&str>(&[]).code, 2);
    assert_eq!(helix_mod(&["inspect"]).code, 2);
    assert_eq!(
        helix_mod(&["verify", "x.hxnm"]).code,
        2,
        "--trust is required"
    );
    assert_eq!(helix_mod(&["frobnicate"]).code, 2);
}

/// With a real server binary built (`cargo build --release --target
/// x86_64-unknown-none -p helix-kvstore`), pack and inspect it too.
#[test]
fn the_real_kvstore_when_it_is_built() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/x86_64-unknown-none/release/helix-kvstore");
    if !path.exists() {
        eprintln!("skipped: {} not built", path.display());
        return;
    }
    let dir = scratch();
    let out = dir.path().join("kvstore.hxnm");
    assert_eq!(
        helix_mod(&[
            "pack".as_ref(),
            path.as_os_str(),
            "-o".as_ref(),
            out.as_os_str()
        ])
        .code,
        0
    );
    let elf = helix_mod(&["--json".as_ref(), "inspect".as_ref(), path.as_os_str()]).json();
    let native = helix_mod(&["--json".as_ref(), "inspect".as_ref(), out.as_os_str()]).json();
    assert_eq!(elf["metadata"]["name"], "kvstore");
    assert_eq!(native["metadata"], elf["metadata"]);
    assert!(std::fs::metadata(&out).unwrap().len() < std::fs::metadata(&path).unwrap().len());
}
