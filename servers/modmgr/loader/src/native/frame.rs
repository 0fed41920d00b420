//! [`NativeFile`]: the framing of a HelixNative file — header, image length,
//! checksum and the optional signature block — checked before any of the
//! image's content is read.
//!
//! Checks, in order: magic, header present, version, header length, image
//! length, file at least that long, checksum, what follows the checksum
//! (nothing, or one signature block with its magic, algorithm and reserved
//! bytes), and the header's reserved fields.
#![forbid(unsafe_code)]

use super::error::NativeError;
use super::layout::{
    ALGORITHM_ED25519, CHECKSUM_LEN, HEADER_LEN, Header, NATIVE_VERSION, SIGNATURE_BLOCK_LEN,
    SIGNATURE_MAGIC, SignatureBlock, array, at, checksum,
};
use crate::format::HELIX_NATIVE_MAGIC;

/// A HelixNative file whose framing is sound: the checksum matches and the
/// signature block, if any, is well-formed (whether the signature verifies
/// is the trust policy's question). Its content is read by
/// [`NativeFile::module`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NativeFile<'a> {
    /// The whole input.
    pub(crate) data: &'a [u8],
    /// The header.
    pub(crate) header: Header,
    /// The signature block, if the file is signed.
    pub(crate) signature: Option<SignatureBlock>,
}

/// Whether `data` starts like a HelixNative file this crate reads: the
/// magic, and the version when present.
pub(crate) fn looks_like_ours(data: &[u8]) -> bool {
    data.starts_with(&HELIX_NATIVE_MAGIC)
        && array::<2>(data, at::VERSION).is_none_or(|v| u16::from_le_bytes(v) == NATIVE_VERSION)
}

impl<'a> NativeFile<'a> {
    /// Check the framing of `data`.
    pub fn parse(data: &'a [u8]) -> Result<NativeFile<'a>, NativeError> {
        if !data.starts_with(&HELIX_NATIVE_MAGIC) {
            return Err(NativeError::NotHelixNative);
        }
        let header = Header::read(data).ok_or(NativeError::TruncatedHeader { len: data.len() })?;
        if header.version != NATIVE_VERSION {
            return Err(NativeError::UnsupportedVersion(header.version));
        }
        if usize::from(header.header_len) != HEADER_LEN {
            return Err(NativeError::BadHeaderLength(header.header_len));
        }
        let image_len = usize::try_from(header.image_len)
            .ok()
            .filter(|&n| n >= HEADER_LEN + CHECKSUM_LEN)
            .ok_or(NativeError::BadImageLength(header.image_len))?;
        let truncated = NativeError::Truncated {
            needed: image_len,
            len: data.len(),
        };
        let image = data.get(..image_len).ok_or(truncated)?;
        let (covered, stored) = image.split_at(image_len - CHECKSUM_LEN);
        let stored = array::<4>(stored, 0).map_or(0, u32::from_le_bytes);
        let computed = checksum(covered);
        if stored != computed {
            return Err(NativeError::ChecksumMismatch { stored, computed });
        }
        let trailer = data.get(image_len..).unwrap_or_default();
        let signature = match trailer.len() {
            0 => None,
            SIGNATURE_BLOCK_LEN => Some(check_block(trailer, image_len)?),
            len => return Err(NativeError::BadTrailer { len }),
        };
        if header.flags != 0 {
            return Err(NativeError::ReservedNotZero { offset: at::FLAGS });
        }
        if header.reserved != 0 {
            return Err(NativeError::ReservedNotZero {
                offset: at::RESERVED,
            });
        }
        Ok(NativeFile {
            data,
            header,
            signature,
        })
    }

    /// The bytes the checksum ends and the signature covers: from the start
    /// of the file through the checksum.
    pub fn image(&self) -> &'a [u8] {
        let len = usize::try_from(self.header.image_len).unwrap_or(usize::MAX);
        self.data.get(..len).unwrap_or(self.data)
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The signature block, if the file is signed.
    pub fn signature(&self) -> Option<&SignatureBlock> {
        self.signature.as_ref()
    }
}

/// The signature block in `trailer` (which has the block's length), whose
/// first byte is at file offset `offset`.
fn check_block(trailer: &[u8], offset: usize) -> Result<SignatureBlock, NativeError> {
    let block =
        SignatureBlock::read(trailer).ok_or(NativeError::BadTrailer { len: trailer.len() })?;
    if block.magic != SIGNATURE_MAGIC {
        return Err(NativeError::BadSignatureMagic);
    }
    if block.algorithm != ALGORITHM_ED25519 {
        return Err(NativeError::UnknownSignatureAlgorithm(block.algorithm));
    }
    if let Some(i) = block.reserved.iter().position(|&b| b != 0) {
        return Err(NativeError::ReservedNotZero {
            offset: offset + 5 + i,
        });
    }
    Ok(block)
}
