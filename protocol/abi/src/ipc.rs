//! IPC message layout: the message-info word, length limits and the layout
//! of the per-thread IPC buffer page.
//!
//! A message is a label, up to [`MSG_MAX_WORDS`] data words and up to
//! [`MSG_MAX_CAPS`] capabilities. Words `0..MSG_REG_WORDS` travel in
//! registers (`rdx`, `r10`, `r8`, `r9`: the fast path); words
//! `MSG_REG_WORDS..length` are read from and written to the same word
//! indices of the IPC buffer.
//!
//! Kernel contract: every user thread's FS base is the address of its own
//! IPC buffer page (the page given to `ThreadConfigure`;
//! [`crate::bootinfo::IPC_BUFFER_ADDR`] for threads the kernel makes), so
//! word `i` of the calling thread's buffer is at `fs:[8 * i]`. User code
//! must not change FS.

use crate::SysError;

/// Message words carried in registers (`rdx`, `r10`, `r8`, `r9`).
pub const MSG_REG_WORDS: usize = 4;
/// The longest message in words (registers + IPC buffer).
pub const MSG_MAX_WORDS: usize = 120;
/// The most capabilities one message can carry.
pub const MSG_MAX_CAPS: usize = 4;
/// The most bits a label can have.
pub const LABEL_BITS: u32 = 48;

/// Word offsets inside the IPC buffer (one 4 KiB page per thread, at the
/// thread's FS base).
pub mod buffer {
    use super::{MSG_MAX_CAPS, MSG_MAX_WORDS};

    /// `[u64; MSG_MAX_WORDS]`: message words (indices below
    /// [`super::MSG_REG_WORDS`] are unused: those words are in registers).
    pub const WORDS: usize = 0;
    /// `[u64; MSG_MAX_CAPS]`: sender: the CSpace slots of the caps to send.
    pub const SEND_CAPS: usize = WORDS + MSG_MAX_WORDS;
    /// Receiver: the first CSpace slot that may receive caps.
    pub const RECV_SLOT: usize = SEND_CAPS + MSG_MAX_CAPS;
    /// Receiver: how many consecutive slots from `RECV_SLOT` it accepts (0..=4).
    pub const RECV_COUNT: usize = RECV_SLOT + 1;
    /// Size of the used part of the buffer in words.
    pub const LEN_WORDS: usize = RECV_COUNT + 1;
}

/// The message-info word (`rsi` of every IPC syscall).
///
/// Bits 0..=6 length in words, bits 7..=9 number of caps, bits 10..=15
/// reserved (zero), bits 16..=63 label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct MessageInfo {
    label: u64,
    length: u8,
    caps: u8,
}

impl MessageInfo {
    const LEN_MASK: u64 = 0x7f;
    const CAPS_SHIFT: u32 = 7;
    const CAPS_MASK: u64 = 0x7;
    const RESERVED_MASK: u64 = 0xfc00;
    const LABEL_SHIFT: u32 = 16;

    /// A message info; `None` when a field is out of range.
    pub const fn new(label: u64, length: usize, caps: usize) -> Option<MessageInfo> {
        if label >> LABEL_BITS != 0 || length > MSG_MAX_WORDS || caps > MSG_MAX_CAPS {
            return None;
        }
        Some(MessageInfo {
            label,
            length: length as u8,
            caps: caps as u8,
        })
    }

    /// Decode the raw word: `MessageTooLong` when length or cap count
    /// exceed the limits, `InvalidArgument` when reserved bits are set.
    pub const fn from_raw(raw: u64) -> Result<MessageInfo, SysError> {
        if raw & Self::RESERVED_MASK != 0 {
            return Err(SysError::InvalidArgument);
        }
        let length = (raw & Self::LEN_MASK) as usize;
        let caps = ((raw >> Self::CAPS_SHIFT) & Self::CAPS_MASK) as usize;
        if length > MSG_MAX_WORDS || caps > MSG_MAX_CAPS {
            return Err(SysError::MessageTooLong);
        }
        Ok(MessageInfo {
            label: raw >> Self::LABEL_SHIFT,
            length: length as u8,
            caps: caps as u8,
        })
    }

    /// The raw word.
    pub const fn raw(self) -> u64 {
        (self.label << Self::LABEL_SHIFT)
            | ((self.caps as u64) << Self::CAPS_SHIFT)
            | self.length as u64
    }

    /// The label (protocol-defined meaning, 48 bits).
    pub const fn label(self) -> u64 {
        self.label
    }

    /// Length in words.
    pub const fn length(self) -> usize {
        self.length as usize
    }

    /// Number of capabilities.
    pub const fn caps(self) -> usize {
        self.caps as usize
    }

    /// The same info with another cap count (the kernel sets the number of
    /// caps actually transferred); `None` above [`MSG_MAX_CAPS`].
    pub const fn with_caps(self, caps: usize) -> Option<MessageInfo> {
        MessageInfo::new(self.label, self.length as usize, caps)
    }

    /// Words in registers (`min(length, MSG_REG_WORDS)`).
    pub const fn reg_words(self) -> usize {
        if (self.length as usize) < MSG_REG_WORDS {
            self.length as usize
        } else {
            MSG_REG_WORDS
        }
    }

    /// Words in the IPC buffer (`length - reg_words`).
    pub const fn buffer_words(self) -> usize {
        self.length as usize - self.reg_words()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_round_trips() {
        let i = MessageInfo::new(0xabc, 120, 4).unwrap();
        assert_eq!(MessageInfo::from_raw(i.raw()), Ok(i));
        assert_eq!(i.reg_words(), 4);
        assert_eq!(i.buffer_words(), 116);
        assert_eq!(MessageInfo::new(1 << 48, 0, 0), None);
        assert_eq!(MessageInfo::new(0, 121, 0), None);
        assert_eq!(MessageInfo::new(0, 0, 5), None);
    }

    #[test]
    fn info_rejects_bad_words() {
        assert_eq!(MessageInfo::from_raw(121), Err(SysError::MessageTooLong));
        assert_eq!(MessageInfo::from_raw(5 << 7), Err(SysError::MessageTooLong));
        assert_eq!(
            MessageInfo::from_raw(1 << 10),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(
            MessageInfo::from_raw(u64::MAX << 16).map(|i| i.label()),
            Ok((1 << 48) - 1)
        );
    }

    const _: () = assert!(buffer::LEN_WORDS * 8 <= 4096, "IPC buffer exceeds a page");
}
