use alloc::vec::Vec;

use helix_abi::SysError;
use proptest::prelude::*;

use super::*;
use crate::ipc::{Ipc, IpcLimits, IpcState};
use crate::table::{ObjRef, ThreadId};

fn tid(i: u32) -> ThreadId {
    ThreadId(ObjRef::new(i, 0))
}

fn setup() -> (Ipc, ObjRef) {
    let mut ipc = Ipc::new(IpcLimits {
        threads: 4,
        endpoints: 1,
        notifications: 2,
    });
    for i in 0..4 {
        ipc.add_thread(tid(i)).unwrap();
    }
    let n = ipc.create_notification().unwrap();
    (ipc, n)
}

#[test]
fn signal_ors_and_wait_clears() {
    let (mut ipc, n) = setup();
    assert_eq!(ipc.signal(n, 0b01), Ok(None));
    assert_eq!(ipc.signal(n, 0b10), Ok(None));
    assert_eq!(ipc.wait(n, tid(0), true), Ok(WaitOutcome::Bits(0b11)));
    assert_eq!(ipc.wait(n, tid(0), false), Ok(WaitOutcome::Bits(0)));
    assert_eq!(ipc.wait(n, tid(0), true), Ok(WaitOutcome::Blocked));
    assert_eq!(
        ipc.signal(n, 4),
        Ok(Some(Woken {
            thread: tid(0),
            bits: 4
        }))
    );
    assert_eq!(ipc.notification(n).unwrap().word(), 0);
    assert_eq!(ipc.state(tid(0)), Ok(IpcState::Idle));
}

#[test]
fn waiters_are_woken_in_order_and_on_destroy() {
    let (mut ipc, n) = setup();
    for i in 0..3 {
        ipc.wait(n, tid(i), true).unwrap();
    }
    assert_eq!(ipc.signal(n, 1).unwrap().map(|w| w.thread), Some(tid(0)));
    assert_eq!(ipc.cancel(tid(1)), Ok(true));
    let mut woken = Vec::new();
    assert_eq!(ipc.destroy_notification(n, &mut |t| woken.push(t)), 1);
    assert_eq!(woken, [tid(2)]);
    assert_eq!(ipc.signal(n, 1), Err(SysError::Revoked));
}

#[test]
fn irq_lines_deliver_once_until_acked() {
    let mut r = IrqRouter::default();
    let n = ObjRef::new(3, 1);
    assert_eq!(r.bind(4, n, 1), Err(SysError::InvalidState));
    r.claim(4).unwrap();
    assert_eq!(r.claim(4), Err(SysError::InvalidState));
    assert_eq!(r.claim(IRQ_LINES as u64), Err(SysError::InvalidArgument));
    assert_eq!(r.bind(4, n, 0), Err(SysError::InvalidArgument));
    assert_eq!(r.fire(4), IrqAction::Mask);
    r.bind(4, n, 0x10).unwrap();
    assert_eq!(
        r.fire(4),
        IrqAction::Signal {
            notification: n,
            bits: 0x10
        }
    );
    assert_eq!(r.fire(4), IrqAction::Mask);
    assert_eq!(r.ack(4), Ok(true));
    assert_eq!(r.ack(4), Err(SysError::InvalidState));
    assert_eq!(r.fire(u64::MAX), IrqAction::Mask);
    r.release(4);
    assert_eq!(r.fire(4), IrqAction::Mask);
}

proptest! {
    /// No bit is ever lost or duplicated: every signalled bit is returned
    /// by exactly one wait/poll/wake, or is still pending.
    #[test]
    fn bits_are_conserved(ops in proptest::collection::vec((0..4u32, 0..3u8, 0..16u64), 1..100)) {
        let (mut ipc, n) = setup();
        let mut signalled = 0u64;
        let mut received = 0u64;
        for (t, what, bits) in ops {
            let bit = 1u64 << bits;
            match what {
                0 => {
                    if let Some(w) = ipc.signal(n, bit).unwrap() { received |= w.bits; }
                    signalled |= bit;
                }
                1 => if let Ok(WaitOutcome::Bits(b)) = ipc.wait(n, tid(t), true) {
                    prop_assert!(b != 0);
                    received |= b;
                },
                _ => if let Ok(WaitOutcome::Bits(b)) = ipc.wait(n, tid(t), false) { received |= b; },
            }
            let pending = ipc.notification(n).unwrap().word();
            prop_assert_eq!(received | pending, signalled);
            prop_assert!(pending == 0 || ipc.notification(n).unwrap().waiting() == 0);
        }
    }
}
