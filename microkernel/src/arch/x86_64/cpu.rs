//! Small CPU primitives: TSC, CPUID, control registers.

use core::arch::asm;

use ::x86_64::registers::control::{Cr0, Cr0Flags, Cr2, Cr3};
use ::x86_64::registers::model_specific::{Efer, EferFlags};

/// Read the time-stamp counter.
#[inline]
pub fn rdtsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: `rdtsc` only reads the TSC into edx:eax.
    unsafe { asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack)) };
    (u64::from(hi) << 32) | u64::from(lo)
}

/// CPUID result registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cpuid {
    /// eax
    pub eax: u32,
    /// ebx
    pub ebx: u32,
    /// ecx
    pub ecx: u32,
    /// edx
    pub edx: u32,
}

/// Execute CPUID for `leaf`/`subleaf`.
pub fn cpuid(leaf: u32, subleaf: u32) -> Cpuid {
    let (eax, ebx, ecx, edx): (u32, u64, u32, u32);
    // SAFETY: `cpuid` has no side effects besides writing the four result
    // registers; rbx is reserved by LLVM, so it is saved in a scratch
    // register around the instruction.
    unsafe {
        asm!(
            "mov {tmp}, rbx",
            "cpuid",
            "xchg {tmp}, rbx",
            tmp = out(reg) ebx,
            inout("eax") leaf => eax,
            inout("ecx") subleaf => ecx,
            out("edx") edx,
            options(nomem, nostack, preserves_flags),
        )
    };
    Cpuid {
        eax,
        ebx: ebx as u32,
        ecx,
        edx,
    }
}

/// Highest basic CPUID leaf.
pub fn max_leaf() -> u32 {
    cpuid(0, 0).eax
}

#[cfg(feature = "ktest")]
/// This CPU's initial local APIC id (CPUID 1, ebx[31:24]).
pub fn apic_id() -> u32 {
    cpuid(1, 0).ebx >> 24
}

/// CR2 as a raw number.
pub fn cr2() -> u64 {
    Cr2::read_raw()
}

/// Physical address of the active PML4.
pub fn cr3() -> u64 {
    Cr3::read_raw().0.start_address().as_u64()
}

/// Turn on no-execute pages (EFER.NXE) and supervisor write protection
/// (CR0.WP).
pub fn enable_nx_and_wp() {
    // SAFETY: setting NXE only makes the NX bit in page tables meaningful;
    // the kernel's tables set NX only where execution is not wanted.
    unsafe { Efer::update(|f| f.insert(EferFlags::NO_EXECUTE_ENABLE)) };
    // SAFETY: WP makes ring-0 writes honour read-only pages; the kernel
    // never writes to pages it mapped read-only.
    unsafe { Cr0::update(|f| f.insert(Cr0Flags::WRITE_PROTECT)) };
}

#[cfg(feature = "ktest")]
/// Whether EFER.NXE and CR0.WP are both set.
pub fn nx_and_wp_enabled() -> bool {
    Efer::read().contains(EferFlags::NO_EXECUTE_ENABLE)
        && Cr0::read().contains(Cr0Flags::WRITE_PROTECT)
}

/// Current frame pointer.
#[inline(always)]
pub fn rbp() -> u64 {
    let v: u64;
    // SAFETY: copies rbp into a register; no memory is touched.
    unsafe { asm!("mov {}, rbp", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// Current stack pointer.
#[inline(always)]
pub fn rsp() -> u64 {
    let v: u64;
    // SAFETY: copies rsp into a register; no memory is touched.
    unsafe { asm!("mov {}, rsp", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// Set this CPU's FS base (user threads find their IPC buffer through it;
/// the kernel never uses FS). Non-canonical values are refused (kept 0).
pub fn set_fs_base(v: u64) {
    let v = ::x86_64::VirtAddr::try_new(v).unwrap_or(::x86_64::VirtAddr::zero());
    ::x86_64::registers::model_specific::FsBase::write(v);
}
