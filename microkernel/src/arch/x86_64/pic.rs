//! The legacy 8259 PIC pair: remapped to vectors 0x30..0x40, every line
//! masked until a user IrqHandler is bound and acknowledges; its output
//! reaches the BSP through LAPIC LINT0 (ExtINT).

use ::x86_64::instructions::port::Port;

/// Vector of IRQ line 0.
pub const BASE_VECTOR: u8 = 0x30;

fn out(port: u16, v: u8) {
    // SAFETY: 0x20/0x21/0xa0/0xa1 are the PIC's ports on PC hardware;
    // nothing else in the kernel drives them.
    unsafe { Port::<u8>::new(port).write(v) }
}

fn inb(port: u16) -> u8 {
    // SAFETY: as in `out`.
    unsafe { Port::<u8>::new(port).read() }
}

/// Remap both PICs to 0x30..0x40 and mask every line.
pub fn init() {
    out(0x20, 0x11);
    out(0xa0, 0x11);
    out(0x21, BASE_VECTOR);
    out(0xa1, BASE_VECTOR + 8);
    out(0x21, 4);
    out(0xa1, 2);
    out(0x21, 1);
    out(0xa1, 1);
    out(0x21, 0xfb); // all masked except the cascade
    out(0xa1, 0xff);
}

/// Unmask line `irq` (< 16).
pub fn unmask(irq: u64) {
    if irq < 8 {
        out(0x21, inb(0x21) & !(1 << irq));
    } else if irq < 16 {
        out(0xa1, inb(0xa1) & !(1 << (irq - 8)));
    }
}

/// Mask line `irq` (< 16).
pub fn mask(irq: u64) {
    if irq < 8 {
        out(0x21, inb(0x21) | (1 << irq));
    } else if irq < 16 {
        out(0xa1, inb(0xa1) | (1 << (irq - 8)));
    }
}

/// End of interrupt for line `irq`.
pub fn eoi(irq: u64) {
    if irq >= 8 {
        out(0xa0, 0x20);
    }
    out(0x20, 0x20);
}

/// Mask every line for good (the I/O APIC takes over).
pub fn disable() {
    out(0x21, 0xff);
    out(0xa1, 0xff);
}
