//! Error codes returned by syscalls in `rax`. Zero means success.

use core::fmt;

abi_list! {
    /// A syscall failure. The discriminant is the raw value returned in `rax`.
    pub enum SysError: decode from_code {
        /// The syscall number is not defined.
        InvalidSyscall = 1 => "invalid syscall number",
        /// The capability slot index is outside the caller's CSpace.
        InvalidCap = 2 => "capability slot out of range",
        /// The slot is empty.
        EmptySlot = 3 => "capability slot is empty",
        /// The capability names an object of another type.
        WrongType = 4 => "capability has the wrong object type",
        /// The capability lacks a right the operation needs.
        NoRights = 5 => "capability lacks the required right",
        /// A user pointer is null, misaligned, non-canonical, in kernel space or unmapped.
        BadAddress = 6 => "bad user address",
        /// An argument is out of range.
        InvalidArgument = 7 => "invalid argument",
        /// The memory quota (untyped budget) is exhausted.
        OutOfMemory = 8 => "memory quota exhausted",
        /// A non-blocking operation would have blocked.
        WouldBlock = 9 => "operation would block",
        /// The destination slot is occupied.
        SlotOccupied = 10 => "destination slot is occupied",
        /// The message is longer than the documented maximum.
        MessageTooLong = 11 => "message too long",
        /// The object was destroyed or revoked while in use.
        Revoked = 12 => "object revoked",
        /// A timeout expired.
        TimedOut = 13 => "timed out",
        /// The operation is not valid in the object's current state.
        InvalidState = 14 => "invalid object state",
        /// The server thread that received this `call` (and held its
        /// reply) was destroyed before answering: its thread, its process
        /// or the Untyped it came from is gone.
        PartnerGone = 15 => "the thread that received this call was destroyed before answering",
    }
    /// A short human-readable description.
    pub const fn describe(self) -> &'static str;
}

impl SysError {
    /// Decode `rax`: `Ok(())` for 0, `Err(e)` for a known code, `None` otherwise.
    pub const fn from_raw(raw: u64) -> Option<Result<(), SysError>> {
        if raw == 0 {
            return Some(Ok(()));
        }
        match SysError::from_code(raw) {
            Some(e) => Some(Err(e)),
            None => None,
        }
    }
}

impl fmt::Display for SysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        assert_eq!(SysError::from_raw(0), Some(Ok(())));
        assert_eq!(SysError::from_code(0), None);
        for (i, e) in SysError::ALL.iter().enumerate() {
            assert_eq!(e.raw(), i as u64 + 1);
            assert_eq!(SysError::from_raw(e.raw()), Some(Err(*e)));
        }
        assert_eq!(SysError::from_raw(SysError::ALL.len() as u64 + 1), None);
        assert_eq!(SysError::from_raw(u64::MAX), None);
    }

    #[test]
    fn descriptions_are_distinct_and_displayed() {
        for (i, a) in SysError::ALL.iter().enumerate() {
            assert!(!a.describe().is_empty());
            assert_eq!(shown(*a), a.describe());
            for b in &SysError::ALL[i + 1..] {
                assert_ne!(a.describe(), b.describe(), "{a:?} and {b:?}");
            }
        }
    }

    fn shown(e: SysError) -> String {
        format!("{e}")
    }
}
