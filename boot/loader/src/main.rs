//! helix-loader: Helix's offline boot path. QEMU starts it directly through
//! PVH (`-kernel helix-loader -initrd bundle.tar`); it reads `limine.cfg`
//! and the files it names from the bundle, loads the unchanged kernel ELF,
//! builds the page tables and answers the Limine requests the kernel makes
//! (base revision 3), starts the APs, and enters the kernel in the machine
//! state the Limine protocol specifies.
//!
//! Design rules:
//! - Decisions live in `helix-loader-core` (host-tested); this crate only
//!   reads firmware structures, writes memory and registers, and jumps.
//! - `unsafe` stays in small leaf modules (`arch`, `phys`, `hvm`, `acpi`,
//!   `smp`, `responses`), each block with a `// SAFETY:` reason.
//! - Every failure is one line `helix-loader: error: <file>: <problem>` on
//!   COM1 followed by an isa-debug-exit failure; never a silent hang.
#![no_std]
#![no_main]

extern crate alloc;

mod acpi;
mod answer;
mod arch;
mod boot;
mod fail;
mod heap;
mod hvm;
mod mp;
mod phys;
mod responses;
mod serial;
mod smp;
mod time;

/// Called by the PVH entry code on the boot stack, in long mode.
#[unsafe(no_mangle)]
extern "sysv64" fn loader_main(start_info: u64) -> ! {
    arch::idt::load();
    serial::init();
    heap::init();
    time::calibrate();
    match boot::run(start_info) {
        Err(e) => fail::fatal(&e),
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    struct Panic<'a>(&'a core::panic::PanicInfo<'a>);
    impl core::fmt::Display for Panic<'_> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            match self.0.location() {
                Some(l) => write!(
                    f,
                    "loader: panic at {}:{}: {}",
                    l.file(),
                    l.line(),
                    self.0.message()
                ),
                None => write!(f, "loader: panic: {}", self.0.message()),
            }
        }
    }
    fail::fatal(&Panic(info))
}
