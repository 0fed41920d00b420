//! Application processor entry through the Limine MP protocol: the
//! bootloader jumps to [`ap_entry`] on a parked AP; it hands the CPU index
//! (put in the MP record's `extra` word by the BSP) to a safe Rust
//! function registered with [`start`].

use core::sync::atomic::Ordering;

use limine::mp::Cpu;
use spin::Once;

/// The safe per-AP main function (set before any AP starts).
static MAIN: Once<fn(usize) -> !> = Once::new();

/// AP entry from the bootloader.
///
/// # Safety
/// Called only by the bootloader on a parked AP, once, with `c` its MP
/// record (64-bit mode, interrupts off, on a bootloader stack in the HHDM).
unsafe extern "C" fn ap_entry(c: &Cpu) -> ! {
    let index = c.extra.load(Ordering::SeqCst) as usize;
    match MAIN.get() {
        Some(main) => main(index),
        None => super::halt_forever(),
    }
}

/// Start the AP of `c` running `main(index)`.
pub fn start(c: &Cpu, index: usize, main: fn(usize) -> !) {
    MAIN.call_once(|| main);
    c.extra.store(index as u64, Ordering::SeqCst);
    c.goto_address.write(ap_entry);
}
