//! The manager's state: every module it knows (running, exited, failed,
//! refused, available), the spec's registries, the loaders, the boot
//! modules it may load, and its own caps; and the two things everything
//! else is built from: starting a module and stopping one.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use helix_abi::bootinfo::{SLOT_IO_PORTS, SLOT_IRQ_CONTROL};
use helix_manifest::{CapKind, ModuleEntry};
use helix_modmgr::layout::SpawnPlan;
use helix_modmgr::{
    InterfaceRegistry, ModuleId, ModuleRegistry, ServerProxy, metadata_from_record,
};
use helix_module_loader::{LoadedModule, LoaderRegistry};
use helix_protocol::interfaces::modmgr::ModuleStatus;
use helix_protocol::runtime::{IpcTransport, MANAGER_BADGE};
use helix_protocol::{Module, ModuleContext, ModuleError, ModuleFlags, ModuleMetadata};
use helix_sys::bootinfo::BootInfo;
use helix_sys::{Cap, CapRights, CapType, Endpoint, IoPorts, IrqControl, Untyped};

use crate::clock;
use crate::slots::Slots;
use crate::spawn::{self, Env, Grant, Process, Spawn};
use crate::verdict::Verdicts;

/// Badge kinds on the manager's endpoint (bits 32..): who is talking.
pub mod badge {
    /// Any process: reports, lookups, read-only requests.
    pub const REPORT: u64 = 1 << 32;
    /// The kernel, on behalf of a faulting thread.
    pub const FAULT: u64 = 2 << 32;
    /// A holder of the manifest's `modmgr` cap: every request.
    pub const CONTROL: u64 = 3 << 32;
    /// The module id in a badge.
    pub const fn id(b: u64) -> u64 {
        b & 0xffff_ffff
    }
    /// The kind of a badge.
    pub const fn kind(b: u64) -> u64 {
        b & !0xffff_ffff
    }
}

/// A module the manager knows.
pub struct Managed {
    /// Registry id.
    pub id: ModuleId,
    /// Its manifest entry (or the one `insmod` made).
    pub entry: ModuleEntry,
    /// The loaded binary's description.
    pub loaded: LoadedModule,
    /// Where it is in its life.
    pub status: ModuleStatus,
    /// Its process while it runs.
    pub process: Option<Process>,
    /// Manager slot of its service endpoint (servers).
    pub service: Option<u32>,
    /// Manager slot of the manager-badged copy (the control path).
    pub control: Option<u32>,
    /// Times it was restarted.
    pub restarts: u32,
}

/// The module manager itself, as a registry entry (ESSENTIAL).
struct SelfModule {
    meta: ModuleMetadata,
}

impl Module for SelfModule {
    fn metadata(&self) -> &ModuleMetadata {
        &self.meta
    }
    fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> {
        Ok(())
    }
    fn start(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ModuleError> {
        Err(ModuleError::PermissionDenied)
    }
    fn cleanup(&mut self) -> Result<(), ModuleError> {
        Err(ModuleError::PermissionDenied)
    }
    fn is_healthy(&self) -> bool {
        true
    }
}

/// The manager's metadata record.
pub fn own_record() -> helix_protocol::metadata::ModuleRecord {
    helix_protocol::metadata::ModuleRecord {
        abi: helix_protocol::AbiVersion::CURRENT,
        flags: ModuleFlags::ESSENTIAL.union(ModuleFlags::USERSPACE),
        name: "modmgr".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        author: "Helix".into(),
        description: "Module manager: registry, dependencies, loaders, name service".into(),
        dependencies: Vec::new(),
        provides: alloc::vec!["modmgr@1.0".into()],
        symbols: helix_protocol::SymbolTable::default(),
    }
}

/// Everything the manager holds.
pub struct Manager {
    /// Its root caps.
    pub env: Env,
    /// Its CSpace.
    pub slots: Slots,
    /// The boot-info page (boot modules).
    pub boot: BootInfo,
    /// Boot module bytes, by file name, loaded on first use.
    pub binaries: BTreeMap<String, Vec<u8>>,
    /// The format loaders.
    pub loaders: LoaderRegistry,
    /// The spec's module registry (proxies of the server processes).
    pub registry: ModuleRegistry,
    /// The name service.
    pub interfaces: InterfaceRegistry,
    /// Per-module state, by registry id.
    pub modules: BTreeMap<ModuleId, Managed>,
    /// Manifest entries that did not start, with why.
    pub refused: Vec<(String, String)>,
    /// `start = manual` entries, by binary file name.
    pub available: Vec<ModuleEntry>,
    /// System-test verdicts.
    pub verdicts: Verdicts,
    /// The manager's own id.
    pub own_id: ModuleId,
    /// TSC ticks each successful spawn took (for `make bench`).
    pub spawn_ticks: Vec<u64>,
}

/// Why a boot module could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadFailure {
    /// No boot module has that file name.
    Missing(String),
    /// The loaders refused it; their reason.
    Invalid(String),
}

impl From<LoadFailure> for helix_modmgr::boot::Loaded {
    fn from(f: LoadFailure) -> Self {
        match f {
            LoadFailure::Missing(m) => helix_modmgr::boot::Loaded::Missing(m),
            LoadFailure::Invalid(r) => helix_modmgr::boot::Loaded::Invalid(r),
        }
    }
}

/// Why a module could not start (a line for logs and `insmod`).
pub type StartError = String;

impl Manager {
    /// A manager over `env` with nothing loaded yet.
    pub fn new(env: Env, boot: BootInfo, slots: Slots) -> Manager {
        let mut registry = ModuleRegistry::new();
        let record = own_record();
        let meta = metadata_from_record(&record);
        // An empty registry takes any name: the first id is the manager's.
        let own_id = registry
            .register(Box::new(SelfModule { meta }))
            .unwrap_or(ModuleId(1));
        Manager {
            env,
            slots,
            boot,
            binaries: BTreeMap::new(),
            loaders: LoaderRegistry::with_builtin_loaders(),
            registry,
            interfaces: InterfaceRegistry::new(),
            modules: BTreeMap::new(),
            refused: Vec::new(),
            available: Vec::new(),
            verdicts: Verdicts::default(),
            own_id,
            spawn_ticks: Vec::new(),
        }
    }

    /// The bytes of boot module `file` (a file name; the boot path ends
    /// with `/file`), copied into the heap on first use.
    pub fn binary(&mut self, file: &str) -> Option<&Vec<u8>> {
        if !self.binaries.contains_key(file) {
            let suffix = format!("/{file}");
            let m = (0..self.boot.module_count())
                .filter_map(|i| self.boot.module(i))
                .find(|m| m.name().ends_with(&suffix) || m.name() == file)?;
            let mut bytes = alloc::vec![0u8; m.size as usize];
            m.read(0, &mut bytes).ok()?;
            self.binaries.insert(file.to_string(), bytes);
        }
        self.binaries.get(file)
    }

    /// Load boot module `file`: its description, or why not (missing or
    /// refused by the loaders).
    pub fn load(&mut self, file: &str) -> Result<LoadedModule, LoadFailure> {
        if self.binary(file).is_none() {
            return Err(LoadFailure::Missing(file.to_string()));
        }
        let bytes = self
            .binaries
            .get(file)
            .map(Vec::as_slice)
            .unwrap_or_default();
        self.loaders
            .load(bytes)
            .map_err(|e| LoadFailure::Invalid(e.to_string()))
    }

    /// File names of every boot module.
    pub fn boot_files(&self) -> Vec<String> {
        (0..self.boot.module_count())
            .filter_map(|i| self.boot.module(i))
            .map(|m| m.name().rsplit('/').next().unwrap_or("").to_string())
            .collect()
    }

    /// Find a module by name.
    pub fn by_name(&self, name: &str) -> Option<&Managed> {
        let id = self.registry.find_by_name(name)?;
        self.modules.get(&id)
    }

    /// Make the named caps of `entry` for module `id`.
    fn grants(
        &mut self,
        id: ModuleId,
        entry: &ModuleEntry,
    ) -> Result<Vec<(String, Grant)>, StartError> {
        let mut out = Vec::new();
        for cap in &entry.caps {
            let grant = match &cap.kind {
                CapKind::Client {
                    interface,
                    constraint,
                } => {
                    let service = self
                        .interfaces
                        .lookup(interface, constraint)
                        .map_err(|e| format!("cap {}: {e}", cap.name))?;
                    Grant::Mint {
                        src: service.endpoint,
                        rights: CapRights::WRITE,
                        badge: id.0,
                        cap_type: CapType::Endpoint,
                    }
                }
                CapKind::IoPorts { first, last } => {
                    let slot = self.slots.take().map_err(|e| e.to_string())?;
                    let ports: Cap<IoPorts> = Cap::from_slot(SLOT_IO_PORTS);
                    ports.mint_range(*first, *last, slot).map_err(|e| {
                        format!("cap {}: ports {first:#x}-{last:#x}: {e}", cap.name)
                    })?;
                    Grant::Move {
                        src: slot,
                        cap_type: CapType::IoPorts,
                    }
                }
                CapKind::Irq(line) => {
                    let slot = self.slots.take().map_err(|e| e.to_string())?;
                    let irq: Cap<IrqControl> = Cap::from_slot(SLOT_IRQ_CONTROL);
                    irq.get(u64::from(*line), slot)
                        .map_err(|e| format!("cap {}: IRQ {line}: {e}", cap.name))?;
                    Grant::Move {
                        src: slot,
                        cap_type: CapType::IrqHandler,
                    }
                }
                CapKind::Modmgr => Grant::Mint {
                    src: self.env.endpoint.slot(),
                    rights: CapRights::WRITE.union(CapRights::GRANT),
                    badge: badge::CONTROL | id.0,
                    cap_type: CapType::Endpoint,
                },
                CapKind::Untyped(bytes) => {
                    let slot = self.slots.take().map_err(|e| e.to_string())?;
                    self.env
                        .memory
                        .split(slot, *bytes)
                        .map_err(|e| format!("cap {}: {bytes} bytes: {e}", cap.name))?;
                    Grant::Move {
                        src: slot,
                        cap_type: CapType::Untyped,
                    }
                }
            };
            out.push((cap.name.clone(), grant));
        }
        Ok(out)
    }

    /// Register and start `entry` (whose binary `loaded` describes);
    /// returns its id. Nothing is left behind when it fails.
    pub fn start(
        &mut self,
        entry: ModuleEntry,
        loaded: LoadedModule,
    ) -> Result<ModuleId, StartError> {
        let t0 = clock::now();
        let record = &loaded.record;
        let plan = SpawnPlan::new(&loaded, entry.memory).map_err(|e| e.to_string())?;
        let server = !record.provides.is_empty();
        let (service, control) = if server {
            let s = self.slots.take().map_err(|e| e.to_string())?;
            let ep: Cap<Endpoint> = self
                .env
                .memory
                .retype(s, 0)
                .map_err(|e| format!("service endpoint: {e}"))?;
            let c = self.slots.take().map_err(|e| e.to_string())?;
            ep.mint(c, CapRights::WRITE, MANAGER_BADGE)
                .map_err(|e| format!("control cap: {e}"))?;
            (Some(s), Some(c))
        } else {
            (None, None)
        };
        let transport = IpcTransport::new(Cap::from_slot(control.unwrap_or(0)));
        let id = match self
            .registry
            .register(Box::new(ServerProxy::new(record, transport)))
        {
            Ok(id) => id,
            Err(e) => {
                self.free_endpoints(service, control);
                return Err(e.to_string());
            }
        };
        let result = self.spawn_registered(id, &entry, &plan, service);
        let process = match result {
            Ok(p) => p,
            Err(e) => {
                if self.registry.unregister(id).is_ok() {
                    self.free_endpoints(service, control);
                } else {
                    // An ESSENTIAL module stays registered, failed, so
                    // `lsmod` shows it and nothing can take its name.
                    self.modules.insert(
                        id,
                        Managed {
                            id,
                            entry,
                            loaded,
                            status: ModuleStatus::Failed(e.clone()),
                            process: None,
                            service,
                            control,
                            restarts: 0,
                        },
                    );
                }
                return Err(e);
            }
        };
        if let Some(s) = service
            && let Err(e) = self.interfaces.register_provided(&record.provides, id, s)
        {
            log::warn!(target: "modmgr", "{}: interfaces not registered: {e}", entry.name);
        }
        self.spawn_ticks.push(clock::now().saturating_sub(t0));
        let frames: u64 = plan.image.iter().map(|f| f.pages).sum();
        log::info!(
            target: "modmgr",
            "started {} {} (#{}) in {} us: {} image pages, {} KiB budget{}",
            entry.name,
            record.version,
            id.0,
            clock::us(t0, clock::now()),
            frames,
            (plan.objects_budget + plan.heap_budget) >> 10,
            if record.provides.is_empty() {
                String::new()
            } else {
                format!(", provides {}", record.provides.join(", "))
            }
        );
        self.verdicts.start(&entry.name);
        self.modules.insert(
            id,
            Managed {
                id,
                entry,
                loaded,
                status: ModuleStatus::Running,
                process: Some(process),
                service,
                control,
                restarts: 0,
            },
        );
        Ok(id)
    }

    fn spawn_registered(
        &mut self,
        id: ModuleId,
        entry: &ModuleEntry,
        plan: &SpawnPlan,
        service: Option<u32>,
    ) -> Result<Process, StartError> {
        let named = self.grants(id, entry)?;
        let binary = self
            .binaries
            .get(&entry.binary)
            .ok_or_else(|| format!("binary {} not loaded", entry.binary))?;
        let s = Spawn {
            id: id.0,
            name: &entry.name,
            args: &entry.args,
            binary,
            plan,
            priority: entry.priority,
            cpus: entry.cpus.map(|c| c.mask()),
            report_badge: badge::REPORT | id.0,
            fault_badge: badge::FAULT | id.0,
            service,
            named,
            quiesced: false,
        };
        let env = self.env;
        let result = spawn::spawn(&env, &mut self.slots, &s);
        // Moved caps are the child's now (or gone with it); their slots
        // are free either way.
        for (_, g) in &s.named {
            if let Grant::Move { src, .. } = g {
                if result.is_err() {
                    let c: Cap<Untyped> = Cap::from_slot(*src);
                    // An emptied slot answers EmptySlot: nothing to undo.
                    let _ = c.delete();
                }
                self.slots.give_back(*src);
            }
        }
        result.map_err(|e| format!("spawn: {e}"))
    }

    fn free_endpoints(&mut self, service: Option<u32>, control: Option<u32>) {
        for s in [control, service].into_iter().flatten() {
            let c: Cap<Endpoint> = Cap::from_slot(s);
            // Revoke takes every client's copy; delete destroys the
            // endpoint (waiting clients wake with Revoked).
            let _ = c.revoke();
            let _ = c.delete();
            self.slots.give_back(s);
        }
    }

    /// The process of `id` ended (exit, fault, panic): destroy it and set
    /// its status. Its registration, endpoint and clients' caps stay (a
    /// restart serves them again).
    pub fn ended(&mut self, id: ModuleId, status: ModuleStatus) {
        let Some(m) = self.modules.get_mut(&id) else {
            return;
        };
        if let Some(p) = m.process.take() {
            spawn::destroy(p, &mut self.slots);
        }
        m.status = status;
    }

    /// Remove module `id` entirely: its process, interfaces, endpoint
    /// (every client cap with it) and registration.
    pub fn remove(&mut self, id: ModuleId) -> Result<(), String> {
        self.registry.unregister(id).map_err(|e| e.to_string())?;
        self.interfaces.unregister_provider(id);
        if let Some(mut m) = self.modules.remove(&id) {
            if let Some(p) = m.process.take() {
                spawn::destroy(p, &mut self.slots);
            }
            self.free_endpoints(m.service, m.control);
        }
        Ok(())
    }

    /// Running modules that need `id` (by module dependency or by a
    /// `client` cap on one of its interfaces).
    pub fn dependents(&self, id: ModuleId) -> Vec<String> {
        let Some(target) = self.modules.get(&id) else {
            return Vec::new();
        };
        let name = &target.entry.name;
        let provided = self.interfaces.provided_by(id);
        self.modules
            .values()
            .filter(|m| m.id != id && m.status == ModuleStatus::Running)
            .filter(|m| {
                m.loaded.record.dependencies.iter().any(|d| &d.name == name)
                    || m.entry
                        .interfaces_required()
                        .any(|r| provided.contains(&r.interface))
            })
            .map(|m| m.entry.name.clone())
            .collect()
    }
}
