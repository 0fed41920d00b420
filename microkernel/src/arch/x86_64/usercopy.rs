//! The only way the kernel touches user memory: checked copies.
//!
//! A user pointer is an allegation. Every copy first walks the target
//! process's page tables ([`UserTables::translate`]): each page must be
//! present and user-accessible (and writable for writes). Copies between
//! processes go through the HHDM (the frames' kernel mapping), so they
//! never depend on which address space is loaded. [`read_current`] reads
//! the running process's memory directly, with SMAP opened (`stac`) only
//! for the copy and closed (`clac`) right after. SMEP and SMAP are on
//! whenever the CPU has them, so any other kernel access to user memory
//! faults.

use core::arch::asm;
use core::sync::atomic::{AtomicBool, Ordering};

use ::x86_64::registers::control::{Cr4, Cr4Flags};
use helix_abi::SysError;

use super::cpu;
use super::paging::phys_to_virt;
use super::uspace::UserTables;

static SMAP: AtomicBool = AtomicBool::new(false);

/// Turn on SMEP and SMAP on this CPU when CPUID has them; returns
/// (smep, smap).
pub fn enable_smep_smap() -> (bool, bool) {
    let ebx = if cpu::max_leaf() >= 7 {
        cpu::cpuid(7, 0).ebx
    } else {
        0
    };
    let smep = ebx & (1 << 7) != 0;
    let smap = ebx & (1 << 20) != 0;
    // SAFETY: SMEP forbids executing user pages in ring 0 and SMAP
    // forbids ring-0 data accesses to user pages outside stac/clac; the
    // kernel does neither (user memory goes through this module).
    unsafe {
        Cr4::update(|f| {
            f.set(Cr4Flags::SUPERVISOR_MODE_EXECUTION_PROTECTION, smep);
            f.set(Cr4Flags::SUPERVISOR_MODE_ACCESS_PREVENTION, smap);
        })
    };
    if smap {
        SMAP.store(true, Ordering::SeqCst);
    }
    (smep, smap)
}

#[cfg(feature = "ktest")]
/// Whether CR4 has SMEP and SMAP set on this CPU.
pub fn smep_smap_enabled() -> (bool, bool) {
    let f = Cr4::read();
    (
        f.contains(Cr4Flags::SUPERVISOR_MODE_EXECUTION_PROTECTION),
        f.contains(Cr4Flags::SUPERVISOR_MODE_ACCESS_PREVENTION),
    )
}

/// Visit `[addr, addr + len)` page by page as (physical address, offset
/// into the caller's buffer, length) after checking every page.
fn pieces(
    t: &UserTables,
    addr: u64,
    len: usize,
    write: bool,
    mut f: impl FnMut(u64, usize, usize),
) -> Result<(), SysError> {
    let end = addr.checked_add(len as u64).ok_or(SysError::BadAddress)?;
    // Check every page first so a failed copy changes nothing.
    let mut at = addr;
    while at < end {
        let p = t.translate(at).ok_or(SysError::BadAddress)?;
        if write && !p.writable {
            return Err(SysError::BadAddress);
        }
        at = (at & !0xfff) + 0x1000;
    }
    let mut at = addr;
    while at < end {
        let n = ((at & !0xfff) + 0x1000).min(end) - at;
        let p = t.translate(at).ok_or(SysError::BadAddress)?;
        f(p.phys, (at - addr) as usize, n as usize);
        at += n;
    }
    Ok(())
}

/// Copy `buf.len()` bytes from user address `addr` of the process with
/// tables `t`.
pub fn read(t: &UserTables, addr: u64, buf: &mut [u8]) -> Result<(), SysError> {
    let len = buf.len();
    pieces(t, addr, len, false, |phys, off, n| {
        let src = phys_to_virt(phys) as *const u8;
        // SAFETY: `phys..phys+n` is in one present user page of `t` (checked),
        // RAM mapped by the HHDM; `buf[off..off+n]` is in bounds; a kernel
        // buffer and a user frame cannot overlap.
        unsafe { core::ptr::copy_nonoverlapping(src, buf[off..off + n].as_mut_ptr(), n) };
    })
}

/// Copy `data` to user address `addr` of the process with tables `t`
/// (every page must be user-writable).
pub fn write(t: &UserTables, addr: u64, data: &[u8]) -> Result<(), SysError> {
    pieces(t, addr, data.len(), true, |phys, off, n| {
        let dst = phys_to_virt(phys) as *mut u8;
        // SAFETY: as in `read`, with the page checked writable.
        unsafe { core::ptr::copy_nonoverlapping(data[off..off + n].as_ptr(), dst, n) };
    })
}

/// Check that `[addr, addr + len)` is present and user-readable (and
/// user-writable with `write`) in `t`, without copying anything.
pub fn check(t: &UserTables, addr: u64, len: usize, write: bool) -> Result<(), SysError> {
    pieces(t, addr, len, write, |_, _, _| {})
}

/// Read u64 words (little endian) from user memory: every page is checked
/// before the first word is read.
pub fn read_words(t: &UserTables, addr: u64, out: &mut [u64]) -> Result<(), SysError> {
    check(t, addr, out.len() * 8, false)?;
    let mut bytes = [0u8; WORDS_PER_COPY * 8];
    for (k, chunk) in out.chunks_mut(WORDS_PER_COPY).enumerate() {
        let buf = &mut bytes[..chunk.len() * 8];
        read(t, addr + (k * WORDS_PER_COPY * 8) as u64, buf)?;
        for (w, b) in chunk.iter_mut().zip(buf.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(b);
            *w = u64::from_le_bytes(le);
        }
    }
    Ok(())
}

/// Words [`read_words`] and [`write_words`] move per copy: one page walk
/// per page of each run instead of one per word (an IPC buffer's 120
/// words cost two runs, not 120 walks).
const WORDS_PER_COPY: usize = 64;

/// Write u64 words to user memory: every page is checked user-writable
/// before the first word is written, so a failed write changes nothing.
pub fn write_words(t: &UserTables, addr: u64, words: &[u64]) -> Result<(), SysError> {
    check(t, addr, words.len() * 8, true)?;
    let mut bytes = [0u8; WORDS_PER_COPY * 8];
    for (k, chunk) in words.chunks(WORDS_PER_COPY).enumerate() {
        let buf = &mut bytes[..chunk.len() * 8];
        for (b, w) in buf.chunks_exact_mut(8).zip(chunk) {
            b.copy_from_slice(&w.to_le_bytes());
        }
        write(t, addr + (k * WORDS_PER_COPY * 8) as u64, buf)?;
    }
    Ok(())
}

/// Copy from the running process through its own user mapping, opening
/// SMAP just for the copy. `t` must be the address space loaded in CR3 on
/// this CPU (checked: otherwise `BadAddress`).
pub fn read_current(t: &UserTables, addr: u64, buf: &mut [u8]) -> Result<(), SysError> {
    if !t.is_loaded() {
        return Err(SysError::BadAddress);
    }
    pieces(t, addr, buf.len(), false, |_, _, _| {})?;
    let smap = SMAP.load(Ordering::Relaxed);
    if smap {
        // SAFETY: `stac` only lets ring 0 access user pages until `clac`.
        unsafe { asm!("stac", options(nomem, nostack)) };
    }
    // SAFETY: every page of `[addr, addr+len)` is present and user-readable
    // in `t`, and `t` is this CPU's CR3 (both checked above). `t` is
    // borrowed for the whole copy, and changing a mapping needs `&mut
    // UserTables`, so nobody can unmap these pages meanwhile.
    unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, buf.as_mut_ptr(), buf.len()) };
    if smap {
        // SAFETY: closes the window opened above.
        unsafe { asm!("clac", options(nomem, nostack)) };
    }
    Ok(())
}
