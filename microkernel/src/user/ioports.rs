//! Ring-3 `in`/`out`: each process's TSS I/O bitmap, filled lazily. A
//! port instruction that #GPs is decoded; if an IoPorts cap (READ and
//! WRITE) in the process's CSpace covers its ports, their bits are opened
//! in the process's bitmap and the instruction runs again; otherwise the
//! #GP goes to the fault endpoint as usual. Removing any IoPorts cap
//! closes every bitmap on every CPU (they refill on the next use). A
//! bitmap is paid for by the budget of the process's address space
//! (`System::charge_io_bitmap`); when it cannot pay, the #GP is a fault.

use alloc::boxed::Box;

use helix_kernel_core::ioinsn::{self, MAX_INSN};
use helix_kernel_objects::quota::IO_BITMAP_COST;
use helix_kernel_objects::table::{ObjRef, ThreadId};

use super::machine::{CpuState, Machine};
use super::world::World;
use crate::arch::{gdt, percpu, usercopy};

// What the budget pays is what the heap gives.
const _: () = assert!(IO_BITMAP_COST == gdt::IO_BITMAP_BYTES as u64);

/// On a switch to `aspace` (bitmap and version `io`, if it has one): load
/// or turn on its bitmap, or turn the CPU's off, as needed.
pub fn switch(c: &mut CpuState, aspace: ObjRef, io: Option<(&[u8; gdt::IO_BITMAP_BYTES], u64)>) {
    match io {
        Some((bits, version)) => {
            if c.io != Some((aspace, version)) {
                gdt::io_load(bits);
                c.io = Some((aspace, version));
            } else if c.io_on != Some(true) {
                gdt::io_set(true);
            }
            c.io_on = Some(true);
        }
        None => {
            if c.io_on != Some(false) {
                gdt::io_off();
                c.io_on = Some(false);
            }
        }
    }
}

impl Machine {
    /// Every IoPorts cap loses its effect: close every bitmap here and on
    /// every other CPU (before this returns).
    pub fn io_revoke_all(&mut self) {
        if !self.any_io() {
            return;
        }
        self.clear_io();
        for c in &mut self.cpus {
            c.io = None;
            c.io_on = None;
        }
        gdt::io_off();
        super::smp::io_shootdown();
    }
}

impl World {
    /// `cur` raised #GP at `rip`: if it is a port instruction an IoPorts
    /// cap of its process grants, open the ports and let it run again
    /// (true); otherwise it is a fault (false).
    pub fn io_fault(&mut self, cur: ThreadId, rip: u64) -> bool {
        let cpu = percpu::index();
        let Some(aspace) = self.space_of(cur) else {
            return false;
        };
        let (Some(space), Some(tcb)) = (self.m.space(aspace), self.m.tcb(cur)) else {
            return false;
        };
        let dx = tcb.ctx.rdx as u16;
        let has_bitmap = space.io.is_some();
        let mut code = [0u8; MAX_INSN];
        // The instruction may end before the page does: read what fits.
        let room = (4096 - (rip & 0xfff) as usize).min(MAX_INSN);
        let n = if usercopy::read_current(&space.tables, rip, &mut code).is_ok() {
            MAX_INSN
        } else if usercopy::read_current(&space.tables, rip, &mut code[..room]).is_ok() {
            room
        } else {
            return false;
        };
        let Some(acc) = ioinsn::decode(&code[..n], dx) else {
            return false;
        };
        if !self.sys.io_ports_granted(cur, acc.port, acc.width) {
            return false;
        }
        let Some(c) = self.m.cpus.get_mut(cpu) else {
            return false;
        };
        if c.io_retry == Some((cur, rip, acc.port)) {
            c.io_retry = None;
            return false;
        }
        // A new bitmap is paid for by the address space's budget first; a
        // budget that cannot pay leaves the ports closed (a fault).
        if !has_bitmap && self.sys.charge_io_bitmap(aspace).is_err() {
            return false;
        }
        c.io_retry = Some((cur, rip, acc.port));
        c.io_on = None;
        self.m.io_open(aspace, acc.port, acc.width);
        self.m.activate(cpu, aspace);
        true
    }
}

/// Clear `width` bits from `port` in `bits` (0 = allowed).
fn open(bits: &mut [u8; gdt::IO_BITMAP_BYTES], port: u16, width: u8) {
    for p in u32::from(port)..(u32::from(port) + u32::from(width)).min(0x1_0000) {
        bits[(p / 8) as usize] &= !(1 << (p % 8));
    }
}

impl Machine {
    fn io_open(&mut self, aspace: ObjRef, port: u16, width: u8) {
        if let Some(s) = self.space_mut_existing(aspace) {
            let bits =
                s.io.get_or_insert_with(|| Box::new([0xff; gdt::IO_BITMAP_BYTES]));
            open(bits, port, width);
            s.io_version += 1;
        }
    }
}
