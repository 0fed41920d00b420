//! Scenarios from the must-show list, on the pure state.

use helix_abi::fault::{FAULT_LABEL, FAULT_REPLY_RESTART};
use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapRights, CapType, Method, SysError, Syscall};

use super::super::*;
use super::support::*;
use crate::fault::{FaultAnswer, FaultMessage};
use crate::ipc::IpcState;
use crate::notification::IrqAction;

#[test]
fn ping_pong_with_badge_and_reply() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    let b = second_thread(&mut s, a, &mut fx, 10);
    retype(&mut s, a, &mut fx, CapType::Endpoint, 11, 0);
    inv(&mut s, a, &mut fx, 11, Method::CapMint, [12, 0x3, 42, 0]).unwrap();
    assert_eq!(
        sys(&mut s, b, &mut fx, Syscall::Recv, [11, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    assert_eq!(
        sys(
            &mut s,
            a,
            &mut fx,
            Syscall::Call,
            [12, info(5, 2, 0), 1, 2, 0, 0]
        ),
        Ok(Completion::Blocked)
    );
    let t = fx.transfers.last().unwrap();
    assert_eq!((t.from, t.to, t.badge, t.call), (a, b, 42, true));
    assert_eq!(
        sys(
            &mut s,
            b,
            &mut fx,
            Syscall::Reply,
            [0, info(6, 1, 0), 3, 0, 0, 0]
        ),
        Ok(Completion::Return([0; 3]))
    );
    let t = fx.transfers.last().unwrap();
    assert_eq!((t.from, t.to, t.badge), (b, a, 0));
    assert_eq!(fx.wakes.last(), Some(&(a, Ok(()))));
    assert_eq!(s.ipc.state(a), Ok(IpcState::Idle));
}

#[test]
fn rights_and_grant_are_enforced() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, 10, 0);
    inv(
        &mut s,
        a,
        &mut fx,
        10,
        Method::CapMint,
        [11, CapRights::READ.bits() as u64, 0, 0],
    )
    .unwrap();
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [11, 0, 0, 0, 0, 0]),
        Err(SysError::NoRights)
    );
    inv(
        &mut s,
        a,
        &mut fx,
        10,
        Method::CapMint,
        [12, CapRights::WRITE.bits() as u64, 0, 0],
    )
    .unwrap();
    assert_eq!(
        sys(
            &mut s,
            a,
            &mut fx,
            Syscall::NbSend,
            [12, info(0, 0, 1), 0, 0, 0, 0]
        ),
        Err(SysError::NoRights)
    );
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [12, 0, 0, 0, 0, 0]),
        Err(SysError::WouldBlock)
    );
    assert_eq!(
        sys(
            &mut s,
            a,
            &mut fx,
            Syscall::NbSend,
            [10, info(0, 0, 1), 0, 0, 0, 0]
        ),
        Err(SysError::WouldBlock)
    );
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [1, 0, 0, 0, 0, 0]),
        Err(SysError::WrongType)
    );
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [60, 0, 0, 0, 0, 0]),
        Err(SysError::EmptySlot)
    );
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [64, 0, 0, 0, 0, 0]),
        Err(SysError::InvalidCap)
    );
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            10,
            Method::ThreadStart,
            [0x40_0000, 0x7000_0000, 0, 0]
        ),
        Err(SysError::WrongType)
    );
}

#[test]
fn revoke_removes_derived_caps_and_wakes_badged_senders() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    let b = second_thread(&mut s, a, &mut fx, 10);
    retype(&mut s, a, &mut fx, CapType::Endpoint, 11, 0);
    inv(&mut s, a, &mut fx, 11, Method::CapMint, [12, 0x3, 7, 0]).unwrap();
    inv(&mut s, a, &mut fx, 12, Method::CapCopy, [13, 0, 0, 0]).unwrap();
    assert_eq!(
        sys(&mut s, b, &mut fx, Syscall::Send, [13, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    inv(&mut s, a, &mut fx, 11, Method::CapRevoke, [0; 4]).unwrap();
    assert!(fx.wakes.contains(&(b, Err(SysError::Revoked))));
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [13, 0, 0, 0, 0, 0]),
        Err(SysError::EmptySlot)
    );
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [11, 0, 0, 0, 0, 0]),
        Err(SysError::WouldBlock)
    );
}

#[test]
fn quota_exhaustion_is_an_error_and_delete_refunds() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    inv(&mut s, a, &mut fx, 1, Method::UntypedSplit, [0, 20, 150, 0]).unwrap();
    let ep = CapType::Endpoint as u64;
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::UntypedRetype,
        [ep, 21, 0, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::UntypedRetype,
        [ep, 22, 0, 0],
    )
    .unwrap();
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            20,
            Method::UntypedRetype,
            [ep, 23, 0, 0]
        ),
        Err(SysError::OutOfMemory)
    );
    assert_eq!(
        inv(&mut s, a, &mut fx, 20, Method::UntypedAvailable, [0; 4]),
        Ok(Completion::Return([22, 0, 0]))
    );
    inv(&mut s, a, &mut fx, 21, Method::CapDelete, [0; 4]).unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::UntypedRetype,
        [ep, 23, 0, 0],
    )
    .unwrap();
    // Revoking the budget destroys everything made from it.
    inv(&mut s, a, &mut fx, 20, Method::CapRevoke, [0; 4]).unwrap();
    assert_eq!(
        inv(&mut s, a, &mut fx, 20, Method::UntypedAvailable, [0; 4]),
        Ok(Completion::Return([150, 0, 0]))
    );
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedRetype,
        [CapType::Frame as u64, 30, 4, 0],
    )
    .unwrap();
    assert_eq!(fx.frames_live, 4);
    inv(&mut s, a, &mut fx, 30, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(fx.frames_live, 0);
}

#[test]
fn faults_reach_the_fault_endpoint_and_the_answer_comes_back() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, 11, 0);
    retype(&mut s, a, &mut fx, CapType::Thread, 10, 0);
    inv(
        &mut s,
        a,
        &mut fx,
        10,
        Method::ThreadConfigure,
        [0, 11, 0x10_0000, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        10,
        Method::ThreadStart,
        [0x40_0000, 0x7000_0000, 0, 0],
    )
    .unwrap();
    let Some(Hardware::Start { thread: b, .. }) = fx.hw.last().copied() else {
        panic!()
    };
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::Recv, [11, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    let f = FaultMessage {
        thread: b,
        vector: 14,
        error_code: 6,
        address: 0xdead_0000,
        rip: 0x40_0010,
    };
    assert_eq!(s.fault(b, f, &mut fx), Ok(Completion::Blocked));
    let t = *fx.transfers.last().unwrap();
    assert_eq!((t.from, t.to, t.info.label()), (b, a, FAULT_LABEL));
    let (ri, w) = FaultAnswer::Restart { rip: 0x40_0100 }.encode();
    assert_eq!(ri.label(), FAULT_REPLY_RESTART);
    sys(
        &mut s,
        a,
        &mut fx,
        Syscall::Reply,
        [0, ri.raw(), w[0], 0, 0, 0],
    )
    .unwrap();
    assert_eq!(
        fx.hw.last(),
        Some(&Hardware::FaultAnswer {
            thread: b,
            answer: FaultAnswer::Restart { rip: 0x40_0100 }
        })
    );
    assert_eq!(fx.wakes.last(), Some(&(b, Ok(()))));
    // Without a fault endpoint the thread is just suspended.
    let c = second_thread(&mut s, a, &mut fx, 12);
    assert_eq!(s.fault(c, f, &mut fx), Err(SysError::InvalidState));
    assert_eq!(s.thread(c).unwrap().state, RunState::Suspended);
}

#[test]
fn timeouts_and_destroyed_endpoints_end_blocking() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    let b = second_thread(&mut s, a, &mut fx, 10);
    retype(&mut s, a, &mut fx, CapType::Endpoint, 11, 0);
    inv(
        &mut s,
        a,
        &mut fx,
        10,
        Method::ThreadSetTimeout,
        [5, 0, 0, 0],
    )
    .unwrap();
    assert_eq!(
        sys(&mut s, b, &mut fx, Syscall::Call, [11, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    assert_eq!(s.expire(4, &mut fx), 0);
    assert_eq!(s.expire(5, &mut fx), 1);
    assert_eq!(fx.wakes.last(), Some(&(b, Err(SysError::TimedOut))));
    inv(
        &mut s,
        a,
        &mut fx,
        10,
        Method::ThreadSetTimeout,
        [0, 0, 0, 0],
    )
    .unwrap();
    assert_eq!(
        sys(&mut s, b, &mut fx, Syscall::Recv, [11, 0, 0, 0, 0, 0]),
        Ok(Completion::Blocked)
    );
    inv(&mut s, a, &mut fx, 11, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(fx.wakes.last(), Some(&(b, Err(SysError::Revoked))));
}

#[test]
fn irqs_arrive_as_notifications() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Notification, 11, 0);
    inv(&mut s, a, &mut fx, 2, Method::IrqControlGet, [4, 12, 0, 0]).unwrap();
    assert_eq!(
        inv(&mut s, a, &mut fx, 2, Method::IrqControlGet, [4, 13, 0, 0]),
        Err(SysError::InvalidState)
    );
    inv(
        &mut s,
        a,
        &mut fx,
        12,
        Method::IrqHandlerBind,
        [11, 0x10, 0, 0],
    )
    .unwrap();
    assert!(matches!(
        s.irq(4, &mut fx),
        IrqAction::Signal { bits: 0x10, .. }
    ));
    assert_eq!(s.irq(4, &mut fx), IrqAction::Mask);
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::Poll, [11, 0, 0, 0, 0, 0]),
        Ok(Completion::Return([0x10, 0, 0]))
    );
    inv(&mut s, a, &mut fx, 12, Method::IrqHandlerAck, [0; 4]).unwrap();
    assert_eq!(fx.hw.last(), Some(&Hardware::IrqUnmask(4)));
    inv(&mut s, a, &mut fx, 12, Method::CapDelete, [0; 4]).unwrap();
    inv(&mut s, a, &mut fx, 2, Method::IrqControlGet, [4, 13, 0, 0]).unwrap();
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            3,
            Method::IoPortOut,
            [0x3f8, 1, 0x41, 0]
        ),
        Ok(Completion::Return([0; 3]))
    );
}

#[test]
fn destroying_a_process_stops_its_threads() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::AddressSpace, 10, 16);
    retype(&mut s, a, &mut fx, CapType::Thread, 11, 0);
    inv(
        &mut s,
        a,
        &mut fx,
        11,
        Method::ThreadConfigure,
        [10, NO_SLOT, 0x10_0000, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        11,
        Method::ThreadStart,
        [0x40_0000, 0x7000_0000, 0, 0],
    )
    .unwrap();
    let Some(Hardware::Start { thread: b, .. }) = fx.hw.last().copied() else {
        panic!()
    };
    inv(&mut s, a, &mut fx, 10, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(s.thread(b).unwrap().state, RunState::Suspended);
    assert_eq!(
        sys(&mut s, b, &mut fx, Syscall::Yield, [0; 6]),
        Err(SysError::InvalidState)
    );
    inv(&mut s, a, &mut fx, 11, Method::CapDelete, [0; 4]).unwrap();
    assert!(fx.hw.contains(&Hardware::ThreadGone(b)));
}
