//! Raw probes a test program needs and safe Rust cannot express: touching
//! a chosen address, and instructions that fault in ring 3.
#![expect(
    unsafe_code,
    reason = "raw memory probes and faulting instructions: the one unsafe module of usertest"
)]

/// Read a u64 at `addr` (a page this program mapped itself, or an address
/// expected to fault: the kernel then stops this thread).
pub fn peek(addr: u64) -> u64 {
    // SAFETY: `addr` is a page mapped by this program for the probe, never
    // memory Rust owns; a fault stops this thread, not the kernel.
    unsafe { (addr as *const u64).read_volatile() }
}

/// Write a u64 at `addr` (as for [`peek`]).
pub fn poke(addr: u64, v: u64) {
    // SAFETY: as for `peek`.
    unsafe { (addr as *mut u64).write_volatile(v) }
}

/// `hlt`: privileged, so #GP in ring 3.
pub fn privileged() {
    // SAFETY: raises #GP in ring 3; touches no memory.
    unsafe { core::arch::asm!("hlt", options(nomem, nostack)) }
}

/// `ud2`: #UD.
pub fn undefined() {
    // SAFETY: raises #UD; touches no memory.
    unsafe { core::arch::asm!("ud2", options(nomem, nostack)) }
}

/// Divide by zero with `div`: #DE.
pub fn divide_by_zero(x: u64) -> u64 {
    let q: u64;
    // SAFETY: `div` by a zero register raises #DE; no memory is touched.
    unsafe {
        core::arch::asm!("xor ecx, ecx", "xor edx, edx", "div rcx",
            inout("rax") x => q, out("rcx") _, out("rdx") _, options(nomem, nostack))
    };
    q
}

/// `in al, 0x61` without I/O permission: #GP.
pub fn port_in_direct() -> u8 {
    let v: u8;
    // SAFETY: ring 3 with IOPL 0 and no I/O bitmap grant: #GP, nothing read.
    unsafe { core::arch::asm!("in al, 0x61", out("al") v, options(nomem, nostack)) };
    v
}

/// `out dx, al` (ports an IoPorts cap of this process grants).
pub fn port_out_dx(port: u16, v: u8) {
    // SAFETY: a port instruction: it either runs (granted) or #GPs; it
    // touches no memory.
    unsafe { core::arch::asm!("out dx, al", in("dx") port, in("al") v, options(nomem, nostack)) };
}

/// `in al, dx` (as for [`port_out_dx`]).
pub fn port_in_dx(port: u16) -> u8 {
    let v: u8;
    // SAFETY: as for `port_out_dx`.
    unsafe { core::arch::asm!("in al, dx", in("dx") port, out("al") v, options(nomem, nostack)) };
    v
}

/// `in al, 0x71` (immediate form; as for [`port_out_dx`]).
pub fn port_in_71() -> u8 {
    let v: u8;
    // SAFETY: as for `port_out_dx`.
    unsafe { core::arch::asm!("in al, 0x71", out("al") v, options(nomem, nostack)) };
    v
}

/// Read the time-stamp counter (allowed in ring 3: CR4.TSD is clear).
pub fn rdtsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: `rdtsc` only reads the TSC into edx:eax.
    unsafe { core::arch::asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    (u64::from(hi) << 32) | u64::from(lo)
}
