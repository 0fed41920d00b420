//! x86_64 hardware layer: port I/O, serial, GDT/TSS, IDT and exception
//! stubs, the expected-fault catch point, paging, timers.

pub mod catch;
pub mod cpu;
mod entry;
pub mod exceptions;
pub mod gdt;
pub mod idt;
pub mod paging;
pub mod pit;
pub mod port;
pub mod probe;
pub mod serial;
pub mod stacks;
mod stubs;

/// Disable interrupts and halt forever.
pub fn halt_forever() -> ! {
    loop {
        ::x86_64::instructions::interrupts::disable();
        ::x86_64::instructions::hlt();
    }
}

/// Load GDT, TSS and IDT on this CPU.
pub fn init_cpu_tables() {
    gdt::init();
    idt::init();
}
