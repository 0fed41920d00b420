//! The HelixNative byte layout (`docs/formats.md`, "HelixNative"): the
//! header, a segment table entry and the signature block, each read from
//! and written to bytes in exactly one place, and the checksum.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use crate::format::HELIX_NATIVE_MAGIC;

/// The HelixNative format version this crate writes and reads.
pub const NATIVE_VERSION: u16 = 1;
/// Length of the header.
pub const HEADER_LEN: usize = 32;
/// Length of one segment table entry.
pub const SEGMENT_ENTRY_LEN: usize = 24;
/// Length of the checksum that ends the image.
pub const CHECKSUM_LEN: usize = 4;
/// First four bytes of the signature block.
pub const SIGNATURE_MAGIC: [u8; 4] = *b"HXSG";
/// Signature algorithm byte: Ed25519 (RFC 8032, pure, no pre-hash).
pub const ALGORITHM_ED25519: u8 = 1;
/// Length of the signature block: magic, algorithm, 3 reserved bytes,
/// public key (32), signature (64).
pub const SIGNATURE_BLOCK_LEN: usize = 8 + 32 + 64;

/// Segment right bits in a table entry.
pub const RIGHT_READ: u8 = 1;
/// See [`RIGHT_READ`].
pub const RIGHT_WRITE: u8 = 2;
/// See [`RIGHT_READ`].
pub const RIGHT_EXECUTE: u8 = 4;

/// Offsets of the header fields.
pub(crate) mod at {
    pub const VERSION: usize = 4;
    pub const HEADER_LEN: usize = 6;
    pub const IMAGE_LEN: usize = 8;
    pub const RECORD_LEN: usize = 12;
    pub const SEGMENT_COUNT: usize = 16;
    pub const FLAGS: usize = 18;
    pub const RESERVED: usize = 20;
    pub const ENTRY: usize = 24;
}

/// `N` bytes of `data` at `at`, if present.
pub(crate) fn array<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..at.checked_add(N)?)
        .and_then(|b| <[u8; N]>::try_from(b).ok())
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    array(data, at).map(u16::from_le_bytes)
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    array(data, at).map(u32::from_le_bytes)
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    array(data, at).map(u64::from_le_bytes)
}

/// CRC-32 (IEEE 802.3, as zlib computes it) of `bytes`.
pub fn checksum(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// The header's fields, as stored (nothing checked yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version ([`NATIVE_VERSION`]).
    pub version: u16,
    /// Header length ([`HEADER_LEN`]).
    pub header_len: u16,
    /// Bytes from the start of the file to the end of the checksum: what
    /// the checksum (all but its own 4 bytes) and the signature cover.
    pub image_len: u32,
    /// Length of the metadata record.
    pub record_len: u32,
    /// Number of segment table entries.
    pub segment_count: u16,
    /// Flags; none are defined, so 0.
    pub flags: u16,
    /// Reserved, 0.
    pub reserved: u32,
    /// Entry point.
    pub entry: u64,
}

impl Header {
    /// Read the header from the first [`HEADER_LEN`] bytes of `data`
    /// (the magic is not looked at); `None` when `data` is shorter.
    pub fn read(data: &[u8]) -> Option<Header> {
        Some(Header {
            version: u16_at(data, at::VERSION)?,
            header_len: u16_at(data, at::HEADER_LEN)?,
            image_len: u32_at(data, at::IMAGE_LEN)?,
            record_len: u32_at(data, at::RECORD_LEN)?,
            segment_count: u16_at(data, at::SEGMENT_COUNT)?,
            flags: u16_at(data, at::FLAGS)?,
            reserved: u32_at(data, at::RESERVED)?,
            entry: u64_at(data, at::ENTRY)?,
        })
    }

    /// Append the magic and the header to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&HELIX_NATIVE_MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&self.header_len.to_le_bytes());
        out.extend_from_slice(&self.image_len.to_le_bytes());
        out.extend_from_slice(&self.record_len.to_le_bytes());
        out.extend_from_slice(&self.segment_count.to_le_bytes());
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&self.reserved.to_le_bytes());
        out.extend_from_slice(&self.entry.to_le_bytes());
    }
}

/// One segment table entry, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableEntry {
    /// Address of the segment's first byte.
    pub vaddr: u64,
    /// Bytes in memory.
    pub mem_size: u64,
    /// Bytes in the file (the rest of `mem_size` is zero).
    pub file_size: u32,
    /// [`RIGHT_READ`] | [`RIGHT_WRITE`] | [`RIGHT_EXECUTE`].
    pub rights: u8,
    /// Reserved, 0.
    pub reserved: [u8; 3],
}

impl TableEntry {
    /// Read the entry at `at` in `data`; `None` when it runs past the end.
    pub fn read(data: &[u8], at: usize) -> Option<TableEntry> {
        Some(TableEntry {
            vaddr: u64_at(data, at)?,
            mem_size: u64_at(data, at.checked_add(8)?)?,
            file_size: u32_at(data, at.checked_add(16)?)?,
            rights: *data.get(at.checked_add(20)?)?,
            reserved: array(data, at.checked_add(21)?)?,
        })
    }

    /// Append the entry to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.vaddr.to_le_bytes());
        out.extend_from_slice(&self.mem_size.to_le_bytes());
        out.extend_from_slice(&self.file_size.to_le_bytes());
        out.push(self.rights);
        out.extend_from_slice(&self.reserved);
    }
}

/// The signature block, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureBlock {
    /// First four bytes ([`SIGNATURE_MAGIC`]).
    pub magic: [u8; 4],
    /// Algorithm ([`ALGORITHM_ED25519`]).
    pub algorithm: u8,
    /// Reserved, 0.
    pub reserved: [u8; 3],
    /// The signer's Ed25519 public key.
    pub public_key: [u8; 32],
    /// The Ed25519 signature of the image (`image_len` bytes from 0).
    pub signature: [u8; 64],
}

impl SignatureBlock {
    /// An Ed25519 block.
    pub const fn ed25519(public_key: [u8; 32], signature: [u8; 64]) -> SignatureBlock {
        SignatureBlock {
            magic: SIGNATURE_MAGIC,
            algorithm: ALGORITHM_ED25519,
            reserved: [0; 3],
            public_key,
            signature,
        }
    }

    /// Read the block from `data` (exactly [`SIGNATURE_BLOCK_LEN`] bytes).
    pub fn read(data: &[u8]) -> Option<SignatureBlock> {
        if data.len() != SIGNATURE_BLOCK_LEN {
            return None;
        }
        Some(SignatureBlock {
            magic: array(data, 0)?,
            algorithm: *data.get(4)?,
            reserved: array(data, 5)?,
            public_key: array(data, 8)?,
            signature: array(data, 40)?,
        })
    }

    /// Append the block to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.magic);
        out.push(self.algorithm);
        out.extend_from_slice(&self.reserved);
        out.extend_from_slice(&self.public_key);
        out.extend_from_slice(&self.signature);
    }
}
