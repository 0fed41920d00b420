//! `pack`, `keygen`, `sign`, `verify`: making and checking HelixNative
//! files.

use std::fs;
use std::path::Path;

use helix_module_loader::native::{NativeFile, encode_module, sign as sign_image};
use helix_module_loader::{
    ElfLoader, HelixNativeLoader, KeyFingerprint, LoadError, ModuleFormat, TrustPolicy,
};
use serde_json::json;

use crate::error::ToolError;
use crate::keys::{keygen as make_keys, public_path, read_public_key, read_signing_key};
use crate::outcome::Outcome;
use crate::read::read_file;

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    fs::write(path, bytes).map_err(|source| ToolError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn format_name(data: &[u8]) -> &'static str {
    match ModuleFormat::detect(data) {
        Some(ModuleFormat::Elf) => "ELF",
        Some(ModuleFormat::HelixNative) => "HelixNative",
        Some(ModuleFormat::Wasm) => "WebAssembly",
        None => "unknown",
    }
}

/// `data`, the contents of `path`, as a checked HelixNative file (its
/// content included; the signature is not judged).
fn checked_native<'a>(path: &Path, data: &'a [u8]) -> Result<NativeFile<'a>, ToolError> {
    if ModuleFormat::detect(data) != Some(ModuleFormat::HelixNative) {
        return Err(ToolError::NotHelixNative {
            path: path.to_path_buf(),
            format: format_name(data),
        });
    }
    let file = NativeFile::parse(data).map_err(|error| ToolError::Native {
        path: path.to_path_buf(),
        error,
    })?;
    file.module().map_err(|error| ToolError::Load {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(file)
}

/// `pack ELF -o OUT [--sign KEY]`.
pub fn pack(elf: &Path, out: &Path, key: Option<&Path>) -> Result<Outcome, ToolError> {
    let data = read_file(elf)?;
    if ModuleFormat::detect(&data) != Some(ModuleFormat::Elf) {
        return Err(ToolError::NotElf {
            path: elf.to_path_buf(),
            format: format_name(&data),
        });
    }
    let load = |error| ToolError::Load {
        path: elf.to_path_buf(),
        error,
    };
    let module = ElfLoader::parse(&data).map_err(load)?;
    let record = ElfLoader::record_bytes(&data).map_err(load)?;
    let mut packed = encode_module(&module, &data, record).map_err(|error| ToolError::Encode {
        path: elf.to_path_buf(),
        error,
    })?;
    let mut signer = None;
    if let Some(key_path) = key {
        let key = read_signing_key(key_path)?;
        packed = sign_image(&packed, &key).map_err(|error| ToolError::Native {
            path: out.to_path_buf(),
            error,
        })?;
        signer = Some(KeyFingerprint::of(&key.verifying_key().to_bytes()));
    }
    // The packer's output must load as the same module.
    let repacked = checked_native(out, &packed)?.module().map_err(load)?;
    debug_assert_eq!(
        (repacked.entry, &repacked.record),
        (module.entry, &module.record)
    );
    write_file(out, &packed)?;
    let signed = signer.map_or_else(
        || String::from("unsigned"),
        |f| format!("signed by key {f}"),
    );
    Ok(Outcome::done(
        format!(
            "packed {} ({} {}) -> {}: {} bytes, {} segments, {signed}\n",
            elf.display(),
            module.record.name,
            module.record.version,
            out.display(),
            packed.len(),
            module.segments.len()
        ),
        json!({
            "input": elf.display().to_string(),
            "output": out.display().to_string(),
            "name": module.record.name,
            "bytes": packed.len(),
            "segments": module.segments.len(),
            "signed_by": signer.map(|f| f.to_string()),
        }),
    ))
}

/// `keygen -o KEY`.
pub fn keygen(out: &Path, force: bool) -> Result<Outcome, ToolError> {
    let public = make_keys(out, force)?;
    let fingerprint = KeyFingerprint::of(&public);
    let public_file = public_path(out);
    Ok(Outcome::done(
        format!(
            "wrote {} (private key, keep it secret) and {} (public key {fingerprint})\n",
            out.display(),
            public_file.display()
        ),
        json!({
            "private": out.display().to_string(),
            "public": public_file.display().to_string(),
            "key": fingerprint.to_string(),
        }),
    ))
}

/// `sign FILE --key KEY [-o OUT]`.
pub fn sign(file: &Path, key_path: &Path, out: Option<&Path>) -> Result<Outcome, ToolError> {
    let data = read_file(file)?;
    checked_native(file, &data)?;
    let key = read_signing_key(key_path)?;
    let signed = sign_image(&data, &key).map_err(|error| ToolError::Native {
        path: file.to_path_buf(),
        error,
    })?;
    let target = out.unwrap_or(file);
    write_file(target, &signed)?;
    let fingerprint = KeyFingerprint::of(&key.verifying_key().to_bytes());
    Ok(Outcome::done(
        format!("signed {} with key {fingerprint}\n", target.display()),
        json!({ "file": target.display().to_string(), "key": fingerprint.to_string() }),
    ))
}

/// `verify FILE --trust PUBKEY... [--allow-unsigned]`.
pub fn verify(
    file: &Path,
    trust: &[impl AsRef<Path>],
    allow_unsigned: bool,
) -> Result<Outcome, ToolError> {
    let mut policy = TrustPolicy {
        allow_unsigned,
        ..TrustPolicy::new()
    };
    for key in trust {
        let (name, key) = read_public_key(key.as_ref())?;
        policy = policy.trust(&name, key);
    }
    let data = read_file(file)?;
    let native = checked_native(file, &data)?;
    let signer = native
        .signature()
        .map(|b| KeyFingerprint::of(&b.public_key));
    let verdict = HelixNativeLoader::new(policy.clone()).parse(&data);
    let (ok, line) = match verdict {
        Ok(_) => match native
            .signature()
            .and_then(|b| policy.key_name(&b.public_key))
        {
            Some(name) => (
                true,
                format!(
                    "OK: signed by trusted key {name} ({})",
                    signer.map(|f| f.to_string()).unwrap_or_default()
                ),
            ),
            None => (
                true,
                String::from("OK: unsigned, and unsigned modules are allowed"),
            ),
        },
        Err(LoadError::Trust(e)) => (false, format!("REFUSED: {e}")),
        Err(error) => {
            return Err(ToolError::Load {
                path: file.to_path_buf(),
                error,
            });
        }
    };
    Ok(Outcome::verdict(
        ok,
        format!("{}: {line}\n", file.display()),
        json!({
            "file": file.display().to_string(),
            "trusted": ok,
            "key": signer.map(|f| f.to_string()),
            "message": line,
        }),
    ))
}
