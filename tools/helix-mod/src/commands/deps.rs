//! `deps MANIFEST --modules DIR`: the boot order of a manifest's modules,
//! from their binaries' metadata, by helix-modmgr's `DependencyResolver`.
//!
//! Each module is a candidate under its record's name and version, with
//! the record's dependencies, plus one per `client IFACE CONSTRAINT` cap:
//! a dependency on the module whose record provides IFACE (`"kv"` or
//! `"kv@1.0"`), whose version must satisfy CONSTRAINT (docs/formats.md:
//! "the provider's version must satisfy CONSTRAINT"). An interface that no
//! module provides, or that two provide, is reported here; everything else
//! (missing modules, unsatisfied constraints, cycles, refusals passed on to
//! dependents) is the resolver's verdict.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use helix_manifest::{Manifest, ModuleEntry};
use helix_modmgr::{Candidate, DependencyResolver, InterfaceSpec, ModuleId, Refusal};
use helix_protocol::metadata::ModuleRecord;
use serde_json::json;

use crate::error::ToolError;
use crate::outcome::{Outcome, push_line};
use crate::read::read_module;

/// Prefix of the name a dependency on a provider-less interface gets: no
/// module name contains a space, so the resolver reports it missing.
const NO_PROVIDER: &str = "interface ";

struct Loaded<'a> {
    entry: &'a ModuleEntry,
    record: ModuleRecord,
}

fn read_records<'a>(manifest: &'a Manifest, dir: &Path) -> Result<Vec<Loaded<'a>>, ToolError> {
    manifest
        .modules
        .iter()
        .map(|entry| {
            let in_module = |source| ToolError::InModule {
                module: entry.name.clone(),
                source: Box::new(source),
            };
            let path = dir.join(&entry.binary);
            let d = read_module(&path).map_err(in_module)?;
            let record = d.record.ok_or_else(|| {
                in_module(ToolError::Wasm {
                    path: path.clone(),
                    error: crate::wasm::WasmError::Malformed(String::from(
                        "no `helix_module` custom section: the module has no metadata",
                    )),
                })
            })?;
            Ok(Loaded { entry, record })
        })
        .collect()
}

/// Order the modules of `manifest_path`, reading their binaries from `dir`.
pub fn deps(manifest_path: &Path, dir: &Path) -> Result<Outcome, ToolError> {
    let text = fs::read_to_string(manifest_path).map_err(|source| ToolError::Read {
        path: manifest_path.to_path_buf(),
        source,
    })?;
    let manifest = Manifest::parse_all(&text).map_err(|errors| ToolError::Manifest {
        path: manifest_path.to_path_buf(),
        errors,
    })?;
    let modules = read_records(&manifest, dir)?;

    // Interface -> the modules that provide it.
    let mut providers: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, m) in modules.iter().enumerate() {
        for text in &m.record.provides {
            match InterfaceSpec::parse(text) {
                Ok(spec) => providers.entry(spec.name).or_default().push(i),
                Err(e) => problems.push(format!("{}: {e}", m.entry.name)),
            }
        }
    }
    for (interface, by) in &providers {
        if let [first, rest @ ..] = by.as_slice() {
            for other in rest {
                problems.push(format!(
                    "conflict: interface {interface} is provided by both {} and {}",
                    modules[*first].entry.name, modules[*other].entry.name
                ));
            }
        }
    }

    let mut resolver = DependencyResolver::new();
    for (i, m) in modules.iter().enumerate() {
        let mut candidate = Candidate::from_record(ModuleId(i as u64), &m.record);
        for req in m.entry.interfaces_required() {
            let provider = providers
                .get(req.interface)
                .and_then(|by| by.first())
                .and_then(|&p| modules.get(p));
            let name = provider.map_or_else(
                || format!("{NO_PROVIDER}{}", req.interface),
                |p| p.record.name.clone(),
            );
            candidate = candidate.requires(&name, req.constraint);
        }
        resolver.add(candidate);
    }
    let resolution = resolver.resolve();

    let refusals: Vec<String> = resolution.refused.iter().map(refusal_text).collect();
    let ok = refusals.is_empty() && problems.is_empty();
    let mut out = String::new();
    let row = |id: &ModuleId| modules.get(id.0 as usize);
    if ok {
        push_line(
            &mut out,
            format_args!("load order ({} modules):", resolution.order.len()),
        );
    } else {
        push_line(
            &mut out,
            format_args!("no complete load order; these can start, in order:"),
        );
    }
    for (n, m) in resolution.order.iter().filter_map(row).enumerate() {
        push_line(
            &mut out,
            format_args!(
                "  {}. {} ({} {}, {}{})",
                n + 1,
                m.entry.name,
                m.record.name,
                m.record.version,
                m.entry.binary,
                if m.entry.start == helix_manifest::StartMode::Manual {
                    ", manual"
                } else {
                    ""
                }
            ),
        );
    }
    for p in &problems {
        push_line(&mut out, format_args!("{p}"));
    }
    for r in &refusals {
        push_line(&mut out, format_args!("refused: {r}"));
    }
    let json = json!({
        "manifest": manifest_path.display().to_string(),
        "ok": ok,
        "order": resolution.order.iter().filter_map(row).map(|m| json!({
            "module": m.entry.name,
            "name": m.record.name,
            "version": m.record.version,
            "binary": m.entry.binary,
        })).collect::<Vec<_>>(),
        "problems": problems,
        "refused": refusals,
    });
    Ok(Outcome::verdict(ok, out, json))
}

/// A refusal's line; a dependency on an interface nobody provides says so.
fn refusal_text(r: &Refusal) -> String {
    match r {
        Refusal::Missing {
            module,
            dependency,
            constraint,
        } if dependency.starts_with(NO_PROVIDER) => {
            format!("{module} needs {dependency} {constraint}, which no module provides")
        }
        other => other.to_string(),
    }
}
