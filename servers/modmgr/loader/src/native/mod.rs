//! HelixNative: Helix's own compact module format (header, metadata
//! record, segment table, segment bytes, CRC-32, optional Ed25519
//! signature; `docs/formats.md`), its loader, trust policy and writer.

mod content;
mod encode;
mod error;
mod frame;
mod layout;
mod loader;
mod trust;

pub use encode::{EncodeError, NativeSegment, encode, encode_module, seal, sign};
pub use error::NativeError;
pub use frame::NativeFile;
pub use layout::{
    ALGORITHM_ED25519, CHECKSUM_LEN, HEADER_LEN, Header, NATIVE_VERSION, RIGHT_EXECUTE, RIGHT_READ,
    RIGHT_WRITE, SEGMENT_ENTRY_LEN, SIGNATURE_BLOCK_LEN, SIGNATURE_MAGIC, SignatureBlock,
    TableEntry, checksum,
};
pub use loader::HelixNativeLoader;
pub use trust::{KeyFingerprint, TrustError, TrustPolicy, signature_verifies};
