//! The saved-state envelope: policy name, format version, then the body,
//! all postcard. The header is read first, so state of another policy or
//! format is named as such instead of failing somewhere in the body.
#![forbid(unsafe_code)]

use alloc::string::ToString;
use alloc::vec::Vec;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::StateError;

/// `body` as state of `policy`, format `version`.
pub fn encode<T: Serialize>(policy: &str, version: u32, body: &T) -> Result<Vec<u8>, StateError> {
    postcard::to_allocvec(&(policy, version, body)).map_err(StateError::Encode)
}

/// The body of state written by [`encode`] for `policy`, format `version`;
/// anything else (another policy, another version, bad or extra bytes) is
/// an error.
pub fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    policy: &'static str,
    version: u32,
) -> Result<T, StateError> {
    let ((found, found_version), rest) =
        postcard::take_from_bytes::<(&str, u32)>(bytes).map_err(StateError::Decode)?;
    if found != policy {
        return Err(StateError::WrongPolicy {
            expected: policy,
            found: found.to_string(),
        });
    }
    if found_version != version {
        return Err(StateError::UnsupportedVersion {
            found: found_version,
            supported: version,
        });
    }
    let (body, rest) = postcard::take_from_bytes::<T>(rest).map_err(StateError::Decode)?;
    if !rest.is_empty() {
        return Err(StateError::TrailingBytes(rest.len()));
    }
    Ok(body)
}
