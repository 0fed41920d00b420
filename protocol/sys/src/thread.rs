//! Stacks for threads a program starts itself, and their entry stub.
//!
//! A [`Stack`] is a static array of atomic words, so a program can prepare
//! a new thread's stack without `unsafe`: [`Stack::start`] stores the
//! entry function and its argument at the top and starts the thread at a
//! small stub that calls `f(arg)` with a correctly aligned stack.

use core::sync::atomic::{AtomicU64, Ordering};

use helix_abi::SysError;

use crate::caps::{Cap, Thread};

/// A thread stack of `N` words.
pub struct Stack<const N: usize> {
    words: [AtomicU64; N],
}

impl<const N: usize> Stack<N> {
    /// A zeroed stack (use in a `static`).
    pub const fn new() -> Self {
        Stack {
            words: [const { AtomicU64::new(0) }; N],
        }
    }

    /// Start `thread` (configured already) on this stack running `f(arg)`.
    /// The stack must not be in use by another thread.
    pub fn start(
        &'static self,
        thread: Cap<Thread>,
        f: extern "C" fn(u64) -> !,
        arg: u64,
    ) -> Result<(), SysError> {
        let base = self.words.as_ptr() as u64;
        let mut i = N.checked_sub(2).ok_or(SysError::InvalidArgument)?;
        if !(base + i as u64 * 8).is_multiple_of(16) {
            i = i.checked_sub(1).ok_or(SysError::InvalidArgument)?;
        }
        self.words[i].store(f as usize as u64, Ordering::SeqCst);
        self.words[i + 1].store(arg, Ordering::SeqCst);
        thread.start(entry_address(), base + i as u64 * 8)
    }
}

impl<const N: usize> Default for Stack<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_os = "none")]
fn entry_address() -> u64 {
    thread_entry as *const () as u64
}

/// On the host: the address of a stand-in, so a recorded `ThreadStart`
/// names a plausible user address.
#[cfg(not(target_os = "none"))]
fn entry_address() -> u64 {
    host_entry as *const () as u64
}

#[cfg(not(target_os = "none"))]
extern "C" fn host_entry() -> ! {
    panic!("helix-sys: a host thread entry never runs")
}

/// New threads start here: `[rsp]` = function, `[rsp + 8]` = argument.
#[cfg(target_os = "none")]
#[unsafe(naked)]
extern "C" fn thread_entry() -> ! {
    core::arch::naked_asm!("mov rdi, [rsp + 8]", "call [rsp]", "ud2")
}
