//! Every failure point: for each host call that can fail, the phase it
//! fails in, the calls made after it (none up to quiesce; discard_new
//! only once spawn_new was called; then resume_old), the snapshot carried,
//! and RollbackFailed when resume_old fails too.

use alloc::vec::Vec;
use helix_protocol::ModuleState;

use super::mock::{ID, Mock, Proc, SUCCESS, counter_state, engine, record};
use crate::reload::{FailureCause, HostCall, HostError, HotReloadEngine, ReloadError, ReloadState};

/// How a failure of a call ends.
struct Case {
    call: HostCall,
    /// `None`: before anything stopped (no rollback).
    phase: Option<ReloadState>,
    /// The calls after the failed one.
    rollback: &'static [HostCall],
    /// Whether the old server's state had been taken.
    snapshot: bool,
}

const DISCARD_RESUME: &[HostCall] = &[HostCall::DiscardNew, HostCall::ResumeOld];
const RESUME: &[HostCall] = &[HostCall::ResumeOld];

fn cases() -> [Case; 9] {
    use HostCall::*;
    use ReloadState as S;
    let case = |call, phase, rollback, snapshot| Case {
        call,
        phase,
        rollback,
        snapshot,
    };
    [
        case(Current, None, &[], false),
        case(Load, None, &[], false),
        case(Quiesce, None, &[], false),
        case(SaveState, Some(S::SavingState), RESUME, false),
        case(SuspendOld, Some(S::Unloading), RESUME, true),
        case(SpawnNew, Some(S::Loading), DISCARD_RESUME, true),
        case(RestoreNew, Some(S::RestoringState), DISCARD_RESUME, true),
        case(ResumeNew, Some(S::RestoringState), DISCARD_RESUME, true),
        case(Commit, Some(S::RestoringState), DISCARD_RESUME, true),
    ]
}

#[test]
fn the_cases_cover_every_fallible_call() {
    let infallible = [HostCall::Dependents, HostCall::DiscardNew, HostCall::NowUs];
    let covered: Vec<HostCall> = cases().iter().map(|c| c.call).collect();
    for &call in HostCall::ALL {
        assert_eq!(
            covered.contains(&call),
            !infallible.contains(&call) && call != HostCall::ResumeOld,
            "{call}"
        );
    }
}

/// Run a reload in which `case.call` (and `also`) fail; the error, after
/// checking the calls made.
fn fail(case: &Case, also: &[HostCall]) -> (HotReloadEngine<Mock>, ReloadError) {
    let (mut engine, binary) = engine("1.0.1");
    engine.host_mut().fail.insert(case.call);
    engine.host_mut().fail.extend(also);
    let err = engine.reload(ID, &binary).unwrap_err();
    let upto = SUCCESS.iter().position(|&c| c == case.call).unwrap() + 1;
    let mut want = SUCCESS[..upto].to_vec();
    want.extend(case.rollback);
    assert_eq!(engine.host().take_calls(), want, "{} fails", case.call);
    assert_eq!(engine.state(), ReloadState::Idle, "{} fails", case.call);
    (engine, err)
}

#[test]
fn a_failure_rolls_back_and_the_old_version_serves() {
    for case in cases() {
        let what = case.call;
        let (mut engine, err) = fail(&case, &[]);
        let mock = engine.host();
        mock.assert_old_serves();
        assert_eq!(mock.current, record("1.0.0"), "{what}");
        assert_eq!(mock.old_state, Some(counter_state(42)), "{what}");
        assert_eq!(err.state(), ReloadState::Idle, "{what}");
        assert_eq!(engine.last().map(|l| l.end()), Some(ReloadState::Idle));
        match (&err, case.phase) {
            (
                ReloadError::NotStarted {
                    module,
                    call,
                    error,
                },
                None,
            ) => {
                assert_eq!((*module, *call), (ID, what));
                assert_eq!(
                    error,
                    &HostError::new(alloc::format!("the mock fails {what}"))
                );
                assert!(!err.rolled_back());
            }
            (ReloadError::Failed(f), Some(phase)) => {
                assert!(err.rolled_back(), "{what}");
                assert_eq!((f.module, f.phase), (ID, phase), "{what}");
                assert!(
                    matches!(&f.cause, FailureCause::Host { call, .. } if *call == what),
                    "{what}: {:?}",
                    f.cause
                );
                assert_eq!(f.rollback, Ok(()));
                let snapshot = case.snapshot.then(|| counter_state(42));
                assert_eq!(f.snapshot, snapshot, "{what}");
            }
            (err, phase) => panic!("{what}: {err:?} for {phase:?}"),
        }
        // The engine is ready again, and the next try goes through.
        engine.host_mut().fail.clear();
        let binary = engine.host_mut().binary(record("1.0.1"));
        assert!(engine.reload(ID, &binary).is_ok(), "after {what}");
        assert_eq!(engine.host().current, record("1.0.1"));
    }
}

#[test]
fn a_failed_rollback_is_rollback_failed_and_carries_the_snapshot() {
    for case in cases().into_iter().filter(|c| c.phase.is_some()) {
        let what = case.call;
        let (mut engine, err) = fail(&case, &[HostCall::ResumeOld]);
        let mock = engine.host();
        assert_ne!(mock.old, Proc::Serving, "{what}");
        assert_eq!(mock.new, Proc::Absent, "{what}: the new process is gone");
        assert!(!err.rolled_back(), "{what}");
        assert_eq!(err.state(), ReloadState::RollbackFailed, "{what}");
        let snapshot = case.snapshot.then(|| counter_state(42));
        assert_eq!(err.snapshot(), snapshot.as_ref(), "{what}");
        let failure = err.failure().unwrap();
        assert_eq!(failure.phase, case.phase.unwrap());
        assert_eq!(
            failure.rollback,
            Err(HostError::new("the mock fails resume_old"))
        );
        let text = err.to_string();
        assert!(text.contains("RollbackFailed: resume_old"), "{text}");
        assert!(text.contains("self-healing restarts it"), "{text}");

        let last = engine.last().unwrap();
        assert_eq!(last.end(), ReloadState::RollbackFailed);
        let kept = last.outcome.as_ref().unwrap_err();
        assert_eq!(kept.snapshot(), None, "the snapshot went to the caller");
        assert_eq!(kept.failure().map(|f| f.phase), case.phase);
        // Ready for the next reload (self-healing restarts the module first).
        assert_eq!(engine.state(), ReloadState::Idle);
        engine.host_mut().old = Proc::Serving;
        engine.host_mut().fail.clear();
        let binary = engine.host_mut().binary(record("1.0.1"));
        assert!(engine.reload(ID, &binary).is_ok(), "after {what}");
    }
}

#[test]
fn failures_name_the_phase_the_call_and_the_outcome() {
    let spawn = &cases()[5];
    let (_, err) = fail(spawn, &[]);
    assert_eq!(
        err.to_string(),
        "hot reload of #7 failed in Loading: spawn_new: the mock fails spawn_new; \
         rolled back, the old version serves again"
    );
    let (_, err) = fail(spawn, &[HostCall::ResumeOld]);
    assert_eq!(
        err.to_string(),
        "hot reload of #7 failed in Loading: spawn_new: the mock fails spawn_new; \
         RollbackFailed: resume_old: the mock fails resume_old: neither version serves, \
         self-healing restarts it with the saved state (8 bytes)"
    );
    let (_, err) = fail(&cases()[3], &[HostCall::ResumeOld]);
    assert!(err.to_string().ends_with("(no state was saved)"), "{err}");
}

#[test]
fn an_unreadable_binary_stops_nothing() {
    let (mut engine, _) = engine("1.0.1");
    let err = engine.reload(ID, b"not a module").unwrap_err();
    assert!(
        matches!(&err, ReloadError::NotStarted { call: HostCall::Load, error, .. }
            if error.reason == "not a module binary"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "hot reload of #7 not started: load: not a module binary; nothing was stopped"
    );
    assert_eq!(
        engine.host().take_calls(),
        [HostCall::Current, HostCall::Load]
    );
    engine.host().assert_old_serves();
}

#[test]
fn rollback_calls_are_only_made_on_failure() {
    let (mut engine, binary) = engine("1.0.1");
    engine
        .host_mut()
        .fail
        .extend([HostCall::ResumeOld, HostCall::DiscardNew]);
    assert!(engine.reload(ID, &binary).is_ok());
    assert_eq!(engine.host().take_calls(), SUCCESS);
}

#[test]
fn a_large_state_is_carried_whole() {
    let (mut engine, binary) = engine("1.0.1");
    let big = ModuleState::new(3, (0..=255u8).cycle().take(1 << 20).collect());
    engine.host_mut().old_state = Some(big.clone());
    let result = engine.reload(ID, &binary).unwrap();
    assert_eq!(result.state_bytes, 1 << 20);
    assert_eq!(engine.host().old_state, Some(big));
}
