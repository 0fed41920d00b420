//! Writing a manifest back as text.
//!
//! The text is canonical: `[system]` first (only when it sets anything),
//! then one section per module separated by a blank line, keys in
//! declaration order, values equal to the default left out, then the caps
//! in order. Parsing it gives the same manifest back.

use alloc::string::{String, ToString};
use core::fmt;

use crate::key::Key;
use crate::model::{DEFAULT_MEMORY, DEFAULT_PRIORITY, Manifest, ModuleEntry};
use crate::policy::{RestartBudget, RestartPolicy, Size, StartMode};

impl Manifest {
    /// The manifest as canonical text (see [`fmt::Display`]).
    pub fn render(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Manifest {
    /// The canonical text of the manifest, for a manifest whose values keep
    /// the rules the parser enforces (every parsed one does).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if self.system.console.is_some() || !self.system.binaries.is_empty() {
            f.write_str("[system]\n")?;
            if let Some(console) = &self.system.console {
                setting(f, Key::Console, console)?;
            }
            if !self.system.binaries.is_empty() {
                setting(f, Key::Binaries, self.system.binaries.join(", "))?;
            }
            first = false;
        }
        for m in &self.modules {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            module(f, m)?;
        }
        Ok(())
    }
}

fn setting(f: &mut fmt::Formatter<'_>, key: Key, value: impl fmt::Display) -> fmt::Result {
    writeln!(f, "{key} = {value}")
}

fn module(f: &mut fmt::Formatter<'_>, m: &ModuleEntry) -> fmt::Result {
    writeln!(f, "[module {}]", m.name)?;
    setting(f, Key::Binary, &m.binary)?;
    if !m.args.is_empty() {
        setting(f, Key::Args, &m.args)?;
    }
    if m.start != StartMode::default() {
        setting(f, Key::Start, m.start)?;
    }
    if m.priority != DEFAULT_PRIORITY {
        setting(f, Key::Priority, m.priority)?;
    }
    if let Some(cpus) = m.cpus {
        setting(f, Key::Cpus, cpus)?;
    }
    if m.memory != DEFAULT_MEMORY {
        setting(f, Key::Memory, Size(m.memory))?;
    }
    if m.restart != RestartPolicy::default() {
        setting(f, Key::Restart, m.restart)?;
    }
    if m.budget != RestartBudget::default() {
        setting(f, Key::RestartBudget, m.budget)?;
    }
    if m.checkpoint_every != 0 {
        setting(f, Key::Checkpoint, m.checkpoint_every)?;
    }
    if let Some(expect) = m.expect {
        setting(f, Key::Expect, expect)?;
    }
    for cap in &m.caps {
        writeln!(f, "cap {} = {}", cap.name, cap.kind)?;
    }
    Ok(())
}
