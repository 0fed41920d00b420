//! The text the console prints for each answer of the module manager.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use helix_protocol::ModuleFlags;
use helix_protocol::interfaces::modmgr::{
    CheckpointReport, DepsReport, InterfaceSummary, ModuleDetails, ModuleSummary, ReloadReport,
    RestartReport,
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
        if let Some(f) = &m.last_failure {
            let _ = writeln!(out, "      last failure: {f}");
        }
        if let Some(r) = &m.last_reload {
            let _ = writeln!(out, "      last reload: {r}");
        }
    }
    out
}

/// What `reload` prints: versions, state, downtime and each phase.
pub fn reload(name: &str, r: &ReloadReport) -> String {
    let mut out = format!("{name}: {} -> {}, ", r.old_version, r.new_version);
    if r.state_preserved {
        let _ = write!(out, "state preserved ({} bytes", r.state_bytes);
        if let Some(v) = r.state_format {
            let _ = write!(out, ", format {v}");
        }
        out.push(')');
    } else {
        out.push_str("no state");
    }
    let _ = writeln!(
        out,
        "; downtime {} us, total {} us",
        r.downtime_us, r.total_us
    );
    let phases: Vec<String> = r
        .phases
        .iter()
        .map(|p| format!("{} {} us", p.phase, p.us))
        .collect();
    let _ = writeln!(out, "  phases: {}", phases.join(", "));
    out
}

/// What `restart` prints.
pub fn restart(name: &str, r: &RestartReport) -> String {
    match r.checkpoint_bytes {
        Some(b) => format!(
            "{name} restarted from a checkpoint of {b} bytes (restart {})\n",
            r.restarts
        ),
        None => format!("{name} restarted without state (restart {})\n", r.restarts),
    }
}

/// What `checkpoint` prints.
pub fn checkpoint(name: &str, c: Option<&CheckpointReport>) -> String {
    match c {
        Some(c) => format!(
            "{name}: checkpoint of {} bytes (format {})\n",
            c.bytes, c.format
        ),
        None => format!("{name} keeps no state\n"),
    }
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
            last_reload: None,
            last_failure: None,
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
        let mut healed = kv();
        healed.restarts = 1;
        healed.last_failure = Some("fault: #PF at address 0xffff800000000000".into());
        healed.last_reload = Some("Completed: kvstore 1.0.0 -> 1.0.1".into());
        let t = lsmod(&[healed]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[2].contains("last failure: fault: #PF at address 0xffff800000000000"));
        assert!(lines[3].contains("last reload: Completed: kvstore 1.0.0 -> 1.0.1"));
    }

    #[test]
    fn reload_restart_and_checkpoint_reports() {
        let r = ReloadReport {
            old_version: "1.0.0".into(),
            new_version: "1.0.1".into(),
            state_preserved: true,
            state_bytes: 120,
            state_format: Some(1),
            downtime_us: 80,
            total_us: 900,
            phases: alloc::vec![helix_protocol::interfaces::modmgr::PhaseReport {
                phase: "Preparing".into(),
                us: 10,
            }],
        };
        let t = reload("kvstore", &r);
        assert!(t.starts_with(
            "kvstore: 1.0.0 -> 1.0.1, state preserved (120 bytes, format 1); downtime 80 us"
        ));
        assert!(t.contains("phases: Preparing 10 us"));
        let t = restart(
            "kv",
            &RestartReport {
                checkpoint_bytes: None,
                restarts: 2,
            },
        );
        assert_eq!(t, "kv restarted without state (restart 2)\n");
        assert_eq!(checkpoint("kv", None), "kv keeps no state\n");
        let c = CheckpointReport {
            bytes: 7,
            format: 2,
        };
        assert_eq!(
            checkpoint("kv", Some(&c)),
            "kv: checkpoint of 7 bytes (format 2)\n"
        );
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
