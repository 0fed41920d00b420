//! Per-CPU data, reached through the GS base while in the kernel.
//!
//! Ring 3 runs with the user's GS base; every entry from ring 3 (syscall,
//! exception, interrupt) executes `swapgs` first, every exit to ring 3
//! executes it last, so kernel code always finds its CPU's [`PerCpu`] at
//! `gs:0`. The assembly reads it by word offset: 8 kernel stack top, 16
//! scratch for the user RSP during syscall entry, 24 the context that
//! entered the user world, 32 the CPU index.

use alloc::boxed::Box;
use core::arch::asm;
use core::sync::atomic::{AtomicU64, Ordering};

use ::x86_64::VirtAddr;
use ::x86_64::registers::model_specific::{GsBase, KernelGsBase};

/// One CPU's block (layout fixed: the assembly reads it by offset).
#[repr(C)]
#[derive(Debug, Default)]
pub struct PerCpu {
    self_ptr: AtomicU64,
    kstack_top: AtomicU64,
    user_rsp: AtomicU64,
    leave: AtomicU64,
    index: AtomicU64,
}

/// Most CPUs the kernel drives (per-CPU tables are this long).
pub const MAX_CPUS: usize = 16;

static BSP: PerCpu = PerCpu {
    self_ptr: AtomicU64::new(0),
    kstack_top: AtomicU64::new(0),
    user_rsp: AtomicU64::new(0),
    leave: AtomicU64::new(0),
    index: AtomicU64::new(0),
};

/// Set up this CPU's block (`cpu` 0 is the BSP's static one) with its
/// kernel stack top, and point GS at it (user GS base starts at 0).
pub fn init(cpu: usize, kstack_top: u64) {
    let block: &'static PerCpu = if cpu == 0 {
        &BSP
    } else {
        Box::leak(Box::default())
    };
    let addr = block as *const PerCpu as u64;
    block.self_ptr.store(addr, Ordering::SeqCst);
    block.kstack_top.store(kstack_top, Ordering::SeqCst);
    block.index.store(cpu as u64, Ordering::SeqCst);
    GsBase::write(VirtAddr::new(addr));
    KernelGsBase::write(VirtAddr::new(0));
}

/// This CPU's index (0 = BSP). Valid after [`init`] on this CPU.
#[inline]
pub fn index() -> usize {
    let v: u64;
    // SAFETY: in the kernel GS points at this CPU's `PerCpu` (see the
    // module doc); the load reads its `index` word.
    unsafe { asm!("mov {}, gs:[32]", out(reg) v, options(nostack, preserves_flags, readonly)) };
    v as usize
}

/// This CPU's kernel stack top.
pub fn kernel_stack_top() -> u64 {
    let v: u64;
    // SAFETY: as in `index`; reads the `kstack_top` word.
    unsafe { asm!("mov {}, gs:[8]", out(reg) v, options(nostack, preserves_flags, readonly)) };
    v
}
