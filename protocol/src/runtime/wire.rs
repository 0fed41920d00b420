//! A protocol frame as one kernel IPC message: the frame's bytes packed
//! little-endian into message words, its byte length in the label.
//!
//! Label layout (48 bits): bits 16.. = the message's kind (`FRAME_LABEL`
//! for a whole frame; the other kinds of `chunk` carry the pieces of longer
//! frames), bits 0..16 = the bytes it carries. The message carries `ceil(len / 8)` words;
//! the first four travel in registers, the rest in the IPC buffer. A frame
//! longer than [`MAX_FRAME`] bytes does not fit one message and is refused
//! with [`TransportError::MessageTooLong`] before anything is sent.
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use helix_abi::MessageInfo;
use helix_abi::ipc::MSG_MAX_WORDS;

use super::chunk::Kind;
use crate::client::TransportError;

/// Upper label bits of a message that carries a whole frame ("HX").
pub const FRAME_LABEL: u64 = Kind::Whole.tag();
/// The longest frame one message carries, in bytes.
pub const MAX_FRAME: usize = MSG_MAX_WORDS * 8;

/// A frame laid out as message words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packed {
    /// Info word: frame label and length in words, no caps.
    pub info: MessageInfo,
    /// The words (only `info.length()` of them are meaningful).
    pub words: [u64; MSG_MAX_WORDS],
}

/// Lay `frame` out as message words (a whole frame).
pub fn pack(frame: &[u8]) -> Result<Packed, TransportError> {
    pack_kind(Kind::Whole, frame)
}

/// Lay `bytes` out as one message of `kind`.
pub fn pack_kind(kind: Kind, frame: &[u8]) -> Result<Packed, TransportError> {
    if frame.len() > MAX_FRAME {
        return Err(TransportError::MessageTooLong);
    }
    let mut words = [0u64; MSG_MAX_WORDS];
    for (w, chunk) in words.iter_mut().zip(frame.chunks(8)) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        *w = u64::from_le_bytes(b);
    }
    let label = (kind.tag() << 16) | frame.len() as u64;
    let info = MessageInfo::new(label, frame.len().div_ceil(8), 0)
        .ok_or(TransportError::MessageTooLong)?;
    Ok(Packed { info, words })
}

/// Rebuild the frame a message carries into `out` (cleared first). A
/// message that is not a frame (wrong label, length not matching the word
/// count) yields an empty `out`, which every frame parser rejects: bad
/// input from another process is answered, never a reason to stop.
pub fn unpack(info: MessageInfo, word: impl Fn(usize) -> u64, out: &mut Vec<u8>) -> bool {
    out.clear();
    unpack_append(info, word, out) == Some(Kind::Whole)
}

/// Append the bytes a message of the frame protocol carries to `out`;
/// its kind, or `None` (nothing appended) for a message that is not one.
pub fn unpack_append(
    info: MessageInfo,
    word: impl Fn(usize) -> u64,
    out: &mut Vec<u8>,
) -> Option<Kind> {
    let label = info.label();
    let len = (label & 0xffff) as usize;
    let kind = Kind::from_tag(label >> 16)?;
    if len.div_ceil(8) != info.length() {
        return None;
    }
    out.reserve(len);
    for i in 0..info.length() {
        let bytes = word(i).to_le_bytes();
        let take = (len - i * 8).min(8);
        out.extend_from_slice(&bytes[..take]);
    }
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(frame: &[u8]) -> Vec<u8> {
        let p = pack(frame).unwrap();
        let mut out = Vec::new();
        assert!(unpack(p.info, |i| p.words[i], &mut out));
        out
    }

    #[test]
    fn lengths_at_word_boundaries_round_trip() {
        for n in [0, 1, 7, 8, 9, 31, 32, 33, MAX_FRAME - 1, MAX_FRAME] {
            let frame: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
            assert_eq!(round_trip(&frame), frame, "length {n}");
        }
    }

    #[test]
    fn too_long_is_refused_before_sending() {
        let frame = alloc::vec![0u8; MAX_FRAME + 1];
        assert_eq!(pack(&frame), Err(TransportError::MessageTooLong));
    }

    #[test]
    fn foreign_messages_unpack_to_nothing() {
        let mut out = alloc::vec![1, 2, 3];
        let other = MessageInfo::new(7, 1, 0).unwrap();
        assert!(!unpack(other, |_| u64::MAX, &mut out));
        assert!(out.is_empty());
        // Claims 20 bytes but carries 1 word.
        let short = MessageInfo::new((FRAME_LABEL << 16) | 20, 1, 0).unwrap();
        assert!(!unpack(short, |_| 0, &mut out));
        assert!(out.is_empty());
    }

    proptest! {
        #[test]
        fn any_frame_that_fits_round_trips(frame in proptest::collection::vec(any::<u8>(), 0..=MAX_FRAME)) {
            let p = pack(&frame).unwrap();
            prop_assert_eq!(p.info.length(), frame.len().div_ceil(8));
            prop_assert_eq!(round_trip(&frame), frame);
        }
    }
}
