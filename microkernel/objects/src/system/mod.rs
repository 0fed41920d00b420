//! The invoke half: all kernel objects together, executing decoded
//! invocations. The kernel's syscall layer calls
//! [`System::execute`] with a decoded [`crate::syscall::Invocation`] and
//! carries out what comes back through [`Effects`] (wake threads, copy
//! messages, touch page tables and ports).

mod aspace_calls;
mod census;
mod device_calls;
mod effects;
mod fastpath;
mod invoke;
mod ipc_calls;
mod state;
mod thread_calls;

#[cfg(test)]
mod tests;

pub use census::Census;
pub use effects::{Completion, Effects, Hardware, MapOutcome, MapRequest};
pub use fastpath::FastIpc;
pub use state::{DEFAULT_PRIORITY, DEFAULT_QUANTUM, Limits, RunState, System, Thread};
