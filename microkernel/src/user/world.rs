//! The user world: `System` (all kernel objects) plus the [`Machine`]
//! (registers, page tables), behind one lock. Every entry from ring 3 takes
//! the lock, saves the running thread's registers, does the work, and asks
//! [`World::resume`] what this CPU runs next.

use alloc::vec::Vec;

use helix_abi::ipc::buffer;
use helix_abi::{MessageInfo, SysError, Syscall};
use helix_kernel_objects::ipc::{IpcState, RecvWindow, Transfer};
use helix_kernel_objects::syscall::{Invocation, SyscallRegs, decode};
use helix_kernel_objects::system::{Completion, Limits, RunState, System};
use helix_kernel_objects::table::{ObjRef, ThreadId};

use super::effects::{Fx, Transfers};
use super::machine::Machine;
use crate::arch::{TrapFrame, cpu, usercopy};

/// Kernel table sizes of a world.
pub const LIMITS: Limits = Limits {
    threads: 256,
    address_spaces: 64,
    endpoints: 256,
    notifications: 256,
    frames: 2048,
    quotas: 64,
    devices: 64,
    cpus: 1,
};

/// When the kernel code that entered the world gets control back.
#[derive(Clone, Copy, Debug, Default)]
pub struct LeaveRule {
    /// TSC value after which it leaves.
    pub deadline: u64,
    /// Leave once this many threads block sending on this endpoint.
    pub reports: Option<(ObjRef, usize)>,
    /// Set when a rule fired.
    pub now: bool,
    /// Why: true for the deadline.
    pub timed_out: bool,
}

/// What a CPU does after an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Return to ring 3 with the frame as written.
    User,
    /// Leave the user world (BSP: back to the code in `run_user`).
    Leave,
    /// Nothing to run: wait for an interrupt.
    Idle,
}

/// All kernel objects and their hardware state.
pub struct World {
    /// The objects.
    pub sys: System,
    /// Registers and page tables.
    pub m: Machine,
    /// Leaving rule for the BSP.
    pub leave: LeaveRule,
    /// Timer ticks so far.
    pub ticks: u64,
    /// Syscalls handled.
    pub syscalls: u64,
    /// A thread was queued on another CPU by `resume` (kick it).
    pub migrated: bool,
}

/// A message `cur` sends with more than the register words must be
/// readable from its IPC buffer when it is sent: otherwise the call fails
/// with `BadAddress` and nothing is sent.
fn check_send_buffer(
    m: &Machine,
    sys: &System,
    cur: ThreadId,
    inv: &Invocation,
) -> Result<(), SysError> {
    let msg = match inv {
        Invocation::Send { msg, .. }
        | Invocation::Call { msg, .. }
        | Invocation::Reply { msg }
        | Invocation::ReplyRecv { msg, .. } => msg,
        _ => return Ok(()),
    };
    let words = msg.info.buffer_words();
    if words == 0 {
        return Ok(());
    }
    let th = sys.thread(cur)?;
    let (Some(aspace), buf) = (th.aspace, th.ipc_buffer) else {
        return Err(SysError::BadAddress);
    };
    if buf == 0 {
        return Err(SysError::BadAddress);
    }
    let space = m.space(aspace).ok_or(SysError::BadAddress)?;
    let at = helix_abi::ipc::MSG_REG_WORDS as u64 * 8;
    usercopy::check(&space.tables, buf + at, words * 8, false)
}

/// Keep only the RFLAGS bits user code may control, with IF on.
fn user_rflags(f: u64) -> u64 {
    (f & 0x4_0dd5) | 0x202
}

impl World {
    /// An empty world for `cpus` CPUs.
    pub fn new(cpus: usize, kernel_pml4: u64) -> World {
        let limits = Limits { cpus, ..LIMITS };
        World {
            sys: System::new(limits),
            m: Machine::new(limits.threads, limits.address_spaces, cpus, kernel_pml4),
            leave: LeaveRule::default(),
            ticks: 0,
            syscalls: 0,
            migrated: false,
        }
    }

    /// The process (address space) `t` runs in.
    pub fn space_of(&self, t: ThreadId) -> Option<ObjRef> {
        self.sys.thread(t).ok()?.aspace
    }

    /// Handle a syscall of `cur` (its registers are saved in its TCB).
    pub fn syscall(&mut self, cur: ThreadId, regs: SyscallRegs) -> bool {
        self.syscalls += 1;
        let space = self.space_of(cur);
        let mut fx = Fx::new(&mut self.m, space);
        let result = decode(&regs).and_then(|inv| {
            check_send_buffer(fx.m, &self.sys, cur, &inv)?;
            self.sys.execute(cur, inv, &mut fx)
        });
        let Fx {
            transfers,
            error,
            port_value,
            yielded,
            ..
        } = fx;
        let result = match (result, error) {
            (Ok(_), Some(e)) => Err(e),
            (r, _) => r,
        };
        // Messages first: they read the caller's saved registers, which the
        // result below overwrites.
        self.apply_transfers(&transfers);
        if let Some(t) = self.m.tcb_mut(cur) {
            match result {
                Ok(Completion::Return(v)) => {
                    t.ctx.rax = 0;
                    t.ctx.rdi = port_value.unwrap_or(v[0]);
                    t.ctx.rsi = v[1];
                    t.ctx.rdx = v[2];
                }
                Ok(Completion::Received) => t.ctx.rax = 0,
                Ok(Completion::Blocked) => t.in_syscall = true,
                Err(e) => t.ctx.rax = e.raw(),
            }
        }
        yielded
    }

    /// The IPC fast path for `cur`'s `Call` / `ReplyRecv` with a
    /// register-only message to a partner that can run at once: the
    /// message goes register to register and the partner's registers are
    /// written into `frame`. False: nothing changed, take the general path.
    pub fn fastpath(&mut self, cpu: usize, cur: ThreadId, frame: &mut TrapFrame) -> bool {
        let call = frame.rax == Syscall::Call.raw();
        if !call && frame.rax != Syscall::ReplyRecv.raw() {
            return false;
        }
        let Ok(slot) = u32::try_from(frame.rdi) else {
            return false;
        };
        let Ok(info) = MessageInfo::from_raw(frame.rsi) else {
            return false;
        };
        let fast = if call {
            self.sys.fast_call(cur, slot, info)
        } else {
            self.sys.fast_reply_recv(cur, slot, info)
        };
        let Some(f) = fast else {
            return false;
        };
        self.syscalls += 1;
        let mut words = [frame.rdx, frame.r10, frame.r8, frame.r9];
        for w in words.iter_mut().skip(info.length()) {
            *w = 0;
        }
        if let Some(t) = self.m.tcb_mut(cur) {
            t.in_syscall = true;
        }
        if let Some(t) = self.m.tcb_mut(f.to) {
            t.in_syscall = false;
            t.ctx.rax = 0;
            t.ctx.rdi = f.badge;
            t.ctx.rsi = info.raw();
            [t.ctx.rdx, t.ctx.r10, t.ctx.r8, t.ctx.r9] = words;
        }
        self.m.cpus[cpu].current = Some(f.to);
        self.m.cpus[cpu].rotate = false;
        self.load(cpu, f.to, frame);
        true
    }

    /// Copy each message: register words, IPC-buffer words, caps.
    pub fn apply_transfers(&mut self, transfers: &Transfers) {
        for t in transfers.iter() {
            self.transfer(t);
        }
    }

    fn ipc_buffer(&self, t: ThreadId) -> Option<(ObjRef, u64)> {
        let th = self.sys.thread(t).ok()?;
        (th.ipc_buffer != 0).then_some((th.aspace?, th.ipc_buffer))
    }

    fn transfer(&mut self, t: &Transfer) {
        let faulted = self.sys.thread(t.from).is_ok_and(|th| th.faulted);
        let Some(from) = self.m.tcb(t.from) else {
            return;
        };
        let mut words = if faulted {
            from.fault_words
        } else {
            [from.ctx.rdx, from.ctx.r10, from.ctx.r8, from.ctx.r9]
        };
        let len = t.info.length();
        for (i, w) in words.iter_mut().enumerate() {
            if i >= len {
                *w = 0;
            }
        }
        // Words 4.. go buffer to buffer. The sender's buffer was checked
        // when it sent; what arrives is what could be read from it and
        // written to the receiver's, and the receiver's length says so.
        let src = self.ipc_buffer(t.from);
        let dst = self.ipc_buffer(t.to);
        let mut delivered = len.min(helix_abi::ipc::MSG_REG_WORDS);
        if len > helix_abi::ipc::MSG_REG_WORDS && !faulted {
            delivered = self.copy_buffer_words(src, dst, len);
        }
        // Caps.
        let mut arrived = 0;
        if t.grant
            && t.info.caps() > 0
            && !faulted
            && let (Some((sa, sb)), Some((da, db))) = (src, dst)
        {
            let mut slots = [0u64; 4];
            let mut win = [0u64; 2];
            let ok = self.m.space(sa).is_some_and(|s| {
                usercopy::read_words(&s.tables, sb + buffer::SEND_CAPS as u64 * 8, &mut slots)
                    .is_ok()
            }) && self.m.space(da).is_some_and(|d| {
                usercopy::read_words(&d.tables, db + buffer::RECV_SLOT as u64 * 8, &mut win).is_ok()
            });
            if ok && let Ok(window) = RecvWindow::from_buffer(win[0], win[1]) {
                let n = t.info.caps();
                let mut s32 = [0u32; 4];
                let mut k = 0;
                while k < n && slots[k] <= u64::from(u32::MAX) {
                    s32[k] = slots[k] as u32;
                    k += 1;
                }
                arrived = self.sys.transfer_caps(t.from, &s32[..k], t.to, window);
            }
        }
        let info = MessageInfo::new(t.info.label(), delivered, arrived).unwrap_or_default();

        if let Some(to) = self.m.tcb_mut(t.to) {
            to.ctx.rdi = t.badge;
            to.ctx.rsi = info.raw();
            to.ctx.rdx = words[0];
            to.ctx.r10 = words[1];
            to.ctx.r8 = words[2];
            to.ctx.r9 = words[3];
        }
    }

    /// Copy message words 4..`len` from the sender's IPC buffer to the
    /// receiver's; returns how many words the receiver gets: all of them,
    /// or only the 4 register words when either buffer is unusable (none
    /// configured, not mapped, not writable for the receiver).
    fn copy_buffer_words(
        &self,
        src: Option<(ObjRef, u64)>,
        dst: Option<(ObjRef, u64)>,
        len: usize,
    ) -> usize {
        let regs = helix_abi::ipc::MSG_REG_WORDS;
        let (Some((sa, sb)), Some((da, db))) = (src, dst) else {
            return regs;
        };
        let (Some(s), Some(d)) = (self.m.space(sa), self.m.space(da)) else {
            return regs;
        };
        let mut tmp = [0u64; helix_abi::ipc::MSG_MAX_WORDS];
        let n = len - regs;
        let at = regs as u64 * 8;
        if usercopy::read_words(&s.tables, sb + at, &mut tmp[..n]).is_err()
            || usercopy::write_words(&d.tables, db + at, &tmp[..n]).is_err()
        {
            return regs;
        }
        len
    }

    /// Could `t` run (on its own CPU) right now?
    fn ready(&self, t: ThreadId) -> bool {
        self.m.tcb(t).is_some()
            && self
                .sys
                .thread(t)
                .is_ok_and(|th| th.state == RunState::Active && !th.faulted)
            && self.sys.ipc.state(t) == Ok(IpcState::Idle)
    }

    /// Can `t` keep running on `cpu` right now?
    fn runnable(&self, t: ThreadId, cpu: usize) -> bool {
        self.ready(t) && self.sys.sched.cpu_of(t) == Ok(cpu)
    }

    /// After a syscall of `cur` that did not block it: if it keeps the CPU,
    /// copy its result registers into `frame` (the rest of the frame is
    /// still its own) and say so.
    pub fn keep_running(&mut self, cpu: usize, cur: ThreadId, frame: &mut TrapFrame) -> bool {
        let st = self.m.cpus[cpu];
        if st.current != Some(cur) || st.rotate || self.leave.now {
            return false;
        }
        if !self.runnable(cur, cpu) || self.sys.sched.is_queued(cur) {
            return false;
        }
        let prio = self.sys.sched.priority(cur).unwrap_or(0);
        if self.sys.sched.should_preempt(cpu, prio) {
            return false;
        }
        let Some(t) = self.m.tcb(cur) else {
            return false;
        };
        let c = &t.ctx;
        (frame.rax, frame.rdi, frame.rsi, frame.rdx) = (c.rax, c.rdi, c.rsi, c.rdx);
        (frame.r10, frame.r8, frame.r9) = (c.r10, c.r8, c.r9);
        true
    }

    /// Decide what `cpu` runs next and write its registers into `frame`.
    pub fn resume(&mut self, cpu: usize, frame: &mut TrapFrame) -> Step {
        let state = self.m.cpus[cpu];
        if let Some(cur) = state.current {
            let prio = self.sys.sched.priority(cur).unwrap_or(0);
            let keep = self.runnable(cur, cpu) && !self.sys.sched.is_queued(cur);
            if keep && !state.rotate && !self.sys.sched.should_preempt(cpu, prio) && !self.leave.now
            {
                self.load(cpu, cur, frame);
                return Step::User;
            }
            if keep {
                let _ = if state.rotate {
                    self.sys.sched.enqueue(cur)
                } else {
                    self.sys.sched.enqueue_front(cur)
                };
            } else if self.ready(cur) {
                // It moved to another CPU (affinity): queue it there.
                let _ = self.sys.sched.enqueue(cur);
                self.migrated = true;
            }
            self.m.cpus[cpu].current = None;
            self.m.cpus[cpu].rotate = false;
        }
        if self.leave.now {
            // The world's tables may be freed once everyone has left.
            self.m.activate_kernel(cpu);
            return if cpu == 0 { Step::Leave } else { Step::Idle };
        }
        while let Some(t) = self.sys.sched.pick(cpu) {
            if self.runnable(t, cpu) {
                self.m.cpus[cpu].current = Some(t);
                self.load(cpu, t, frame);
                return Step::User;
            }
        }
        self.m.activate_kernel(cpu);
        Step::Idle
    }

    fn load(&mut self, cpu: usize, t: ThreadId, frame: &mut TrapFrame) {
        // One lookup for both: its address space, and its IPC buffer
        // (every user thread finds its own at FS:0).
        let (space, fs) = self
            .sys
            .thread(t)
            .map_or((None, 0), |th| (th.aspace, th.ipc_buffer));
        if let Some(a) = space {
            self.m.activate(cpu, a);
        }
        if let Some(c) = self.m.cpus.get_mut(cpu)
            && c.fs != fs
        {
            crate::arch::cpu::set_fs_base(fs);
            c.fs = fs;
        }
        if let Some(tcb) = self.m.tcb(t) {
            *frame = tcb.ctx;
            frame.rflags = user_rflags(frame.rflags);
            frame.cs = u64::from(crate::arch::gdt::USER_CODE);
            frame.ss = u64::from(crate::arch::gdt::USER_DATA);
            if frame.rip >= helix_kernel_objects::syscall::USER_TOP {
                frame.rip = 0; // faults at once, in ring 3
            }
        }
    }

    /// Check the leave rule (BSP, on ticks and when idle).
    pub fn check_leave(&mut self) {
        if self.leave.now {
            return;
        }
        if cpu::rdtsc() >= self.leave.deadline {
            self.leave.now = true;
            self.leave.timed_out = true;
            return;
        }
        if let Some((ep, want)) = self.leave.reports
            && self.reports(ep).len() >= want
        {
            self.leave.now = true;
        }
    }

    /// Threads blocked sending on `ep` (reporters), oldest index first.
    pub fn reports(&self, ep: ObjRef) -> Vec<ThreadId> {
        let mut v = Vec::new();
        for i in 0..LIMITS.threads {
            if let Some(t) = self.m_thread_at(i)
                && let Ok(IpcState::Sending { ep: e, .. }) = self.sys.ipc.state(t)
                && e == ep
            {
                v.push(t);
            }
        }
        v
    }

    fn m_thread_at(&self, i: usize) -> Option<ThreadId> {
        self.m.thread_at(i)
    }
}

impl World {
    /// `cur` raised a user fault (its registers are saved): stop it and
    /// send the fault message to its fault endpoint.
    pub fn fault(&mut self, cur: ThreadId, vector: u8, error_code: u64, address: u64, rip: u64) {
        if vector == 13 && error_code == 0 && self.io_fault(cur, rip) {
            return;
        }
        let msg = helix_kernel_objects::fault::FaultMessage {
            thread: cur,
            vector,
            error_code: error_code as u32,
            address,
            rip,
        };
        if let Some(t) = self.m.tcb_mut(cur) {
            t.fault_words = msg.encode().1;
        }
        let space = self.space_of(cur);
        let mut fx = Fx::new(&mut self.m, space);
        let r = self.sys.fault(cur, msg, &mut fx);
        let transfers = core::mem::take(&mut fx.transfers);
        // A thread whose process was destroyed while it ran on another CPU
        // faults on its vanished pages: expected, not worth a line.
        if let Err(e) = r
            && space.is_some()
        {
            log::warn!(
                "thread {:#x}: {} at rip {rip:#x} (address {address:#x}) and no fault handler ({e}): suspended",
                cur.0.raw(),
                helix_kernel_core::exception::mnemonic(vector)
            );
        }
        self.apply_transfers(&transfers);
    }

    /// IRQ `line` fired.
    pub fn irq(&mut self, line: u64) {
        let mut fx = Fx::new(&mut self.m, None);
        self.sys.irq(line, &mut fx);
        let transfers = core::mem::take(&mut fx.transfers);
        self.apply_transfers(&transfers);
    }

    /// A timer tick on `cpu`.
    pub fn tick(&mut self, cpu: usize) {
        if let Some(cur) = self.m.cpus[cpu].current
            && self.sys.sched.tick(cur) == Ok(helix_kernel_objects::sched::Tick::Expired)
        {
            self.m.cpus[cpu].rotate = true;
        }
        if cpu == 0 {
            self.ticks += 1;
            let mut fx = Fx::new(&mut self.m, None);
            self.sys.expire(self.ticks, &mut fx);
            let transfers = core::mem::take(&mut fx.transfers);
            self.apply_transfers(&transfers);
            self.check_leave();
        }
    }
}
