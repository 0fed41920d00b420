//! The parsed manifest: settings and one entry per module.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cap::{CapEntry, CapKind};
use crate::policy::{CpuSet, Expect, RestartBudget, RestartPolicy, StartMode};

/// Priority of an entry that does not set `priority`.
pub const DEFAULT_PRIORITY: u8 = 100;
/// Heap budget of an entry that does not set `memory`: 1 MiB.
pub const DEFAULT_MEMORY: u64 = 1 << 20;

/// A whole boot manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The `[system]` settings (all defaults when there is no such section).
    pub system: SystemSettings,
    /// The modules, in the order the manifest lists them.
    pub modules: Vec<ModuleEntry>,
}

/// Settings of the `[system]` section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemSettings {
    /// The module that serves the console; `None`: the kernel's debug
    /// console only.
    pub console: Option<String>,
    /// More boot modules to stage (for `insmod` and `reload`), each once.
    pub binaries: Vec<String>,
}

/// One `[module NAME]` section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleEntry {
    /// Module name (unique in the manifest).
    pub name: String,
    /// 1-based line of the `[module NAME]` header (0 for a built entry).
    pub line: usize,
    /// The boot module file the manager loads.
    pub binary: String,
    /// Arguments: words joined by single spaces (`""` for none).
    pub args: String,
    /// When the module starts.
    pub start: StartMode,
    /// Priority of its thread, 0..=255, 255 highest.
    pub priority: u8,
    /// CPUs its thread may run on; `None`: any.
    pub cpus: Option<CpuSet>,
    /// Heap budget in bytes (a multiple of 4 KiB).
    pub memory: u64,
    /// What happens when its process ends.
    pub restart: RestartPolicy,
    /// How often it may be restarted.
    pub budget: RestartBudget,
    /// The manager saves its state every this many requests; 0: only when
    /// asked (before a reload).
    pub checkpoint_every: u32,
    /// Test verdict (test manifests only).
    pub expect: Option<Expect>,
    /// Granted caps, in manifest order.
    pub caps: Vec<CapEntry>,
}

/// A `client` cap: the module needs the provider of `interface`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requirement<'a> {
    /// The cap's name in the module.
    pub cap: &'a str,
    /// Interface the provider must offer.
    pub interface: &'a str,
    /// Version constraint on the provider, verbatim.
    pub constraint: &'a str,
}

impl ModuleEntry {
    /// An entry with every default and no caps (`line` 0).
    pub fn new(name: &str, binary: &str) -> ModuleEntry {
        ModuleEntry {
            name: String::from(name),
            line: 0,
            binary: String::from(binary),
            args: String::new(),
            start: StartMode::default(),
            priority: DEFAULT_PRIORITY,
            cpus: None,
            memory: DEFAULT_MEMORY,
            restart: RestartPolicy::default(),
            budget: RestartBudget::default(),
            checkpoint_every: 0,
            expect: None,
            caps: Vec::new(),
        }
    }

    /// The cap granted under `name`.
    pub fn cap(&self, name: &str) -> Option<&CapEntry> {
        self.caps.iter().find(|c| c.name == name)
    }

    /// Every `client` cap, in manifest order: the interfaces whose
    /// providers must run before this module.
    pub fn interfaces_required(&self) -> impl Iterator<Item = Requirement<'_>> {
        self.caps.iter().filter_map(|c| match &c.kind {
            CapKind::Client {
                interface,
                constraint,
            } => Some(Requirement {
                cap: &c.name,
                interface,
                constraint,
            }),
            _ => None,
        })
    }
}

impl Manifest {
    /// The module named `name`.
    pub fn module(&self, name: &str) -> Option<&ModuleEntry> {
        self.modules.iter().find(|m| m.name == name)
    }

    /// The distinct `binary` files, in order of first use: what the runner
    /// stages as boot modules.
    pub fn binaries(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let named = self.modules.iter().map(|m| m.binary.as_str());
        for b in named.chain(self.system.binaries.iter().map(String::as_str)) {
            if !out.contains(&b) {
                out.push(b);
            }
        }
        out
    }
}
