use super::*;
use crate::render;

const SAMPLE: &str = include_str!("../../../../limine.cfg");

#[test]
fn project_limine_cfg_parses() {
    let c = parse(SAMPLE).unwrap();
    assert_eq!(c.global("timeout"), Some("0"));
    let e = c.default_entry().unwrap();
    assert_eq!(e.name, "Helix");
    assert_eq!(e.protocol, "limine");
    let p = e.path.unwrap();
    assert_eq!(
        (p.resource, p.argument, p.path),
        ("boot", "", "/boot/helix/kernel.elf")
    );
    assert!(e.modules.len() >= 2);
    // The root server comes first (the kernel starts module 0); the
    // manifest is somewhere in the list.
    assert_eq!(e.modules[0].cmdline, "modmgr");
    assert!(e.modules.iter().any(|m| m.path.path.ends_with(".manifest")));
    assert!(e.modules.iter().any(|m| m.cmdline == "helix-manifest"));
}

#[test]
fn render_round_trips() {
    let c = parse(SAMPLE).unwrap();
    let text = render(&c);
    let again = parse(&text).unwrap();
    assert_eq!(render(&again), text);
    assert_eq!(again.entries[0].modules, {
        let mut m = c.entries[0].modules.clone();
        for (a, b) in m.iter_mut().zip(&again.entries[0].modules) {
            a.line = b.line;
        }
        m
    });
}

#[test]
fn malformed_line_names_its_number() {
    let e = parse("timeout: 0\n/Helix\n    protocol limine\n").unwrap_err();
    assert_eq!(
        e,
        ParseError {
            line: 3,
            kind: ParseErrorKind::NotKeyValue
        }
    );
    assert_eq!(
        e.to_string(),
        "line 3: expected `key: value`, `/Entry`, `# comment` or blank"
    );
}

#[test]
fn bad_paths_are_rejected() {
    for bad in [
        "kernel.elf",
        "boot:/k",
        "boot()k",
        "(): /k",
        "boot():",
        "boot():k",
        "bo ot():/k",
    ] {
        assert_eq!(parse_path(bad), Err(ParseErrorKind::BadPath), "{bad}");
    }
    let p = parse_path("boot(2):/a/b#abc").unwrap();
    assert_eq!(
        (p.resource, p.argument, p.path, p.hash),
        ("boot", "2", "/a/b", Some("abc"))
    );
}

#[test]
fn module_cmdline_needs_a_module() {
    let e = parse("/A\n protocol: limine\n module_cmdline: x\n").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::ModuleCmdlineWithoutModule);
}

#[test]
fn entry_options_outside_entries_are_rejected() {
    let e = parse("path: boot():/k\n").unwrap_err();
    assert_eq!(
        e,
        ParseError {
            line: 1,
            kind: ParseErrorKind::EntryOptionOutsideEntry
        }
    );
}

#[test]
fn duplicates_rejected() {
    let e = parse("/A\nprotocol: limine\nprotocol: linux\n").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Duplicate);
}

#[test]
fn macros_expand_whole_values() {
    let c = parse("${K}=boot():/k.elf\n/A\nprotocol: limine\npath: ${K}\n").unwrap();
    assert_eq!(c.entries[0].path.unwrap().path, "/k.elf");
    let e = parse("/A\nprotocol: limine\npath: ${NOPE}\n").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::UndefinedMacro);
}

#[test]
fn legacy_keys_and_directories() {
    let c = parse("/Dir\n//+Sub\nPROTOCOL: limine\nkernel_path: boot():/k\nkernel_cmdline: a b\n")
        .unwrap();
    assert!(!c.entries[0].is_bootable());
    let e = c.default_entry().unwrap();
    assert_eq!((e.name, e.depth, e.cmdline), ("Sub", 2, "a b"));
}

#[test]
fn default_entry_counts_bootable_entries() {
    let c = parse("default_entry: 2\n/A\nprotocol: limine\n/B\nprotocol: limine\n").unwrap();
    assert_eq!(c.default_entry().unwrap().name, "B");
    assert!(
        parse("default_entry: 3\n/A\nprotocol: limine\n")
            .unwrap()
            .default_entry()
            .is_none()
    );
}

#[test]
fn empty_entry_name_rejected() {
    assert_eq!(
        parse("/\n").unwrap_err().kind,
        ParseErrorKind::EmptyEntryName
    );
    assert_eq!(parse(": x\n").unwrap_err().kind, ParseErrorKind::EmptyKey);
}
