//! Syscall numbers and the register convention.
//!
//! Convention (x86_64 `syscall`): number in `rax`; arguments in `rdi`, `rsi`,
//! `rdx`, `r10`, `r8`, `r9`; results in `rax` (0 or a [`crate::SysError`]
//! code) and `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9` for values. `rcx` and `r11`
//! are clobbered by the instruction itself. `docs/syscalls.md` is the
//! reference for each call.

abi_list! {
    /// Every syscall Helix knows. The discriminant is the number passed in `rax`.
    pub enum Syscall: decode from_raw {
        /// Write bytes to the kernel debug console (boot and test aid).
        DebugWrite = 0,
        /// Blocking send on an endpoint.
        Send = 1,
        /// Non-blocking send on an endpoint.
        NbSend = 2,
        /// Send and wait for the reply (one-shot reply cap).
        Call = 3,
        /// Blocking receive on an endpoint or notification.
        Recv = 4,
        /// Non-blocking receive.
        NbRecv = 5,
        /// Answer the last `call` received.
        Reply = 6,
        /// Reply, then receive again, in one kernel entry.
        ReplyRecv = 7,
        /// Set notification bits.
        Signal = 8,
        /// Wait for notification bits.
        Wait = 9,
        /// Read and clear notification bits without blocking.
        Poll = 10,
        /// Give up the rest of the time slice.
        Yield = 11,
        /// Invoke a method on a kernel object named by a capability.
        Invoke = 12,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_are_dense() {
        for (i, s) in Syscall::ALL.iter().enumerate() {
            assert_eq!(s.raw(), i as u64);
            assert_eq!(Syscall::from_raw(i as u64), Some(*s));
        }
        assert_eq!(Syscall::from_raw(Syscall::ALL.len() as u64), None);
        assert_eq!(Syscall::from_raw(u64::MAX), None);
    }
}
