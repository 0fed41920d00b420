//! The server runtime: the protocol's IPC seams over kernel IPC
//! ([`IpcTransport`], [`IpcChannel`]) and, with the `rt` feature on
//! `x86_64-unknown-none`, everything a process needs around them: the
//! entry glue (`server_main!`, `program_main!` on top of `helix-sys`'s
//! `_start`), the panic handler, the heap and `log` output.
//!
//! Design rules:
//! - The frame layout in messages (`wire`) and the process conventions
//!   (`process`: slots, report labels, context) are pure and host-tested;
//!   the IPC seams build on the host too, where `helix-sys` answers every
//!   syscall with `InvalidSyscall`.
//! - Process-wide items (`#[panic_handler]`, `#[global_allocator]`) exist
//!   only with the `rt` feature on the bare-metal target, so a crate that
//!   merely speaks the protocol (a loader reading metadata) never gets
//!   them.
//! - `heap` is the only module with `unsafe`.

mod chunk;
mod ipc;
mod log;
mod lookup;
mod macros;
pub mod prelude;
mod process;
mod startinfo;
mod wire;

#[cfg(all(feature = "rt", target_os = "none"))]
mod heap;
#[cfg(all(feature = "rt", target_os = "none"))]
mod panic;
#[cfg(all(feature = "rt", target_os = "none"))]
mod start;

pub use self::log::{DebugLog, install as install_logger};
pub use chunk::{
    ChunkError, Kind as FrameKind, MAX_LONG_FRAME, MAX_TRUSTED_FRAME, Pending, Step as FrameStep,
    pieces,
};
pub use ipc::{
    IpcChannel, IpcTransport, MANAGER_BADGE, append_received as received_frame_bytes,
    message as frame_message,
};
pub use lookup::{LookupError, lookup};
pub use process::{
    context, exit, exit_code, labels, module_id, name, report, reserve_slot, set_identity, slots,
    split_free_slots,
};
pub use startinfo::{
    HeapWindow, RESERVED_CAP_NAMES, START_INFO_ADDR, START_INFO_HEADER_LEN, START_INFO_MAGIC,
    START_INFO_SIZE, START_INFO_VERSION, START_MARK, StartInfo, StartInfoError, StartSlots,
};
pub use wire::{FRAME_LABEL, MAX_FRAME, Packed, pack, pack_kind, unpack, unpack_append};

#[cfg(all(feature = "rt", target_os = "none"))]
pub use heap::{HEAP_SIZE, grown as heap_grown, install as install_heap};
pub use process::HeapBudget;

/// Without the runtime's heap (the host, or a crate without `rt`) there is
/// nothing to grow: a budget is ignored.
#[cfg(not(all(feature = "rt", target_os = "none")))]
pub fn install_heap(budget: HeapBudget) {
    let _ = budget;
}
#[cfg(all(feature = "rt", target_os = "none"))]
pub use start::{program, serve};
