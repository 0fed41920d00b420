//! `PartnerGone`: a caller whose call a server thread received (and holds
//! the reply of) wakes with it when that thread is destroyed; `Revoked`
//! keeps its other meanings, and a call not yet received keeps waiting.

use helix_abi::fault::FAULT_REPLY_DESTROY;
use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapType, Method, SysError, Syscall};

use super::super::*;
use super::support::*;
use crate::fault::FaultMessage;
use crate::ipc::IpcState;
use crate::table::ThreadId;

/// The service endpoint in the root CSpace.
const EP: u64 = 11;

/// `server` receives on `ep` (a slot of its own CSpace); `caller` calls
/// the root's [`EP`]: the server now holds the call.
fn hold_a_call(s: &mut System, fx: &mut Rec, server: ThreadId, ep: u64, caller: ThreadId) {
    assert_eq!(
        sys(s, server, fx, Syscall::Recv, [ep, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    assert_eq!(
        sys(
            s,
            caller,
            fx,
            Syscall::Call,
            [EP, info(1, 1, 0), 7, 0, 0, 0]
        ),
        Ok(Completion::Blocked)
    );
    assert_eq!(
        fx.transfers.last().map(|t| (t.from, t.to)),
        Some((caller, server))
    );
    assert!(s.ipc.has_reply(server));
}

fn woke_with(fx: &Rec, t: ThreadId) -> Option<Result<(), SysError>> {
    fx.wakes
        .iter()
        .rev()
        .find(|(w, _)| *w == t)
        .map(|(_, r)| *r)
}

#[test]
fn destroying_the_server_thread_wakes_its_caller_with_partner_gone() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, EP, 0);
    let server = second_thread(&mut s, a, &mut fx, 10);
    let queued = second_thread(&mut s, a, &mut fx, 12);
    hold_a_call(&mut s, &mut fx, server, EP, a);
    // A second call finds no receiver: it is queued, not received.
    assert_eq!(
        sys(&mut s, queued, &mut fx, Syscall::Call, [EP, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    inv(&mut s, a, &mut fx, 10, Method::CapDelete, [0; 4]).unwrap();
    assert!(s.thread(server).is_err(), "the server thread is gone");
    assert_eq!(woke_with(&fx, a), Some(Err(SysError::PartnerGone)));
    assert_eq!(s.ipc.state(a), Ok(IpcState::Idle));
    assert_eq!(
        woke_with(&fx, queued),
        None,
        "the queued call keeps waiting"
    );
    assert!(matches!(s.ipc.state(queued), Ok(IpcState::Sending { .. })));
}

#[test]
fn destroying_the_server_process_wakes_its_caller_with_partner_gone() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, EP, 0);
    retype(&mut s, a, &mut fx, CapType::AddressSpace, 16, 8);
    // The server's process gets the endpoint in its slot 3.
    inv(
        &mut s,
        a,
        &mut fx,
        16,
        Method::AddressSpaceCapMint,
        [EP, 3, 0x3, 0],
    )
    .unwrap();
    retype(&mut s, a, &mut fx, CapType::Thread, 17, 0);
    let server = start_thread(&mut s, a, &mut fx, 17, 16, NO_SLOT);
    hold_a_call(&mut s, &mut fx, server, 3, a);
    inv(&mut s, a, &mut fx, 16, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(woke_with(&fx, a), Some(Err(SysError::PartnerGone)));
    assert_eq!(s.ipc.state(a), Ok(IpcState::Idle));
    // The thread object outlives its process (the root holds its cap) but
    // owes nothing any more and can never run.
    assert!(!s.ipc.has_reply(server));
    assert_eq!(s.thread(server).map(|t| t.state), Ok(RunState::Suspended));
    assert_eq!(
        inv(&mut s, a, &mut fx, 17, Method::ThreadResume, [0; 4]),
        Err(SysError::InvalidState)
    );
}

#[test]
fn revoking_the_servers_untyped_wakes_its_caller_with_partner_gone() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, EP, 0);
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedSplit,
        [0, 20, 4096, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::UntypedRetype,
        [CapType::Thread as u64, 21, 0, 0],
    )
    .unwrap();
    let server = start_thread(&mut s, a, &mut fx, 21, 0, NO_SLOT);
    hold_a_call(&mut s, &mut fx, server, EP, a);
    inv(&mut s, a, &mut fx, 20, Method::CapRevoke, [0; 4]).unwrap();
    assert!(s.thread(server).is_err());
    assert_eq!(woke_with(&fx, a), Some(Err(SysError::PartnerGone)));
}

#[test]
fn a_fault_handler_destroying_the_server_wakes_its_caller_with_partner_gone() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, EP, 0);
    retype(&mut s, a, &mut fx, CapType::Endpoint, 13, 0);
    retype(&mut s, a, &mut fx, CapType::Thread, 10, 0);
    let server = start_thread(&mut s, a, &mut fx, 10, 0, 13);
    let handler = second_thread(&mut s, a, &mut fx, 12);
    hold_a_call(&mut s, &mut fx, server, EP, a);
    assert_eq!(
        sys(&mut s, handler, &mut fx, Syscall::Recv, [13, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    let f = FaultMessage {
        thread: server,
        vector: 13,
        error_code: 0,
        address: 0,
        rip: 0x40_0000,
    };
    assert_eq!(s.fault(server, f, &mut fx), Ok(Completion::Blocked));
    assert_eq!(
        woke_with(&fx, a),
        None,
        "a faulted server still holds the call"
    );
    let destroy = info(FAULT_REPLY_DESTROY, 0, 0);
    sys(
        &mut s,
        handler,
        &mut fx,
        Syscall::Reply,
        [0, destroy, 0, 0, 0, 0],
    )
    .unwrap();
    assert_eq!(woke_with(&fx, a), Some(Err(SysError::PartnerGone)));
}

#[test]
fn revoked_keeps_its_other_meanings_and_a_suspended_server_keeps_the_call() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, EP, 0);
    let server = second_thread(&mut s, a, &mut fx, 10);
    // Suspended while holding the call (a hot reload): the caller waits,
    // and the resumed server's reply arrives.
    hold_a_call(&mut s, &mut fx, server, EP, a);
    inv(&mut s, a, &mut fx, 10, Method::ThreadSuspend, [0; 4]).unwrap();
    assert_eq!(woke_with(&fx, a), None);
    assert!(matches!(s.ipc.state(a), Ok(IpcState::WaitingReply { .. })));
    inv(&mut s, a, &mut fx, 10, Method::ThreadResume, [0; 4]).unwrap();
    sys(&mut s, server, &mut fx, Syscall::Reply, [0, 0, 0, 0, 0, 0]).unwrap();
    assert_eq!(woke_with(&fx, a), Some(Ok(())));
    // Receiving again without replying drops the call: `Revoked`.
    hold_a_call(&mut s, &mut fx, server, EP, a);
    assert_eq!(
        sys(&mut s, server, &mut fx, Syscall::Recv, [EP, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    assert_eq!(woke_with(&fx, a), Some(Err(SysError::Revoked)));
    // The endpoint destroyed under a queued call: `Revoked`.
    let caller = second_thread(&mut s, a, &mut fx, 12);
    inv(&mut s, a, &mut fx, 10, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(
        sys(&mut s, caller, &mut fx, Syscall::Call, [EP, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    inv(&mut s, a, &mut fx, EP, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(woke_with(&fx, caller), Some(Err(SysError::Revoked)));
}
