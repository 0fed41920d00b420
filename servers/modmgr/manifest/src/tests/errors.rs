//! Every error kind, at the line it names.

use crate::*;

/// The first error of `text`, as `(line, kind)`.
fn first(text: &str) -> (usize, ErrorKind) {
    let e = Manifest::parse(text).expect_err(text);
    (e.line, e.kind)
}

/// The index of a kind's variant: the exhaustive match makes this file
/// fail to compile when a variant is added, until the table covers it.
fn variant(kind: &ErrorKind) -> usize {
    match kind {
        ErrorKind::Syntax => 0,
        ErrorKind::UnknownSection(_) => 1,
        ErrorKind::BadName { .. } => 2,
        ErrorKind::OutsideSection => 3,
        ErrorKind::UnknownKey { .. } => 4,
        ErrorKind::EmptyValue(_) => 5,
        ErrorKind::BadValue { .. } => 6,
        ErrorKind::UnknownCapKind(_) => 7,
        ErrorKind::BadCap { .. } => 8,
        ErrorKind::EmptyConstraint { .. } => 9,
        ErrorKind::ReservedCapName(_) => 10,
        ErrorKind::TooManyCaps => 11,
        ErrorKind::DuplicateModule { .. } => 12,
        ErrorKind::DuplicateSystem { .. } => 13,
        ErrorKind::DuplicateKey { .. } => 14,
        ErrorKind::DuplicateCap { .. } => 15,
        ErrorKind::MissingBinary { .. } => 16,
        ErrorKind::UnknownModule { .. } => 17,
    }
}
const VARIANTS: usize = 18;

const M: &str = "[module m]\nbinary = m.elf\n";

fn table() -> Vec<(String, usize, ErrorKind)> {
    let many_caps: String = (0..=MAX_CAPS)
        .map(|i| format!("cap c{i} = irq 1\n"))
        .collect();
    vec![
        (format!("{M}binary m.elf"), 3, ErrorKind::Syntax),
        ("[module m\nbinary = m.elf".into(), 1, ErrorKind::Syntax),
        (format!("{M} = 1"), 3, ErrorKind::Syntax),
        (
            "[modules m]\nbinary = m.elf".into(),
            1,
            ErrorKind::UnknownSection("modules m".into()),
        ),
        (
            "[module Kv]\nbinary = kv.elf".into(),
            1,
            ErrorKind::BadName {
                of: NameOf::Module,
                name: "Kv".into(),
            },
        ),
        (
            "[module]\nbinary = kv.elf".into(),
            1,
            ErrorKind::BadName {
                of: NameOf::Module,
                name: "".into(),
            },
        ),
        (
            format!("{M}cap KV = modmgr"),
            3,
            ErrorKind::BadName {
                of: NameOf::Cap,
                name: "KV".into(),
            },
        ),
        (
            format!("{M}cap kv = client k.v ^1"),
            3,
            ErrorKind::BadName {
                of: NameOf::Interface,
                name: "k.v".into(),
            },
        ),
        (format!("binary = m.elf\n{M}"), 1, ErrorKind::OutsideSection),
        (
            format!("{M}prioirty = 1"),
            3,
            ErrorKind::UnknownKey {
                key: "prioirty".into(),
                section: SectionKind::Module,
            },
        ),
        (
            format!("[system]\nbinary = m.elf\n{M}"),
            2,
            ErrorKind::UnknownKey {
                key: "binary".into(),
                section: SectionKind::System,
            },
        ),
        (
            format!("{M}console = m"),
            3,
            ErrorKind::UnknownKey {
                key: "console".into(),
                section: SectionKind::Module,
            },
        ),
        (
            "[module m]\nbinary =\n".into(),
            2,
            ErrorKind::EmptyValue("binary".into()),
        ),
        (
            format!("{M}cap kv =   # nothing"),
            3,
            ErrorKind::EmptyValue("cap kv".into()),
        ),
        (
            format!("{M}\n\npriority = 300"),
            5,
            ErrorKind::BadValue {
                key: Key::Priority,
                value: "300".into(),
            },
        ),
        (
            format!("{M}cap c = port 0x60"),
            3,
            ErrorKind::UnknownCapKind("port".into()),
        ),
        (
            format!("{M}cap c = irq 224"),
            3,
            ErrorKind::BadCap {
                class: CapClass::Irq,
                value: "irq 224".into(),
            },
        ),
        (
            format!("{M}cap kv = client kv"),
            3,
            ErrorKind::EmptyConstraint {
                interface: "kv".into(),
            },
        ),
        (
            format!("{M}cap service = modmgr"),
            3,
            ErrorKind::ReservedCapName("service".into()),
        ),
        (
            format!("{M}{many_caps}"),
            3 + MAX_CAPS,
            ErrorKind::TooManyCaps,
        ),
        (
            format!("{M}\n{M}"),
            4,
            ErrorKind::DuplicateModule {
                name: "m".into(),
                first: 1,
            },
        ),
        (
            format!("[system]\n{M}[system]\n"),
            4,
            ErrorKind::DuplicateSystem { first: 1 },
        ),
        (
            format!("{M}args = a\nstart = boot\nargs = b"),
            5,
            ErrorKind::DuplicateKey {
                key: Key::Args,
                first: 3,
            },
        ),
        (
            format!("{M}cap a = irq 1\ncap a = irq 2"),
            4,
            ErrorKind::DuplicateCap {
                name: "a".into(),
                first: 3,
            },
        ),
        (
            format!("{M}[module n]\nargs = x\n"),
            3,
            ErrorKind::MissingBinary { module: "n".into() },
        ),
        (
            format!("[system]\nconsole = tty\n{M}"),
            2,
            ErrorKind::UnknownModule {
                key: Key::Console,
                name: "tty".into(),
            },
        ),
    ]
}

#[test]
fn every_error_kind_is_reported_at_its_line() {
    let mut seen = [false; VARIANTS];
    for (text, line, kind) in table() {
        assert_eq!(first(&text), (line, kind.clone()), "{text}");
        if let Some(s) = seen.get_mut(variant(&kind)) {
            *s = true;
        }
        let shown = ManifestError { line, kind }.to_string();
        assert!(shown.starts_with(&format!("line {line}: ")), "{shown}");
    }
    assert_eq!(seen, [true; VARIANTS], "a variant has no case");
}

#[test]
fn display_names_the_key_and_the_choices() {
    let e = Manifest::parse(&format!("{M}\n\n\n\nprioirty = 1")).expect_err("unknown key");
    assert_eq!(
        e.to_string(),
        "line 7: unknown key `prioirty` (expected one of: binary, args, start, priority, \
         cpus, memory, restart, restart-budget, checkpoint, expect, cap NAME)"
    );
    let e = first("[system]\ntimeout = 3");
    assert_eq!(
        ManifestError {
            line: e.0,
            kind: e.1
        }
        .to_string(),
        "line 2: unknown key `timeout` (expected one of: console, binaries)"
    );
    let e = first(&format!("{M}cap c = port 1")).1.to_string();
    assert!(e.contains("client, ioports, irq, modmgr, untyped"), "{e}");
    let e = first(&format!("{M}cap report = modmgr")).1.to_string();
    assert!(e.contains("report, service, control"), "{e}");
    let e = first(&format!("{M}memory = 3")).1.to_string();
    assert!(e.contains("`3`") && e.contains(Key::Memory.syntax()), "{e}");
}

#[test]
fn duplicates_name_both_lines() {
    let e = Manifest::parse(&format!("{M}priority = 1\n\npriority = 2")).expect_err("dup");
    assert_eq!(e.line, 5);
    assert!(e.to_string().contains("first at line 3"), "{e}");
}

#[test]
fn parse_all_reports_every_error_in_line_order() {
    let text = "\
[module a]
args = x
prio = 1
[module a]
binary = a.elf
cap x = irq 999
[system]
console = b
";
    let errors = Manifest::parse_all(text).expect_err("errors");
    let got: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, variant(&e.kind))).collect();
    // a: missing binary (1), unknown key (3); second a: duplicate (4), its
    // bad cap still checked (6); console names no module (8).
    assert_eq!(got, [(1, 16), (3, 4), (4, 12), (6, 8), (8, 17)]);
    assert_eq!(Manifest::parse(text).map_err(|e| e.line), Err(1));
}

#[test]
fn a_bad_section_does_not_cascade() {
    // Keys under an unknown or invalid header are still checked, but the
    // header is reported once.
    let errors = Manifest::parse_all("[mod x]\nbinary = x.elf\n[module X]\nbinary = x.elf\n")
        .expect_err("errors");
    assert_eq!(errors.len(), 2, "{errors:?}");
    let errors = Manifest::parse_all("[mod x]\nbinary = .x\n").expect_err("errors");
    assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 2]);
}
