//! Fault messages: what a thread's fault endpoint receives when the thread
//! faults, and the labels of the handler's answers.
//!
//! The kernel sends the fault as a `call` on behalf of the faulting thread:
//! label [`FAULT_LABEL`], [`FAULT_MSG_WORDS`] words (all in registers), the
//! badge of the fault-endpoint cap. The handler answers with `reply` (or
//! `reply_recv`) whose label is one of the `FAULT_REPLY_*` values.

/// Label of a fault message.
pub const FAULT_LABEL: u64 = 0xfa17;
/// Length of a fault message in words.
pub const FAULT_MSG_WORDS: usize = 4;
/// Word 0: the faulting thread's id (index in bits 0..32, generation in 32..64).
pub const FAULT_WORD_THREAD: usize = 0;
/// Word 1: vector in bits 0..8, error code in bits 32..64 (0 if none).
pub const FAULT_WORD_VECTOR: usize = 1;
/// Word 2: faulting address (CR2 for a page fault, else 0).
pub const FAULT_WORD_ADDRESS: usize = 2;
/// Word 3: RIP of the faulting instruction.
pub const FAULT_WORD_RIP: usize = 3;

/// Reply label: run the faulting instruction again.
pub const FAULT_REPLY_RESUME: u64 = 0;
/// Reply label: continue at the address in word 0.
pub const FAULT_REPLY_RESTART: u64 = 1;
/// Reply label: destroy the thread (it never runs again).
pub const FAULT_REPLY_DESTROY: u64 = 2;
