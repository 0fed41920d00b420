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
use helix_protocol::metadata::RecordDependency;
use helix_protocol::runtime::{IpcTransport, MANAGER_BADGE};
use helix_protocol::{Module, ModuleContext, ModuleError, ModuleFlags, ModuleMetadata};
use helix_sys::bootinfo::BootInfo;
use helix_sys::{Cap, CapRights, CapType, Endpoint, IoPorts, IrqControl, Untyped};

use crate::clock;
use crate::slots::Slots;
use crate::snapshot::Snapshot;
use crate::spawn::{self, Env, Grant, Process, Spawn};
use crate::verdict::Verdicts;

/// Badges on the manager's endpoint: who is talking. Bits 32.. are the
/// kind, bits 20..32 the process generation (a module's processes are
/// numbered: a restart or a reload makes a new one, and a report or fault
/// of a process already gone must not touch its successor), bits 0..20
/// the module id.
pub mod badge {
    /// Any process: reports, lookups, read-only requests.
    pub const REPORT: u64 = 1 << 32;
    /// The kernel, on behalf of a faulting thread.
    pub const FAULT: u64 = 2 << 32;
    /// A holder of the manifest's `modmgr` cap: every request.
    pub const CONTROL: u64 = 3 << 32;
    const ID_BITS: u32 = 20;
    const GEN_MASK: u64 = 0xfff;
    /// The badge of `kind` for process generation `generation` of module `id`.
    pub const fn of(kind: u64, id: u64, generation: u32) -> u64 {
        kind | ((generation as u64 & GEN_MASK) << ID_BITS) | (id & ((1 << ID_BITS) - 1))
    }
    /// The module id in a badge.
    pub const fn id(b: u64) -> u64 {
        b & ((1 << ID_BITS) - 1)
    }
    /// The process generation in a badge (12 bits: it wraps).
    pub const fn generation(b: u64) -> u32 {
        ((b >> ID_BITS) & GEN_MASK) as u32
    }
    /// Whether two generations are the same (compared modulo the 12 bits
    /// a badge holds).
    pub const fn same_generation(a: u32, b: u32) -> bool {
        (a as u64 & GEN_MASK) == (b as u64 & GEN_MASK)
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
    /// Its endpoints (servers): owned by the manager, they outlive its
    /// processes (a restart or a reload serves the same clients).
    pub endpoints: Option<Endpoints>,
    /// Generation of its current process (badges carry it).
    pub generation: u32,
    /// The last state it saved (checkpoint or reload snapshot).
    pub checkpoint: Option<Snapshot>,
    /// Requests its current process had served when that checkpoint was
    /// taken (or when it started).
    pub checkpoint_served: u64,
    /// Requests its current process had served at the last ping.
    pub served: u64,
    /// Liveness pings in a row it did not answer.
    pub missed_pings: u32,
    /// Its restarts within the budget's window.
    pub restart_log: helix_modmgr::supervisor::RestartLog,
    /// What its last reload did (for `lsmod`).
    pub last_reload: Option<String>,
    /// Times it was restarted.
    pub restarts: u32,
    /// How its last failed process ended (name, fault, address).
    pub last_failure: Option<String>,
}

/// A server's endpoints, as manager slots of the original caps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Where clients call (the server receives while it serves).
    pub service: u32,
    /// A copy of `service` badged `MANAGER_BADGE`: the manager's calls on
    /// the service path (quiesce, ping, checkpoints), queued behind clients.
    pub manager: u32,
    /// Where the manager calls while the server is quiesced.
    pub control: u32,
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
        provides: alloc::vec!["modmgr@1.1".into()],
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
    /// Modules self-healing restarts next.
    pub heal_queue: Vec<ModuleId>,
    /// Microseconds each self-healing restart took (for `make bench`).
    pub heal_us: Vec<u64>,
    /// The watchdog's clock (TSC of its last round) and its rounds.
    pub watchdog: (u64, u64),
    /// Process generations handed out (each new process gets the next, so
    /// a late report of one never matches another).
    pub generations: u32,
    /// (state bytes, downtime in us) of each completed reload (`make bench`).
    pub reload_downtimes: Vec<(u64, u64)>,
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

impl Managed {
    /// A module that just started (or failed to).
    pub fn new(
        id: ModuleId,
        entry: ModuleEntry,
        loaded: LoadedModule,
        process: Option<Process>,
        endpoints: Option<Endpoints>,
    ) -> Managed {
        Managed {
            id,
            entry,
            loaded,
            status: ModuleStatus::Running,
            process,
            endpoints,
            generation: 0,
            checkpoint: None,
            checkpoint_served: 0,
            served: 0,
            missed_pings: 0,
            restart_log: helix_modmgr::supervisor::RestartLog::new(),
            last_reload: None,
            restarts: 0,
            last_failure: None,
        }
    }

    /// The same with another status.
    pub fn with_status(mut self, status: ModuleStatus) -> Managed {
        self.status = status;
        self
    }
}

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
            heal_queue: Vec::new(),
            heal_us: Vec::new(),
            watchdog: (0, 0),
            generations: 0,
            reload_downtimes: Vec::new(),
        }
    }

    /// A generation no process of any module has had yet (modulo the 12
    /// bits a badge holds).
    pub fn next_generation(&mut self) -> u32 {
        self.generations = self.generations.wrapping_add(1);
        self.generations
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
                    badge: badge::of(badge::CONTROL, id.0, 0),
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
        let endpoints = if record.provides.is_empty() {
            None
        } else {
            Some(self.make_endpoints()?)
        };
        let manager_cap = endpoints.map_or(0, |e| e.manager);
        let transport = IpcTransport::new(Cap::from_slot(manager_cap));
        // A program is registered under its manifest entry's name, so one
        // binary may run as several programs (`kvstream1`, `kvstream2`); a
        // server keeps its record's name (clients and reloads go by it).
        let mut named = record.clone();
        if record.provides.is_empty() {
            named.name.clone_from(&entry.name);
        }
        let id = match self
            .registry
            .register(Box::new(ServerProxy::new(&named, transport)))
        {
            Ok(id) => id,
            Err(e) => {
                self.free_endpoints(endpoints);
                return Err(e.to_string());
            }
        };
        let result = self.spawn_for(id, &entry, &plan, endpoints, (0, false));
        let process = match result {
            Ok(p) => p,
            Err(e) => {
                if self.registry.unregister(id).is_ok() {
                    self.free_endpoints(endpoints);
                } else {
                    // An ESSENTIAL module stays registered, failed, so
                    // `lsmod` shows it and nothing can take its name.
                    self.modules.insert(
                        id,
                        Managed::new(id, entry, loaded, None, endpoints)
                            .with_status(ModuleStatus::Failed(e.clone())),
                    );
                }
                return Err(e);
            }
        };
        if let Some(e) = endpoints
            && let Err(e) = self
                .interfaces
                .register_provided(&record.provides, id, e.service)
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
            Managed::new(id, entry, loaded, Some(process), endpoints),
        );
        Ok(id)
    }

    /// A service endpoint, its manager-badged copy and a control endpoint.
    pub fn make_endpoints(&mut self) -> Result<Endpoints, StartError> {
        let service = self.slots.take().map_err(|e| e.to_string())?;
        let ep: Cap<Endpoint> = self
            .env
            .memory
            .retype(service, 0)
            .map_err(|e| format!("service endpoint: {e}"))?;
        let manager = self.slots.take().map_err(|e| e.to_string())?;
        ep.mint(manager, CapRights::WRITE, MANAGER_BADGE)
            .map_err(|e| format!("manager cap: {e}"))?;
        let control = self.slots.take().map_err(|e| e.to_string())?;
        self.env
            .memory
            .retype::<Endpoint>(control, 0)
            .map_err(|e| format!("control endpoint: {e}"))?;
        Ok(Endpoints {
            service,
            manager,
            control,
        })
    }

    /// A new control endpoint (a reload's new process gets its own).
    pub fn make_control(&mut self) -> Result<u32, StartError> {
        let control = self.slots.take().map_err(|e| e.to_string())?;
        if let Err(e) = self.env.memory.retype::<Endpoint>(control, 0) {
            self.slots.give_back(control);
            return Err(format!("control endpoint: {e}"));
        }
        Ok(control)
    }

    /// Destroy an endpoint the manager made (callers wake with `Revoked`).
    pub fn free_endpoint(&mut self, slot: u32) {
        let c: Cap<Endpoint> = Cap::from_slot(slot);
        // Revoke takes every copy; delete destroys the endpoint. On a slot
        // the manager filled neither can fail; if one did, the endpoint
        // would only outlive its use.
        let _ = c.revoke();
        let _ = c.delete();
        self.slots.give_back(slot);
    }

    /// A process of generation `generation` for module `id` (registered)
    /// on `endpoints`; `quiesced` processes wait for their state before
    /// serving.
    pub fn spawn_for(
        &mut self,
        id: ModuleId,
        entry: &ModuleEntry,
        plan: &SpawnPlan,
        endpoints: Option<Endpoints>,
        (generation, quiesced): (u32, bool),
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
            report_badge: badge::of(badge::REPORT, id.0, generation),
            fault_badge: badge::of(badge::FAULT, id.0, generation),
            service: endpoints.map(|e| e.service),
            control: endpoints.map(|e| e.control),
            named,
            quiesced,
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

    fn free_endpoints(&mut self, endpoints: Option<Endpoints>) {
        let Some(e) = endpoints else { return };
        for s in [e.manager, e.control, e.service] {
            self.free_endpoint(s);
        }
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
            self.free_endpoints(m.endpoints);
        }
        Ok(())
    }

    /// Running modules whose record depends on module `id` (by name), with
    /// each such dependency: whose constraints a reload of `id` must keep,
    /// and who is told of it.
    pub fn record_dependents(&self, id: ModuleId) -> Vec<(&Managed, &RecordDependency)> {
        let Some(name) = self.modules.get(&id).map(|x| x.entry.name.as_str()) else {
            return Vec::new();
        };
        self.modules
            .values()
            .filter(|x| x.id != id && x.process.is_some())
            .flat_map(|x| {
                x.loaded
                    .record
                    .dependencies
                    .iter()
                    .filter(move |d| d.name == name)
                    .map(move |d| (x, d))
            })
            .collect()
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
