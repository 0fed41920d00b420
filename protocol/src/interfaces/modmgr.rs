//! The `modmgr` interface: what the module manager answers to programs —
//! the console's commands (`lsmod`, `modinfo`, `insmod`, `rmmod`, `deps`,
//! `ifaces`, `reload`, `restart`, `checkpoint`) and the name service (`lookup`, whose endpoint cap travels in
//! the reply; see `runtime::lookup`).
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};

/// Where a module is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModuleStatus {
    /// Its process runs.
    Running,
    /// Listed in the manifest with `start = manual`, not started.
    Available,
    /// Ended by itself with this exit status (0 = success).
    Exited(u64),
    /// Stopped by a fault, a panic or a failed start; the text says which.
    Failed(String),
    /// Not started: a dependency, a constraint or its binary was wrong.
    Refused(String),
}

impl fmt::Display for ModuleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModuleStatus::Running => f.write_str("running"),
            ModuleStatus::Available => f.write_str("available"),
            ModuleStatus::Exited(0) => f.write_str("exited"),
            ModuleStatus::Exited(n) => write!(f, "exited({n})"),
            ModuleStatus::Failed(why) => write!(f, "failed: {why}"),
            ModuleStatus::Refused(why) => write!(f, "refused: {why}"),
        }
    }
}

/// One line of `lsmod`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleSummary {
    /// Registry id.
    pub id: u64,
    /// Module name.
    pub name: String,
    /// Module version.
    pub version: String,
    /// `ModuleFlags` bits.
    pub flags: u32,
    /// Where it is in its life.
    pub status: ModuleStatus,
    /// Interfaces it provides (`name@version`).
    pub provides: Vec<String>,
    /// Times it was restarted.
    pub restarts: u32,
    /// What its last hot reload did (one line), if it was ever reloaded.
    pub last_reload: Option<String>,
    /// How its last failed process ended (a fault names the exception and
    /// the address), if one ever failed.
    pub last_failure: Option<String>,
}

/// A symbol as `modinfo` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolInfo {
    /// Symbol name.
    pub name: String,
    /// `Function`, `Variable` or `Type`.
    pub kind: String,
    /// Signature text.
    pub signature: String,
    /// Marked deprecated.
    pub deprecated: bool,
}

/// A dependency as `modinfo` and `deps` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyInfo {
    /// Module (or `iface:<interface>`) depended on.
    pub name: String,
    /// Version constraint.
    pub constraint: String,
    /// Version of the module that satisfies it, if one is registered.
    pub found: Option<String>,
}

/// Everything `modinfo` knows about a module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleDetails {
    /// The `lsmod` line.
    pub summary: ModuleSummary,
    /// Author.
    pub author: String,
    /// One-line description.
    pub description: String,
    /// ABI version (`major.minor.patch`).
    pub abi_version: String,
    /// Boot module it was loaded from.
    pub binary: String,
    /// Binary format (`ELF`, ...).
    pub format: String,
    /// Exported symbols.
    pub symbols: Vec<SymbolInfo>,
    /// Dependencies with their constraints.
    pub dependencies: Vec<DependencyInfo>,
    /// Arguments it was started with.
    pub args: String,
    /// Names of the caps the manifest granted.
    pub caps: Vec<String>,
}

/// What `deps NAME` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepsReport {
    /// What the module needs.
    pub dependencies: Vec<DependencyInfo>,
    /// Modules that need it.
    pub dependents: Vec<String>,
}

/// One line of `ifaces`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceSummary {
    /// Interface name.
    pub name: String,
    /// Interface version.
    pub version: String,
    /// Name of the providing module.
    pub provider: String,
}

/// The answer to `lookup`: who serves the interface (the send-only cap
/// arrives with the reply).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupAnswer {
    /// Providing module's id.
    pub provider: u64,
    /// Interface version it serves.
    pub version: String,
}

/// The time one phase of a hot reload took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseReport {
    /// The phase (`Preparing`, `SavingState`, ...).
    pub phase: String,
    /// Microseconds it took.
    pub us: u64,
}

/// What a completed hot reload did (the spec's `ReloadResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReloadReport {
    /// Version that served before.
    pub old_version: String,
    /// Version that serves now.
    pub new_version: String,
    /// Whether the old server's state was handed to the new one.
    pub state_preserved: bool,
    /// Bytes of that state.
    pub state_bytes: u64,
    /// Its format version, as the old version wrote it.
    pub state_format: Option<u32>,
    /// Microseconds no server took requests (quiesced to resumed).
    pub downtime_us: u64,
    /// Microseconds of the whole reload.
    pub total_us: u64,
    /// Each phase's time, in order.
    pub phases: Vec<PhaseReport>,
}

/// A checkpoint the module manager took (and keeps for self-healing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointReport {
    /// Bytes of the state.
    pub bytes: u64,
    /// Its format version (`ModuleState::version`), as the module wrote it.
    pub format: u32,
}

/// What a restart did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartReport {
    /// Bytes of the checkpoint the new process started from (`None`: it
    /// started fresh).
    pub checkpoint_bytes: Option<u64>,
    /// Times the module was restarted, this one included.
    pub restarts: u32,
}

/// Why the module manager refused a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ManagerError {
    /// No module, binary or interface of that name.
    NotFound(String),
    /// The module is ESSENTIAL.
    Essential(String),
    /// Other modules depend on it.
    InUse {
        /// The module.
        name: String,
        /// Who depends on it.
        dependents: Vec<String>,
    },
    /// Loading, resolving or starting failed; the text says why.
    Refused(String),
    /// The request is malformed (bad constraint, bad arguments).
    BadRequest(String),
    /// The caller may not do this.
    NotPermitted,
    /// A hot reload was refused before anything stopped: every reason.
    ReloadRefused(Vec<String>),
    /// A hot reload failed in `phase` and was rolled back: the old version
    /// serves again with its state.
    RolledBack {
        /// Where it failed.
        phase: String,
        /// Why.
        cause: String,
    },
    /// A hot reload failed and so did its rollback; self-healing restarted
    /// the module from its snapshot (`restarted`) or could not.
    RollbackFailed {
        /// Why the reload failed, then why the rollback did.
        cause: String,
        /// Whether the module serves again (restarted from its snapshot).
        restarted: bool,
    },
}

impl fmt::Display for ManagerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManagerError::NotFound(what) => write!(f, "not found: {what}"),
            ManagerError::Essential(name) => {
                write!(f, "{name} is ESSENTIAL and cannot be removed")
            }
            ManagerError::InUse { name, dependents } => {
                write!(f, "{name} is needed by {}", dependents.join(", "))
            }
            ManagerError::Refused(why) => write!(f, "refused: {why}"),
            ManagerError::BadRequest(why) => write!(f, "bad request: {why}"),
            ManagerError::NotPermitted => f.write_str("not permitted"),
            ManagerError::ReloadRefused(reasons) => {
                write!(f, "reload refused: {}", reasons.join("; "))
            }
            ManagerError::RolledBack { phase, cause } => {
                write!(f, "reload failed in {phase} ({cause}); rolled back")
            }
            ManagerError::RollbackFailed { cause, restarted } => write!(
                f,
                "reload and rollback failed ({cause}); {}",
                if *restarted {
                    "restarted from its snapshot"
                } else {
                    "not restarted"
                }
            ),
        }
    }
}

impl core::error::Error for ManagerError {}

crate::define_interface! {
    /// The module manager's interface (`"modmgr"` v1.1).
    interface ModuleManager {
        name: "modmgr",
        version: (1, 1),
        error: ManagerError,
        request: ManagerRequest,
        response: ManagerResponse,
        handler: ManagerHandler,
        client: ManagerClient,
        methods {
            /// Every registered module.
            fn lsmod() -> Vec<ModuleSummary> => Lsmod;
            /// Everything the metadata of module `name` says.
            fn modinfo(name: String) -> Box<ModuleDetails> => Modinfo;
            /// Load the boot module `path` and start it with `args`; its id.
            fn insmod(path: String, args: String) -> u64 => Insmod;
            /// Stop and remove module `name`.
            fn rmmod(name: String) -> () => Rmmod;
            /// What `name` depends on and what depends on it.
            fn deps(name: String) -> DepsReport => Deps;
            /// Every registered interface.
            fn ifaces() -> Vec<InterfaceSummary> => Ifaces;
            /// The provider of `interface` whose version meets `constraint`;
            /// a send-only cap to it arrives with the reply.
            fn lookup(interface: String, constraint: String) -> LookupAnswer => Lookup;
            /// Boot modules a program may `insmod`.
            fn binaries() -> Vec<String> => Binaries;
            /// Hot-reload module `name` from boot module `path`, its state
            /// carried over; clients keep their caps and lose no request.
            fn reload(name: String, path: String) -> ReloadReport => Reload;
            /// Stop module `name` and start it again from its binary with
            /// its last checkpoint.
            fn restart(name: String) -> RestartReport => Restart;
            /// Take a checkpoint of module `name` now (`None`: it keeps no
            /// state).
            fn checkpoint(name: String) -> Option<CheckpointReport> => Checkpoint;
        }
    }
}
