//! Host tests of the server: the typed client against a `ServerCore`
//! loopback, and a hot reload of the total through the control protocol.

use helix_counter::{CounterClient, CounterError};
use helix_protocol::client::{CallError, ControlClient};
use helix_protocol::server::{Loopback, ServerCore, ServerError, ServerMode};
use helix_protocol::{Module, ModuleContext, ModuleState};

use super::{CounterServer, STATE_VERSION};

fn started() -> ServerCore<CounterServer> {
    let mut m = CounterServer::default();
    m.init(&ModuleContext::new(1).with_args("")).unwrap();
    m.start().unwrap();
    ServerCore::new(m)
}

#[test]
fn add_returns_the_running_total() {
    let mut c = CounterClient::new(started());
    assert_eq!(c.get(), Ok(0));
    assert_eq!(c.add(5), Ok(5));
    assert_eq!(c.add(0), Ok(5));
    assert_eq!(c.add(37), Ok(42));
    assert_eq!(c.get(), Ok(42));
}

#[test]
fn reset_sets_the_total_to_zero() {
    let mut c = CounterClient::new(started());
    c.add(7).unwrap();
    assert_eq!(c.reset(), Ok(()));
    assert_eq!(c.get(), Ok(0));
    assert_eq!(c.add(3), Ok(3));
}

#[test]
fn overflow_is_refused_and_keeps_the_total() {
    let mut c = CounterClient::new(started());
    assert_eq!(c.add(u64::MAX - 1), Ok(u64::MAX - 1));
    assert_eq!(c.add(2), Err(CallError::Remote(CounterError::Overflow)));
    assert_eq!(c.get(), Ok(u64::MAX - 1));
    assert_eq!(c.add(1), Ok(u64::MAX));
    assert_eq!(c.add(1), Err(CallError::Remote(CounterError::Overflow)));
}

#[test]
fn total_survives_a_hot_reload() {
    let mut old = started();
    let mut c = CounterClient::new(&mut old);
    for n in 1..=10 {
        c.add(n).unwrap();
    }
    let mut ctl = ControlClient::new(Loopback::control(&mut old));
    ctl.quiesce().unwrap();
    // A quiesced server takes no client calls.
    assert_eq!(
        CounterClient::new(&mut old).get(),
        Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Quiesced
        )))
    );
    let state = ControlClient::new(Loopback::control(&mut old))
        .save_state()
        .unwrap()
        .expect("the counter has state");
    let mut new = started();
    ControlClient::new(Loopback::control(&mut new))
        .restore_state(state)
        .unwrap();
    let mut c = CounterClient::new(new);
    assert_eq!(c.get(), Ok(55));
    assert_eq!(c.add(1), Ok(56));
}

#[test]
fn state_of_another_format_version_is_refused() {
    let mut m = CounterServer::default();
    let foreign = ModuleState::encode(STATE_VERSION + 1, &9u64).unwrap();
    assert!(m.restore_state(foreign).is_err());
    assert_eq!(m.total, 0);
}

#[test]
fn clients_cannot_send_control_frames() {
    let mut core = started();
    let mut ctl = ControlClient::new(Loopback::client(&mut core));
    assert!(ctl.quiesce().is_err());
    assert_eq!(CounterClient::new(&mut core).add(2), Ok(2));
}
