//! The text the console prints for each answer of the module manager.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use helix_protocol::ModuleFlags;
use helix_protocol::interfaces::modmgr::{
    DepsReport, InterfaceSummary, ModuleDetails, ModuleSummary,
};

/// `ESSENTIAL|USERSPACE` for a flags word (`-` for none).
pub fn flags(bits: u32) -> String {
    let names: Vec<&str> = ModuleFlags::from_bits_truncate(bits)
        .iter_names()
        .map(|(n, _)| n)
        .collect();
    if names.is_empty() {
        String::from("-")
    } else {
        names.join("|")
    }
}

fn id(n: u64) -> String {
    if n == 0 {
        String::from("-")
    } else {
        format!("{n}")
    }
}

/// The `lsmod` table.
pub fn lsmod(mods: &[ModuleSummary]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>3} {:<16} {:<8} {:<28} {:>3}  {:<18} STATE",
        "ID", "NAME", "VERSION", "FLAGS", "RST", "PROVIDES"
    );
    for m in mods {
        let provides = if m.provides.is_empty() {
            String::from("-")
        } else {
            m.provides.join(",")
        };
        let _ = writeln!(
            out,
            "{:>3} {:<16} {:<8} {:<28} {:>3}  {:<18} {}",
            id(m.id),
            m.name,
            if m.version.is_empty() {
                "-"
            } else {
                &m.version
            },
            flags(m.flags),
            m.restarts,
            provides,
            m.status
        );
    }
    out
}

/// What `modinfo` prints.
pub fn modinfo(d: &ModuleDetails) -> String {
    let s = &d.summary;
    let mut out = String::new();
    let _ = writeln!(out, "name:         {}", s.name);
    let _ = writeln!(out, "id:           {}", id(s.id));
    let _ = writeln!(out, "version:      {}", s.version);
    let _ = writeln!(out, "description:  {}", d.description);
    let _ = writeln!(out, "author:       {}", d.author);
    let _ = writeln!(out, "abi version:  {}", d.abi_version);
    let _ = writeln!(out, "flags:        {}", flags(s.flags));
    let _ = writeln!(out, "state:        {}", s.status);
    let _ = writeln!(out, "binary:       {} ({})", d.binary, d.format);
    let _ = writeln!(
        out,
        "args:         {}",
        if d.args.is_empty() { "-" } else { &d.args }
    );
    let _ = writeln!(
        out,
        "caps:         {}",
        if d.caps.is_empty() {
            String::from("-")
        } else {
            d.caps.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "provides:     {}",
        if s.provides.is_empty() {
            String::from("-")
        } else {
            s.provides.join(", ")
        }
    );
    let _ = writeln!(
        out,
        "dependencies:{}",
        if d.dependencies.is_empty() { " -" } else { "" }
    );
    for dep in &d.dependencies {
        let _ = writeln!(
            out,
            "  {} {} (found {})",
            dep.name,
            dep.constraint,
            dep.found.as_deref().unwrap_or("nothing")
        );
    }
    let _ = writeln!(
        out,
        "symbols:{}",
        if d.symbols.is_empty() { " -" } else { "" }
    );
    for sym in &d.symbols {
        let _ = writeln!(
            out,
            "  {} {}: {}{}",
            sym.kind,
            sym.name,
            sym.signature,
            if sym.deprecated { " (deprecated)" } else { "" }
        );
    }
    out
}

/// What `deps` prints.
pub fn deps(name: &str, d: &DepsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{name} needs:{}",
        if d.dependencies.is_empty() {
            " nothing"
        } else {
            ""
        }
    );
    for dep in &d.dependencies {
        let _ = writeln!(
            out,
            "  {} {} (found {})",
            dep.name,
            dep.constraint,
            dep.found.as_deref().unwrap_or("nothing")
        );
    }
    let _ = writeln!(
        out,
        "needed by: {}",
        if d.dependents.is_empty() {
            String::from("nothing")
        } else {
            d.dependents.join(", ")
        }
    );
    out
}

/// The `ifaces` table.
pub fn ifaces(list: &[InterfaceSummary]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<16} {:<10} PROVIDER", "INTERFACE", "VERSION");
    for i in list {
        let _ = writeln!(out, "{:<16} {:<10} {}", i.name, i.version, i.provider);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use helix_protocol::interfaces::modmgr::{DependencyInfo, ModuleStatus, SymbolInfo};

    fn kv() -> ModuleSummary {
        ModuleSummary {
            id: 3,
            name: "kvstore".into(),
            version: "1.0.0".into(),
            flags: (ModuleFlags::HOT_RELOADABLE | ModuleFlags::USERSPACE).bits(),
            status: ModuleStatus::Running,
            provides: alloc::vec!["kv@1.0.0".into()],
            restarts: 0,
        }
    }

    #[test]
    fn lsmod_has_a_row_per_module_with_its_fields() {
        let mut refused = kv();
        refused.id = 0;
        refused.name = "broken".into();
        refused.status = ModuleStatus::Refused("no boot module `x.elf`".into());
        let t = lsmod(&[kv(), refused]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with(" ID NAME"));
        for word in [
            "3",
            "kvstore",
            "1.0.0",
            "HOT_RELOADABLE|USERSPACE",
            "kv@1.0.0",
            "running",
        ] {
            assert!(lines[1].contains(word), "{word} in {}", lines[1]);
        }
        assert!(lines[2].trim_start().starts_with("- broken"));
        assert!(lines[2].ends_with("refused: no boot module `x.elf`"));
    }

    #[test]
    fn modinfo_shows_dependencies_and_symbols() {
        let d = ModuleDetails {
            summary: kv(),
            author: "Helix".into(),
            description: "Key-value store".into(),
            abi_version: "1.0.0".into(),
            binary: "kvstore.elf".into(),
            format: "Elf".into(),
            symbols: alloc::vec![SymbolInfo {
                name: "kv_put".into(),
                kind: "Function".into(),
                signature: "fn(String, Vec<u8>) -> Option<Vec<u8>>".into(),
                deprecated: false,
            }],
            dependencies: alloc::vec![DependencyInfo {
                name: "modmgr".into(),
                constraint: "^0.1".into(),
                found: Some("0.1.0".into()),
            }],
            args: String::new(),
            caps: alloc::vec![],
        };
        let t = modinfo(&d);
        assert!(t.contains("abi version:  1.0.0"));
        assert!(t.contains("  modmgr ^0.1 (found 0.1.0)"));
        assert!(t.contains("  Function kv_put: fn(String, Vec<u8>) -> Option<Vec<u8>>"));
        assert!(t.contains("flags:        HOT_RELOADABLE|USERSPACE"));
    }

    #[test]
    fn flags_and_empty_lists() {
        assert_eq!(flags(0), "-");
        assert!(
            deps(
                "a",
                &DepsReport {
                    dependencies: alloc::vec![],
                    dependents: alloc::vec![]
                }
            )
            .contains("needed by: nothing")
        );
        let t = ifaces(&[InterfaceSummary {
            name: "kv".into(),
            version: "1.0.0".into(),
            provider: "kvstore".into(),
        }]);
        assert!(t.lines().nth(1).unwrap().starts_with("kv "));
    }
}
