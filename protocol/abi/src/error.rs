//! Error codes returned by syscalls in `rax`. Zero means success.

use core::fmt;

/// A syscall failure. The discriminant is the raw value returned in `rax`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum SysError {
    /// The syscall number is not defined.
    InvalidSyscall = 1,
    /// The capability slot index is outside the caller's CSpace.
    InvalidCap = 2,
    /// The slot is empty.
    EmptySlot = 3,
    /// The capability names an object of another type.
    WrongType = 4,
    /// The capability lacks a right the operation needs.
    NoRights = 5,
    /// A user pointer is null, misaligned, non-canonical, in kernel space or unmapped.
    BadAddress = 6,
    /// An argument is out of range.
    InvalidArgument = 7,
    /// The memory quota (untyped budget) is exhausted.
    OutOfMemory = 8,
    /// A non-blocking operation would have blocked.
    WouldBlock = 9,
    /// The destination slot is occupied.
    SlotOccupied = 10,
    /// The message is longer than the documented maximum.
    MessageTooLong = 11,
    /// The object was destroyed or revoked while in use.
    Revoked = 12,
    /// A timeout expired.
    TimedOut = 13,
    /// The operation is not valid in the object's current state.
    InvalidState = 14,
}

impl SysError {
    /// All errors in number order (starting at 1).
    pub const ALL: [SysError; 14] = [
        SysError::InvalidSyscall,
        SysError::InvalidCap,
        SysError::EmptySlot,
        SysError::WrongType,
        SysError::NoRights,
        SysError::BadAddress,
        SysError::InvalidArgument,
        SysError::OutOfMemory,
        SysError::WouldBlock,
        SysError::SlotOccupied,
        SysError::MessageTooLong,
        SysError::Revoked,
        SysError::TimedOut,
        SysError::InvalidState,
    ];

    /// Decode `rax`: `Ok(())` for 0, `Err(e)` for a known code, `None` otherwise.
    pub const fn from_raw(raw: u64) -> Option<Result<(), SysError>> {
        if raw == 0 {
            Some(Ok(()))
        } else if raw <= Self::ALL.len() as u64 {
            Some(Err(Self::ALL[raw as usize - 1]))
        } else {
            None
        }
    }

    /// The raw value placed in `rax`.
    pub const fn raw(self) -> u64 {
        self as u64
    }

    /// A short human-readable description.
    pub const fn describe(self) -> &'static str {
        match self {
            SysError::InvalidSyscall => "invalid syscall number",
            SysError::InvalidCap => "capability slot out of range",
            SysError::EmptySlot => "capability slot is empty",
            SysError::WrongType => "capability has the wrong object type",
            SysError::NoRights => "capability lacks the required right",
            SysError::BadAddress => "bad user address",
            SysError::InvalidArgument => "invalid argument",
            SysError::OutOfMemory => "memory quota exhausted",
            SysError::WouldBlock => "operation would block",
            SysError::SlotOccupied => "destination slot is occupied",
            SysError::MessageTooLong => "message too long",
            SysError::Revoked => "object revoked",
            SysError::TimedOut => "timed out",
            SysError::InvalidState => "invalid object state",
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
        for (i, e) in SysError::ALL.iter().enumerate() {
            assert_eq!(e.raw(), i as u64 + 1);
            assert_eq!(SysError::from_raw(e.raw()), Some(Err(*e)));
        }
        assert_eq!(SysError::from_raw(SysError::ALL.len() as u64 + 1), None);
    }
}
