//! Entries from ring 3 (and interrupts in the idle loop): take the world
//! lock, save the running thread, do the work, pick what runs next.

use helix_kernel_objects::syscall::SyscallRegs;
use spin::MutexGuard;

use super::world::{Step, World};
use super::{WORLD, smp};
use crate::arch::{TrapFrame, cpu, irq, lapic, percpu};

/// Lock the world, acknowledging TLB shootdowns while waiting.
pub fn lock() -> MutexGuard<'static, Option<World>> {
    loop {
        if let Some(g) = WORLD.try_lock() {
            return g;
        }
        smp::ack_flush();
        core::hint::spin_loop();
    }
}

/// Save the frame into the current thread of this CPU.
fn save(
    w: &mut World,
    cpu: usize,
    frame: &TrapFrame,
) -> Option<helix_kernel_objects::table::ThreadId> {
    let cur = w.m.cpus.get(cpu)?.current?;
    if let Some(t) = w.m.tcb_mut(cur) {
        t.ctx = *frame;
    }
    Some(cur)
}

/// Decide under the lock: resume the frame (0), leave (1), or idle (None).
fn step(w: &mut World, cpu: usize, frame: &mut TrapFrame) -> Option<u64> {
    let s = w.resume(cpu, frame);
    if core::mem::take(&mut w.migrated) {
        smp::kick(w, cpu);
    }
    match s {
        Step::User => Some(0),
        Step::Leave => Some(1),
        Step::Idle => {
            if cpu == 0 {
                w.check_leave();
                if w.leave.now {
                    return Some(1);
                }
            }
            None
        }
    }
}

/// Pick what runs next on this CPU (idling with interrupts on when there
/// is nothing); 0 = resume the frame in ring 3, 1 = leave the world.
pub fn finish(cpu: usize, frame: &mut TrapFrame) -> u64 {
    loop {
        let next = match lock().as_mut() {
            Some(w) => step(w, cpu, frame),
            None => (cpu == 0).then_some(1),
        };
        match next {
            Some(r) => {
                smp::ack_flush();
                return r;
            }
            None => {
                smp::idle_wait();
                smp::ack_flush();
                #[cfg(feature = "ktest")]
                crate::ktest::remote::poll();
            }
        }
    }
}

/// The `syscall` instruction (from the entry stub).
pub extern "C" fn syscall(frame: &mut TrapFrame) -> u64 {
    let cpu = percpu::index();
    {
        let mut g = lock();
        if let Some(w) = g.as_mut()
            && let Some(cur) = save(w, cpu, frame)
        {
            if w.fastpath(cpu, cur, frame) {
                drop(g);
                smp::ack_flush();
                return 0;
            }
            let regs = SyscallRegs {
                rax: frame.rax,
                rdi: frame.rdi,
                rsi: frame.rsi,
                rdx: frame.rdx,
                r10: frame.r10,
                r8: frame.r8,
                r9: frame.r9,
            };
            if w.syscall(cur, regs) {
                w.m.cpus[cpu].rotate = true;
            }
            smp::kick(w, cpu);
            if w.keep_running(cpu, cur, frame) {
                drop(g);
                smp::ack_flush();
                return 0;
            }
            // Otherwise decide without taking the lock again.
            if let Some(r) = step(w, cpu, frame) {
                drop(g);
                smp::ack_flush();
                return r;
            }
        }
    }
    finish(cpu, frame)
}

/// A CPU exception raised in ring 3.
pub fn user_fault(frame: &mut TrapFrame) -> u64 {
    let cpu = percpu::index();
    {
        let mut g = lock();
        if let Some(w) = g.as_mut()
            && let Some(cur) = save(w, cpu, frame)
        {
            let address = if frame.vector == 14 { cpu::cr2() } else { 0 };
            w.fault(
                cur,
                frame.vector as u8,
                frame.error_code,
                address,
                frame.rip,
            );
            smp::kick(w, cpu);
        }
    }
    finish(cpu, frame)
}

/// Any vector >= 32: timer, IPIs, PIC lines.
pub fn interrupt(frame: &mut TrapFrame) -> u64 {
    let cpu = percpu::index();
    let from_user = frame.cs & 3 == 3;
    let v = frame.vector as u8;
    match v {
        lapic::TLB_VECTOR => {
            lapic::eoi();
            smp::ack_flush();
            return 0;
        }
        lapic::SPURIOUS_VECTOR => return 0,
        _ => {}
    }
    {
        let mut g = lock();
        if let Some(w) = g.as_mut() {
            if from_user {
                save(w, cpu, frame);
            }
            match v {
                lapic::TIMER_VECTOR => {
                    lapic::eoi();
                    w.tick(cpu);
                }
                lapic::RESCHEDULE_VECTOR => lapic::eoi(),
                x if (irq::BASE_VECTOR..irq::BASE_VECTOR + irq::LINES).contains(&x) => {
                    let line = u64::from(x - irq::BASE_VECTOR);
                    irq::mask(line);
                    irq::eoi(line);
                    w.irq(line);
                }
                _ => lapic::eoi(),
            }
            smp::kick(w, cpu);
        } else if (irq::BASE_VECTOR..irq::BASE_VECTOR + irq::LINES).contains(&v) {
            let line = u64::from(v - irq::BASE_VECTOR);
            irq::mask(line);
            irq::eoi(line);
        } else {
            lapic::eoi();
        }
    }
    if from_user { finish(cpu, frame) } else { 0 }
}
