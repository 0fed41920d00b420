//! External IRQ lines 0..16 for user drivers: through the I/O APIC when the
//! MADT describes one, else through the legacy 8259 PIC. Line n arrives as
//! vector `BASE_VECTOR + n`, stays masked until a handler is bound and is
//! masked again by each interrupt until the handler acknowledges it.

use core::sync::atomic::{AtomicBool, Ordering};

use super::{acpi, ioapic, lapic, pic};

/// Vector of line 0.
pub const BASE_VECTOR: u8 = pic::BASE_VECTOR;
/// Lines offered.
pub const LINES: u8 = 16;

static APIC: AtomicBool = AtomicBool::new(false);

/// Which controller delivers the lines.
pub fn controller() -> &'static str {
    if APIC.load(Ordering::Relaxed) {
        "I/O APIC"
    } else {
        "8259 PIC"
    }
}

/// Set up the lines (call once on the BSP after the LAPIC).
pub fn init(rsdp: Option<u64>) {
    pic::init();
    let layout = rsdp.and_then(acpi::irq_layout);
    if let Some(l) = layout
        && let Ok(virt) = crate::mem::kspace::map_mmio(l.ioapic)
    {
        pic::disable();
        lapic::mask_lint0();
        ioapic::init(virt, &l, lapic::id(), BASE_VECTOR);
        APIC.store(true, Ordering::SeqCst);
    }
}

/// Mask line `irq`.
pub fn mask(irq: u64) {
    if APIC.load(Ordering::Relaxed) {
        ioapic::mask(irq);
    } else {
        pic::mask(irq);
    }
}

/// Unmask line `irq`.
pub fn unmask(irq: u64) {
    if APIC.load(Ordering::Relaxed) {
        ioapic::unmask(irq);
    } else {
        pic::unmask(irq);
    }
}

/// End of interrupt for line `irq`.
pub fn eoi(irq: u64) {
    if APIC.load(Ordering::Relaxed) {
        lapic::eoi();
    } else {
        pic::eoi(irq);
    }
}
