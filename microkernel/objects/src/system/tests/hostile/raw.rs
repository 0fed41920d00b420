//! The raw hostile process: 100,000 random register sets (the decoder and
//! the consistency of the objects under garbage).

use alloc::vec::Vec;

use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapType, Method, SysError, Syscall};
use proptest::prelude::*;

use super::super::super::*;
use super::super::support::*;
use crate::fault::FaultMessage;
use crate::ipc::IpcState;
use crate::syscall::{SyscallRegs, decode};
use crate::table::ThreadId;

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
    let number = prop_oneof![12 => 0..Syscall::COUNT as u64, 4 => Just(Syscall::Invoke.raw()), 1 => any::<u64>()];
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
                s.irq(r.rdx % 4, &mut fx);
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
