//! [`NativeError`]: why bytes are not a well-formed HelixNative image. The
//! segment rules shared with the ELF loader (user half, overlap, W^X,
//! entry in code) and the metadata record keep their own
//! [`LoadError`](crate::LoadError) variants.
#![forbid(unsafe_code)]

use core::fmt;

use super::layout::{HEADER_LEN, NATIVE_VERSION, SIGNATURE_BLOCK_LEN};

/// A HelixNative-specific refusal. "Segment N" is the index of its entry in
/// the segment table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NativeError {
    /// No `HXNM` magic.
    NotHelixNative,
    /// Shorter than the header.
    TruncatedHeader {
        /// Bytes present.
        len: usize,
    },
    /// A format version this crate does not read.
    UnsupportedVersion(u16),
    /// The header length field is not the one of this format version.
    BadHeaderLength(u16),
    /// The image length is shorter than a header and a checksum.
    BadImageLength(u32),
    /// The file ends before the image does.
    Truncated {
        /// Bytes the header says the image has.
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// The checksum does not match the image: the file is corrupt.
    ChecksumMismatch {
        /// The checksum stored in the file.
        stored: u32,
        /// The checksum of the bytes present.
        computed: u32,
    },
    /// After the checksum come bytes that are neither nothing nor one
    /// signature block.
    BadTrailer {
        /// Bytes after the checksum.
        len: usize,
    },
    /// The signature block does not start with `HXSG`.
    BadSignatureMagic,
    /// The signature block names an algorithm other than Ed25519 (1).
    UnknownSignatureAlgorithm(u8),
    /// A reserved field (header flags, reserved bytes) is not zero.
    ReservedNotZero {
        /// File offset of the field.
        offset: usize,
    },
    /// The record and the segment table run past the checksum.
    TablesPastImage {
        /// Where they would end.
        end: u64,
        /// Offset of the checksum.
        checksum_at: usize,
    },
    /// The segment table declares a different amount of segment data than
    /// lies between the table and the checksum.
    DataLengthMismatch {
        /// The sum of the entries' file sizes.
        declared: u64,
        /// Bytes between the end of the table and the checksum.
        present: u64,
    },
    /// A segment's rights byte has bits other than read, write, execute.
    BadRights {
        /// Segment index.
        segment: usize,
        /// The rights byte.
        rights: u8,
    },
    /// A segment with no bytes in memory (the packer never writes one).
    EmptySegment {
        /// Segment index.
        segment: usize,
    },
}

impl fmt::Display for NativeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NativeError::NotHelixNative => f.write_str("not a HelixNative file (no HXNM magic)"),
            NativeError::TruncatedHeader { len } => write!(
                f,
                "truncated HelixNative header: {len} bytes, the header has {HEADER_LEN}"
            ),
            NativeError::UnsupportedVersion(v) => write!(
                f,
                "HelixNative format version {v} is not supported (this loader reads {NATIVE_VERSION})"
            ),
            NativeError::BadHeaderLength(n) => write!(
                f,
                "HelixNative header length {n}, version {NATIVE_VERSION} uses {HEADER_LEN}"
            ),
            NativeError::BadImageLength(n) => write!(
                f,
                "HelixNative image length {n} is shorter than a header and a checksum"
            ),
            NativeError::Truncated { needed, len } => write!(
                f,
                "truncated HelixNative file: the image has {needed} bytes, the file {len}"
            ),
            NativeError::ChecksumMismatch { stored, computed } => write!(
                f,
                "HelixNative checksum mismatch (stored {stored:#010x}, computed {computed:#010x}): the file is corrupt"
            ),
            NativeError::BadTrailer { len } => write!(
                f,
                "{len} bytes after the checksum: expected none or a {SIGNATURE_BLOCK_LEN}-byte signature block"
            ),
            NativeError::BadSignatureMagic => f.write_str(
                "the bytes after the checksum are not a signature block (no HXSG magic)",
            ),
            NativeError::UnknownSignatureAlgorithm(a) => {
                write!(f, "unknown signature algorithm {a} (1 is Ed25519)")
            }
            NativeError::ReservedNotZero { offset } => {
                write!(f, "reserved field at offset {offset:#x} is not zero")
            }
            NativeError::TablesPastImage { end, checksum_at } => write!(
                f,
                "the record and segment table end at {end:#x}, past the checksum at {checksum_at:#x}"
            ),
            NativeError::DataLengthMismatch { declared, present } => write!(
                f,
                "the segment table declares {declared:#x} bytes of segment data, the image holds {present:#x}"
            ),
            NativeError::BadRights { segment, rights } => write!(
                f,
                "segment {segment} rights {rights:#04x} have bits other than read (1), write (2), execute (4)"
            ),
            NativeError::EmptySegment { segment } => {
                write!(f, "segment {segment} has no bytes in memory")
            }
        }
    }
}

impl core::error::Error for NativeError {}
