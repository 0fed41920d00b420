//! `reload NAME PATH`: the library's `HotReloadEngine` driving this
//! manager through [`ManagerHost`], one syscall-backed effect per host
//! call. The new version is spawned first, quiesced on a control endpoint
//! of its own (its spawn and `init` are the slow part and need nothing
//! stopped; a binary that fails there ends the reload before the old
//! server stops). Then the old server quiesces on its service path (behind
//! the requests it holds), hands over its state on its control endpoint
//! and is suspended; the new one takes the state and is resumed on the
//! same service endpoint, so
//! every client cap keeps working and the calls that queued meanwhile are
//! the new version's. A failure rolls back; a failed rollback ends in a
//! restart from the snapshot.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use helix_modmgr::layout::SpawnPlan;
use helix_modmgr::reload::{HostError, HotReloadEngine, ReloadError, ReloadHost};
use helix_modmgr::{ModuleId, ServerProxy};
use helix_module_loader::LoadedModule;
use helix_protocol::interfaces::modmgr::{ManagerError, PhaseReport, ReloadReport};
use helix_protocol::metadata::ModuleRecord;
use helix_protocol::runtime::IpcTransport;
use helix_sys::Cap;

use crate::clock;
use crate::control;
use crate::heal;
use crate::manager::{Endpoints, Manager};
use crate::snapshot::Snapshot;
use crate::spawn::{self, Process};

/// The new version while it is being brought up.
struct Incoming {
    loaded: LoadedModule,
    process: Option<Process>,
    control: Option<u32>,
    generation: u32,
}

/// The manager as the engine's host for one reload of one module.
struct ManagerHost<'a> {
    m: &'a mut Manager,
    /// Boot module file of the new binary.
    file: String,
    incoming: Option<Incoming>,
    suspended: bool,
    /// The state the old version saved (kept as the module's checkpoint).
    saved: Option<Snapshot>,
    /// The dependents were told the module goes away.
    notified: bool,
}

/// Tell every running dependent of module `id` that it goes away for a
/// reload (`available: false`) or serves again, as a `DependencyChanged`
/// event on the dependent's control path. A dependent that does not
/// answer in time is logged, never waited for.
fn notify_dependents(m: &Manager, id: ModuleId, available: bool) {
    let Some(name) = m.modules.get(&id).map(|x| x.entry.name.as_str()) else {
        return;
    };
    let what = if available {
        "serves again"
    } else {
        "is being reloaded"
    };
    let mut dependents = m.record_dependents(id);
    // Once per module, even if its record names `id` twice.
    dependents.dedup_by_key(|(x, _)| x.id);
    for (x, _) in dependents {
        let Some(e) = x.endpoints else {
            continue;
        };
        match control::dependency_changed(e.manager, name, available) {
            Ok(taken) => log::info!(
                target: "modmgr",
                "{}: told {name} {what} ({})",
                x.entry.name,
                if taken { "taken" } else { "it handles no events" }
            ),
            Err(f) => log::warn!(target: "modmgr", "{}: not told {name} {what}: {f}", x.entry.name),
        }
    }
}

fn host_err(e: impl core::fmt::Display) -> HostError {
    HostError::new(e)
}

impl ManagerHost<'_> {
    fn endpoints(&self, id: ModuleId) -> Result<Endpoints, HostError> {
        self.m
            .modules
            .get(&id)
            .and_then(|x| x.endpoints)
            .ok_or_else(|| host_err("not a server"))
    }

    fn new_control(&self) -> Result<u32, HostError> {
        self.incoming
            .as_ref()
            .and_then(|i| i.control)
            .ok_or_else(|| host_err("no new process"))
    }

    /// Spawn the new version, quiesced on a control endpoint of its own,
    /// and wait until it reached its loop.
    fn bring_up(&mut self, id: ModuleId) -> Result<(), HostError> {
        let old = self.endpoints(id)?;
        let mut entry = self
            .m
            .modules
            .get(&id)
            .map(|x| x.entry.clone())
            .ok_or_else(|| host_err("no such module"))?;
        entry.binary.clone_from(&self.file);
        let incoming = self
            .incoming
            .as_mut()
            .ok_or_else(|| host_err("nothing loaded"))?;
        let plan = SpawnPlan::new(&incoming.loaded, entry.memory).map_err(host_err)?;
        let control = self.m.make_control().map_err(host_err)?;
        incoming.control = Some(control);
        let generation = self.m.next_generation();
        incoming.generation = generation;
        let endpoints = Endpoints { control, ..old };
        let process = self
            .m
            .spawn_for(id, &entry, &plan, Some(endpoints), (generation, true))
            .map_err(host_err)?;
        if let Some(i) = self.incoming.as_mut() {
            i.process = Some(process);
        }
        control::ready(control).map(|_| ()).map_err(host_err)
    }

    /// Every interface the module provides must still be provided, at a
    /// version each of its clients' constraints accepts.
    fn interfaces_kept(&self, id: ModuleId, new: &ModuleRecord) -> Result<(), HostError> {
        let provided = self.m.interfaces.provided_by(id);
        for name in provided {
            let Some(spec) = new
                .provides
                .iter()
                .filter_map(|p| helix_modmgr::InterfaceSpec::parse(p).ok())
                .find(|s| s.name == name)
            else {
                return Err(host_err(format!(
                    "the new version no longer provides {name}"
                )));
            };
            for client in self.m.modules.values() {
                for r in client.entry.interfaces_required() {
                    if r.interface != name {
                        continue;
                    }
                    let ok = semver::VersionReq::parse(r.constraint)
                        .is_ok_and(|req| req.matches(&spec.version));
                    if !ok {
                        return Err(host_err(format!(
                            "{} requires {name} {}, the new version provides {}",
                            client.entry.name, r.constraint, spec.version
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

impl ReloadHost for ManagerHost<'_> {
    type Snapshot = Snapshot;

    fn current(&self, id: ModuleId) -> Result<ModuleRecord, HostError> {
        let x = self
            .m
            .modules
            .get(&id)
            .ok_or_else(|| host_err("no such module"))?;
        if x.process.is_none() {
            return Err(host_err(format!("{} is not running", x.entry.name)));
        }
        Ok(x.loaded.record.clone())
    }

    fn load(&mut self, binary: &[u8]) -> Result<ModuleRecord, HostError> {
        let loaded = self.m.loaders.load(binary).map_err(host_err)?;
        let record = loaded.record.clone();
        self.incoming = Some(Incoming {
            loaded,
            process: None,
            control: None,
            generation: 0,
        });
        Ok(record)
    }

    fn dependents(&self, id: ModuleId) -> Vec<(String, String)> {
        self.m
            .record_dependents(id)
            .into_iter()
            .map(|(x, d)| (x.entry.name.clone(), d.version_constraint.clone()))
            .collect()
    }

    /// The new process is made before the old one stops (its spawn and
    /// `init` are the slow part, and none of it needs the old server
    /// quiesced): a new binary that fails there ends the reload with
    /// nothing stopped.
    fn quiesce(&mut self, id: ModuleId) -> Result<(), HostError> {
        let new = self
            .incoming
            .as_ref()
            .map(|i| i.loaded.record.clone())
            .ok_or_else(|| host_err("nothing loaded"))?;
        self.interfaces_kept(id, &new)?;
        if let Err(e) = self.bring_up(id) {
            self.discard_new(id);
            return Err(HostError::new(format!(
                "the new version did not start: {e}"
            )));
        }
        notify_dependents(self.m, id, false);
        self.notified = true;
        let r = control::quiesce(self.endpoints(id)?.manager).map_err(host_err);
        if r.is_err() {
            self.discard_new(id);
        }
        r
    }

    fn save_state(&mut self, id: ModuleId) -> Result<Option<Snapshot>, HostError> {
        let s = control::save(self.endpoints(id)?.control).map_err(host_err)?;
        self.saved.clone_from(&s);
        Ok(s)
    }

    fn suspend_old(&mut self, id: ModuleId) -> Result<(), HostError> {
        let x = self
            .m
            .modules
            .get(&id)
            .ok_or_else(|| host_err("no such module"))?;
        let p = x.process.as_ref().ok_or_else(|| host_err("no process"))?;
        p.thread.suspend().map_err(host_err)?;
        self.suspended = true;
        Ok(())
    }

    /// The new process is already up (made in [`quiesce`](Self::quiesce)):
    /// check it is still there.
    fn spawn_new(&mut self, _id: ModuleId, _binary: &[u8]) -> Result<(), HostError> {
        match self.incoming.as_ref() {
            Some(Incoming {
                process: Some(_),
                control: Some(_),
                ..
            }) => Ok(()),
            _ => Err(host_err("the new process is gone")),
        }
    }

    fn restore_new(&mut self, _id: ModuleId, state: &Snapshot) -> Result<(), HostError> {
        control::restore(self.new_control()?, state).map_err(host_err)
    }

    fn resume_new(&mut self, _id: ModuleId) -> Result<(), HostError> {
        control::resume(self.new_control()?).map_err(host_err)
    }

    fn commit(&mut self, id: ModuleId) -> Result<(), HostError> {
        let incoming = self
            .incoming
            .take()
            .ok_or_else(|| host_err("no new process"))?;
        let (Some(process), Some(control)) = (incoming.process, incoming.control) else {
            return Err(host_err("no new process"));
        };
        let record = incoming.loaded.record.clone();
        let x = self
            .m
            .modules
            .get_mut(&id)
            .ok_or_else(|| host_err("no such module"))?;
        let old = x.process.replace(process);
        let old_endpoints = x.endpoints;
        x.endpoints = old_endpoints.map(|e| Endpoints { control, ..e });
        x.generation = incoming.generation;
        x.loaded = incoming.loaded;
        x.entry.binary.clone_from(&self.file);
        x.checkpoint = self.saved.take();
        x.checkpoint_served = 0;
        x.served = 0;
        x.missed_pings = 0;
        if let Some(p) = old {
            spawn::destroy(p, &mut self.m.slots);
        }
        let Some(e) = old_endpoints else {
            return Ok(());
        };
        self.m.free_endpoint(e.control);
        let proxy = ServerProxy::new(&record, IpcTransport::new(Cap::from_slot(e.manager)));
        if let Err(err) = self.m.registry.replace(id, Box::new(proxy)) {
            log::warn!(target: "modmgr", "registry entry of #{} not updated: {err}", id.0);
        }
        self.m.interfaces.unregister_provider(id);
        if let Err(err) = self
            .m
            .interfaces
            .register_provided(&record.provides, id, e.service)
        {
            log::warn!(target: "modmgr", "#{}: interfaces not registered: {err}", id.0);
        }
        Ok(())
    }

    fn discard_new(&mut self, _id: ModuleId) {
        let Some(i) = self.incoming.take() else {
            return;
        };
        if let Some(p) = i.process {
            spawn::destroy(p, &mut self.m.slots);
        }
        if let Some(c) = i.control {
            self.m.free_endpoint(c);
        }
    }

    fn resume_old(&mut self, id: ModuleId) -> Result<(), HostError> {
        let e = self.endpoints(id)?;
        if self.suspended {
            let x = self
                .m
                .modules
                .get(&id)
                .ok_or_else(|| host_err("no such module"))?;
            let p = x.process.as_ref().ok_or_else(|| host_err("no process"))?;
            p.thread.resume().map_err(host_err)?;
            self.suspended = false;
        }
        control::resume(e.control).map_err(host_err)
    }

    fn now_us(&self) -> u64 {
        clock::since_start()
    }
}

/// Reload module `id` from boot module `file`.
pub fn reload(m: &mut Manager, id: ModuleId, file: &str) -> Result<ReloadReport, ManagerError> {
    let bytes = m
        .binary(file)
        .cloned()
        .ok_or_else(|| ManagerError::NotFound(format!("boot module {file}")))?;
    let name = m
        .modules
        .get(&id)
        .map(|x| x.entry.name.clone())
        .ok_or_else(|| ManagerError::NotFound(format!("#{}", id.0)))?;
    let host = ManagerHost {
        m,
        file: file.to_string(),
        incoming: None,
        suspended: false,
        saved: None,
        notified: false,
    };
    let mut engine = HotReloadEngine::new(host);
    let outcome = engine.reload(id, &bytes);
    let last = engine.last().map(|l| format!("{l}"));
    let host = engine.into_host();
    let notified = host.notified;
    let m = host.m;
    if let Some(x) = m.modules.get_mut(&id) {
        x.last_reload.clone_from(&last);
    }
    let answer = match outcome {
        Ok(r) => {
            log::info!(target: "modmgr", "reloaded {r}");
            m.reload_downtimes
                .push((r.state_bytes as u64, r.downtime_us));
            Ok(ReloadReport {
                old_version: r.old_version.to_string(),
                new_version: r.new_version.to_string(),
                state_preserved: r.state_preserved,
                state_bytes: r.state_bytes as u64,
                state_format: m
                    .modules
                    .get(&id)
                    .and_then(|x| x.checkpoint.as_ref().map(Snapshot::format)),
                downtime_us: r.downtime_us,
                total_us: r.total_us,
                phases: r
                    .phases
                    .iter()
                    .map(|p| PhaseReport {
                        phase: p.phase.to_string(),
                        us: p.us,
                    })
                    .collect(),
            })
        }
        Err(e) => {
            log::warn!(target: "modmgr", "{name}: {e}");
            Err(failed(m, id, e))
        }
    };
    // Whichever version serves now (the new one, the old one rolled back,
    // or a restart after a failed rollback), the dependents hear it.
    if notified && m.modules.get(&id).is_some_and(|x| x.process.is_some()) {
        notify_dependents(m, id, true);
    }
    answer
}

/// The manager's answer to a reload that did not complete; after a
/// failed rollback, self-healing restarts the module from the snapshot.
fn failed(m: &mut Manager, id: ModuleId, e: ReloadError<Snapshot>) -> ManagerError {
    match e {
        ReloadError::Refused { refusals, .. } => {
            ManagerError::ReloadRefused(refusals.iter().map(ToString::to_string).collect())
        }
        ReloadError::Failed(f) if f.rolled_back() => ManagerError::RolledBack {
            phase: f.phase.to_string(),
            cause: f.cause.to_string(),
        },
        ReloadError::Failed(f) => {
            let rollback = f.rollback.as_ref().err().map(ToString::to_string);
            let cause = format!("{}; rollback: {}", f.cause, rollback.unwrap_or_default());
            heal::stop(m, id);
            let state = f.snapshot.clone();
            let restarted = match heal::restart(m, id, state.as_ref()) {
                Ok(_) => {
                    if let Some(x) = m.modules.get_mut(&id) {
                        x.checkpoint = state;
                    }
                    true
                }
                Err(err) => {
                    log::error!(target: "modmgr", "#{}: not restarted after a failed rollback: {err}", id.0);
                    false
                }
            };
            ManagerError::RollbackFailed { cause, restarted }
        }
        other => ManagerError::Refused(other.to_string()),
    }
}
