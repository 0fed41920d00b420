//! Writing HelixNative files: [`encode`] lays out an image from a record,
//! an entry point and segments; [`sign`] appends (or replaces) the
//! signature block. The loader is the judge of what is loadable: `encode`
//! only refuses what the layout cannot express.
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::fmt;

use ed25519_dalek::{Signer, SigningKey};

use super::error::NativeError;
use super::frame::NativeFile;
use super::layout::{
    CHECKSUM_LEN, HEADER_LEN, Header, NATIVE_VERSION, RIGHT_EXECUTE, RIGHT_READ, RIGHT_WRITE,
    SEGMENT_ENTRY_LEN, SignatureBlock, TableEntry, checksum,
};
use crate::module::{LoadedModule, Segment, SegmentRights};

/// A segment to write: where it goes, its size in memory, its rights and
/// its file bytes (the rest of `mem_size` is zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NativeSegment<'a> {
    /// Address of the first byte.
    pub vaddr: u64,
    /// Bytes in memory.
    pub mem_size: u64,
    /// Rights of its pages.
    pub rights: SegmentRights,
    /// Bytes from the file.
    pub bytes: &'a [u8],
}

impl<'a> NativeSegment<'a> {
    /// `segment` of a module loaded from `data`.
    pub fn of(segment: &Segment, data: &'a [u8]) -> NativeSegment<'a> {
        NativeSegment {
            vaddr: segment.vaddr,
            mem_size: segment.mem_size,
            rights: segment.rights,
            bytes: segment.bytes(data),
        }
    }
}

/// What the HelixNative layout cannot hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The record is longer than 2^32 - 1 bytes.
    RecordTooLong(usize),
    /// More than 65535 segments.
    TooManySegments(usize),
    /// A segment has more than 2^32 - 1 file bytes.
    SegmentTooLong {
        /// Segment index.
        segment: usize,
        /// Its file bytes.
        len: usize,
    },
    /// The image would be longer than 2^32 - 1 bytes.
    ImageTooLong(usize),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EncodeError::RecordTooLong(n) => write!(f, "metadata record of {n} bytes is too long"),
            EncodeError::TooManySegments(n) => write!(f, "{n} segments, at most 65535 fit"),
            EncodeError::SegmentTooLong { segment, len } => {
                write!(
                    f,
                    "segment {segment} has {len} file bytes, at most 2^32 - 1 fit"
                )
            }
            EncodeError::ImageTooLong(n) => write!(f, "image of {n} bytes, at most 2^32 - 1 fit"),
        }
    }
}

impl core::error::Error for EncodeError {}

fn rights_byte(rights: SegmentRights) -> u8 {
    let bit = |on: bool, bit: u8| if on { bit } else { 0 };
    bit(rights.read, RIGHT_READ)
        | bit(rights.write, RIGHT_WRITE)
        | bit(rights.execute, RIGHT_EXECUTE)
}

/// An unsigned HelixNative file: the header, `record` (a `.helix_module`
/// record's bytes), the segment table, the segments' bytes in table order,
/// and the checksum.
pub fn encode(
    record: &[u8],
    entry: u64,
    segments: &[NativeSegment<'_>],
) -> Result<Vec<u8>, EncodeError> {
    let record_len =
        u32::try_from(record.len()).map_err(|_| EncodeError::RecordTooLong(record.len()))?;
    let segment_count =
        u16::try_from(segments.len()).map_err(|_| EncodeError::TooManySegments(segments.len()))?;
    let data_len: usize = segments.iter().map(|s| s.bytes.len()).sum();
    let image_len =
        HEADER_LEN + record.len() + segments.len() * SEGMENT_ENTRY_LEN + data_len + CHECKSUM_LEN;
    let header = Header {
        version: NATIVE_VERSION,
        header_len: HEADER_LEN as u16,
        image_len: u32::try_from(image_len).map_err(|_| EncodeError::ImageTooLong(image_len))?,
        record_len,
        segment_count,
        flags: 0,
        reserved: 0,
        entry,
    };
    let mut out = Vec::with_capacity(image_len);
    header.write(&mut out);
    out.extend_from_slice(record);
    for (segment, s) in segments.iter().enumerate() {
        let len = s.bytes.len();
        TableEntry {
            vaddr: s.vaddr,
            mem_size: s.mem_size,
            file_size: u32::try_from(len)
                .map_err(|_| EncodeError::SegmentTooLong { segment, len })?,
            rights: rights_byte(s.rights),
            reserved: [0; 3],
        }
        .write(&mut out);
    }
    for s in segments {
        out.extend_from_slice(s.bytes);
    }
    seal(&mut out);
    Ok(out)
}

/// The unsigned HelixNative form of `module`, loaded from `data` (an ELF
/// file, say), whose metadata record is `record`.
pub fn encode_module(
    module: &LoadedModule,
    data: &[u8],
    record: &[u8],
) -> Result<Vec<u8>, EncodeError> {
    let segments: Vec<NativeSegment<'_>> = module
        .segments
        .iter()
        .map(|s| NativeSegment::of(s, data))
        .collect();
    encode(record, module.entry, &segments)
}

/// Append the checksum of `image` to it.
pub fn seal(image: &mut Vec<u8>) {
    let sum = checksum(image);
    image.extend_from_slice(&sum.to_le_bytes());
}

/// `file` signed with `key`: its image (everything through the checksum)
/// followed by a signature block. A signature `file` already has is
/// replaced. The framing must be sound (checksum included).
pub fn sign(file: &[u8], key: &SigningKey) -> Result<Vec<u8>, NativeError> {
    let image = NativeFile::parse(file)?.image();
    let signature = key.sign(image);
    let block = SignatureBlock::ed25519(key.verifying_key().to_bytes(), signature.to_bytes());
    let mut out = image.to_vec();
    block.write(&mut out);
    Ok(out)
}
