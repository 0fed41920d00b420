//! [`LoaderRegistry`]: the registered loaders, and the choice of one by the
//! input's magic bytes.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::elf::ElfLoader;
use crate::error::{LoadError, Result};
use crate::format::ModuleFormat;
use crate::loader::ModuleLoader;
use crate::module::LoadedModule;
use crate::native::{HelixNativeLoader, TrustPolicy};

/// The loaders the module manager knows, in registration order.
#[derive(Default)]
pub struct LoaderRegistry {
    loaders: Vec<Box<dyn ModuleLoader>>,
}

impl LoaderRegistry {
    /// A registry with no loader.
    pub fn new() -> LoaderRegistry {
        LoaderRegistry {
            loaders: Vec::new(),
        }
    }

    /// A registry with every loader this crate has: ELF64, and HelixNative
    /// with the default [`TrustPolicy`] (no trusted key, unsigned modules
    /// refused: every HelixNative module is refused until keys are given
    /// with [`with_trust_policy`](Self::with_trust_policy)).
    pub fn with_builtin_loaders() -> LoaderRegistry {
        LoaderRegistry::with_trust_policy(TrustPolicy::default())
    }

    /// A registry with every loader this crate has, the HelixNative loader
    /// accepting what `policy` trusts.
    pub fn with_trust_policy(policy: TrustPolicy) -> LoaderRegistry {
        let mut registry = LoaderRegistry::new();
        registry.register(Box::new(ElfLoader::new()));
        registry.register(Box::new(HelixNativeLoader::new(policy)));
        registry
    }

    /// Add `loader`. Loaders registered earlier are asked first.
    pub fn register(&mut self, loader: Box<dyn ModuleLoader>) {
        self.loaders.push(loader);
    }

    /// Number of registered loaders.
    pub fn len(&self) -> usize {
        self.loaders.len()
    }

    /// True when no loader is registered.
    pub fn is_empty(&self) -> bool {
        self.loaders.is_empty()
    }

    /// The loader that [`load`](Self::load) would hand `data` to.
    ///
    /// The format is detected from the magic bytes; of the loaders for that
    /// format, the first whose [`can_load`](ModuleLoader::can_load) accepts
    /// `data` is chosen. When none accepts it, the first loader for the
    /// format is chosen anyway, so that its `load` says precisely what is
    /// wrong (for an ELF: "not ELF64", "machine 40 is not x86_64", ...).
    pub fn loader_for(&self, data: &[u8]) -> Result<&dyn ModuleLoader> {
        let format = ModuleFormat::detect(data).ok_or(LoadError::UnknownFormat)?;
        let mut candidates = self.loaders_of(format);
        let first = candidates.next().ok_or(LoadError::NoLoader(format))?;
        if first.can_load(data) {
            return Ok(first);
        }
        Ok(candidates.find(|l| l.can_load(data)).unwrap_or(first))
    }

    /// Detect the format of `data` and load it with the loader
    /// [`loader_for`](Self::loader_for) picks.
    pub fn load(&self, data: &[u8]) -> Result<LoadedModule> {
        self.loader_for(data)?.load(data)
    }

    /// Unload `module` with the first loader of its format.
    pub fn unload(&self, module: &LoadedModule) -> Result<()> {
        self.loaders_of(module.format)
            .next()
            .ok_or(LoadError::NoLoader(module.format))?
            .unload(module)
    }

    fn loaders_of(&self, format: ModuleFormat) -> impl Iterator<Item = &dyn ModuleLoader> {
        self.loaders
            .iter()
            .map(|l| &**l)
            .filter(move |l| l.format() == format)
    }
}
