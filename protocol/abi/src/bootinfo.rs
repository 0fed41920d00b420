//! The boot-info page the kernel maps read-only into the root server, and
//! the CSpace slots of the root server's initial caps.
//!
//! Layout (u64 words at [`BOOT_INFO_ADDR`]): word 0 [`BOOT_INFO_MAGIC`],
//! word 1 number of modules, word 2 bytes of the memory quota, word 3
//! number of CPUs, word 4 the time-stamp counter's frequency in Hz, then [`MODULE_WORDS`] words per module starting at word
//! [`MODULES_AT`]: frame slot, size in bytes, address the module is mapped
//! at (read-only) in the root server, then [`NAME_WORDS`] words of its
//! path, NUL padded.

/// User address of the boot-info page in the root server.
pub const BOOT_INFO_ADDR: u64 = 0x0000_7fff_f000_0000;
/// First word of the page ("HELIXBI1").
pub const BOOT_INFO_MAGIC: u64 = u64::from_le_bytes(*b"HELIXBI1");
/// Word index of the first module record.
pub const MODULES_AT: usize = 8;
/// Words of a module's path.
pub const NAME_WORDS: usize = 8;
/// Words per module record.
pub const MODULE_WORDS: usize = 3 + NAME_WORDS;
/// Most modules the page describes.
pub const MAX_MODULES: usize = 32;
/// Where module `i` is mapped in the root server (1 GiB apart).
pub const fn module_addr(i: usize) -> u64 {
    0x0000_4000_0000_0000 + (i as u64) * (1 << 30)
}

/// Root CSpace slot: its own AddressSpace.
pub const SLOT_ASPACE: u32 = 0;
/// Root CSpace slot: its own Thread.
pub const SLOT_THREAD: u32 = 1;
/// Root CSpace slot: the Untyped holding all free memory.
pub const SLOT_UNTYPED: u32 = 2;
/// Root CSpace slot: IRQ control.
pub const SLOT_IRQ_CONTROL: u32 = 3;
/// Root CSpace slot: every I/O port.
pub const SLOT_IO_PORTS: u32 = 4;
/// Root CSpace slot of the first module's Frame (module i at +i).
pub const SLOT_FIRST_MODULE: u32 = 8;
/// Slots of the root CSpace.
pub const ROOT_SLOTS: usize = 4096;
/// First slot the root server may use freely.
pub const SLOT_FIRST_FREE: u32 = SLOT_FIRST_MODULE + MAX_MODULES as u32;

const _: () = assert!((MODULES_AT + MAX_MODULES * MODULE_WORDS) * 8 <= 4096);

/// Where the kernel maps the IPC buffer page of the threads it makes
/// (the root server's first thread and test processes); also their FS
/// base (see [`crate::ipc`]).
pub const IPC_BUFFER_ADDR: u64 = 0x0000_7fff_fff0_0000;

/// User address of the start-info page the module manager maps read-only
/// into every process it starts (layout: `helix_protocol::runtime::
/// startinfo`, `docs/formats.md`).
pub const START_INFO_ADDR: u64 = 0x0000_7fff_e000_0000;
/// First start word of a process started with a start-info page ("HXSI");
/// the second word is [`START_INFO_ADDR`]. Processes started otherwise
/// (kernel tests) get `[module id, parameter]`, never this value.
pub const START_MARK: u64 = u64::from_le_bytes(*b"HXSI\0\0\0\0");
