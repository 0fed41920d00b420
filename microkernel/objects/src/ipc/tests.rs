use alloc::vec::Vec;

use helix_abi::{CapRights, CapType, MessageInfo, SysError};
use proptest::prelude::*;

use super::*;
use crate::cap::{Cap, CapSystem, SlotAddr};
use crate::table::{ObjRef, ThreadId};

fn tid(i: u32) -> ThreadId {
    ThreadId(ObjRef::new(i, 0))
}

fn setup(threads: u32) -> (Ipc, ObjRef) {
    let mut ipc = Ipc::new(IpcLimits {
        threads: threads as usize,
        endpoints: 4,
        notifications: 4,
    });
    for i in 0..threads {
        ipc.add_thread(tid(i)).unwrap();
    }
    let ep = ipc.create_endpoint().unwrap();
    (ipc, ep)
}

fn msg(badge: u64, call: bool) -> PendingSend {
    PendingSend {
        badge,
        info: MessageInfo::new(7, 2, 0).unwrap(),
        grant: false,
        call,
    }
}

#[test]
fn send_then_recv_delivers_badge_and_wakes_sender() {
    let (mut ipc, ep) = setup(2);
    assert_eq!(
        ipc.send(ep, tid(0), msg(5, false), true),
        Ok(SendOutcome::Blocked)
    );
    let r = ipc.recv(ep, tid(1), true).unwrap();
    let RecvOutcome::Received(t) = r.outcome else {
        panic!("{r:?}")
    };
    assert_eq!((t.from, t.to, t.badge, t.call), (tid(0), tid(1), 5, false));
    assert_eq!(ipc.state(tid(0)), Ok(IpcState::Idle));
    assert_eq!(ipc.endpoint(ep).unwrap().waiters(), Waiters::None);
}

#[test]
fn non_blocking_variants_would_block() {
    let (mut ipc, ep) = setup(2);
    assert_eq!(
        ipc.send(ep, tid(0), msg(0, false), false),
        Err(SysError::WouldBlock)
    );
    assert_eq!(ipc.recv(ep, tid(1), false), Err(SysError::WouldBlock));
    assert_eq!(ipc.state(tid(0)), Ok(IpcState::Idle));
    ipc.recv(ep, tid(1), true).unwrap();
    let out = ipc.send(ep, tid(0), msg(0, false), false).unwrap();
    assert!(matches!(out, SendOutcome::Delivered(t) if t.to == tid(1)));
}

#[test]
fn call_reply_round_trip() {
    let (mut ipc, ep) = setup(2);
    ipc.recv(ep, tid(1), true).unwrap();
    let SendOutcome::Delivered(t) = ipc.send(ep, tid(0), msg(9, true), true).unwrap() else {
        panic!()
    };
    assert!(t.call);
    assert!(matches!(
        ipc.state(tid(0)),
        Ok(IpcState::WaitingReply { .. })
    ));
    assert!(ipc.has_reply(tid(1)));
    let info = MessageInfo::new(1, 1, 0).unwrap();
    let back = ipc.reply(tid(1), info).unwrap();
    assert_eq!(
        (back.from, back.to, back.badge, back.info),
        (tid(1), tid(0), 0, info)
    );
    assert_eq!(ipc.state(tid(0)), Ok(IpcState::Idle));
    assert_eq!(ipc.reply(tid(1), info), Err(SysError::InvalidState));
}

#[test]
fn reply_to_a_timed_out_caller_is_revoked() {
    let (mut ipc, ep) = setup(2);
    ipc.send(ep, tid(0), msg(0, true), true).unwrap();
    ipc.recv(ep, tid(1), true).unwrap();
    assert_eq!(ipc.cancel(tid(0)), Ok(true));
    assert_eq!(
        ipc.reply(tid(1), MessageInfo::default()),
        Err(SysError::Revoked)
    );
}

#[test]
fn receiving_again_abandons_the_pending_call() {
    let (mut ipc, ep) = setup(3);
    ipc.send(ep, tid(0), msg(0, true), true).unwrap();
    ipc.recv(ep, tid(1), true).unwrap();
    let r = ipc.recv(ep, tid(1), true).unwrap();
    assert_eq!(
        r,
        Recv {
            outcome: RecvOutcome::Blocked,
            abandoned: Some(tid(0))
        }
    );
    assert_eq!(ipc.state(tid(0)), Ok(IpcState::Idle));
}

#[test]
fn destroying_an_endpoint_wakes_every_queued_thread() {
    let (mut ipc, ep) = setup(3);
    for i in 0..3 {
        ipc.send(ep, tid(i), msg(0, i == 1), true).unwrap();
    }
    let mut woken = Vec::new();
    assert_eq!(ipc.destroy_endpoint(ep, &mut |t| woken.push(t)), 3);
    assert_eq!(woken, [tid(0), tid(1), tid(2)]);
    assert_eq!(
        ipc.send(ep, tid(0), msg(0, false), true),
        Err(SysError::Revoked)
    );
    assert_eq!(ipc.recv(ep, tid(0), true), Err(SysError::Revoked));
}

#[test]
fn cancel_badged_sends_only_takes_that_badge() {
    let (mut ipc, ep) = setup(4);
    for (i, b) in [(0, 1), (1, 2), (2, 1)] {
        ipc.send(ep, tid(i), msg(b, false), true).unwrap();
    }
    let mut woken = Vec::new();
    assert_eq!(ipc.cancel_badged_sends(ep, 1, &mut |t| woken.push(t)), 2);
    assert_eq!(woken, [tid(0), tid(2)]);
    let r = ipc.recv(ep, tid(3), true).unwrap();
    assert!(matches!(r.outcome, RecvOutcome::Received(t) if t.from == tid(1)));
}

#[test]
fn a_blocked_thread_cannot_start_another_operation() {
    let (mut ipc, ep) = setup(2);
    ipc.send(ep, tid(0), msg(0, false), true).unwrap();
    assert_eq!(ipc.recv(ep, tid(0), true), Err(SysError::InvalidState));
    assert_eq!(
        ipc.send(ep, tid(5), msg(0, false), true),
        Err(SysError::InvalidState)
    );
}

#[test]
fn removing_a_server_revokes_its_callers_reply() {
    let (mut ipc, ep) = setup(2);
    ipc.recv(ep, tid(1), true).unwrap();
    ipc.send(ep, tid(0), msg(0, true), true).unwrap();
    assert_eq!(ipc.remove_thread(tid(1)), Ok(Some(tid(0))));
    assert_eq!(ipc.state(tid(0)), Ok(IpcState::Idle));
}

#[test]
fn grant_is_needed_for_caps_and_transfer_fills_the_window() {
    let with_caps = MessageInfo::new(0, 0, 2).unwrap();
    assert_eq!(
        check_send(with_caps, CapRights::WRITE),
        Err(SysError::NoRights)
    );
    assert_eq!(
        check_send(with_caps, CapRights::WRITE.union(CapRights::GRANT)),
        Ok(())
    );
    assert_eq!(check_send(MessageInfo::default(), CapRights::NONE), Ok(()));
    assert_eq!(
        RecvWindow::from_buffer(0, 5),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        RecvWindow::from_buffer(u64::from(u32::MAX), 2),
        Err(SysError::InvalidCap)
    );
    assert_eq!(RecvWindow::from_buffer(u64::MAX, 0), Ok(RecvWindow::NONE));

    let mut caps = CapSystem::new(2, 8);
    let a = caps.create_space(4).unwrap();
    let b = caps.create_space(4).unwrap();
    for i in 0..3 {
        let c = Cap::new(ObjRef::new(i, 0), CapType::Endpoint, CapRights::ALL);
        caps.insert_original(SlotAddr::new(a, i), c, None).unwrap();
    }
    let window = RecvWindow::from_buffer(2, 2).unwrap();
    assert_eq!(transfer_caps(&mut caps, a, &[0, 1, 2], b, window), 2);
    assert_eq!(
        caps.cap(SlotAddr::new(b, 3)).unwrap().object,
        ObjRef::new(1, 0)
    );
    // Window occupied now: nothing more arrives.
    assert_eq!(transfer_caps(&mut caps, a, &[2], b, window), 0);
    assert_eq!(
        caps.parent(SlotAddr::new(b, 2)),
        Ok(Some(SlotAddr::new(a, 0)))
    );
}

// ---- property test: random IPC among threads keeps every invariant ----

const THREADS: u32 = 6;

#[derive(Clone, Debug)]
enum Op {
    Send(u32, u8, u64, bool, bool),
    Recv(u32, u8, bool),
    Reply(u32),
    Cancel(u32),
    DestroyEp(u8),
    CancelBadge(u8, u64),
}

fn check_invariants(ipc: &Ipc, eps: &[ObjRef]) -> Result<(), TestCaseError> {
    let mut queued = Vec::new();
    for &ep in eps {
        let Ok(e) = ipc.endpoint(ep) else { continue };
        for t in ipc.links.iter(&e.queue) {
            queued.push(t);
            match (e.waiters(), ipc.state(t).unwrap()) {
                (Waiters::Senders, IpcState::Sending { ep: x, .. })
                | (Waiters::Receivers, IpcState::Receiving { ep: x }) => prop_assert_eq!(x, ep),
                other => prop_assert!(false, "bad queue member {:?}", other),
            }
        }
        prop_assert_eq!(e.queued(), ipc.links.iter(&e.queue).count());
    }
    for i in 0..THREADS {
        let t = tid(i);
        let n = queued.iter().filter(|x| **x == t).count();
        match ipc.state(t).unwrap() {
            IpcState::Sending { ep, .. } | IpcState::Receiving { ep } => {
                prop_assert!(ipc.endpoint(ep).is_ok(), "blocked on a dead endpoint");
                prop_assert_eq!(n, 1);
            }
            IpcState::WaitingReply { reply } => {
                prop_assert_eq!(n, 0);
                let holders = (0..THREADS)
                    .filter(|s| ipc.threads[*s as usize].reply == Some(reply))
                    .count();
                prop_assert_eq!(holders, 1, "a waiting caller has exactly one server");
            }
            IpcState::Idle | IpcState::Waiting { .. } => prop_assert_eq!(n, 0),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn ipc_keeps_invariants(ops in proptest::collection::vec(prop_oneof![
        (0..THREADS, 0..2u8, 0..3u64, any::<bool>(), any::<bool>()).prop_map(|(t, e, b, c, bl)| Op::Send(t, e, b, c, bl)),
        (0..THREADS, 0..2u8, any::<bool>()).prop_map(|(t, e, b)| Op::Recv(t, e, b)),
        (0..THREADS).prop_map(Op::Reply),
        (0..THREADS).prop_map(Op::Cancel),
        (0..2u8).prop_map(Op::DestroyEp),
        (0..2u8, 0..3u64).prop_map(|(e, b)| Op::CancelBadge(e, b)),
    ], 1..80)) {
        let (mut ipc, ep0) = setup(THREADS);
        let eps = [ep0, ipc.create_endpoint().unwrap()];
        // What each sender sent last, to check delivery matches the sender.
        let mut sent: [Option<u64>; THREADS as usize] = [None; THREADS as usize];
        for op in ops {
            match op {
                Op::Send(t, e, badge, call, blocking) => {
                    let r = ipc.send(eps[e as usize], tid(t), msg(badge, call), blocking);
                    match r {
                        Ok(SendOutcome::Delivered(x)) => {
                            prop_assert_eq!(x.badge, badge);
                            prop_assert_ne!(x.to, tid(t));
                        }
                        Ok(SendOutcome::Blocked) => sent[t as usize] = Some(badge),
                        Err(_) => {}
                    }
                }
                Op::Recv(t, e, blocking) => {
                    if let Ok(Recv { outcome: RecvOutcome::Received(x), .. }) = ipc.recv(eps[e as usize], tid(t), blocking) {
                        prop_assert_eq!(Some(x.badge), sent[x.from.index()]);
                    }
                }
                Op::Reply(t) => {
                    if let Ok(x) = ipc.reply(tid(t), MessageInfo::default()) {
                        prop_assert_eq!(ipc.state(x.to), Ok(IpcState::Idle));
                    }
                }
                Op::Cancel(t) => { ipc.cancel(tid(t)).unwrap(); }
                Op::DestroyEp(e) => {
                    let mut woken = Vec::new();
                    ipc.destroy_endpoint(eps[e as usize], &mut |t| woken.push(t));
                    for t in woken { prop_assert_eq!(ipc.state(t), Ok(IpcState::Idle)); }
                }
                Op::CancelBadge(e, b) => { ipc.cancel_badged_sends(eps[e as usize], b, &mut |_| {}); }
            }
            check_invariants(&ipc, &eps)?;
        }
    }
}
