//! The wire frame: a 20-byte header and a postcard payload.
//!
//! ```text
//! offset size field
//!      0    2 magic "HX"
//!      2    1 frame format version (1)
//!      3    1 kind: a MessageType code (1 request, 2 response, 3 event, 4 control, 5 error, 6 notification)
//!      4    8 tag.name_hash (u64 LE)
//!     12    2 tag.major (u16 LE)
//!     14    2 tag.minor (u16 LE)
//!     16    4 payload length in bytes (u32 LE)
//!     20    n payload: postcard encoding of the tagged type, exactly n bytes
//! ```
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use super::{DecodeError, EncodeError, MessageType, PayloadFault, TypeTag, WireMessage};

/// First two bytes of every frame.
pub const MAGIC: [u8; 2] = *b"HX";
/// The frame format version this crate writes and reads.
pub const VERSION: u8 = 1;
/// Length of the fixed header.
pub const HEADER_LEN: usize = 20;

/// The whole length (header and payload) a frame starting with `start`
/// declares, once its header is there: what a receiver of the frame in
/// pieces reserves, so a long frame is allocated once. Only a hint; the
/// frame is still checked by [`Frame::parse`] when complete.
pub fn declared_len(start: &[u8]) -> Option<usize> {
    let header = start.first_chunk::<HEADER_LEN>()?;
    if header[0..2] != MAGIC {
        return None;
    }
    let payload = u32::from_le_bytes([header[16], header[17], header[18], header[19]]);
    HEADER_LEN.checked_add(usize::try_from(payload).ok()?)
}

/// A checked view of one frame: header fields validated, payload length exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// What the frame is (request, response, error, ...).
    pub kind: MessageType,
    /// Type of the payload.
    pub tag: TypeTag,
    /// The postcard bytes, exactly as long as the header says.
    pub payload: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Check a frame's header and length. Garbage, short input, unknown
    /// versions and kinds, and bytes after the payload are all rejected.
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Frame<'a>, DecodeError> {
        let header = bytes
            .first_chunk::<HEADER_LEN>()
            .ok_or(DecodeError::Truncated {
                needed: HEADER_LEN as u64,
                available: bytes.len() as u64,
            })?;
        if header[0..2] != MAGIC {
            return Err(DecodeError::BadMagic);
        }
        if header[2] != VERSION {
            return Err(DecodeError::UnsupportedVersion(header[2]));
        }
        let kind = MessageType::from_code(header[3]).ok_or(DecodeError::UnknownKind(header[3]))?;
        let tag = TypeTag {
            name_hash: u64::from_le_bytes(le(header, 4)),
            major: u16::from_le_bytes(le(header, 12)),
            minor: u16::from_le_bytes(le(header, 14)),
        };
        let len = u32::from_le_bytes(le(header, 16)) as usize;
        let rest = &bytes[HEADER_LEN..];
        if rest.len() < len {
            return Err(DecodeError::Truncated {
                needed: (HEADER_LEN + len) as u64,
                available: bytes.len() as u64,
            });
        }
        if rest.len() > len {
            return Err(DecodeError::TrailingBytes((rest.len() - len) as u64));
        }
        Ok(Frame {
            kind,
            tag,
            payload: rest,
        })
    }

    /// Decode the payload as `T`, checking the tag first.
    #[inline]
    pub fn decode<T: WireMessage>(&self) -> Result<T, DecodeError> {
        if !T::TAG.accepts(&self.tag) {
            return Err(DecodeError::WrongType {
                expected: T::TAG,
                found: self.tag,
            });
        }
        decode_payload(self.payload)
    }

    /// Fail unless the frame is of `kind`.
    #[inline]
    pub fn expect_kind(self, kind: MessageType) -> Result<Frame<'a>, DecodeError> {
        if self.kind == kind {
            Ok(self)
        } else {
            Err(DecodeError::UnexpectedKind {
                expected: kind,
                found: self.kind,
            })
        }
    }
}

#[inline]
fn le<const N: usize>(header: &[u8; HEADER_LEN], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&header[at..at + N]);
    out
}

/// Decode a bare postcard payload; every byte must belong to the value.
#[inline]
pub fn decode_payload<T: WireMessage>(payload: &[u8]) -> Result<T, DecodeError> {
    let (value, rest) = postcard::take_from_bytes::<T>(payload)
        .map_err(|e| DecodeError::Malformed(PayloadFault::from_postcard(e)))?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(DecodeError::TrailingBytes(rest.len() as u64))
    }
}

/// A postcard flavor that appends to a borrowed `Vec` (so buffers are reused).
struct Append<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Append the postcard encoding of `value` to `out`.
#[inline]
pub fn encode_payload<T: serde::Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    postcard::serialize_with_flavor(value, Append(out)).map_err(|_| EncodeError::Serialize)
}

#[inline]
fn write_header(kind: MessageType, tag: TypeTag, out: &mut Vec<u8>) {
    let mut header = [0u8; HEADER_LEN];
    header[0..2].copy_from_slice(&MAGIC);
    header[2] = VERSION;
    header[3] = kind.code();
    header[4..12].copy_from_slice(&tag.name_hash.to_le_bytes());
    header[12..14].copy_from_slice(&tag.major.to_le_bytes());
    header[14..16].copy_from_slice(&tag.minor.to_le_bytes());
    // Bytes 16..20 (payload length) are patched once the payload is written.
    out.extend_from_slice(&header);
}

#[inline]
fn patch_len(out: &mut [u8], start: usize) -> Result<(), EncodeError> {
    let len = out.len() - start - HEADER_LEN;
    let len32 = u32::try_from(len).map_err(|_| EncodeError::TooLarge { len: len as u64 })?;
    out[start + 16..start + HEADER_LEN].copy_from_slice(&len32.to_le_bytes());
    Ok(())
}

/// Replace the contents of `out` with a frame of `kind` carrying `value`.
#[inline]
pub fn encode_frame<T: WireMessage>(
    kind: MessageType,
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    out.clear();
    write_header(kind, T::TAG, out);
    encode_payload(value, out)?;
    patch_len(out, 0)
}

/// Replace the contents of `out` with a frame whose payload is already encoded.
pub fn encode_raw_frame(
    kind: MessageType,
    tag: TypeTag,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    out.clear();
    write_header(kind, tag, out);
    out.extend_from_slice(payload);
    patch_len(out, 0)
}

/// Parse a frame, require `kind`, and decode its payload as `T`.
#[inline]
pub fn decode_frame<T: WireMessage>(kind: MessageType, bytes: &[u8]) -> Result<T, DecodeError> {
    Frame::parse(bytes)?.expect_kind(kind)?.decode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec;

    #[test]
    fn header_layout_is_as_documented() {
        let mut out = Vec::new();
        encode_frame(MessageType::Request, &String::from("hi"), &mut out).unwrap();
        assert_eq!(&out[0..2], b"HX");
        assert_eq!(out[2], 1);
        assert_eq!(out[3], MessageType::Request.code());
        assert_eq!(out[4..12], crate::message::TEXT_TAG.name_hash.to_le_bytes());
        assert_eq!(u32::from_le_bytes(out[16..20].try_into().unwrap()), 3);
        assert_eq!(&out[20..], &[2, b'h', b'i']);
    }

    #[test]
    fn declared_len_reads_the_header_once_it_is_there() {
        let mut out = Vec::new();
        encode_frame(MessageType::Request, &vec![7u8; 3000], &mut out).unwrap();
        assert_eq!(declared_len(&out[..HEADER_LEN]), Some(out.len()));
        assert_eq!(declared_len(&out[..HEADER_LEN - 1]), None);
        let mut garbage = out.clone();
        garbage[0] = b'X';
        assert_eq!(declared_len(&garbage), None);
    }

    #[test]
    fn round_trip_and_wrong_type() {
        let mut out = Vec::new();
        encode_frame(MessageType::Response, &vec![1u8, 2, 3], &mut out).unwrap();
        assert_eq!(
            decode_frame::<Vec<u8>>(MessageType::Response, &out),
            Ok(vec![1, 2, 3])
        );
        assert_eq!(
            decode_frame::<String>(MessageType::Response, &out),
            Err(DecodeError::WrongType {
                expected: crate::message::TEXT_TAG,
                found: crate::message::BYTES_TAG
            })
        );
        assert!(matches!(
            decode_frame::<Vec<u8>>(MessageType::Request, &out),
            Err(DecodeError::UnexpectedKind { .. })
        ));
    }

    #[test]
    fn every_truncation_and_extension_is_rejected() {
        let mut out = Vec::new();
        encode_frame(MessageType::Request, &String::from("hello"), &mut out).unwrap();
        for cut in 0..out.len() {
            assert!(
                matches!(
                    Frame::parse(&out[..cut]),
                    Err(DecodeError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
        let mut longer = out.clone();
        longer.push(0);
        assert_eq!(Frame::parse(&longer), Err(DecodeError::TrailingBytes(1)));
    }

    #[test]
    fn header_corruption_is_rejected() {
        let mut out = Vec::new();
        encode_frame(MessageType::Request, &(), &mut out).unwrap();
        let mut bad = out.clone();
        bad[0] = b'Z';
        assert_eq!(Frame::parse(&bad), Err(DecodeError::BadMagic));
        let mut bad = out.clone();
        bad[2] = 9;
        assert_eq!(Frame::parse(&bad), Err(DecodeError::UnsupportedVersion(9)));
        let mut bad = out.clone();
        bad[3] = 200;
        assert_eq!(Frame::parse(&bad), Err(DecodeError::UnknownKind(200)));
    }

    #[test]
    fn payload_with_extra_bytes_inside_the_length_is_rejected() {
        // Declared length covers 2 bytes, but `()` encodes to none.
        let mut out = Vec::new();
        encode_raw_frame(
            MessageType::Request,
            crate::message::EMPTY_TAG,
            &[7, 7],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            decode_frame::<()>(MessageType::Request, &out),
            Err(DecodeError::TrailingBytes(2))
        );
        // A string whose length prefix runs past the payload.
        encode_raw_frame(
            MessageType::Request,
            crate::message::TEXT_TAG,
            &[9, b'a'],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            decode_frame::<String>(MessageType::Request, &out),
            Err(DecodeError::Malformed(PayloadFault::UnexpectedEnd))
        );
    }
}
