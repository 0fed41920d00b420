//! Helpers of the HelixNative tests.

use crate::fixtures::native;
use crate::native::NativeFile;
use crate::tests::support::{check_invariants_of, check_message};
use crate::{HelixNativeLoader, LoadError, LoadedModule, ModuleFormat, TrustPolicy};

/// A loader that takes unsigned modules.
pub fn lenient() -> HelixNativeLoader {
    HelixNativeLoader::new(TrustPolicy::allowing_unsigned())
}

/// A loader that trusts only `native::key(seed)`, as "release".
pub fn trusting(seed: u8) -> HelixNativeLoader {
    HelixNativeLoader::new(TrustPolicy::new().trust("release", native::public_key(seed)))
}

/// Image length (= offset of the signature block) of the valid fixture.
pub fn image_len() -> usize {
    native::valid_header().image_len as usize
}

/// Load `data` with `loader`; an accepted module keeps the invariants, a
/// refusal is one line.
pub fn load_checked(loader: &HelixNativeLoader, data: &[u8]) -> Result<LoadedModule, LoadError> {
    let result = loader.parse(data);
    match &result {
        Ok(m) => check_invariants_of(ModuleFormat::HelixNative, data, m),
        Err(e) => check_message(e),
    }
    result
}

/// Loading `data` with the lenient loader fails with exactly `expected`.
#[track_caller]
pub fn refused(data: &[u8], expected: impl Into<LoadError>) {
    assert_eq!(load_checked(&lenient(), data), Err(expected.into()));
}

/// `data` with its checksum recomputed over the (possibly altered) image,
/// as an attacker who edits the file would.
pub fn resealed(mut data: alloc::vec::Vec<u8>) -> alloc::vec::Vec<u8> {
    let image_len = NativeFile::parse(&data)
        .map(|f| f.image().len())
        .unwrap_or_else(|_| image_len());
    let sum = crate::native::checksum(&data[..image_len - 4]);
    data[image_len - 4..image_len].copy_from_slice(&sum.to_le_bytes());
    data
}
