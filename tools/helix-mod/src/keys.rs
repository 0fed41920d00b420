//! Ed25519 key files. The private key is a PKCS#8 v1 PEM file
//! (`-----BEGIN PRIVATE KEY-----`, RFC 8410), the public key a
//! SubjectPublicKeyInfo PEM file (`-----BEGIN PUBLIC KEY-----`): the forms
//! OpenSSL reads and writes (`openssl pkey -in KEY -pubout`). A public
//! key's name in trust lists and messages is its file name without the
//! `.pub` or `.pem` extension.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::error::ToolError;

/// Why a key file could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// Not a PKCS#8 PEM Ed25519 private key.
    BadPrivateKey(String),
    /// Not a SubjectPublicKeyInfo PEM Ed25519 public key.
    BadPublicKey(String),
    /// The system's random source failed.
    NoRandomness(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::BadPrivateKey(e) => {
                write!(f, "not an Ed25519 private key (PKCS#8 PEM): {e}")
            }
            KeyError::BadPublicKey(e) => {
                write!(
                    f,
                    "not an Ed25519 public key (SubjectPublicKeyInfo PEM): {e}"
                )
            }
            KeyError::NoRandomness(e) => write!(f, "no random seed for the key: {e}"),
        }
    }
}

impl std::error::Error for KeyError {}

fn key_error(path: &Path, error: KeyError) -> ToolError {
    ToolError::Key {
        path: path.to_path_buf(),
        error,
    }
}

/// The public key file that goes with private key `path`: `path.pub`.
pub fn public_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".pub");
    PathBuf::from(name)
}

/// A new key pair written to `path` (private, mode 0600 on Unix) and
/// `path.pub` (public); `force` replaces existing files. Gives back the
/// public key.
pub fn keygen(path: &Path, force: bool) -> Result<[u8; 32], ToolError> {
    let public = public_path(path);
    for p in [path, public.as_path()] {
        if !force && p.exists() {
            return Err(ToolError::Exists(p.to_path_buf()));
        }
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| key_error(path, KeyError::NoRandomness(e.to_string())))?;
    let key = SigningKey::from_bytes(&seed);
    // PKCS#8 v1 (no public key inside), which OpenSSL 3.0 reads too.
    let v1 = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    };
    let private_pem = v1
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| key_error(path, KeyError::BadPrivateKey(e.to_string())))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| key_error(&public, KeyError::BadPublicKey(e.to_string())))?;
    write_private(path, private_pem.as_bytes())?;
    fs::write(&public, public_pem).map_err(|source| ToolError::Write {
        path: public.clone(),
        source,
    })?;
    Ok(key.verifying_key().to_bytes())
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let write = |source| ToolError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(write)?;
    file.write_all(bytes).map_err(write)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    fs::write(path, bytes).map_err(|source| ToolError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn read_text(path: &Path) -> Result<String, ToolError> {
    fs::read_to_string(path).map_err(|source| ToolError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The private key in `path`.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, ToolError> {
    SigningKey::from_pkcs8_pem(&read_text(path)?)
        .map_err(|e| key_error(path, KeyError::BadPrivateKey(e.to_string())))
}

/// The public key in `path`, and its name (the file name without `.pub`
/// or `.pem`).
pub fn read_public_key(path: &Path) -> Result<(String, [u8; 32]), ToolError> {
    let key = VerifyingKey::from_public_key_pem(&read_text(path)?)
        .map_err(|e| key_error(path, KeyError::BadPublicKey(e.to_string())))?;
    Ok((key_name(path), key.to_bytes()))
}

/// `release` for `keys/release.pub`.
pub fn key_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    ["pub", "pem"]
        .iter()
        .find_map(|ext| name.strip_suffix(&format!(".{ext}")).map(str::to_string))
        .unwrap_or(name)
}
