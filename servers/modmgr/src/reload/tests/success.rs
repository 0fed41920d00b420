//! The success path: result fields, phase order and times, the calls in
//! order, step-wise progress, a module without state, and many reloads in
//! a row.

use alloc::vec::Vec;
use helix_protocol::AbiVersion;

use super::mock::{ID, Mock, Proc, SUCCESS, cost, counter_state, engine, record};
use crate::reload::{HostCall, HotReloadEngine, PhaseTime, Progress, ReloadState};

fn sum(calls: &[HostCall]) -> u64 {
    calls.iter().map(|&c| cost(c)).sum()
}

#[test]
fn a_reload_reports_versions_state_downtime_and_phases() {
    let (mut engine, binary) = engine("1.0.1");
    let result = engine.reload(ID, &binary).unwrap();

    assert_eq!(result.old_version, AbiVersion::new(1, 0, 0));
    assert_eq!(result.new_version, AbiVersion::new(1, 0, 1));
    assert!(result.state_preserved);
    assert_eq!(result.state_bytes, 8);
    assert_eq!((result.module, result.name.as_str()), (ID, "kv"));
    use HostCall::*;
    let phase = |phase, calls: &[HostCall]| PhaseTime {
        phase,
        us: sum(calls),
    };
    assert_eq!(
        result.phases,
        [
            phase(ReloadState::Preparing, &[Load, Quiesce]),
            phase(ReloadState::SavingState, &[SaveState]),
            phase(ReloadState::Unloading, &[SuspendOld]),
            phase(ReloadState::Loading, &[SpawnNew]),
            phase(
                ReloadState::RestoringState,
                &[RestoreNew, ResumeNew, Commit]
            ),
        ]
    );
    // Clients wait from the end of quiesce to the end of resume_new.
    assert_eq!(
        result.downtime_us,
        sum(&[SaveState, SuspendOld, SpawnNew, RestoreNew, ResumeNew])
    );
    assert_eq!(result.total_us, sum(SUCCESS));
    assert_eq!(result.phase_us(ReloadState::Loading), Some(cost(SpawnNew)));
    assert_eq!(result.phase_us(ReloadState::Completed), None);

    let mock = engine.host();
    assert_eq!(mock.take_calls(), SUCCESS);
    assert_eq!(
        mock.current,
        record("1.0.1"),
        "the new version is the module"
    );
    assert_eq!(
        mock.old_state,
        Some(counter_state(42)),
        "state carried over"
    );
    mock.assert_old_serves();
    assert_eq!(engine.state(), ReloadState::Idle);
    let last = engine.last().unwrap();
    assert_eq!(last.end(), ReloadState::Completed);
    assert_eq!(last.outcome.as_ref(), Ok(&result));
    assert_eq!(
        last.to_string(),
        "Completed: kv 1.0.0 -> 1.0.1, state preserved (8 bytes), downtime 372 us, total 533 us"
    );
}

#[test]
fn steps_walk_the_phases_in_order() {
    let (mut engine, binary) = engine("1.1.0");
    assert_eq!(engine.state(), ReloadState::Idle);
    engine.begin(ID, &binary).unwrap();
    assert_eq!(engine.state(), ReloadState::Preparing);
    assert_eq!(engine.module(), Some(ID));
    assert!(engine.host().take_calls().is_empty(), "begin calls nothing");

    let mut seen = Vec::new();
    let mut calls = Vec::new();
    let result = loop {
        match engine.step().unwrap() {
            Progress::Next(state) => {
                assert_eq!(engine.state(), state);
                seen.push(state);
                calls.push(engine.host().take_calls());
            }
            Progress::Done(result) => break result,
        }
    };
    use HostCall::*;
    assert_eq!(
        seen,
        [
            ReloadState::SavingState,
            ReloadState::Unloading,
            ReloadState::Loading,
            ReloadState::RestoringState,
        ]
    );
    assert_eq!(
        calls,
        [
            &[Current, Load, Dependents, Quiesce][..],
            &[SaveState],
            &[SuspendOld],
            &[SpawnNew],
        ]
    );
    assert_eq!(engine.host().take_calls(), [RestoreNew, ResumeNew, Commit]);
    let phases: Vec<ReloadState> = result.phases.iter().map(|p| p.phase).collect();
    assert_eq!(phases, ReloadState::PHASES);
    assert_eq!(engine.state(), ReloadState::Idle);
    assert_eq!(engine.module(), None);
}

#[test]
fn a_module_without_state_still_reloads() {
    let (mut engine, binary) = engine("1.0.1");
    engine.host_mut().old_state = None;
    let result = engine.reload(ID, &binary).unwrap();
    assert!(!result.state_preserved);
    assert_eq!(result.state_bytes, 0);
    let mock = engine.host();
    let want: Vec<HostCall> = SUCCESS
        .iter()
        .copied()
        .filter(|&c| c != HostCall::RestoreNew)
        .collect();
    assert_eq!(mock.take_calls(), want, "no restore_new without state");
    assert_eq!(mock.current.version, "1.0.1");
    assert_eq!(mock.old_state, None);
    mock.assert_old_serves();
}

#[test]
fn a_hundred_reloads_alternating_two_versions() {
    let mut mock = Mock::new();
    let binaries = [mock.binary(record("1.0.1")), mock.binary(record("1.0.0"))];
    let versions = [AbiVersion::new(1, 0, 0), AbiVersion::new(1, 0, 1)];
    let mut engine = HotReloadEngine::new(mock);
    for i in 0..100 {
        engine.host_mut().serve();
        let result = engine.reload(ID, &binaries[i % 2]).unwrap();
        assert_eq!(
            (result.old_version, result.new_version),
            (versions[i % 2], versions[(i + 1) % 2]),
            "reload {i}"
        );
        assert!(result.state_preserved);
        assert_eq!(engine.host().take_calls(), SUCCESS, "reload {i}");
    }
    let mock = engine.host();
    assert_eq!(mock.counter(), 42 + 100, "every request's effect survived");
    assert_eq!(mock.current.version, "1.0.0");
    assert_eq!(mock.new, Proc::Absent);
}

#[test]
fn an_engine_can_borrow_its_host() {
    let mut mock = Mock::new();
    let binary = mock.binary(record("1.0.1"));
    let result = HotReloadEngine::new(&mut mock).reload(ID, &binary).unwrap();
    assert_eq!(result.new_version, AbiVersion::new(1, 0, 1));
    assert_eq!(mock.current.version, "1.0.1");
}
