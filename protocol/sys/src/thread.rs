//! Stacks for threads a program starts itself, and their entry stub.
//!
//! A [`Stack`] is a static array of atomic words, so a program can prepare
//! a new thread's stack without `unsafe`: [`Stack::start`] stores the
//! entry function and its argument at the top and starts the thread at a
//! small stub that calls `f(arg)` with a correctly aligned stack.
//!
//! A stack runs one thread at a time: `start` marks it in use (and refuses
//! a stack in use with `InvalidState`), [`Stack::stop`] suspends the
//! thread through its cap and only then frees the stack.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use helix_abi::SysError;

use crate::caps::{Cap, Thread};

/// A thread stack of `N` words.
pub struct Stack<const N: usize> {
    words: [AtomicU64; N],
    /// A thread was started on it and not stopped.
    in_use: AtomicBool,
}

impl<const N: usize> Stack<N> {
    /// A zeroed stack (use in a `static`).
    pub const fn new() -> Self {
        Stack {
            words: [const { AtomicU64::new(0) }; N],
            in_use: AtomicBool::new(false),
        }
    }

    /// Start `thread` (configured already) on this stack running `f(arg)`.
    /// `InvalidState` (and no syscall) when the stack already runs a thread
    /// that was not [stopped](Stack::stop); when the start fails the stack
    /// stays free.
    pub fn start(
        &'static self,
        thread: Cap<Thread>,
        f: extern "C" fn(u64) -> !,
        arg: u64,
    ) -> Result<(), SysError> {
        if self.in_use.swap(true, Ordering::SeqCst) {
            return Err(SysError::InvalidState);
        }
        self.launch(thread, f, arg)
            .inspect_err(|_| self.in_use.store(false, Ordering::SeqCst))
    }

    /// Suspend `thread`, the one started on this stack, through its cap,
    /// and only then free the stack for another [`Stack::start`]. A thread
    /// that no longer runs (`ThreadSuspend` answers `InvalidState`: it is
    /// suspended already) frees the stack too; any other error leaves the
    /// stack in use and is returned.
    pub fn stop(&self, thread: Cap<Thread>) -> Result<(), SysError> {
        match thread.suspend() {
            Ok(()) | Err(SysError::InvalidState) => {
                self.in_use.store(false, Ordering::SeqCst);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Whether a thread was started on this stack and not stopped.
    pub fn in_use(&self) -> bool {
        self.in_use.load(Ordering::SeqCst)
    }

    fn launch(
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

#[cfg(test)]
mod tests {
    use helix_abi::{Method, Syscall};

    use super::*;
    use crate::host;

    extern "C" fn never(_: u64) -> ! {
        unreachable!("host threads never run")
    }

    fn thread() -> Cap<Thread> {
        Cap::from_slot(5)
    }

    #[test]
    fn start_refuses_a_stack_that_runs_a_thread() {
        static S: Stack<32> = Stack::new();
        {
            let _ok = host::answer_with(0);
            assert_eq!(S.start(thread(), never, 1), Ok(()));
            assert!(S.in_use());
            let before = host::count();
            assert_eq!(S.start(thread(), never, 2), Err(SysError::InvalidState));
            assert_eq!(host::count(), before, "refused without a syscall");
        }
        // A start the kernel refuses leaves the stack free.
        static T: Stack<32> = Stack::new();
        assert_eq!(T.start(thread(), never, 1), Err(SysError::InvalidSyscall));
        assert!(!T.in_use());
        let _ok = host::answer_with(0);
        assert_eq!(T.start(thread(), never, 1), Ok(()));
    }

    #[test]
    fn stop_suspends_the_thread_first_then_frees_the_stack() {
        static S: Stack<32> = Stack::new();
        let _ok = host::answer_with(0);
        S.start(thread(), never, 1).unwrap();
        {
            let _no = host::answer_with(SysError::NoRights.raw());
            assert_eq!(S.stop(thread()), Err(SysError::NoRights));
            assert!(S.in_use(), "not suspended: still in use");
        }
        assert_eq!(S.stop(thread()), Ok(()));
        let r = host::last().expect("stop made a syscall");
        assert_eq!(
            (r.nr, r.regs[0], r.regs[1]),
            (Syscall::Invoke.raw(), 5, Method::ThreadSuspend.raw())
        );
        assert!(!S.in_use());
        assert_eq!(S.start(thread(), never, 2), Ok(()), "free again");
        // A thread suspended already: the stack is freed as well.
        let _gone = host::answer_with(SysError::InvalidState.raw());
        assert_eq!(S.stop(thread()), Ok(()));
        assert!(!S.in_use());
    }
}
