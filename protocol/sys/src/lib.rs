//! helix-sys: the user side of the Helix syscall ABI.
//!
//! Design rules:
//! - Two layers, as in rust-sel4: every `syscall` instruction is in ONE
//!   arch file (`arch/x86_64.rs`) with each register named and a
//!   `// SAFETY:` comment; everything above it is safe Rust.
//! - Typed capabilities: a [`Cap<T>`] names a slot of the caller's CSpace
//!   and has only the methods of its object type `T` (plus the generic
//!   `Cap*` methods). Each method's doc names the syscall it makes.
//! - Errors are [`helix_abi::SysError`], exactly what the kernel returned.
//! - Numbers come from `helix-abi`; nothing is redefined here.
//! - Builds on the host too: the instruction is only emitted for
//!   `target_os = "none"`; on the host the [`host`] backend records each
//!   call's registers and answers `InvalidSyscall` (or what a test asks
//!   for), so the typed layer can be tested against the kernel's decoder.
#![cfg_attr(not(test), no_std)]

mod arch;
pub mod bootinfo;
pub mod caps;
pub mod console;
pub mod fault;
pub mod ipc;
pub mod ipcbuf;
pub mod rt;
pub mod thread;
pub mod window;

pub use caps::{
    AddressSpace, Cap, CapKind, Endpoint, Frame, IoPorts, IrqControl, IrqHandler, Notification,
    Thread, Untyped,
};
pub use helix_abi::{CapRights, CapType, MessageInfo, SysError, Syscall};
pub use ipc::{Message, Received, debug_write, raw_syscall, reply, yield_now};
pub use thread::Stack;

#[cfg(not(target_os = "none"))]
pub use arch::host;

/// The CPU's time-stamp counter (`rdtsc`), for benchmarks.
pub fn cycles() -> u64 {
    arch::rdtsc()
}
