//! The session against a reference counter over a loopback, and against
//! counters with one fault each: every fault is caught by its check.

use helix_counter::{Counter, CounterClient, CounterError, CounterHandler};
use helix_protocol::client::{CallError, ControlClient};
use helix_protocol::runtime::prelude::*;
use helix_protocol::server::{Loopback, ServerCore, ServerError, ServerMode};

use super::{Check, Failure, LAST, TOTAL, session};

/// The one thing a test counter gets wrong.
#[derive(Clone, Copy, Default, PartialEq)]
enum Fault {
    #[default]
    None,
    /// `reset` leaves the total as it is.
    ResetIgnored,
    /// `add(n)` answers one more than the total.
    WrongAt(u64),
    /// `add(n)` is refused with `Overflow`.
    OverflowAt(u64),
    /// `get` answers one more than a nonzero total.
    GetOffByOne,
}

#[derive(Default)]
struct TestCounter {
    total: u64,
    fault: Fault,
}

impl CounterHandler for TestCounter {
    fn add(&mut self, n: u64) -> Result<u64, CounterError> {
        if self.fault == Fault::OverflowAt(n) {
            return Err(CounterError::Overflow);
        }
        self.total += n;
        Ok(self.total + u64::from(self.fault == Fault::WrongAt(n)))
    }
    fn get(&mut self) -> Result<u64, CounterError> {
        Ok(self.total + u64::from(self.fault == Fault::GetOffByOne && self.total != 0))
    }
    fn reset(&mut self) -> Result<(), CounterError> {
        if self.fault != Fault::ResetIgnored {
            self.total = 0;
        }
        Ok(())
    }
}

helix_module! {
    name: "testcounter",
    version: "1.0.0",
    author: "tests",
    description: "A counter with an injectable fault",
    flags: ModuleFlags::USERSPACE,
    dependencies: [],
    provides: ["counter@1.0"],
    impl Module for TestCounter {
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { Ok(()) }
        fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn is_healthy(&self) -> bool { true }
        fn get_state(&self) -> Option<ModuleState> { None }
        fn restore_state(&mut self, _state: ModuleState) -> Result<(), ModuleError> {
            Err(ModuleError::InvalidState)
        }
        fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
            serve_message::<Counter, _>(self, msg)
        }
    }
}

fn core(total: u64, fault: Fault) -> ServerCore<TestCounter> {
    ServerCore::new(TestCounter { total, fault })
}

fn run(total: u64, fault: Fault) -> Result<u64, Failure> {
    session(&mut CounterClient::new(core(total, fault)))
}

#[test]
fn a_correct_counter_passes_and_ends_at_5050() {
    let mut server = core(0, Fault::None);
    assert_eq!(session(&mut CounterClient::new(&mut server)), Ok(LAST + 3));
    assert_eq!(TOTAL, 5050);
    assert_eq!(CounterClient::new(&mut server).get(), Ok(5050));
}

#[test]
fn a_stale_total_is_reset_first() {
    assert_eq!(run(1234, Fault::None), Ok(LAST + 3));
}

#[test]
fn an_ignored_reset_fails_the_zero_check() {
    let failure = run(7, Fault::ResetIgnored).unwrap_err();
    assert_eq!(
        failure,
        Failure::Wrong {
            check: Check::Zero,
            got: 7,
            want: 0
        }
    );
    assert_eq!(failure.status(), 4);
}

#[test]
fn a_wrong_running_total_names_its_add() {
    let failure = run(0, Fault::WrongAt(51)).unwrap_err();
    assert_eq!(
        failure,
        Failure::Wrong {
            check: Check::Add(51),
            got: 51 * 52 / 2 + 1,
            want: 51 * 52 / 2
        }
    );
    assert_eq!(failure.status(), 151);
    assert_eq!(failure.to_string(), "add(51): got 1327, want 1326");
}

#[test]
fn a_refused_add_names_its_add() {
    let failure = run(0, Fault::OverflowAt(100)).unwrap_err();
    assert_eq!(
        failure,
        Failure::Call(Check::Add(100), CallError::Remote(CounterError::Overflow))
    );
    assert_eq!(failure.status(), 200);
}

#[test]
fn a_wrong_final_total_fails_the_last_check() {
    let failure = run(0, Fault::GetOffByOne).unwrap_err();
    assert_eq!(
        failure,
        Failure::Wrong {
            check: Check::Total,
            got: 5051,
            want: 5050
        }
    );
    assert_eq!(failure.status(), 5);
}

#[test]
fn a_quiesced_server_fails_the_first_call() {
    let mut server = core(0, Fault::None);
    ControlClient::new(Loopback::control(&mut server))
        .quiesce()
        .unwrap();
    let failure = session(&mut CounterClient::new(&mut server)).unwrap_err();
    assert_eq!(
        failure,
        Failure::Call(
            Check::Reset,
            CallError::Server(ServerError::WrongMode(ServerMode::Quiesced))
        )
    );
    assert_eq!(failure.status(), 3);
}

#[test]
fn every_check_has_its_own_nonzero_status() {
    let checks = [Check::Reset, Check::Zero, Check::Total]
        .into_iter()
        .chain((1..=LAST).map(Check::Add));
    let mut statuses: Vec<u64> = vec![Failure::NoFreeSlot.status()];
    statuses.extend(checks.map(|c| {
        Failure::Wrong {
            check: c,
            got: 0,
            want: 1,
        }
        .status()
    }));
    assert!(statuses.iter().all(|&s| s != 0));
    let count = statuses.len();
    statuses.sort_unstable();
    statuses.dedup();
    assert_eq!(statuses.len(), count);
}
