//! Deliberate faults, for servers that test the system's fault handling
//! (a module that crashes on a chosen request, or while restoring state).

/// Fault now: a read of the kernel half of the address space, which ring 3
/// may never do. The kernel reports a page fault (`#PF`, with the address)
/// to the thread's fault handler; the thread never runs past it. On the
/// host (tests) it panics instead.
pub fn read_kernel_address() -> ! {
    #[cfg(target_os = "none")]
    {
        crate::arch::read_kernel_half()
    }
    #[cfg(not(target_os = "none"))]
    {
        panic!("deliberate fault: read of {:#x}", crate::arch::KERNEL_HALF)
    }
}
