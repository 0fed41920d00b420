//! [`HotReloadEngine`]: the spec's state machine over a [`ReloadHost`],
//! one phase per step.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::check::{ReloadPlan, check_reload};
use super::error::{FailureCause, ReloadError, ReloadFailure};
use super::host::{HostCall, HostError, ReloadHost, StateSnapshot};
use super::result::{LastReload, PhaseTime, ReloadResult};
use super::state::ReloadState;
use crate::registry::ModuleId;

/// What a [`HotReloadEngine::step`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The phase ran; the reload is now in this one.
    Next(ReloadState),
    /// The last phase ran: the new version serves. The engine is idle.
    Done(ReloadResult),
}

/// Replaces running modules by new binaries, one reload at a time, through
/// `H`.
///
/// One step per phase: Preparing (read both records, [`check_reload`],
/// `quiesce`), SavingState (`save_state`), Unloading (`suspend_old`),
/// Loading (`spawn_new`), RestoringState (`restore_new` when state was
/// saved, `resume_new`, `commit`). A refusal, an unreadable record or a
/// failed `quiesce` ends the reload in Preparing before anything stops.
/// Any later failure, and any `cancel()`, rolls back: `discard_new` if `spawn_new` was called, then
/// `resume_old`; if that fails the reload ends `RollbackFailed` and the
/// error carries the snapshot. Every reload ends with the engine idle and
/// its outcome in [`last`](Self::last).
pub struct HotReloadEngine<H: ReloadHost> {
    host: H,
    run: Option<Run<H::Snapshot>>,
    last: Option<LastReload<H::Snapshot>>,
}

/// The engine's results: errors carry the host's snapshot type.
pub type Result<T, S> = core::result::Result<T, ReloadError<S>>;

/// The reload in flight.
struct Run<S> {
    module: ModuleId,
    /// The new binary until `spawn_new` has it.
    binary: Vec<u8>,
    /// `None` until Preparing ran.
    active: Option<Active<S>>,
}

/// A reload past Preparing: the old server quiesced.
struct Active<S> {
    next: Phase,
    plan: ReloadPlan,
    snapshot: Option<S>,
    /// Whether `spawn_new` was called (a failed spawn may leave a process).
    spawned: bool,
    begun_us: u64,
    quiesced_us: u64,
    /// When `resume_new` returned (`quiesced_us` until then).
    resumed_us: u64,
    phases: Vec<PhaseTime>,
}

/// The phases after Preparing.
#[derive(Clone, Copy, Debug)]
enum Phase {
    SavingState,
    Unloading,
    Loading,
    RestoringState,
}

impl Phase {
    fn state(self) -> ReloadState {
        match self {
            Phase::SavingState => ReloadState::SavingState,
            Phase::Unloading => ReloadState::Unloading,
            Phase::Loading => ReloadState::Loading,
            Phase::RestoringState => ReloadState::RestoringState,
        }
    }

    fn after(self) -> Option<Phase> {
        match self {
            Phase::SavingState => Some(Phase::Unloading),
            Phase::Unloading => Some(Phase::Loading),
            Phase::Loading => Some(Phase::RestoringState),
            Phase::RestoringState => None,
        }
    }
}

impl<S> Run<S> {
    fn state(&self) -> ReloadState {
        self.active
            .as_ref()
            .map_or(ReloadState::Preparing, |a| a.next.state())
    }
}

impl<H: ReloadHost> HotReloadEngine<H> {
    /// An idle engine driving `host`.
    pub fn new(host: H) -> HotReloadEngine<H> {
        HotReloadEngine {
            host,
            run: None,
            last: None,
        }
    }

    /// Replace module `module_id` by `new_binary`: [`begin`](Self::begin),
    /// then [`step`](Self::step) until done.
    pub fn reload(
        &mut self,
        module_id: ModuleId,
        new_binary: &[u8],
    ) -> Result<ReloadResult, H::Snapshot> {
        self.begin(module_id, new_binary)?;
        loop {
            if let Progress::Done(result) = self.step()? {
                return Ok(result);
            }
        }
    }

    /// Start a reload of `module_id` (the binary is copied); nothing runs
    /// until [`step`](Self::step). The state is then Preparing.
    pub fn begin(&mut self, module_id: ModuleId, new_binary: &[u8]) -> Result<(), H::Snapshot> {
        if let Some(run) = &self.run {
            return Err(ReloadError::Busy {
                module: run.module,
                state: run.state(),
            });
        }
        self.run = Some(Run {
            module: module_id,
            binary: new_binary.to_vec(),
            active: None,
        });
        Ok(())
    }

    /// Run the current phase. An error ends the reload (see the type's
    /// documentation for what was rolled back).
    pub fn step(&mut self) -> Result<Progress, H::Snapshot> {
        let mut run = self.run.take().ok_or(ReloadError::NotInProgress)?;
        let module = run.module;
        let phase = run.state();
        let started = self.host.now_us();
        let ran = match run.active.take() {
            None => self.prepare(module, &run.binary, started).map(Ran::More),
            Some(active) => self.advance(module, &mut run.binary, active),
        };
        let (mut active, more) = match ran {
            Ok(Ran::More(active)) => (active, true),
            Ok(Ran::Done(active)) => (active, false),
            Err(e) => return Err(self.end(module, e)),
        };
        let now = self.host.now_us();
        active.phases.push(PhaseTime {
            phase,
            us: now.saturating_sub(started),
        });
        if more {
            let next = active.next.state();
            run.active = Some(active);
            self.run = Some(run);
            return Ok(Progress::Next(next));
        }
        let result = ReloadResult {
            old_version: active.plan.old_version,
            new_version: active.plan.new_version,
            state_preserved: active.snapshot.is_some(),
            downtime_us: active.resumed_us.saturating_sub(active.quiesced_us),
            state_bytes: active.snapshot.as_ref().map_or(0, StateSnapshot::bytes),
            module,
            name: active.plan.name,
            total_us: now.saturating_sub(active.begun_us),
            phases: active.phases,
        };
        self.last = Some(LastReload {
            module,
            outcome: Ok(result.clone()),
        });
        Ok(Progress::Done(result))
    }

    /// Stop the reload in flight and roll it back: before Preparing ran
    /// nothing is undone (no host call); after, `discard_new` if a process
    /// was spawned, then `resume_old`. `Ok` when the old version serves;
    /// the `RollbackFailed` error (with the snapshot) when it does not; an
    /// error with nothing in flight (idle, or the reload already ended).
    pub fn cancel(&mut self) -> Result<(), H::Snapshot> {
        let run = self.run.take().ok_or(ReloadError::NotInProgress)?;
        let module = run.module;
        let error = match run.active {
            None => ReloadError::Cancelled { module },
            Some(active) => self.roll_back(
                module,
                active.next.state(),
                FailureCause::Cancelled,
                active.snapshot,
                active.spawned,
            ),
        };
        let error = self.end(module, error);
        if error.state() == ReloadState::RollbackFailed {
            Err(error)
        } else {
            Ok(())
        }
    }

    /// The phase of the reload in flight; `Idle` with none.
    pub fn state(&self) -> ReloadState {
        self.run.as_ref().map_or(ReloadState::Idle, Run::state)
    }

    /// The module being reloaded, if a reload is in flight.
    pub fn module(&self) -> Option<ModuleId> {
        self.run.as_ref().map(|r| r.module)
    }

    /// How the latest reload ended (completed, refused, cancelled, rolled
    /// back or `RollbackFailed`); `None` before the first one ended.
    pub fn last(&self) -> Option<&LastReload<H::Snapshot>> {
        self.last.as_ref()
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The host, mutably (the manager keeps serving between steps).
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// The host back; a reload in flight is dropped without a rollback.
    pub fn into_host(self) -> H {
        self.host
    }

    /// Preparing: the checks, then `quiesce`.
    fn prepare(
        &mut self,
        module: ModuleId,
        binary: &[u8],
        begun_us: u64,
    ) -> Result<Active<H::Snapshot>, H::Snapshot> {
        let not_started = |call| {
            move |error| ReloadError::NotStarted {
                module,
                call,
                error,
            }
        };
        let current = self
            .host
            .current(module)
            .map_err(not_started(HostCall::Current))?;
        let new = self
            .host
            .load(binary)
            .map_err(not_started(HostCall::Load))?;
        let dependents = self.host.dependents(module);
        let plan = check_reload(&current, &new, &dependents)
            .map_err(|refusals| ReloadError::Refused { module, refusals })?;
        self.host
            .quiesce(module)
            .map_err(not_started(HostCall::Quiesce))?;
        let quiesced_us = self.host.now_us();
        Ok(Active {
            next: Phase::SavingState,
            plan,
            snapshot: None,
            spawned: false,
            begun_us,
            quiesced_us,
            resumed_us: quiesced_us,
            phases: Vec::with_capacity(ReloadState::PHASES.len()),
        })
    }

    /// One phase after Preparing.
    fn advance(
        &mut self,
        module: ModuleId,
        binary: &mut Vec<u8>,
        mut a: Active<H::Snapshot>,
    ) -> Result<Ran<H::Snapshot>, H::Snapshot> {
        let ran = match a.next {
            Phase::SavingState => self
                .host
                .save_state(module)
                .map(|snapshot| a.snapshot = snapshot)
                .map_err(|e| (HostCall::SaveState, e)),
            Phase::Unloading => self
                .host
                .suspend_old(module)
                .map_err(|e| (HostCall::SuspendOld, e)),
            Phase::Loading => {
                a.spawned = true;
                let binary = core::mem::take(binary);
                self.host
                    .spawn_new(module, &binary)
                    .map_err(|e| (HostCall::SpawnNew, e))
            }
            Phase::RestoringState => self.restore(module, &mut a),
        };
        match ran {
            Err((call, error)) => Err(self.roll_back(
                module,
                a.next.state(),
                FailureCause::Host { call, error },
                a.snapshot,
                a.spawned,
            )),
            Ok(()) => Ok(match a.next.after() {
                Some(next) => {
                    a.next = next;
                    Ran::More(a)
                }
                None => Ran::Done(a),
            }),
        }
    }

    /// RestoringState: the state in, the new server serving, the old gone.
    fn restore(
        &mut self,
        module: ModuleId,
        a: &mut Active<H::Snapshot>,
    ) -> core::result::Result<(), (HostCall, HostError)> {
        if let Some(snapshot) = &a.snapshot {
            self.host
                .restore_new(module, snapshot)
                .map_err(|e| (HostCall::RestoreNew, e))?;
        }
        self.host
            .resume_new(module)
            .map_err(|e| (HostCall::ResumeNew, e))?;
        a.resumed_us = self.host.now_us();
        self.host.commit(module).map_err(|e| (HostCall::Commit, e))
    }

    /// Undo a reload past quiesce.
    fn roll_back(
        &mut self,
        module: ModuleId,
        phase: ReloadState,
        cause: FailureCause,
        snapshot: Option<H::Snapshot>,
        spawned: bool,
    ) -> ReloadError<H::Snapshot> {
        if spawned {
            self.host.discard_new(module);
        }
        let rollback = self.host.resume_old(module);
        ReloadError::Failed(Box::new(ReloadFailure {
            module,
            phase,
            cause,
            rollback,
            snapshot,
        }))
    }

    /// The reload ended with `error`: keep it as the last outcome.
    fn end(
        &mut self,
        module: ModuleId,
        error: ReloadError<H::Snapshot>,
    ) -> ReloadError<H::Snapshot> {
        self.last = Some(LastReload {
            module,
            outcome: Err(error.without_snapshot()),
        });
        error
    }
}

/// What a phase left.
enum Ran<S> {
    /// More phases to run.
    More(Active<S>),
    /// That was the last.
    Done(Active<S>),
}
