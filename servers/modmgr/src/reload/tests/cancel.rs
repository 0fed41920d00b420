//! cancel() between any two steps: before Preparing ran nothing is undone;
//! later, the same rollback as a failure. An error when nothing is in
//! flight.

use super::mock::{ID, Proc, counter_state, engine, record};
use crate::reload::{FailureCause, HostCall, Progress, ReloadError, ReloadState};

/// After `steps` steps: the state, and the calls cancel makes.
const CASES: [(usize, ReloadState, &[HostCall]); 5] = [
    (0, ReloadState::Preparing, &[]),
    (1, ReloadState::SavingState, &[HostCall::ResumeOld]),
    (2, ReloadState::Unloading, &[HostCall::ResumeOld]),
    (3, ReloadState::Loading, &[HostCall::ResumeOld]),
    (
        4,
        ReloadState::RestoringState,
        &[HostCall::DiscardNew, HostCall::ResumeOld],
    ),
];

#[test]
fn cancel_in_each_state_rolls_back() {
    for (steps, state, rollback) in CASES {
        let (mut engine, binary) = engine("1.0.1");
        engine.begin(ID, &binary).unwrap();
        for _ in 0..steps {
            assert!(matches!(engine.step(), Ok(Progress::Next(_))));
        }
        assert_eq!(engine.state(), state);
        engine.host().take_calls();

        assert_eq!(engine.cancel(), Ok(()), "{state}");
        assert_eq!(engine.host().take_calls(), rollback, "{state}");
        engine.host().assert_old_serves();
        assert_eq!(engine.host().current, record("1.0.0"));
        assert_eq!(engine.state(), ReloadState::Idle);
        let last = engine.last().unwrap();
        assert_eq!(last.end(), ReloadState::Idle, "{state}");
        match last.outcome.as_ref().unwrap_err() {
            ReloadError::Cancelled { module } => assert_eq!((*module, steps), (ID, 0)),
            ReloadError::Failed(f) => {
                assert_eq!((f.phase, &f.cause), (state, &FailureCause::Cancelled));
                assert!(f.rolled_back());
            }
            other => panic!("{state}: {other:?}"),
        }
        // Cancelled means over: no more steps, and a new reload can begin.
        assert_eq!(engine.step(), Err(ReloadError::NotInProgress));
        assert!(
            engine.reload(ID, &binary).is_ok(),
            "after cancel in {state}"
        );
    }
}

#[test]
fn cancel_whose_rollback_fails_is_rollback_failed() {
    let (mut engine, binary) = engine("1.0.1");
    engine.begin(ID, &binary).unwrap();
    for _ in 0..3 {
        engine.step().unwrap();
    }
    assert_eq!(engine.state(), ReloadState::Loading);
    engine.host_mut().fail.insert(HostCall::ResumeOld);
    let err = engine.cancel().unwrap_err();
    assert_eq!(err.state(), ReloadState::RollbackFailed);
    assert_eq!(err.snapshot(), Some(&counter_state(42)));
    assert_eq!(
        err.failure().map(|f| (&f.cause, f.phase)),
        Some((&FailureCause::Cancelled, ReloadState::Loading))
    );
    assert!(
        err.to_string()
            .starts_with("hot reload of #7 cancelled in Loading; RollbackFailed")
    );
    assert_eq!(engine.host().old, Proc::Suspended);
    assert_eq!(engine.last().unwrap().end(), ReloadState::RollbackFailed);
}

#[test]
fn cancel_with_nothing_in_flight_is_an_error() {
    let (mut engine, binary) = engine("1.0.1");
    assert_eq!(engine.cancel(), Err(ReloadError::NotInProgress), "idle");
    engine.reload(ID, &binary).unwrap();
    assert_eq!(
        engine.cancel(),
        Err(ReloadError::NotInProgress),
        "completed"
    );
    assert_eq!(engine.last().unwrap().end(), ReloadState::Completed, "kept");
    let two = engine.host_mut().binary(record("2.0.0"));
    assert!(engine.reload(ID, &two).is_err());
    assert_eq!(engine.cancel(), Err(ReloadError::NotInProgress), "refused");
    assert!(
        engine
            .host()
            .take_calls()
            .ends_with(&[HostCall::Dependents])
    );
}

#[test]
fn one_reload_at_a_time() {
    let (mut engine, binary) = engine("1.0.1");
    assert_eq!(engine.step(), Err(ReloadError::NotInProgress));
    engine.begin(ID, &binary).unwrap();
    engine.step().unwrap();
    let busy = ReloadError::Busy {
        module: ID,
        state: ReloadState::SavingState,
    };
    assert_eq!(engine.begin(ID, &binary), Err(busy.clone()));
    assert_eq!(engine.reload(ID, &binary), Err(busy));
    assert_eq!(engine.state(), ReloadState::SavingState, "the run goes on");
    while let Ok(Progress::Next(_)) = engine.step() {}
    assert_eq!(engine.host().current, record("1.0.1"));
    assert_eq!(engine.host().old, Proc::Serving);
}
