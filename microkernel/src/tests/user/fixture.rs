//! Building user scenarios: a fresh world, usertest processes with caps in
//! the slots the program expects (`test/usertest/src/main.rs`, `slots`),
//! a run until the expected reports arrive, and the reports read back.

use alloc::vec::Vec;

use helix_abi::{CapRights, CapType};
use helix_kernel_objects::cap::{Cap, SlotAddr};
use helix_kernel_objects::table::{ObjRef, ThreadId};

use crate::boot::boot_info;
use crate::ktest::Failure;
use crate::user::{self, Proc, World};

/// Report endpoint slot.
pub const REPORT: u32 = 2;
/// Untyped slot.
pub const UNTYPED: u32 = 3;
/// Scenario endpoint slot.
pub const EP: u32 = 4;
/// Scenario notification slot.
pub const NTFN: u32 = 5;
/// Second scenario slot.
pub const EP2: u32 = 6;
/// IRQ control slot.
pub const IRQ_CONTROL: u32 = 7;
/// I/O ports slot.
pub const IO_PORTS: u32 = 8;
/// Fault endpoint slot.
pub const FAULT: u32 = 9;
/// CSpace slots of a test process.
pub const SLOTS: usize = 256;

/// Read and write.
pub const RW: CapRights = CapRights::READ.union(CapRights::WRITE);

/// Scenario numbers of helix-usertest.
pub mod sc {
    pub const REPORT_ARGS: u64 = 0;
    pub const DEBUG_WRITE: u64 = 1;
    pub const PP_SERVER: u64 = 2;
    pub const PP_CLIENT: u64 = 3;
    pub const SEND_ERR: u64 = 4;
    pub const RECV_ERR: u64 = 5;
    pub const BADGE_SERVER: u64 = 6;
    pub const BADGE_CLIENT: u64 = 7;
    pub const LONG_SERVER: u64 = 8;
    pub const LONG_CLIENT: u64 = 9;
    pub const GRANT_SENDER: u64 = 10;
    pub const GRANT_RECEIVER: u64 = 11;
    pub const REVOKE_LOCAL: u64 = 13;
    pub const REVOKE_HOLDER: u64 = 14;
    pub const FAULTER: u64 = 15;
    pub const HANDLER: u64 = 16;
    pub const RESTART_HANDLER: u64 = 17;
    pub const PREEMPTION: u64 = 18;
    pub const TIMEOUT: u64 = 19;
    pub const NON_BLOCKING: u64 = 20;
    pub const NOTIFICATIONS: u64 = 21;
    pub const UNMAP: u64 = 22;
    pub const READ_ONLY: u64 = 23;
    pub const SHARE_SENDER: u64 = 24;
    pub const SHARE_RECEIVER: u64 = 25;
    pub const QUOTA: u64 = 26;
    pub const QUOTA_SPLIT: u64 = 27;
    pub const LOCAL_THREAD: u64 = 28;
    pub const SUSPEND_RESUME: u64 = 29;
    pub const PRIORITIES: u64 = 30;
    pub const COUNTER: u64 = 31;
    pub const HOSTILE: u64 = 32;
    pub const IRQ: u64 = 33;
    pub const PORTS: u64 = 34;
    pub const YIELD_PAIR: u64 = 35;
    pub const IDENTIFY: u64 = 36;
    pub const REVOKE_OWNER: u64 = 37;
    pub const PAGER: u64 = 38;
    pub const DESTROY_HANDLER: u64 = 39;
    pub const MIGRATE: u64 = 44;
    pub const DESTROY_THREAD: u64 = 45;
    pub const FRAME_PHYS: u64 = 46;
    pub const SHOOTDOWN: u64 = 47;
    pub const MAP_TABLE_BUDGET: u64 = 48;
    pub const CHURN: u64 = 49;
    pub const MCP: u64 = 50;
    pub const PORT_BITMAP_USER: u64 = 51;
    pub const PORT_BITMAP_OWNER: u64 = 52;
    pub const LONG_SEND_NO_BUFFER: u64 = 53;
    pub const LONG_RECV_NO_BUFFER: u64 = 54;
    pub const LONG_SERVER_TWICE: u64 = 55;
    pub const TWO_THREAD_BUFFERS: u64 = 56;
    pub const BENCH_NULL: u64 = 40;
    pub const BENCH_CALL: u64 = 41;
    pub const BENCH_YIELD: u64 = 42;
    pub const YIELD_FOREVER: u64 = 43;
}

/// What a process sent on its report endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Label (0 = the scenario's success path).
    pub label: u64,
    /// Words 0..4.
    pub words: [u64; 4],
}

/// Setting up one world. Objects the test makes live as original caps in
/// a kernel-held CSpace (the holder); processes get caps minted from there.
pub struct Env<'a> {
    /// The world.
    pub w: &'a mut World,
    holder: ObjRef,
    next: u32,
}

/// An object the test made: its slot in the holder CSpace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Obj(u32);

/// Holder slot of the report endpoint.
const REPORT_OBJ: Obj = Obj(0);

fn usertest_elf() -> Result<&'static [u8], Failure> {
    boot_info()
        .modules()
        .find(|m| m.path.ends_with("/usertest.elf"))
        .map(|m| m.data)
        .ok_or(Failure::Missing("usertest.elf module"))
}

impl Env<'_> {
    /// Spawn usertest running `scenario` with `param`, its report cap in
    /// slot [`REPORT`] and fault endpoint slot [`FAULT`].
    pub fn spawn(&mut self, scenario: u64, param: u64) -> Result<Proc, Failure> {
        let p = self
            .w
            .spawn(usertest_elf()?, SLOTS, [scenario, param], Some(FAULT))?;
        self.give(&p, REPORT, REPORT_OBJ, CapRights::WRITE, 0)?;
        Ok(p)
    }

    fn hold(&mut self, kind: CapType, object: ObjRef) -> Result<Obj, Failure> {
        let slot = self.next;
        self.next += 1;
        self.w.sys.caps.insert_original(
            SlotAddr::new(self.holder, slot),
            Cap::new(object, kind, CapRights::ALL),
            None,
        )?;
        Ok(Obj(slot))
    }

    /// A boot object of `kind` held by the test (a root Untyped of `arg`
    /// bytes, IrqControl): processes get caps minted from it with [`Env::give`].
    pub fn boot_held(&mut self, kind: CapType, arg: u64) -> Result<Obj, Failure> {
        let slot = self.next;
        self.next += 1;
        self.w
            .sys
            .boot_cap(SlotAddr::new(self.holder, slot), kind, arg)?;
        Ok(Obj(slot))
    }

    /// Where the test holds `obj` (to revoke or delete it afterwards).
    pub fn held(&self, obj: Obj) -> SlotAddr {
        SlotAddr::new(self.holder, obj.0)
    }

    /// A new endpoint object.
    pub fn endpoint(&mut self) -> Result<Obj, Failure> {
        let o = self.w.sys.ipc.create_endpoint()?;
        self.hold(CapType::Endpoint, o)
    }

    /// A new notification object.
    pub fn notification(&mut self) -> Result<Obj, Failure> {
        let o = self.w.sys.ipc.create_notification()?;
        self.hold(CapType::Notification, o)
    }

    /// Give `p` a cap to `obj` in `slot` with `rights` and `badge`.
    pub fn give(
        &mut self,
        p: &Proc,
        slot: u32,
        obj: Obj,
        rights: CapRights,
        badge: u64,
    ) -> Result<(), Failure> {
        self.w.sys.caps.mint(
            SlotAddr::new(self.holder, obj.0),
            SlotAddr::new(p.cspace, slot),
            rights,
            badge,
        )?;
        Ok(())
    }

    /// Derive a cap from `from`'s slot into `to`'s slot (rights narrowed,
    /// badge set): a child in the derivation tree.
    pub fn mint(
        &mut self,
        from: (&Proc, u32),
        to: (&Proc, u32),
        rights: CapRights,
        badge: u64,
    ) -> Result<(), Failure> {
        self.w.sys.caps.mint(
            SlotAddr::new(from.0.cspace, from.1),
            SlotAddr::new(to.0.cspace, to.1),
            rights,
            badge,
        )?;
        Ok(())
    }

    /// A root Untyped of `bytes` in `p`'s slot [`UNTYPED`].
    pub fn untyped(&mut self, p: &Proc, bytes: u64) -> Result<(), Failure> {
        self.w
            .sys
            .boot_cap(SlotAddr::new(p.cspace, UNTYPED), CapType::Untyped, bytes)?;
        Ok(())
    }

    /// IRQ control and all I/O ports for `p`.
    pub fn devices(&mut self, p: &Proc) -> Result<(), Failure> {
        self.w
            .sys
            .boot_cap(SlotAddr::new(p.cspace, IRQ_CONTROL), CapType::IrqControl, 0)?;
        self.w
            .sys
            .boot_cap(SlotAddr::new(p.cspace, IO_PORTS), CapType::IoPorts, 0)?;
        Ok(())
    }

    /// Pin `p`'s thread to the CPUs in `mask`.
    pub fn affinity(&mut self, p: &Proc, mask: u64) -> Result<(), Failure> {
        self.w.sys.sched.set_affinity(p.thread, mask)?;
        Ok(())
    }

    /// Bill `p`'s address space (made at boot, charged to nothing) to the
    /// Untyped in `payer`'s slot [`UNTYPED`]: its page tables and I/O
    /// bitmap are charged there from now on.
    pub fn bill(&mut self, p: &Proc, payer: &Proc) -> Result<(), Failure> {
        self.w
            .sys
            .boot_bill(p.aspace, SlotAddr::new(payer.cspace, UNTYPED))?;
        Ok(())
    }

    /// Move the cap in `from`'s slot to `to`'s slot (another process).
    pub fn hand_over(&mut self, from: (&Proc, u32), to: (&Proc, u32)) -> Result<(), Failure> {
        self.w.sys.caps.move_cap(
            SlotAddr::new(from.0.cspace, from.1),
            SlotAddr::new(to.0.cspace, to.1),
        )?;
        Ok(())
    }
}

/// How a scenario ended.
#[derive(Debug)]
pub struct Outcome {
    /// Reports by thread.
    pub reports: Vec<(ThreadId, Report)>,
    /// The deadline passed first.
    pub timed_out: bool,
    /// Milliseconds it ran.
    pub ms: u64,
}

impl Outcome {
    /// The report of `p`'s first thread.
    pub fn of(&self, p: &Proc, who: &'static str) -> Result<Report, Failure> {
        self.reports
            .iter()
            .find(|(t, _)| *t == p.thread)
            .map(|(_, r)| *r)
            .ok_or(Failure::NoReport(who))
    }
}

/// Build a world with `setup`, run it until `want` reports (or
/// `timeout_ms`), and collect the reports. Fails on a timeout.
pub fn run<T>(
    want: usize,
    timeout_ms: u64,
    setup: impl FnOnce(&mut Env<'_>) -> Result<T, Failure>,
) -> Result<(T, Outcome), Failure> {
    let out = run_lenient(want, timeout_ms, setup)?;
    if out.1.timed_out {
        return Err(Failure::UserTimeout {
            got: out.1.reports.len(),
            want,
        });
    }
    Ok(out)
}

/// As [`run`], but a timeout is not an error (the caller checks).
pub fn run_lenient<T>(
    want: usize,
    timeout_ms: u64,
    setup: impl FnOnce(&mut Env<'_>) -> Result<T, Failure>,
) -> Result<(T, Outcome), Failure> {
    user::reset();
    let (t, report) = user::with(|w| -> Result<(T, ObjRef), Failure> {
        let holder = w.sys.caps.create_space(64)?;
        let report = w.sys.ipc.create_endpoint()?;
        let mut env = Env { w, holder, next: 0 };
        env.hold(CapType::Endpoint, report)?;
        Ok((setup(&mut env)?, report))
    })
    .ok_or(Failure::Missing("user world"))??;
    let o = user::run(Some(report), want, timeout_ms);
    let reports = user::with(|w| {
        w.reports(report)
            .into_iter()
            .filter_map(|t| {
                let c = w.m.tcb(t)?.ctx;
                Some((
                    t,
                    Report {
                        label: c.rsi >> 16,
                        words: [c.rdx, c.r10, c.r8, c.r9],
                    },
                ))
            })
            .collect()
    })
    .unwrap_or_default();
    Ok((
        t,
        Outcome {
            reports,
            timed_out: o.timed_out,
            ms: o.ms,
        },
    ))
}
