//! Reading the boot-info page the kernel maps into the root server (layout
//! in `helix_abi::bootinfo`).

use helix_abi::bootinfo::{
    BOOT_INFO_ADDR, BOOT_INFO_MAGIC, MAX_MODULES, MODULE_WORDS, MODULES_AT, NAME_WORDS,
    START_INFO_ADDR, START_MARK,
};

/// Words in the page.
const WORDS: usize = 512;

/// A copy of the boot-info page.
#[derive(Clone, Debug)]
pub struct BootInfo {
    words: [u64; WORDS],
}

/// One boot module as the page describes it.
#[derive(Clone, Copy, Debug)]
pub struct Module {
    /// Slot of its read-only Frame cap.
    pub frame_slot: u32,
    /// Size in bytes.
    pub size: u64,
    /// Where it is mapped (read-only).
    pub addr: u64,
    name: [u8; NAME_WORDS * 8],
}

impl Module {
    /// Copy `out.len()` bytes of the module starting at `offset` into
    /// `out`; `InvalidArgument` when the range is not inside the module.
    pub fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), helix_abi::SysError> {
        let end = offset
            .checked_add(out.len() as u64)
            .ok_or(helix_abi::SysError::InvalidArgument)?;
        if end > self.size {
            return Err(helix_abi::SysError::InvalidArgument);
        }
        read_mapped(self.addr + offset, out);
        Ok(())
    }

    /// Its boot path (lossy: invalid UTF-8 shows as `?`).
    pub fn name(&self) -> &str {
        let n = self
            .name
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.name.len());
        core::str::from_utf8(&self.name[..n]).unwrap_or("?")
    }
}

/// Copy the start-info page into `out` when the start words say the module
/// manager mapped one (`arg0` = [`START_MARK`], `arg1` =
/// [`START_INFO_ADDR`]); false otherwise (nothing is read).
pub fn read_start_page(arg0: u64, arg1: u64, out: &mut [u8; 4096]) -> bool {
    if arg0 != START_MARK || arg1 != START_INFO_ADDR {
        return false;
    }
    read_start(out);
    true
}

#[cfg(target_os = "none")]
fn read_start(out: &mut [u8; 4096]) {
    // SAFETY: the start words say the module manager mapped the start-info
    // page read-only at START_INFO_ADDR before starting this thread (a
    // process started without it gets other words); the page is one whole
    // aligned 4 KiB page nothing in the process writes.
    unsafe { core::ptr::copy_nonoverlapping(START_INFO_ADDR as *const u8, out.as_mut_ptr(), 4096) };
}

#[cfg(not(target_os = "none"))]
fn read_start(out: &mut [u8; 4096]) {
    out.fill(0);
}

/// Copy from a boot module's read-only mapping.
#[cfg(target_os = "none")]
fn read_mapped(addr: u64, out: &mut [u8]) {
    // SAFETY: the kernel maps every boot module read-only at the address
    // the boot-info page gives, for its whole size, before the root server
    // runs, and never unmaps it; the range was checked against the size;
    // nothing in the root server writes there (the pages are read-only).
    unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, out.as_mut_ptr(), out.len()) };
}

/// The host has no boot modules: reads zeros.
#[cfg(not(target_os = "none"))]
fn read_mapped(_addr: u64, out: &mut [u8]) {
    out.fill(0);
}

impl BootInfo {
    /// Read the page; `None` unless the magic word is there (only the root
    /// server has the page).
    #[cfg(target_os = "none")]
    pub fn read() -> Option<BootInfo> {
        let mut words = [0u64; WORDS];
        for (i, w) in words.iter_mut().enumerate() {
            let p = (BOOT_INFO_ADDR as *const u64).wrapping_add(i);
            // SAFETY: the kernel maps the boot-info page read-only at
            // BOOT_INFO_ADDR before the root server runs and never unmaps
            // it; the reads are aligned and inside that page.
            *w = unsafe { p.read_volatile() };
        }
        BootInfo::from_words(words)
    }

    /// The host has no boot-info page.
    #[cfg(not(target_os = "none"))]
    pub fn read() -> Option<BootInfo> {
        None
    }

    /// Parse a copy of the page.
    pub fn from_words(words: [u64; WORDS]) -> Option<BootInfo> {
        (words[0] == BOOT_INFO_MAGIC).then_some(BootInfo { words })
    }

    /// Where the page lives.
    pub const fn address() -> u64 {
        BOOT_INFO_ADDR
    }

    /// Number of modules described.
    pub fn module_count(&self) -> usize {
        (self.words[1] as usize).min(MAX_MODULES)
    }

    /// Bytes of the root memory quota.
    pub fn quota_bytes(&self) -> u64 {
        self.words[2]
    }

    /// CPUs the kernel runs.
    pub fn cpus(&self) -> u64 {
        self.words[3]
    }

    /// Time-stamp counter ticks per second (0 if the kernel did not know).
    pub fn tsc_hz(&self) -> u64 {
        self.words[4]
    }

    /// Module `i`.
    pub fn module(&self, i: usize) -> Option<Module> {
        if i >= self.module_count() {
            return None;
        }
        let w = &self.words[MODULES_AT + i * MODULE_WORDS..][..MODULE_WORDS];
        let mut name = [0u8; NAME_WORDS * 8];
        for (k, word) in w[3..].iter().enumerate() {
            name[k * 8..k * 8 + 8].copy_from_slice(&word.to_le_bytes());
        }
        Some(Module {
            frame_slot: w[0] as u32,
            size: w[1],
            addr: w[2],
            name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_module_record() {
        let mut w = [0u64; WORDS];
        w[0] = BOOT_INFO_MAGIC;
        w[1] = 1;
        w[MODULES_AT] = 8;
        w[MODULES_AT + 1] = 42;
        w[MODULES_AT + 2] = 0x4000_0000_0000;
        w[MODULES_AT + 3] = u64::from_le_bytes(*b"/boot/x\0");
        let b = BootInfo::from_words(w).unwrap();
        let m = b.module(0).unwrap();
        assert_eq!((m.frame_slot, m.size, m.name()), (8, 42, "/boot/x"));
        assert!(b.module(1).is_none());
        assert!(BootInfo::from_words([0; WORDS]).is_none());
    }
}
