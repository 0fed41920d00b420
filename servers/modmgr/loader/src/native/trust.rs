//! [`TrustPolicy`]: which signatures a loader accepts. A signed module must
//! be signed by a trusted key and its signature must verify (Ed25519,
//! strict: no malleable signatures, no weak keys); an unsigned module is
//! accepted only when the policy allows unsigned modules. A signature by an
//! unknown key is refused even then: it cannot be checked, so it proves
//! nothing, and a module that claims one is not what the policy expects.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use ed25519_dalek::{Signature, VerifyingKey};

use super::frame::NativeFile;

/// What a key is called in messages: the first 8 bytes of its public key,
/// in hex (16 digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyFingerprint(pub [u8; 8]);

impl KeyFingerprint {
    /// The fingerprint of `public_key`.
    pub fn of(public_key: &[u8; 32]) -> KeyFingerprint {
        let mut out = [0; 8];
        out.copy_from_slice(public_key.get(..8).unwrap_or(&[0; 8]));
        KeyFingerprint(out)
    }
}

impl fmt::Display for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Why the trust policy refused a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrustError {
    /// The module is unsigned and the policy requires a signature.
    Unsigned,
    /// The module is signed by a key the policy does not trust.
    UntrustedKey(KeyFingerprint),
    /// The module is signed by a trusted key, but the signature does not
    /// verify: the image was altered after signing, or the signature is
    /// not that key's.
    BadSignature(KeyFingerprint),
    /// A trusted key is not a valid Ed25519 public key (the policy is
    /// misconfigured).
    InvalidKey(KeyFingerprint),
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustError::Unsigned => f.write_str(
                "unsigned module refused: the trust policy requires a signature by a trusted key",
            ),
            TrustError::UntrustedKey(key) => {
                write!(
                    f,
                    "signed by key {key}, which the trust policy does not trust"
                )
            }
            TrustError::BadSignature(key) => write!(
                f,
                "the signature by trusted key {key} does not verify: the module was altered or not signed by that key"
            ),
            TrustError::InvalidKey(key) => {
                write!(f, "trusted key {key} is not a valid Ed25519 public key")
            }
        }
    }
}

impl core::error::Error for TrustError {}

/// The keys a loader trusts, by name, and whether it takes unsigned
/// modules. The default trusts nothing and refuses unsigned modules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustPolicy {
    /// Trusted Ed25519 public keys, each with a name for people.
    pub trusted_keys: Vec<(String, [u8; 32])>,
    /// Whether an unsigned module is accepted.
    pub allow_unsigned: bool,
}

impl TrustPolicy {
    /// A policy that trusts no key and refuses unsigned modules.
    pub fn new() -> TrustPolicy {
        TrustPolicy::default()
    }

    /// A policy that trusts no key and accepts unsigned modules (signed
    /// ones are still refused: their keys are unknown).
    pub fn allowing_unsigned() -> TrustPolicy {
        TrustPolicy {
            allow_unsigned: true,
            ..TrustPolicy::default()
        }
    }

    /// The same policy, also trusting `public_key` under `name`.
    pub fn trust(mut self, name: &str, public_key: [u8; 32]) -> TrustPolicy {
        self.trusted_keys.push((String::from(name), public_key));
        self
    }

    /// The name of `public_key`, if trusted.
    pub fn key_name(&self, public_key: &[u8; 32]) -> Option<&str> {
        self.trusted_keys
            .iter()
            .find(|(_, key)| key == public_key)
            .map(|(name, _)| name.as_str())
    }

    /// Whether `file` may be loaded: `Ok(Some(name))` when signed by the
    /// trusted key `name` with a signature that verifies, `Ok(None)` when
    /// unsigned and unsigned modules are allowed.
    pub fn check(&self, file: &NativeFile<'_>) -> Result<Option<&str>, TrustError> {
        let Some(block) = file.signature() else {
            return if self.allow_unsigned {
                Ok(None)
            } else {
                Err(TrustError::Unsigned)
            };
        };
        let fingerprint = KeyFingerprint::of(&block.public_key);
        let name = self
            .key_name(&block.public_key)
            .ok_or(TrustError::UntrustedKey(fingerprint))?;
        let key = VerifyingKey::from_bytes(&block.public_key)
            .map_err(|_| TrustError::InvalidKey(fingerprint))?;
        let signature = Signature::from_bytes(&block.signature);
        key.verify_strict(file.image(), &signature)
            .map_err(|_| TrustError::BadSignature(fingerprint))?;
        Ok(Some(name))
    }
}

/// Whether `file`'s signature, if any, verifies under the public key in
/// its own signature block (a self-consistency check for tools: it says
/// nothing about whether that key is trusted). `None` when unsigned.
pub fn signature_verifies(file: &NativeFile<'_>) -> Option<bool> {
    let block = file.signature()?;
    let Ok(key) = VerifyingKey::from_bytes(&block.public_key) else {
        return Some(false);
    };
    Some(
        key.verify_strict(file.image(), &Signature::from_bytes(&block.signature))
            .is_ok(),
    )
}
