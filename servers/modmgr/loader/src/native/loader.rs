//! [`HelixNativeLoader`]: checks a HelixNative module — framing, checksum,
//! signature against its [`TrustPolicy`], then content — and describes it
//! as the same [`LoadedModule`] the ELF loader gives.
#![forbid(unsafe_code)]

use super::frame::{NativeFile, looks_like_ours};
use super::trust::TrustPolicy;
use crate::error::{LoadError, Result};
use crate::format::ModuleFormat;
use crate::loader::ModuleLoader;
use crate::module::LoadedModule;

/// The HelixNative loader. Checks, in order: the framing
/// ([`NativeFile::parse`]: header, checksum, signature block), the trust
/// policy ([`TrustPolicy::check`]: nothing of the content is read before
/// the signature is accepted), then the content ([`NativeFile::module`]:
/// record, segment table, the segment rules the ELF loader applies, entry
/// point). The first failure is returned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelixNativeLoader {
    policy: TrustPolicy,
}

impl HelixNativeLoader {
    /// A loader that accepts what `policy` trusts.
    pub fn new(policy: TrustPolicy) -> HelixNativeLoader {
        HelixNativeLoader { policy }
    }

    /// Its trust policy.
    pub fn policy(&self) -> &TrustPolicy {
        &self.policy
    }

    /// Check `data` and describe it (what [`ModuleLoader::load`] does).
    pub fn parse(&self, data: &[u8]) -> Result<LoadedModule> {
        let file = NativeFile::parse(data)?;
        self.policy.check(&file)?;
        file.module()
    }
}

impl ModuleLoader for HelixNativeLoader {
    fn format(&self) -> ModuleFormat {
        ModuleFormat::HelixNative
    }

    /// `HXNM` magic and format version 1.
    fn can_load(&self, data: &[u8]) -> bool {
        looks_like_ours(data)
    }

    fn load(&self, data: &[u8]) -> Result<LoadedModule, LoadError> {
        self.parse(data)
    }

    /// Nothing to release; refuses a module of another format.
    fn unload(&self, module: &LoadedModule) -> Result<()> {
        if module.format == ModuleFormat::HelixNative {
            Ok(())
        } else {
            Err(LoadError::WrongFormat {
                loader: ModuleFormat::HelixNative,
                module: module.format,
            })
        }
    }
}
