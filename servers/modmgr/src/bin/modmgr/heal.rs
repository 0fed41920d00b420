//! Self-healing: a module's process ended (fault, panic, failure report,
//! failed health check, watchdog); destroy it and, as its restart policy
//! and budget allow, start it again from its binary with its last
//! checkpoint. The restart queue runs ESSENTIAL modules first.
//!
//! Clients of a server that died get `PartnerGone` from the kernel for the
//! calls it held (idempotent ones are repeated by their typed client);
//! later calls wait on the service endpoint, which outlives the process,
//! until the restarted server receives there.

use alloc::format;
use alloc::string::String;
use core::fmt;

use helix_modmgr::ModuleId;
use helix_modmgr::layout::SpawnPlan;
use helix_modmgr::supervisor::{Ending, wants_restart};
use helix_protocol::ModuleFlags;
use helix_protocol::interfaces::modmgr::{ModuleStatus, RestartReport};

use crate::clock;
use crate::control::{self, ControlFailure};
use crate::manager::{Managed, Manager, badge};
use crate::snapshot::Snapshot;
use crate::spawn;

/// Why a restart did not bring the module back.
#[derive(Clone, Debug, PartialEq)]
pub enum HealError {
    /// No module has that id or name.
    NotFound(String),
    /// Its binary could not be laid out again.
    Plan(String),
    /// Its new process could not be made.
    Spawn(String),
    /// The new process never reached its loop (init failed or it crashed).
    NotReady(ControlFailure),
    /// The new process would not start serving.
    NoResume(ControlFailure),
}

impl fmt::Display for HealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HealError::NotFound(name) => write!(f, "no module {name}"),
            HealError::Plan(why) => write!(f, "cannot lay out its binary: {why}"),
            HealError::Spawn(why) => write!(f, "cannot start it: {why}"),
            HealError::NotReady(e) => write!(f, "its new process never answered ({e})"),
            HealError::NoResume(e) => write!(f, "its new process would not serve ({e})"),
        }
    }
}

/// The process of generation `generation` of module `id` ended with
/// `ending`. An ending of a process already replaced (a late report of
/// a generation gone) changes nothing.
pub fn ended(m: &mut Manager, id: ModuleId, generation: u32, ending: Ending) {
    let now_ms = clock::since_start() / 1000;
    let Some(x) = m.modules.get_mut(&id) else {
        return;
    };
    if !badge::same_generation(x.generation, generation) || x.process.is_none() {
        log::debug!(target: "modmgr", "{}: late report of an old process ({ending})", x.entry.name);
        return;
    }
    if let Some(p) = x.process.take() {
        spawn::destroy(p, &mut m.slots);
    }
    let name = x.entry.name.clone();
    note_ending(x, &ending);
    // Programs run once; servers are what clients depend on.
    let server = x.endpoints.is_some();
    if !server || !wants_restart(x.entry.restart, &ending) {
        let outcome = match ending {
            Ending::Exit(n) => Ok(n),
            other => Err(format!("{other}")),
        };
        // The figures go out when the last program ends, before its
        // verdict (the last verdict ends a test VM).
        let programs_left = m
            .modules
            .values()
            .any(|p| p.endpoints.is_none() && p.process.is_some());
        if !server && !programs_left {
            crate::figures::flush(m);
        }
        m.verdicts.exited(&name, outcome);
        return;
    }
    retry_or_give_up(m, id, now_ms, &ending);
}

/// What `lsmod` shows of a process that ended with `ending`.
fn note_ending(x: &mut Managed, ending: &Ending) {
    x.status = match ending {
        Ending::Exit(n) => ModuleStatus::Exited(*n),
        other => ModuleStatus::Failed(format!("{other}")),
    };
    if ending.is_failure() {
        x.last_failure = Some(format!("{ending}"));
    }
}

/// Server `id` failed with `ending` (its process is gone): queue a restart
/// if its budget allows one more, else mark it failed and say so.
fn retry_or_give_up(m: &mut Manager, id: ModuleId, now_ms: u64, ending: &Ending) {
    let Some(x) = m.modules.get_mut(&id) else {
        return;
    };
    let name = x.entry.name.clone();
    if !x.restart_log.allow(now_ms, x.entry.budget) {
        let why = format!(
            "{ending}; restart budget spent ({} restarts within {} ms)",
            x.entry.budget.restarts, x.entry.budget.window_ms
        );
        log::error!(target: "modmgr", "{name}: {why}; left stopped");
        x.status = ModuleStatus::Failed(why.clone());
        m.verdicts.gave_up(&name, &why);
        return;
    }
    log::warn!(target: "modmgr", "{name}: {ending}; restarting");
    if !m.heal_queue.contains(&id) {
        m.heal_queue.push(id);
    }
}

/// Restart every module waiting in the queue, ESSENTIAL ones first, each
/// from its last checkpoint (and once more without it if that start fails).
pub fn run_queue(m: &mut Manager) {
    while !m.heal_queue.is_empty() {
        let essential = |m: &Manager, id: &ModuleId| {
            m.modules
                .get(id)
                .is_some_and(|x| x.loaded.record.flags.contains(ModuleFlags::ESSENTIAL))
        };
        let i = (0..m.heal_queue.len())
            .find(|&i| essential(m, &m.heal_queue[i]))
            .unwrap_or(0);
        let id = m.heal_queue.remove(i);
        let state = m.modules.get(&id).and_then(|x| x.checkpoint.clone());
        let name = m
            .modules
            .get(&id)
            .map_or_else(String::new, |x| x.entry.name.clone());
        let t0 = clock::now();
        let mut result = restart(m, id, state.as_ref());
        if state.is_some()
            && let Err(e) = &result
        {
            log::warn!(target: "modmgr", "{name}: restart from its checkpoint failed ({e}); once more without it");
            result = restart(m, id, None);
        }
        match result {
            Ok(r) => {
                let us = clock::us(t0, clock::now());
                m.heal_us.push(us);
                log::info!(
                    target: "modmgr",
                    "{name} restarted in {us} us ({}; restart {})",
                    r.checkpoint_bytes
                        .map_or_else(|| String::from("no checkpoint"), |b| format!("checkpoint of {b} bytes")),
                    r.restarts
                );
            }
            // The new process crashed or hung before its loop: one more
            // failure, for the restart policy and budget to judge.
            Err(e @ HealError::NotReady(_)) => {
                let ending = Ending::Failed(format!("restart: {e}"));
                if let Some(x) = m.modules.get_mut(&id) {
                    note_ending(x, &ending);
                }
                retry_or_give_up(m, id, clock::since_start() / 1000, &ending);
            }
            Err(e) => {
                log::error!(target: "modmgr", "{name}: restart failed: {e}");
                if let Some(x) = m.modules.get_mut(&id) {
                    x.status = ModuleStatus::Failed(format!("restart failed: {e}"));
                }
                m.verdicts.gave_up(&name, &format!("restart failed: {e}"));
            }
        }
    }
}

/// Start module `id` again from its binary, with `state` when given: a
/// server is spawned quiesced on its own endpoints, handed the state and
/// resumed; a program simply runs again. Its process must be gone.
pub fn restart(
    m: &mut Manager,
    id: ModuleId,
    state: Option<&Snapshot>,
) -> Result<RestartReport, HealError> {
    let x = m
        .modules
        .get(&id)
        .ok_or_else(|| HealError::NotFound(format!("#{}", id.0)))?;
    let (entry, endpoints) = (x.entry.clone(), x.endpoints);
    let plan =
        SpawnPlan::new(&x.loaded, entry.memory).map_err(|e| HealError::Plan(format!("{e}")))?;
    let generation = m.next_generation();
    let process = m
        .spawn_for(
            id,
            &entry,
            &plan,
            endpoints,
            (generation, endpoints.is_some()),
        )
        .map_err(HealError::Spawn)?;
    let x = m
        .modules
        .get_mut(&id)
        .ok_or_else(|| HealError::NotFound(entry.name.clone()))?;
    x.process = Some(process);
    x.generation = generation;
    x.status = ModuleStatus::Running;
    x.served = 0;
    x.checkpoint_served = 0;
    x.missed_pings = 0;
    let mut restored = None;
    if let Some(e) = endpoints {
        let up = control::ready(e.control)
            .map_err(HealError::NotReady)
            .and_then(|_| {
                if let Some(s) = state {
                    match control::restore(e.control, s) {
                        Ok(()) => restored = Some(s.bytes_u64()),
                        Err(f) => log::warn!(
                            target: "modmgr",
                            "{}: its checkpoint was not restored ({f}); it starts fresh",
                            entry.name
                        ),
                    }
                }
                control::resume(e.control).map_err(HealError::NoResume)
            });
        if let Err(e) = up {
            stop(m, id);
            return Err(e);
        }
    }
    let x = m
        .modules
        .get_mut(&id)
        .ok_or_else(|| HealError::NotFound(entry.name.clone()))?;
    x.restarts += 1;
    Ok(RestartReport {
        checkpoint_bytes: restored,
        restarts: x.restarts,
    })
}

/// Destroy module `id`'s process, if it has one (its endpoints stay).
pub fn stop(m: &mut Manager, id: ModuleId) {
    if let Some(x) = m.modules.get_mut(&id)
        && let Some(p) = x.process.take()
    {
        spawn::destroy(p, &mut m.slots);
    }
}

/// `restart NAME`: take the running server's state (quiesced, so no
/// request is lost; its last checkpoint when it does not answer), stop
/// it and start it again with that state.
pub fn manual_restart(m: &mut Manager, id: ModuleId) -> Result<RestartReport, HealError> {
    let x = m
        .modules
        .get(&id)
        .ok_or_else(|| HealError::NotFound(format!("#{}", id.0)))?;
    let mut state = x.checkpoint.clone();
    if let (Some(e), true) = (x.endpoints, x.process.is_some()) {
        match control::quiesce(e.manager).and_then(|()| control::save(e.control)) {
            Ok(s) => state = s,
            Err(f) => log::warn!(
                target: "modmgr",
                "{}: no state saved before the restart ({f}); its last checkpoint is used",
                x.entry.name
            ),
        }
    }
    stop(m, id);
    let r = restart(m, id, state.as_ref())?;
    if let Some(x) = m.modules.get_mut(&id) {
        x.checkpoint = state;
    }
    Ok(r)
}
