//! x86_64 hardware layer: port I/O, serial, GDT/TSS, IDT and exception
//! stubs, the expected-fault catch point, paging, timers.

pub mod acpi;
pub mod ap;
#[cfg(feature = "ktest")]
pub mod catch;
pub mod cpu;
mod entry;
pub mod exceptions;
pub mod gdt;
pub mod idt;
pub mod ioapic;
pub mod irq;
pub mod lapic;
pub mod paging;
pub mod percpu;
pub mod pic;
pub mod pit;
pub mod port;
#[cfg(feature = "ktest")]
pub mod probe;
pub mod serial;
pub mod stacks;
mod stubs;
pub mod syscall;
pub mod usercopy;
pub mod uspace;

pub use stubs::TrapFrame;

/// Disable interrupts and halt forever.
pub fn halt_forever() -> ! {
    loop {
        ::x86_64::instructions::interrupts::disable();
        ::x86_64::instructions::hlt();
    }
}

/// Load GDT, TSS and IDT on the boot CPU.
pub fn init_cpu_tables() {
    gdt::init(0, stacks::BSP_KERNEL.top());
    idt::init();
}
