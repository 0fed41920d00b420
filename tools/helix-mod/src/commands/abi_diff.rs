//! `abi-diff OLD NEW`: the hot-reload ABI verdict of helix-protocol's
//! `AbiChecker`, every violation on its own line.

use std::path::Path;

use helix_protocol::AbiChecker;
use helix_protocol::metadata::ModuleRecord;
use serde_json::json;

use crate::error::ToolError;
use crate::outcome::{Outcome, push_line};
use crate::read::read_module;
use crate::wasm::{WASM_SECTION, WasmError};

fn record_of(path: &Path) -> Result<ModuleRecord, ToolError> {
    read_module(path)?.record.ok_or_else(|| ToolError::Wasm {
        path: path.to_path_buf(),
        error: WasmError::Malformed(format!(
            "no `{WASM_SECTION}` custom section: no ABI to compare"
        )),
    })
}

/// Compare the ABI of `old` with that of `new`.
pub fn abi_diff(old: &Path, new: &Path) -> Result<Outcome, ToolError> {
    let (o, n) = (record_of(old)?, record_of(new)?);
    let violations = match AbiChecker::check(o.abi, &o.symbols, n.abi, &n.symbols) {
        Ok(()) => Vec::new(),
        Err(v) => v,
    };
    let lines: Vec<String> = violations.iter().map(ToString::to_string).collect();
    let mut text = String::new();
    push_line(
        &mut text,
        format_args!(
            "{} {} (ABI {}) -> {} {} (ABI {}): {}",
            o.name,
            o.version,
            o.abi,
            n.name,
            n.version,
            n.abi,
            if lines.is_empty() {
                "compatible"
            } else {
                "INCOMPATIBLE"
            }
        ),
    );
    for line in &lines {
        push_line(&mut text, format_args!("{line}"));
    }
    let json = json!({
        "old": { "file": old.display().to_string(), "name": o.name, "version": o.version, "abi": o.abi.to_string() },
        "new": { "file": new.display().to_string(), "name": n.name, "version": n.version, "abi": n.abi.to_string() },
        "compatible": lines.is_empty(),
        "violations": lines,
    });
    Ok(Outcome::verdict(violations.is_empty(), text, json))
}
