//! helix-kernel-objects: the mechanism core of the Helix microkernel,
//! tested on the host before it touches hardware.
//!
//! Design rules:
//! - Pure logic: no hardware, no `unsafe`; the kernel's syscall layer calls
//!   in with plain data and carries out the returned decisions (block,
//!   wake, copy a message, map a page).
//! - Every failure is a [`helix_abi::SysError`], exactly what the syscall
//!   returns to user space. Nothing panics on user input.
//! - Objects live in fixed-capacity tables and are named by index +
//!   generation ([`table::ObjRef`]), so stale references are detected.
//! - Memory is allocated when a table is made, never on a hot path.
//! - Simple and clear algorithms over fast and clever ones.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod cap;
pub mod fault;
pub mod ipc;
pub mod notification;
pub mod quota;
pub mod sched;
pub mod syscall;
pub mod system;
pub mod table;
