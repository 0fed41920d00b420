//! The IPC fast path leaves the same state as the general path.

use helix_abi::{CapType, MessageInfo, Method, Syscall};

use super::super::*;
use super::support::*;
use crate::ipc::IpcState;

#[test]
fn fast_call_and_reply_recv_match_the_general_path() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    let b = second_thread(&mut s, a, &mut fx, 10);
    retype(&mut s, a, &mut fx, CapType::Endpoint, 11, 0);
    inv(&mut s, a, &mut fx, 11, Method::CapMint, [12, 0x3, 42, 0]).unwrap();
    let m = MessageInfo::new(5, 2, 0).unwrap();
    // Nobody receives yet: no fast path, nothing changed.
    assert_eq!(s.fast_call(a, 12, m), None);
    assert_eq!(s.ipc.state(a), Ok(IpcState::Idle));
    // b waits; a's call goes straight to it with the badge.
    assert_eq!(
        sys(&mut s, b, &mut fx, Syscall::Recv, [11, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    // Caps or long messages never take the fast path.
    assert_eq!(s.fast_call(a, 12, MessageInfo::new(5, 2, 1).unwrap()), None);
    assert_eq!(s.fast_call(a, 12, MessageInfo::new(5, 9, 0).unwrap()), None);
    let f = s.fast_call(a, 12, m).unwrap();
    assert_eq!((f.to, f.badge), (b, 42));
    assert!(matches!(s.ipc.state(a), Ok(IpcState::WaitingReply { .. })));
    assert_eq!(s.ipc.state(b), Ok(IpcState::Idle));
    assert!(!s.sched.is_queued(b));
    // b answers and waits again in one step; a runs next.
    let r = s
        .fast_reply_recv(b, 11, MessageInfo::new(0, 1, 0).unwrap())
        .unwrap();
    assert_eq!((r.to, r.badge), (a, 0));
    assert_eq!(s.ipc.state(a), Ok(IpcState::Idle));
    assert!(matches!(s.ipc.state(b), Ok(IpcState::Receiving { .. })));
    // No reply owed any more: the fast path declines.
    assert_eq!(s.fast_reply_recv(b, 11, m), None);
}
