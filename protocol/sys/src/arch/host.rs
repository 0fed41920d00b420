//! The host backend: there is no Helix kernel, so each syscall is
//! recorded (per host thread) and answered with a code the test chose
//! ([`answer_with`]; `InvalidSyscall` unless told), the argument registers
//! coming back unchanged. Tests read what a wrapper would have loaded
//! into the registers with [`last`] and feed it to the kernel's decoder.
//! Each host thread also has its own zeroed IPC buffer, as each Helix
//! thread does.

extern crate std;

use core::cell::Cell;

use helix_abi::SysError;
use helix_abi::ipc::buffer::LEN_WORDS;

use super::Regs;

/// One syscall as a wrapper issued it: `rax` and the six argument
/// registers in ABI order (`rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The syscall number (`rax`).
    pub nr: u64,
    /// `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`.
    pub regs: [u64; 6],
}

std::thread_local! {
    static LAST: Cell<Option<Recorded>> = const { Cell::new(None) };
    static ANSWER: Cell<u64> = const { Cell::new(SysError::InvalidSyscall.raw()) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
    static IPC_BUFFER: [Cell<u64>; LEN_WORDS] = const { [const { Cell::new(0) }; LEN_WORDS] };
}

/// How many syscalls this host thread has made.
pub fn count() -> u64 {
    COUNT.with(Cell::get)
}

/// The last syscall this host thread made, and forget it (`None` when it
/// made none since the last call).
pub fn last() -> Option<Recorded> {
    LAST.with(Cell::take)
}

/// While the returned guard lives, this host thread's syscalls return
/// `rax` = `code` (0 for success, else a `SysError` code); dropping it
/// restores the previous answer.
#[must_use = "the answer lasts only while the guard lives"]
pub fn answer_with(code: u64) -> Answer {
    Answer(ANSWER.with(|a| a.replace(code)))
}

/// Keeps an [`answer_with`] in force; restores the previous one on drop.
#[derive(Debug)]
pub struct Answer(u64);

impl Drop for Answer {
    fn drop(&mut self) {
        ANSWER.with(|a| a.set(self.0));
    }
}

/// Record the call; answer with the chosen code and the registers as given.
pub(crate) fn syscall(nr: u64, a: Regs) -> (u64, Regs) {
    LAST.with(|l| l.set(Some(Recorded { nr, regs: a })));
    COUNT.with(|c| c.set(c.get() + 1));
    (ANSWER.with(Cell::get), a)
}

/// Word `i` (below `LEN_WORDS`) of this host thread's IPC buffer.
pub(crate) fn ipc_buffer_read(i: usize) -> u64 {
    IPC_BUFFER.with(|b| b.get(i).map_or(0, Cell::get))
}

/// Write word `i` (below `LEN_WORDS`) of this host thread's IPC buffer.
pub(crate) fn ipc_buffer_write(i: usize, v: u64) {
    IPC_BUFFER.with(|b| {
        if let Some(w) = b.get(i) {
            w.set(v);
        }
    });
}

/// On the host a trap is a panic.
pub(crate) fn trap() {
    panic!("helix-sys trap");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_the_registers_and_answers_as_told() {
        let regs = [1, 2, 3, 4, 5, 6];
        let before = count();
        assert_eq!(syscall(9, regs), (SysError::InvalidSyscall.raw(), regs));
        assert_eq!(last(), Some(Recorded { nr: 9, regs }));
        assert_eq!(last(), None, "taken");
        assert_eq!(count(), before + 1);
        {
            let _ok = answer_with(0);
            assert_eq!(syscall(3, regs).0, 0);
            let _inner = answer_with(SysError::NoRights.raw());
            assert_eq!(syscall(3, regs).0, SysError::NoRights.raw());
        }
        assert_eq!(syscall(3, regs).0, SysError::InvalidSyscall.raw());
    }
}
