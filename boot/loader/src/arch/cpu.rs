//! Processor and chipset registers the loader touches: CPUID, TSC, MSRs,
//! the legacy PIC, the I/O APIC redirection table, PAT and MTRRs.

use core::arch::x86_64::{__cpuid, __cpuid_count, _rdtsc};

use x86_64::instructions::port::Port;
use x86_64::registers::model_specific::Msr;

/// IA32_APIC_BASE.
pub const MSR_APIC_BASE: u32 = 0x1b;
/// IA32_EFER.
const MSR_EFER: u32 = 0xc000_0080;
/// IA32_PAT.
const MSR_PAT: u32 = 0x277;
/// IA32_MTRRCAP.
const MSR_MTRRCAP: u32 = 0xfe;
/// IA32_MTRR_DEF_TYPE.
const MSR_MTRR_DEF_TYPE: u32 = 0x2ff;
/// Fixed-range MTRRs.
const MTRR_FIXED: [u32; 11] = [
    0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
];
/// Most variable-range MTRR pairs kept.
pub const MAX_VAR_MTRRS: usize = 16;

/// The PAT layout the Limine spec promises: WB, WT, UC-, UC, WP, WC, UC-, UC.
pub const LIMINE_PAT: u64 = 0x0007_0105_0007_0406;

/// What the processor can do, as far as the loader cares.
#[derive(Clone, Copy, Debug)]
pub struct Features {
    /// EFER.NXE available.
    pub nx: bool,
    /// 1 GiB pages.
    pub gib_pages: bool,
    /// x2APIC mode available.
    pub x2apic: bool,
    /// PAT available.
    pub pat: bool,
    /// MTRRs available.
    pub mtrr: bool,
    /// CPU family (for the INIT delay decision).
    pub family: u32,
}

/// Reads CPUID.
pub fn features() -> Features {
    let leaf1 = __cpuid(1);
    let max_ext = __cpuid(0x8000_0000).eax;
    let ext = if max_ext >= 0x8000_0001 {
        __cpuid_count(0x8000_0001, 0).edx
    } else {
        0
    };
    let base_family = (leaf1.eax >> 8) & 0xf;
    let family = if base_family == 0xf {
        base_family + ((leaf1.eax >> 20) & 0xff)
    } else {
        base_family
    };
    Features {
        nx: ext & (1 << 20) != 0,
        gib_pages: ext & (1 << 26) != 0,
        x2apic: leaf1.ecx & (1 << 21) != 0,
        pat: leaf1.edx & (1 << 16) != 0,
        mtrr: leaf1.edx & (1 << 12) != 0,
        family,
    }
}

/// Time-stamp counter.
pub fn rdtsc() -> u64 {
    // SAFETY: RDTSC has no side effects; every x86-64 processor has it.
    unsafe { _rdtsc() }
}

/// Reads an MSR.
///
/// # Safety
/// `msr` must exist on this processor.
pub unsafe fn read_msr(msr: u32) -> u64 {
    // SAFETY: the caller guarantees the MSR exists.
    unsafe { Msr::new(msr).read() }
}

/// Writes an MSR.
///
/// # Safety
/// `msr` must exist and `value` must be valid for it and not break the
/// loader's own execution.
pub unsafe fn write_msr(msr: u32, value: u64) {
    // SAFETY: forwarded from the caller.
    unsafe { Msr::new(msr).write(value) }
}

/// Sets EFER.NXE (when available) and the spec's PAT layout on this CPU.
pub fn set_nx_and_pat(f: &Features) {
    if f.nx {
        // SAFETY: EFER exists on every CPU in long mode.
        let efer = unsafe { read_msr(MSR_EFER) };
        // SAFETY: NXE is supported per CPUID and only makes the NX bit meaningful.
        unsafe { write_msr(MSR_EFER, efer | (1 << 11)) };
    }
    if f.pat {
        // SAFETY: PAT exists per CPUID; the loader's own mappings use PAT
        // entry 0, which stays write-back.
        unsafe { write_msr(MSR_PAT, LIMINE_PAT) };
    }
}

/// Reads an 8-bit I/O port.
///
/// # Safety
/// Reading `port` must have no harmful side effect.
pub unsafe fn inb(port: u16) -> u8 {
    // SAFETY: forwarded from the caller.
    unsafe { Port::<u8>::new(port).read() }
}

/// Writes an 8-bit I/O port.
///
/// # Safety
/// Writing `value` to `port` must be harmless for the loader.
pub unsafe fn outb(port: u16, value: u8) {
    // SAFETY: forwarded from the caller.
    unsafe { Port::<u8>::new(port).write(value) }
}

/// Writes a 32-bit I/O port.
///
/// # Safety
/// Writing `value` to `port` must be harmless for the loader.
pub unsafe fn outl(port: u16, value: u32) {
    // SAFETY: forwarded from the caller.
    unsafe { Port::<u32>::new(port).write(value) }
}

/// Masks every line of both legacy 8259 PICs.
pub fn mask_pic() {
    // SAFETY: 0x21 is the master PIC's data port; 0xff only masks lines.
    unsafe { outb(0x21, 0xff) };
    // SAFETY: 0xa1 is the slave PIC's data port; 0xff only masks lines.
    unsafe { outb(0xa1, 0xff) };
}

/// Masks every redirection entry with fixed or lowest-priority delivery of
/// the I/O APIC at physical `base` (identity-mapped). Returns how many.
///
/// # Safety
/// `base` must be an I/O APIC's register window, mapped uncached-safe.
pub unsafe fn mask_ioapic(base: u64) -> u32 {
    let sel = base as *mut u32;
    let win = (base + 0x10) as *mut u32;
    let select = |reg: u32| {
        // SAFETY: IOREGSEL of a valid I/O APIC (caller's guarantee).
        unsafe { sel.write_volatile(reg) };
    };
    let read = |reg: u32| {
        select(reg);
        // SAFETY: IOWIN of the same I/O APIC.
        unsafe { win.read_volatile() }
    };
    let write = |reg: u32, value: u32| {
        select(reg);
        // SAFETY: IOWIN of the same I/O APIC.
        unsafe { win.write_volatile(value) };
    };
    let entries = ((read(1) >> 16) & 0xff) + 1;
    let mut masked = 0;
    for i in 0..entries {
        let reg = 0x10 + 2 * i;
        let low = read(reg);
        if (low >> 8) & 0b111 <= 1 && low & (1 << 16) == 0 {
            write(reg, low | (1 << 16));
            masked += 1;
        }
    }
    masked
}

/// The boot processor's MTRR settings, to copy onto the APs.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct MtrrSnapshot {
    /// Whether there is anything to copy.
    pub valid: bool,
    /// IA32_MTRR_DEF_TYPE.
    pub def_type: u64,
    /// Fixed ranges (when supported).
    pub fixed: [u64; 11],
    /// Whether fixed ranges exist.
    pub has_fixed: bool,
    /// Variable pairs (base, mask).
    pub var: [(u64, u64); MAX_VAR_MTRRS],
    /// Number of variable pairs used.
    pub var_count: usize,
}

impl MtrrSnapshot {
    /// Reads this CPU's MTRRs.
    pub fn take(f: &Features) -> Self {
        let mut s = MtrrSnapshot {
            valid: f.mtrr,
            def_type: 0,
            fixed: [0; 11],
            has_fixed: false,
            var: [(0, 0); MAX_VAR_MTRRS],
            var_count: 0,
        };
        if !f.mtrr {
            return s;
        }
        let rd = |msr: u32| {
            // SAFETY: MTRRCAP, DEF_TYPE and the ranges MTRRCAP announces
            // exist when CPUID reports MTRR support (checked above).
            unsafe { read_msr(msr) }
        };
        let cap = rd(MSR_MTRRCAP);
        s.def_type = rd(MSR_MTRR_DEF_TYPE);
        s.has_fixed = cap & (1 << 8) != 0;
        if s.has_fixed {
            for (v, &msr) in s.fixed.iter_mut().zip(MTRR_FIXED.iter()) {
                *v = rd(msr);
            }
        }
        s.var_count = ((cap & 0xff) as usize).min(MAX_VAR_MTRRS);
        for i in 0..s.var_count {
            let base = 0x200 + 2 * i as u32;
            s.var[i] = (rd(base), rd(base + 1));
        }
        s
    }

    /// Writes the snapshot to this CPU's MTRRs (MTRRs off while changing).
    pub fn apply(&self) {
        if !self.valid {
            return;
        }
        let wr = |msr: u32, value: u64| {
            // SAFETY: the same MSRs the BSP read (identical processors);
            // with MTRRs briefly disabled memory is merely uncached.
            unsafe { write_msr(msr, value) };
        };
        wr(MSR_MTRR_DEF_TYPE, self.def_type & !(1 << 11));
        if self.has_fixed {
            for (&v, &msr) in self.fixed.iter().zip(MTRR_FIXED.iter()) {
                wr(msr, v);
            }
        }
        for i in 0..self.var_count {
            let base = 0x200 + 2 * i as u32;
            wr(base, self.var[i].0);
            wr(base + 1, self.var[i].1);
        }
        wr(MSR_MTRR_DEF_TYPE, self.def_type);
        // SAFETY: WBINVD only writes back and invalidates caches.
        unsafe { core::arch::asm!("wbinvd", options(nostack, preserves_flags)) };
    }
}

/// Stops this processor for good.
pub fn halt_forever() -> ! {
    loop {
        // SAFETY: interrupts are off; HLT just stops the processor.
        unsafe { core::arch::asm!("cli", "hlt", options(nomem, nostack)) };
    }
}
