//! The I/O APIC: ISA IRQ n arrives as vector `BASE_VECTOR + n` at the BSP,
//! masked until a handler is bound. Found through the MADT (`acpi.rs`).

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use super::acpi::IrqLayout;

/// Register page (virtual), 0 when there is no I/O APIC.
static BASE: AtomicU64 = AtomicU64::new(0);
/// GSI of each ISA IRQ.
static GSI: [AtomicU32; 16] = [const { AtomicU32::new(0) }; 16];

fn write(reg: u32, v: u32) {
    let b = BASE.load(Ordering::Relaxed);
    // SAFETY: `b` is the mapped register page of the I/O APIC (set in
    // `init`): IOREGSEL at +0, IOWIN at +0x10, both 32-bit MMIO.
    unsafe { (b as *mut u32).write_volatile(reg) };
    // SAFETY: as above.
    unsafe { ((b + 0x10) as *mut u32).write_volatile(v) };
}

fn read(reg: u32) -> u32 {
    let b = BASE.load(Ordering::Relaxed);
    // SAFETY: as in `write`.
    unsafe { (b as *mut u32).write_volatile(reg) };
    // SAFETY: as in `write`.
    unsafe { ((b + 0x10) as *const u32).read_volatile() }
}

/// Program every ISA IRQ's entry (masked, to `apic_id`, vector
/// `base_vector + irq`) from the MADT layout; `virt` maps the registers.
pub fn init(virt: u64, l: &IrqLayout, apic_id: u32, base_vector: u8) {
    BASE.store(virt, Ordering::SeqCst);
    let entries = ((read(1) >> 16) & 0xff) + 1;
    for (irq, &(gsi, low, level)) in l.isa.iter().enumerate() {
        GSI[irq].store(gsi, Ordering::SeqCst);
        // An identity-mapped IRQ whose input another IRQ overrides onto
        // (ISA 2 on PCs, where the PIT's IRQ 0 lands) is not wired.
        let taken = !l.overridden[irq]
            && l.isa
                .iter()
                .zip(l.overridden)
                .any(|(&(g, _, _), o)| o && g == gsi);
        if gsi >= entries || taken {
            continue;
        }
        let lo = (u32::from(base_vector) + irq as u32)
            | (u32::from(low) << 13)
            | (u32::from(level) << 15)
            | (1 << 16);
        write(0x11 + 2 * gsi, apic_id << 24);
        write(0x10 + 2 * gsi, lo);
    }
}

/// Whether an I/O APIC is in use.
pub fn present() -> bool {
    BASE.load(Ordering::Relaxed) != 0
}

fn set_mask(irq: u64, masked: bool) {
    if irq >= 16 || !present() {
        return;
    }
    let reg = 0x10 + 2 * GSI[irq as usize].load(Ordering::Relaxed);
    let lo = read(reg);
    write(
        reg,
        if masked {
            lo | (1 << 16)
        } else {
            lo & !(1 << 16)
        },
    );
}

/// Mask ISA IRQ `irq`.
pub fn mask(irq: u64) {
    set_mask(irq, true);
}

/// Unmask ISA IRQ `irq`.
pub fn unmask(irq: u64) {
    set_mask(irq, false);
}
