//! Text and JSON renderings of a module's metadata and image, shared by
//! `inspect`, `abi-diff` and `deps`.

use helix_module_loader::{ModuleFormat, Segment};
use helix_protocol::metadata::ModuleRecord;
use helix_protocol::{SymbolEntry, SymbolKind};
use serde_json::{Value, json};

use crate::outcome::push_line;
use crate::read::{Described, SignatureStatus};

/// `fn(u64) -> u32` for a function, the type for a variable or type.
pub fn signature_text(s: &SymbolEntry) -> String {
    match s.kind {
        SymbolKind::Function => s.signature.to_string(),
        SymbolKind::Variable | SymbolKind::Type => s.signature.ret.clone(),
    }
}

fn kind_text(kind: SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Function => "function",
        SymbolKind::Variable => "variable",
        SymbolKind::Type => "type",
    }
}

/// `HOT_RELOADABLE | USERSPACE`, or `(none)`.
pub fn flags_text(record: &ModuleRecord) -> String {
    let names: Vec<&str> = record.flags.iter_names().map(|(n, _)| n).collect();
    if names.is_empty() {
        String::from("(none)")
    } else {
        names.join(" | ")
    }
}

fn rights_text(s: &Segment) -> String {
    let r = s.rights;
    [(r.read, 'r'), (r.write, 'w'), (r.execute, 'x')]
        .iter()
        .map(|&(on, c)| if on { c } else { '-' })
        .collect()
}

/// `HelixNative`, `ELF`, `WebAssembly`.
pub fn format_text(format: ModuleFormat) -> String {
    format.to_string()
}

/// The signature line.
pub fn signature_status_text(s: &SignatureStatus) -> String {
    match s {
        SignatureStatus::NotApplicable => String::from("none (the format has no signatures)"),
        SignatureStatus::Unsigned => String::from("unsigned"),
        SignatureStatus::Signed { verifies: true, .. } => format!(
            "signed by key {}; the signature verifies for that key (use `verify` to check it against trusted keys)",
            s.fingerprint().map(|f| f.to_string()).unwrap_or_default()
        ),
        SignatureStatus::Signed {
            verifies: false, ..
        } => format!(
            "signed by key {}; the signature does NOT verify: the file was altered after signing",
            s.fingerprint().map(|f| f.to_string()).unwrap_or_default()
        ),
    }
}

/// The metadata lines.
pub fn record_text(out: &mut String, r: &ModuleRecord) {
    let mut line = |label: &str, value: &str| {
        push_line(out, format_args!("{label:<14}{value}"));
    };
    line("name:", &r.name);
    line("version:", &r.version);
    line("author:", &r.author);
    line("description:", &r.description);
    line("abi:", &r.abi.to_string());
    line("flags:", &flags_text(r));
    let deps: Vec<String> = r
        .dependencies
        .iter()
        .map(|d| format!("{} {}", d.name, d.version_constraint))
        .collect();
    line("dependencies:", &list(&deps));
    line("provides:", &list(&r.provides));
    if r.symbols.is_empty() {
        line("symbols:", "(none)");
    } else {
        line("symbols:", "");
        for s in &r.symbols.symbols {
            let deprecated = if s.deprecated { " (deprecated)" } else { "" };
            push_line(
                out,
                format_args!(
                    "  {} {}: {}{deprecated}",
                    kind_text(s.kind),
                    s.name,
                    signature_text(s)
                ),
            );
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        String::from("(none)")
    } else {
        items.join(", ")
    }
}

/// The record as JSON.
pub fn record_json(r: &ModuleRecord) -> Value {
    json!({
        "name": r.name,
        "version": r.version,
        "author": r.author,
        "description": r.description,
        "abi": r.abi.to_string(),
        "flags": r.flags.iter_names().map(|(n, _)| n).collect::<Vec<_>>(),
        "dependencies": r.dependencies.iter().map(|d| json!({
            "name": d.name, "constraint": d.version_constraint,
        })).collect::<Vec<_>>(),
        "provides": r.provides,
        "symbols": r.symbols.symbols.iter().map(|s| json!({
            "name": s.name,
            "kind": kind_text(s.kind),
            "signature": signature_text(s),
            "deprecated": s.deprecated,
        })).collect::<Vec<_>>(),
    })
}

/// A whole module as text.
pub fn described_text(d: &Described) -> String {
    let mut out = String::new();
    push_line(
        &mut out,
        format_args!("{:<14}{}", "format:", format_text(d.format)),
    );
    match &d.record {
        Some(r) => record_text(&mut out, r),
        None => {
            push_line(
                &mut out,
                format_args!(
                    "{:<14}none (no `{}` custom section)",
                    "metadata:",
                    crate::wasm::WASM_SECTION
                ),
            );
        }
    }
    if let Some(entry) = d.entry {
        push_line(&mut out, format_args!("{:<14}{entry:#x}", "entry:"));
    }
    if d.format == ModuleFormat::Wasm {
        push_line(
            &mut out,
            format_args!(
                "{:<14}(none: a Wasm module is run by a runtime server)",
                "segments:"
            ),
        );
    } else {
        push_line(&mut out, format_args!("{:<14}", "segments:"));
        for s in &d.segments {
            push_line(
                &mut out,
                format_args!(
                    "  {:#012x}..{:#012x} {} mem {:#x} file {:#x}",
                    s.vaddr,
                    s.vaddr.saturating_add(s.mem_size),
                    rights_text(s),
                    s.mem_size,
                    s.file_size
                ),
            );
        }
    }
    push_line(
        &mut out,
        format_args!(
            "{:<14}{}",
            "signature:",
            signature_status_text(&d.signature)
        ),
    );
    out
}

/// A whole module as JSON.
pub fn described_json(d: &Described) -> Value {
    let signature = match d.signature {
        SignatureStatus::NotApplicable => json!({ "status": "not-applicable" }),
        SignatureStatus::Unsigned => json!({ "status": "unsigned" }),
        SignatureStatus::Signed { verifies, .. } => json!({
            "status": "signed",
            "key": d.signature.fingerprint().map(|f| f.to_string()),
            "verifies": verifies,
        }),
    };
    json!({
        "format": format_text(d.format),
        "metadata": d.record.as_ref().map(record_json),
        "entry": d.entry,
        "segments": d.segments.iter().map(|s| json!({
            "vaddr": s.vaddr,
            "mem_size": s.mem_size,
            "file_offset": s.file_offset,
            "file_size": s.file_size,
            "rights": rights_text(s),
        })).collect::<Vec<_>>(),
        "signature": signature,
    })
}
