use alloc::vec::Vec;

use helix_abi::fault::{FAULT_LABEL, FAULT_REPLY_RESTART};
use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapRights, CapType, MessageInfo, Method, SysError, Syscall};
use proptest::prelude::*;

use super::*;
use crate::fault::{FaultAnswer, FaultMessage};
use crate::ipc::{IpcState, Transfer};
use crate::notification::IrqAction;
use crate::syscall::{SyscallRegs, decode};
use crate::table::ThreadId;

#[derive(Default)]
struct Rec {
    wakes: Vec<(ThreadId, Result<(), SysError>)>,
    transfers: Vec<Transfer>,
    bits: Vec<(ThreadId, u64)>,
    hw: Vec<Hardware>,
    next_phys: u64,
    frames_live: i64,
}

impl Effects for Rec {
    fn wake(&mut self, t: ThreadId, r: Result<(), SysError>) {
        self.wakes.push((t, r));
    }
    fn transfer(&mut self, t: Transfer) {
        self.transfers.push(t);
    }
    fn signal_bits(&mut self, t: ThreadId, bits: u64) {
        self.bits.push((t, bits));
    }
    fn hardware(&mut self, a: Hardware) {
        self.hw.push(a);
    }
    fn alloc_frames(&mut self, pages: u64) -> Result<u64, SysError> {
        self.next_phys += pages * 4096;
        self.frames_live += pages as i64;
        Ok(self.next_phys)
    }
    fn free_frames(&mut self, _phys: u64, pages: u64) {
        self.frames_live -= pages as i64;
    }
}

const LIMITS: Limits = Limits {
    threads: 16,
    address_spaces: 8,
    endpoints: 16,
    notifications: 16,
    frames: 16,
    quotas: 8,
    devices: 16,
    cpus: 2,
};

/// Root process: slot 0 aspace, 1 untyped (64 KiB), 2 IrqControl,
/// 3 IoPorts, 4 the root thread.
fn boot() -> (System, ThreadId) {
    let mut s = System::new(LIMITS);
    let a = s.boot_address_space(64).unwrap();
    let cs = s.cspace_of_aspace(a).unwrap();
    s.boot_cap(
        crate::cap::SlotAddr::new(cs, 1),
        CapType::Untyped,
        64 * 1024,
    )
    .unwrap();
    s.boot_cap(crate::cap::SlotAddr::new(cs, 2), CapType::IrqControl, 0)
        .unwrap();
    s.boot_cap(crate::cap::SlotAddr::new(cs, 3), CapType::IoPorts, 0)
        .unwrap();
    let t = s.boot_thread(a, 4).unwrap();
    s.boot_start(t).unwrap();
    (s, t)
}

fn sys(
    s: &mut System,
    t: ThreadId,
    fx: &mut Rec,
    call: Syscall,
    a: [u64; 6],
) -> Result<Completion, SysError> {
    let r = SyscallRegs {
        rax: call.raw(),
        rdi: a[0],
        rsi: a[1],
        rdx: a[2],
        r10: a[3],
        r8: a[4],
        r9: a[5],
    };
    let inv = decode(&r)?;
    s.execute(t, inv, fx)
}

fn inv(
    s: &mut System,
    t: ThreadId,
    fx: &mut Rec,
    cap: u64,
    m: Method,
    a: [u64; 4],
) -> Result<Completion, SysError> {
    sys(
        s,
        t,
        fx,
        Syscall::Invoke,
        [cap, m.raw(), a[0], a[1], a[2], a[3]],
    )
}

fn retype(s: &mut System, t: ThreadId, fx: &mut Rec, kind: CapType, dst: u64, arg: u64) {
    inv(
        s,
        t,
        fx,
        1,
        Method::UntypedRetype,
        [kind as u64, dst, arg, 0],
    )
    .unwrap();
}

/// A second thread in the root process, in slot `slot`, started.
fn second_thread(s: &mut System, root: ThreadId, fx: &mut Rec, slot: u64) -> ThreadId {
    retype(s, root, fx, CapType::Thread, slot, 0);
    inv(
        s,
        root,
        fx,
        slot,
        Method::ThreadConfigure,
        [0, NO_SLOT, 0x10_0000, 0],
    )
    .unwrap();
    inv(
        s,
        root,
        fx,
        slot,
        Method::ThreadStart,
        [0x40_0000, 0x7000_0000, 0, 0],
    )
    .unwrap();
    let Some(Hardware::Start { thread, .. }) = fx.hw.last().copied() else {
        panic!()
    };
    thread
}

fn info(label: u64, len: usize, caps: usize) -> u64 {
    MessageInfo::new(label, len, caps).unwrap().raw()
}

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
    let IrqAction::Signal { notification, bits } = s.irqs.fire(4) else {
        panic!()
    };
    s.ipc.signal(notification, bits).unwrap();
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

// ---- the hostile process ----

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![
        6 => 0..48u64,
        1 => Just(NO_SLOT),
        1 => (1..0x8000_0000u64).prop_map(|p| p * 4096),          // user pages
        1 => any::<u64>().prop_map(|p| p | 0xffff_8000_0000_0000), // kernel half
        1 => any::<u64>().prop_map(|p| (p & 0x7fff_ffff_ffff) | 0x0000_8000_0000_0000), // non-canonical
        1 => (0x1000u64..0x10_0000).prop_map(|p| p | 1),          // misaligned
        1 => any::<u64>(),
    ]
}

/// An argument register: often zero (unused), else anything.
fn arg() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(0u64), 1 => value()]
}

fn regs() -> impl Strategy<Value = SyscallRegs> {
    let number = prop_oneof![12 => 0..13u64, 4 => Just(12u64), 1 => any::<u64>()];
    let method = prop_oneof![8 => proptest::sample::select(Method::ALL.to_vec()).prop_map(Method::raw), 1 => value()];
    let msginfo = prop_oneof![
        4 => (0..4u64, 0..8usize, 0..2usize).prop_map(|(l, n, c)| info(l, n, c)),
        1 => value(),
    ];
    // Half the invocations name a populated slot with a method of its type.
    let fitting = (0..LAYOUT.len(), any::<prop::sample::Index>()).prop_map(|(i, pick)| {
        let (slot, kind) = LAYOUT[i];
        let ms: Vec<Method> = Method::ALL
            .iter()
            .copied()
            .filter(|m| m.object_type().is_none_or(|k| k == kind))
            .collect();
        (slot, pick.get(&ms).raw())
    });
    (
        number,
        any::<bool>(),
        value(),
        method,
        msginfo,
        (arg(), arg(), arg(), arg()),
        (any::<bool>(), fitting),
    )
        .prop_map(
            |(rax, slot_only, rdi, m, mi, (rdx, r10, r8, r9), (fit, (fit_slot, fit_m)))| {
                let rdi = if fit { fit_slot } else { rdi };
                let rsi = match rax {
                    12 if fit => fit_m,
                    12 => m,
                    1..=3 | 6 | 7 => mi,
                    4 | 5 | 9 | 10 | 11 if slot_only => 0,
                    _ => mi,
                };
                let (rdx, r10, r8, r9) = if slot_only && rax != 12 {
                    (0, 0, 0, 0)
                } else {
                    (rdx, r10, r8, r9)
                };
                SyscallRegs {
                    rax,
                    rdi,
                    rsi,
                    rdx,
                    r10,
                    r8,
                    r9,
                }
            },
        )
}

/// Slots `boot` + `populate` fill, with their types.
const LAYOUT: [(u64, CapType); 21] = [
    (0, CapType::AddressSpace),
    (1, CapType::Untyped),
    (2, CapType::IrqControl),
    (3, CapType::IoPorts),
    (4, CapType::Thread),
    (5, CapType::Thread),
    (6, CapType::Thread),
    (10, CapType::Endpoint),
    (11, CapType::Endpoint),
    (12, CapType::Notification),
    (13, CapType::Notification),
    (14, CapType::Frame),
    (15, CapType::Frame),
    (16, CapType::AddressSpace),
    (17, CapType::Thread),
    (18, CapType::Endpoint),
    (19, CapType::Endpoint),
    (20, CapType::Notification),
    (21, CapType::IrqHandler),
    (22, CapType::Untyped),
    (1, CapType::Untyped),
];

/// Fill slots 10.. of the root CSpace with one object of every kind.
fn populate(s: &mut System, a: ThreadId, fx: &mut Rec) {
    for (slot, kind, arg) in [
        (10, CapType::Endpoint, 0),
        (11, CapType::Endpoint, 0),
        (12, CapType::Notification, 0),
        (13, CapType::Notification, 0),
        (14, CapType::Frame, 1),
        (15, CapType::Frame, 2),
        (16, CapType::AddressSpace, 8),
        (17, CapType::Thread, 0),
    ] {
        retype(s, a, fx, kind, slot, arg);
    }
    inv(s, a, fx, 10, Method::CapMint, [18, 0x7, 5, 0]).unwrap();
    inv(s, a, fx, 10, Method::CapMint, [19, 0x2, 6, 0]).unwrap();
    inv(s, a, fx, 12, Method::CapMint, [20, 0x3, 1, 0]).unwrap();
    inv(s, a, fx, 2, Method::IrqControlGet, [3, 21, 0, 0]).unwrap();
    inv(s, a, fx, 1, Method::UntypedSplit, [0, 22, 4096, 0]).unwrap();
    inv(s, a, fx, 21, Method::IrqHandlerBind, [12, 0x8, 0, 0]).unwrap();
}

#[derive(Default, Debug)]
struct Counts {
    decoded: usize,
    executed: usize,
    succeeded: usize,
}

/// Let `t` run again the way the rest of the kernel eventually would: a
/// blocked IPC times out, a suspended thread is resumed by its supervisor.
fn unstick(s: &mut System, t: ThreadId, fx: &mut Rec) {
    if s.ipc.state(t).is_ok_and(|x| x != IpcState::Idle) {
        let _ = s.ipc.cancel(t);
        s.wake(t, Err(SysError::TimedOut), fx);
    }
    if let Ok(th) = s.thread_mut(t)
        && th.state == RunState::Suspended
        && th.aspace.is_some()
    {
        th.state = RunState::Active;
        th.faulted = false;
    }
}

type Op = (SyscallRegs, usize, u8);

fn hostile_ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec((regs(), 0..3usize, 0..40u8), 400)
}

/// Run one hostile sequence, checking consistency after every step.
fn hostile_run(ops: Vec<Op>) -> Result<Counts, TestCaseError> {
    let mut n = Counts::default();
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    let mut threads = alloc::vec![a];
    for slot in [5, 6] {
        threads.push(second_thread(&mut s, a, &mut fx, slot));
    }
    populate(&mut s, a, &mut fx);
    for (r, who, extra) in ops {
        let t = threads[who];
        let decoded = decode(&r);
        if let Err(e) = decoded {
            prop_assert!(SysError::ALL.contains(&e));
        }
        n.decoded += usize::from(decoded.is_ok());
        unstick(&mut s, t, &mut fx);
        let running = s
            .thread(t)
            .is_ok_and(|x| x.state == RunState::Active && !x.faulted)
            && s.ipc.state(t) == Ok(IpcState::Idle);
        if let (Ok(inv), true) = (decoded, running) {
            n.executed += 1;
            match s.execute(t, inv, &mut fx) {
                Ok(Completion::Blocked) => prop_assert!(
                    s.ipc.state(t) != Ok(IpcState::Idle)
                        || s.thread(t).map(|x| x.state) != Ok(RunState::Active)
                ),
                Ok(_) => n.succeeded += 1,
                Err(_) => {}
            }
        }
        match extra {
            0 => {
                let f = FaultMessage {
                    thread: t,
                    vector: 13,
                    error_code: 0,
                    address: 0,
                    rip: r.rdi,
                };
                let _ = s.fault(t, f, &mut fx);
            }
            1 => {
                s.expire(s.now + u64::from(r.rax as u8), &mut fx);
            }
            2 => {
                if let IrqAction::Signal { notification, bits } = s.irqs.fire(r.rdx % 4) {
                    let _ = s.ipc.signal(notification, bits);
                }
            }
            _ => {}
        }
        for (q, x) in s.untypeds.iter() {
            let quota = s.quotas.get(*x);
            prop_assert!(quota.is_ok(), "untyped {:?} lost its quota", q);
            prop_assert!(quota.unwrap().used() <= quota.unwrap().size());
        }
        for i in 0..LIMITS.threads {
            if let Some((r, th)) = s.threads.at(i) {
                let t = ThreadId(r);
                let blocked = s.ipc.state(t) != Ok(IpcState::Idle);
                prop_assert!(
                    !(blocked && s.sched.is_queued(t)),
                    "a blocked thread is on a run queue"
                );
                prop_assert!(!(th.state != RunState::Active && s.sched.is_queued(t)));
            }
        }
        prop_assert!(fx.frames_live >= 0);
    }
    Ok(n)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(250))]
    /// 250 runs x 400 = 100,000 random register sets (numbers, slots,
    /// pointers into the kernel half, non-canonical, misaligned) issued by
    /// three threads of one process, interleaved with faults, clock ticks
    /// and IRQs. Every set goes through decode; every decoded invocation
    /// executes to a completion or a SysError, and the objects stay
    /// consistent throughout.
    #[test]
    fn hostile_syscalls_never_break_the_kernel(ops in hostile_ops()) {
        hostile_run(ops)?;
    }
}

/// The generator is not wasted on decode errors: with a fixed seed, a fair
/// share of the register sets executes and many succeed.
#[test]
fn hostile_run_is_productive() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut total = Counts::default();
    for _ in 0..10 {
        let ops = hostile_ops().new_tree(&mut runner).unwrap().current();
        let n = hostile_run(ops).unwrap();
        total.decoded += n.decoded;
        total.executed += n.executed;
        total.succeeded += n.succeeded;
    }
    assert!(total.executed >= 800, "{total:?}");
    assert!(total.succeeded * 25 >= total.executed, "{total:?}");
}
