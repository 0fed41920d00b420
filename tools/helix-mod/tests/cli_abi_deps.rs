//! `abi-diff`, `deps` and `new` on real files.

mod support;

use helix_protocol::AbiVersion;
use helix_protocol::metadata::RecordSpec;
use support::{elf_fixture, function, helix_mod, native_with, scratch, spec, write};

/// The ELF fixture's ABI (1.4.2, `get`, deprecated `LIMIT`) plus one
/// function, with a minor bump: compatible.
const COMPATIBLE: RecordSpec<'static> = spec(
    "synthetic",
    "1.3.0",
    AbiVersion::new(1, 5, 0),
    &[],
    &["kv"],
    &[
        function("get", "fn(String) -> Option<Vec<u8>>"),
        function("put", "fn(String, Vec<u8>)"),
    ],
);
const COMPATIBLE_RECORD: [u8; COMPATIBLE.encoded_len()] = COMPATIBLE.encode();

/// Major bump, `get` takes another argument type, and adds `put`.
const INCOMPATIBLE: RecordSpec<'static> = spec(
    "synthetic",
    "2.0.0",
    AbiVersion::new(2, 0, 0),
    &[],
    &["kv"],
    &[
        function("get", "fn(&str) -> Option<Vec<u8>>"),
        function("put", "fn(String, Vec<u8>)"),
    ],
);
const INCOMPATIBLE_RECORD: [u8; INCOMPATIBLE.encoded_len()] = INCOMPATIBLE.encode();

#[test]
fn abi_diff_on_a_compatible_and_an_incompatible_pair() {
    let dir = scratch();
    let old = write(dir.path(), "old.elf", &elf_fixture());
    let good = write(dir.path(), "good.hxnm", &native_with(&COMPATIBLE_RECORD));
    let bad = write(dir.path(), "bad.hxnm", &native_with(&INCOMPATIBLE_RECORD));

    let run = helix_mod(&["abi-diff".as_ref(), old.as_os_str(), good.as_os_str()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.trim_end().ends_with(": compatible"),
        "{}",
        run.stdout
    );

    let run = helix_mod(&["abi-diff".as_ref(), old.as_os_str(), bad.as_os_str()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].ends_with("INCOMPATIBLE"), "{}", run.stdout);
    assert_eq!(
        &lines[1..],
        [
            "ABI 1.4.2 cannot be replaced by 2.0.0",
            "`get` argument 0 changed from `String` to `&str`",
        ],
        "{}",
        run.stdout
    );
    let json = helix_mod(&[
        "--json".as_ref(),
        "abi-diff".as_ref(),
        old.as_os_str(),
        bad.as_os_str(),
    ]);
    assert_eq!(json.code, 1);
    let json = json.json();
    assert_eq!(json["compatible"], false);
    assert_eq!(json["violations"].as_array().unwrap().len(), 2);
    assert_eq!(json["old"]["abi"], "1.4.2");
    assert_eq!(json["new"]["abi"], "2.0.0");

    // Adding a symbol without a minor bump is a violation of its own.
    const SAME_MINOR: RecordSpec<'static> = spec(
        "synthetic",
        "1.2.4",
        AbiVersion::new(1, 4, 3),
        &[],
        &[],
        &[
            function("get", "fn(String) -> Option<Vec<u8>>"),
            function("put", "fn()"),
        ],
    );
    const SAME_MINOR_RECORD: [u8; SAME_MINOR.encoded_len()] = SAME_MINOR.encode();
    let patch = write(dir.path(), "patch.hxnm", &native_with(&SAME_MINOR_RECORD));
    let run = helix_mod(&["abi-diff".as_ref(), old.as_os_str(), patch.as_os_str()]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout.lines().nth(1),
        Some("`put` was added without a minor bump")
    );
    // A missing file is an error, not a verdict.
    assert_eq!(
        helix_mod(&[
            "abi-diff".as_ref(),
            old.as_os_str(),
            dir.path().join("nope").as_os_str()
        ])
        .code,
        2
    );
}

const BASE: RecordSpec<'static> = spec("base", "0.5.0", AbiVersion::new(1, 0, 0), &[], &[], &[]);
const BASE_RECORD: [u8; BASE.encoded_len()] = BASE.encode();
const STORE: RecordSpec<'static> = spec(
    "store",
    "1.2.0",
    AbiVersion::new(1, 0, 0),
    &[("base", ">=0.4.0")],
    &["kv@1.0"],
    &[],
);
const STORE_RECORD: [u8; STORE.encoded_len()] = STORE.encode();
const CLIENT: RecordSpec<'static> =
    spec("client", "0.1.0", AbiVersion::new(1, 0, 0), &[], &[], &[]);
const CLIENT_RECORD: [u8; CLIENT.encoded_len()] = CLIENT.encode();
/// A base that needs the client: closes a cycle base -> client -> store -> base.
const LOOPY_BASE: RecordSpec<'static> = spec(
    "base",
    "0.5.0",
    AbiVersion::new(1, 0, 0),
    &[("client", "*")],
    &[],
    &[],
);
const LOOPY_BASE_RECORD: [u8; LOOPY_BASE.encoded_len()] = LOOPY_BASE.encode();

fn manifest(client_constraint: &str) -> String {
    format!(
        "[module client]\nbinary = client.hxnm\ncap kv = client kv {client_constraint}\n\n\
         [module store]\nbinary = store.hxnm\n\n[module base]\nbinary = base.hxnm\nstart = manual\n"
    )
}

fn modules_dir(base: &[u8]) -> tempfile::TempDir {
    let dir = scratch();
    write(dir.path(), "base.hxnm", &native_with(base));
    write(dir.path(), "store.hxnm", &native_with(&STORE_RECORD));
    write(dir.path(), "client.hxnm", &native_with(&CLIENT_RECORD));
    dir
}

fn deps(dir: &std::path::Path, manifest_text: &str, json: bool) -> support::Run {
    let path = write(dir, "boot.manifest", manifest_text.as_bytes());
    let mut args = vec![
        "deps".as_ref(),
        path.as_os_str(),
        "--modules".as_ref(),
        dir.as_os_str(),
    ];
    if json {
        args.insert(0, "--json".as_ref());
    }
    helix_mod(&args)
}

#[test]
fn deps_prints_the_load_order() {
    let dir = modules_dir(&BASE_RECORD);
    let run = deps(dir.path(), &manifest("^1.0"), false);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let order: Vec<&str> = run
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(order, ["base", "store", "client"], "{}", run.stdout);
    assert!(
        run.stdout.contains("base (base 0.5.0, base.hxnm, manual)"),
        "{}",
        run.stdout
    );
    let json = deps(dir.path(), &manifest("^1.0"), true).json();
    assert_eq!(json["ok"], true);
    let names: Vec<&str> = json["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["module"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["base", "store", "client"]);
}

#[test]
fn deps_reports_conflicts_missing_providers_and_cycles() {
    let dir = modules_dir(&BASE_RECORD);
    // The provider's version (store 1.2.0) does not satisfy ^2.
    let run = deps(dir.path(), &manifest("^2"), false);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("refused: client requires store ^2, found 1.2.0"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.trim() == "1. base (base 0.5.0, base.hxnm, manual)"),
        "{}",
        run.stdout
    );
    // Nobody provides the interface.
    let text = manifest("^1.0").replace("client kv", "client fs");
    let run = deps(dir.path(), &text, false);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("client needs interface fs ^1.0, which no module provides"),
        "{}",
        run.stdout
    );
    // Two providers of one interface.
    write(dir.path(), "store2.hxnm", &native_with(&STORE_RECORD));
    let text = format!(
        "{}\n[module store2]\nbinary = store2.hxnm\n",
        manifest("^1.0")
    );
    let run = deps(dir.path(), &text, true);
    assert_eq!(run.code, 1);
    let json = run.json();
    assert!(
        json["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("conflict: interface kv is provided by both store and store2"),
        "{json}"
    );
    // A cycle.
    let dir = modules_dir(&LOOPY_BASE_RECORD);
    let run = deps(dir.path(), &manifest("^1.0"), false);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("dependency cycle: client -> store -> base -> client"),
        "{}",
        run.stdout
    );
}

#[test]
fn deps_file_errors_exit_2() {
    let dir = modules_dir(&BASE_RECORD);
    let run = deps(dir.path(), "[module x]\nbinary = gone.elf\n", false);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("module x:") && run.stderr.contains("gone.elf: cannot read"),
        "{}",
        run.stderr
    );
    let run = deps(dir.path(), "[module x]\nprioirty = 3\n[bogus]\n", false);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("line 2: unknown key `prioirty`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
}

#[test]
fn new_writes_a_server_skeleton() {
    let dir = scratch();
    let run = helix_mod(&[
        "new".as_ref(),
        "my-cache".as_ref(),
        "--dir".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let root = dir.path().join("my-cache");
    let read =
        |f: &str| std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let cargo = read("Cargo.toml");
    assert!(cargo.contains("name = \"helix-my-cache\""), "{cargo}");
    assert!(cargo.contains("helix-protocol = { workspace = true, features = [\"rt\"] }"));
    assert!(read("build.rs").contains("--image-base=0x400000"));
    let main = read("src/main.rs");
    assert!(main.contains("helix_module! {") && main.contains("name: \"my-cache\""));
    assert!(main.contains("server_main!(\"my-cache\", helix_module_entry);"));
    assert!(main.contains("use helix_my_cache::{MyCache, MyCacheError, MyCacheHandler};"));
    assert!(read("src/lib.rs").contains("interface MyCache {"));
    assert!(read("src/tests.rs").contains("Loopback::control"));
    for f in [
        "Cargo.toml",
        "build.rs",
        "src/lib.rs",
        "src/main.rs",
        "src/tests.rs",
    ] {
        assert!(!read(f).contains('@'), "{f} has an unfilled placeholder");
    }
    // Not twice, and only module names.
    assert_eq!(
        helix_mod(&[
            "new".as_ref(),
            "my-cache".as_ref(),
            "--dir".as_ref(),
            dir.path().as_os_str()
        ])
        .code,
        2
    );
    for bad in ["My", "1x", "", "a b", "a/b"] {
        let run = helix_mod(&[
            "new".as_ref(),
            bad.as_ref(),
            "--dir".as_ref(),
            dir.path().as_os_str(),
        ]);
        assert_eq!(run.code, 2, "{bad:?}");
    }
}
