//! Boot planning: order, refusals of each kind, only dependents stopped.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use helix_manifest::{CapEntry, CapKind, ModuleEntry, StartMode};
use helix_protocol::metadata::{ModuleRecord, RecordDependency};
use helix_protocol::{AbiVersion, ModuleFlags, SymbolTable};

use super::*;

fn record(name: &str, version: &str, deps: &[(&str, &str)], provides: &[&str]) -> ModuleRecord {
    ModuleRecord {
        abi: AbiVersion::CURRENT,
        flags: ModuleFlags::USERSPACE,
        name: name.into(),
        version: version.into(),
        author: String::new(),
        description: String::new(),
        dependencies: deps
            .iter()
            .map(|(n, c)| RecordDependency {
                name: (*n).into(),
                version_constraint: (*c).into(),
            })
            .collect(),
        provides: provides.iter().map(|p| (*p).into()).collect(),
        symbols: SymbolTable::default(),
    }
}

fn entry(name: &str) -> ModuleEntry {
    ModuleEntry::new(name, &alloc::format!("{name}.elf"))
}

fn client(mut e: ModuleEntry, interface: &str, constraint: &str) -> ModuleEntry {
    e.caps.push(CapEntry {
        name: interface.into(),
        line: 0,
        kind: CapKind::Client {
            interface: interface.into(),
            constraint: constraint.into(),
        },
    });
    e
}

fn names(entries: &[ModuleEntry], idx: &[usize]) -> Vec<String> {
    idx.iter().map(|i| entries[*i].name.clone()).collect()
}

#[test]
fn dependencies_and_interfaces_order_the_start() {
    let entries = vec![
        client(entry("kvclient"), "kv", "^1.0"),
        entry("kvstore"),
        entry("logger"),
        entry("fs"),
    ];
    let loaded = vec![
        Loaded::Record(record("kvclient", "1.0.0", &[("logger", ">=0.1")], &[])),
        Loaded::Record(record("kvstore", "1.0.0", &[], &["kv@1.0"])),
        Loaded::Record(record("logger", "0.2.0", &[], &[])),
        Loaded::Record(record("fs", "1.0.0", &[("kvstore", "^1")], &[])),
    ];
    let p = plan(&entries, &loaded, &[]);
    assert!(p.refused.is_empty(), "{:?}", p.refused);
    let order = names(&entries, &p.order);
    let pos = |n: &str| order.iter().position(|x| x == n).unwrap();
    assert!(pos("kvstore") < pos("kvclient"));
    assert!(pos("logger") < pos("kvclient"));
    assert!(pos("kvstore") < pos("fs"));
    assert_eq!(order.len(), 4);
}

#[test]
fn each_failure_stops_only_its_dependents() {
    let mut manual = entry("spare");
    manual.start = StartMode::Manual;
    let entries = vec![
        entry("a"),                       // missing binary
        entry("b"),                       // needs a
        client(entry("c"), "kv", "^2.0"), // kv 1.0 only
        entry("d"),                       // d <-> e cycle
        entry("e"),
        entry("f"), // wants g ^2, has 1.0
        entry("g"),
        entry("h"), // fine
        entry("i"), // corrupt binary
        entry("j"), // record names another server
        manual,
        client(entry("k"), "kv", "not a constraint"),
    ];
    let loaded = vec![
        Loaded::Missing("a.elf".into()),
        Loaded::Record(record("b", "1.0.0", &[("a", "*")], &[])),
        Loaded::Record(record("c", "1.0.0", &[], &[])),
        Loaded::Record(record("d", "1.0.0", &[("e", "*")], &[])),
        Loaded::Record(record("e", "1.0.0", &[("d", "*")], &[])),
        Loaded::Record(record("f", "1.0.0", &[("g", "^2")], &[])),
        Loaded::Record(record("g", "1.0.0", &[], &["kv@1.0"])),
        Loaded::Record(record("h", "1.0.0", &[], &[])),
        Loaded::Invalid("not ELF64".into()),
        Loaded::Record(record("other", "1.0.0", &[], &["echo@1.0"])),
        Loaded::Record(record("spare", "1.0.0", &[], &[])),
        Loaded::Record(record("k", "1.0.0", &[], &[])),
    ];
    let p = plan(&entries, &loaded, &[]);
    assert_eq!(names(&entries, &p.order), ["g", "h"]);
    assert_eq!(p.manual, vec![10]);
    let why = |i: usize| {
        p.refusal(i)
            .map(|r| alloc::format!("{r}"))
            .unwrap_or_default()
    };
    assert_eq!(why(0), "no boot module `a.elf`");
    assert_eq!(why(1), "b needs a, which is refused");
    assert_eq!(why(2), "c requires interface kv ^2.0, found kv@1.0.0 (g)");
    assert!(
        why(3).contains("d -> e -> d") || why(3).contains("e -> d -> e"),
        "{}",
        why(3)
    );
    assert!(why(4).contains("->"), "{}", why(4));
    assert!(
        why(5).contains("f requires g ^2, found 1.0.0"),
        "{}",
        why(5)
    );
    assert_eq!(why(8), "i.elf: not ELF64");
    assert_eq!(
        why(9),
        "manifest entry `j` names a binary of module `other`"
    );
    assert!(
        why(11).starts_with("k: bad constraint `not a constraint`"),
        "{}",
        why(11)
    );
    assert_eq!(p.refused.len(), 9);
}

#[test]
fn running_modules_satisfy_dependencies_and_interfaces() {
    let running = [record("kvstore", "1.2.0", &[], &["kv@1.2"])];
    let entries = vec![client(entry("kvclient"), "kv", "^1.1")];
    let loaded = vec![Loaded::Record(record(
        "kvclient",
        "1.0.0",
        &[("kvstore", ">=1.0")],
        &[],
    ))];
    let p = plan(&entries, &loaded, &running);
    assert_eq!(p.order, vec![0]);
    assert!(p.refused.is_empty());
    // A second instance of a running module's name is refused.
    let dup = vec![entry("kvstore")];
    let l = vec![Loaded::Record(record("kvstore", "1.0.0", &[], &[]))];
    let p = plan(&dup, &l, &running);
    assert!(p.order.is_empty());
    assert!(
        alloc::format!("{}", p.refusal(0).unwrap()).contains("kvstore"),
        "{:?}",
        p.refused
    );
}

#[test]
fn one_program_binary_runs_as_several_entries() {
    let entries = vec![
        client(entry("stream1"), "kv", "^1.0"),
        client(entry("stream2"), "kv", "^1.0"),
        entry("kvstore"),
        entry("needs-stream2"),
    ];
    let stream = record("stream", "1.0.0", &[], &[]);
    let loaded = vec![
        Loaded::Record(stream.clone()),
        Loaded::Record(stream),
        Loaded::Record(record("kvstore", "1.0.0", &[], &["kv@1.0"])),
        Loaded::Record(record("other", "1.0.0", &[("stream2", "^1")], &[])),
    ];
    let p = plan(&entries, &loaded, &[]);
    assert!(p.refused.is_empty(), "{:?}", p.refused);
    assert_eq!(
        names(&entries, &p.order),
        ["kvstore", "stream1", "stream2", "needs-stream2"]
    );
}

#[test]
fn only_userspace_modules_are_spawned() {
    let entries = vec![entry("kernelish"), entry("fine")];
    let mut kernelish = record("kernelish", "1.0.0", &[], &["k@1.0"]);
    kernelish.flags = ModuleFlags::DRIVER;
    let loaded = vec![
        Loaded::Record(kernelish),
        Loaded::Record(record("fine", "1.0.0", &[], &[])),
    ];
    let p = plan(&entries, &loaded, &[]);
    assert_eq!(names(&entries, &p.order), ["fine"]);
    assert_eq!(
        p.refusal(0).map(|r| alloc::format!("{r}")).as_deref(),
        Some("kernelish is not flagged USERSPACE: only user-mode modules are spawned")
    );
}
