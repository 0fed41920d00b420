//! Statically allocated stacks with a guard page below each.
//!
//! The stacks live in `.bss`; the guard pages are part of the same static
//! but the kernel's page tables leave them unmapped (see
//! [`guard_pages`]), so running off the bottom of a stack faults instead
//! of silently corrupting memory.

use core::cell::UnsafeCell;

use helix_kernel_core::PAGE_SIZE;

/// Bytes of each exception (IST) stack.
pub const IST_STACK_SIZE: usize = 16 * 1024;
/// Bytes of a CPU's kernel stack (syscalls and interrupts from ring 3).
pub const KERNEL_STACK_SIZE: usize = 64 * 1024;
/// Bytes of the small stack the double-fault test overflows.
pub const TEST_STACK_SIZE: usize = 16 * 1024;

const GUARD: usize = PAGE_SIZE as usize;

/// A guard page followed by a stack of `N` bytes.
#[repr(C, align(4096))]
pub struct GuardedStack<const N: usize> {
    guard: UnsafeCell<[u8; GUARD]>,
    stack: UnsafeCell<[u8; N]>,
}

// SAFETY: the kernel never reads or writes the arrays through Rust
// references; only the CPU uses them as stack memory through raw
// addresses, one user at a time (one IST per vector, one test at a time).
unsafe impl<const N: usize> Sync for GuardedStack<N> {}

impl<const N: usize> GuardedStack<N> {
    const fn new() -> Self {
        Self {
            guard: UnsafeCell::new([0; GUARD]),
            stack: UnsafeCell::new([0; N]),
        }
    }

    /// Address of the guard page.
    pub fn guard(&self) -> u64 {
        self.guard.get() as u64
    }

    /// Lowest usable stack address.
    pub fn bottom(&self) -> u64 {
        self.stack.get() as u64
    }

    /// One past the highest stack address (the initial stack pointer).
    pub fn top(&self) -> u64 {
        self.bottom() + N as u64
    }
}

/// IST stack for double faults.
pub static DOUBLE_FAULT: GuardedStack<IST_STACK_SIZE> = GuardedStack::new();
/// IST stack for NMIs.
pub static NMI: GuardedStack<IST_STACK_SIZE> = GuardedStack::new();
/// IST stack for machine checks.
pub static MACHINE_CHECK: GuardedStack<IST_STACK_SIZE> = GuardedStack::new();
/// Stack that the double-fault test overflows on purpose.
pub static OVERFLOW_TEST: GuardedStack<TEST_STACK_SIZE> = GuardedStack::new();

/// The boot CPU's kernel stack for entries from ring 3.
pub static BSP_KERNEL: GuardedStack<KERNEL_STACK_SIZE> = GuardedStack::new();

/// Every guard page the page tables must leave unmapped.
pub fn guard_pages() -> [u64; 5] {
    [
        BSP_KERNEL.guard(),
        DOUBLE_FAULT.guard(),
        NMI.guard(),
        MACHINE_CHECK.guard(),
        OVERFLOW_TEST.guard(),
    ]
}
