//! [`ModuleRegistry`]: every registered module by [`ModuleId`], by name and
//! by capability flag, with the two indexes kept in step with the modules.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use helix_protocol::{Module, ModuleFlags};

#[cfg(test)]
mod tests;

/// The module manager's name for a registered module. Allocated by the
/// registry in increasing order from 1 and never reused, so a stale id can
/// never reach a module registered later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleId(pub u64);

impl fmt::Display for ModuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Why the registry refused an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// Another module already carries this name.
    DuplicateName {
        /// The name asked for.
        name: String,
        /// The module that has it.
        existing: ModuleId,
    },
    /// ESSENTIAL modules cannot be unregistered.
    Essential {
        /// The module.
        id: ModuleId,
        /// Its name.
        name: String,
    },
    /// No module is registered under this id.
    NotFound(ModuleId),
    /// A replacement must keep the module's name.
    NameChanged {
        /// The module being replaced.
        id: ModuleId,
        /// Its registered name.
        registered: String,
        /// The replacement's name.
        offered: String,
    },
    /// A module's name is empty.
    EmptyName,
    /// Every id has been handed out (after 2^64 - 1 registrations).
    IdsExhausted,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::DuplicateName { name, existing } => {
                write!(
                    f,
                    "a module named {name} is already registered as {existing}"
                )
            }
            RegistryError::Essential { id, name } => {
                write!(f, "{name} ({id}) is essential and cannot be unregistered")
            }
            RegistryError::NotFound(id) => write!(f, "no module {id}"),
            RegistryError::NameChanged {
                id,
                registered,
                offered,
            } => write!(
                f,
                "{id} is {registered}; a replacement named {offered} cannot take its place"
            ),
            RegistryError::EmptyName => f.write_str("a module needs a name"),
            RegistryError::IdsExhausted => f.write_str("no module ids left"),
        }
    }
}

impl core::error::Error for RegistryError {}

/// Results of registry operations.
pub type Result<T, E = RegistryError> = core::result::Result<T, E>;

/// Registered modules with lookups by id, name and capability.
///
/// Invariants (checked after every step of the property test): `by_name`
/// holds exactly one entry per module, under its metadata name;
/// `by_capability` holds, for every single flag bit some module has, the
/// ids of the modules that have it in increasing order, and no empty list.
/// A module's metadata is read when it is registered or replaced and is
/// assumed fixed in between.
#[derive(Default)]
pub struct ModuleRegistry {
    // Primary: ModuleId -> Module
    modules: BTreeMap<ModuleId, Box<dyn Module>>,
    // Index: name -> ModuleId
    by_name: BTreeMap<String, ModuleId>,
    // Index: capability -> Vec<ModuleId>
    by_capability: BTreeMap<ModuleFlags, Vec<ModuleId>>,
    last_id: u64,
}

impl ModuleRegistry {
    /// An empty registry; the first id it hands out is `#1`.
    pub fn new() -> ModuleRegistry {
        ModuleRegistry::default()
    }

    /// Register `module` under a fresh id. Its name must be non-empty and
    /// not taken.
    pub fn register(&mut self, module: Box<dyn Module>) -> Result<ModuleId> {
        let meta = module.metadata();
        if meta.name.is_empty() {
            return Err(RegistryError::EmptyName);
        }
        if let Some(&existing) = self.by_name.get(meta.name) {
            return Err(RegistryError::DuplicateName {
                name: meta.name.to_string(),
                existing,
            });
        }
        let next = self
            .last_id
            .checked_add(1)
            .ok_or(RegistryError::IdsExhausted)?;
        self.last_id = next;
        let id = ModuleId(next);
        self.by_name.insert(meta.name.to_string(), id);
        self.index_flags(id, meta.flags);
        self.modules.insert(id, module);
        Ok(id)
    }

    /// Remove a module and give it back (to be stopped and cleaned up by
    /// the caller). ESSENTIAL modules are refused.
    pub fn unregister(&mut self, id: ModuleId) -> Result<Box<dyn Module>> {
        let meta = self
            .modules
            .get(&id)
            .ok_or(RegistryError::NotFound(id))?
            .metadata();
        if meta.flags.contains(ModuleFlags::ESSENTIAL) {
            return Err(RegistryError::Essential {
                id,
                name: meta.name.to_string(),
            });
        }
        let module = self
            .modules
            .remove(&id)
            .ok_or(RegistryError::NotFound(id))?;
        let meta = module.metadata();
        self.by_name.remove(meta.name);
        self.unindex_flags(id, meta.flags);
        Ok(module)
    }

    /// Swap the module object under `id` (a hot reload keeps the id) and
    /// give back the old one. The name must stay; the flags may change and
    /// the capability index follows. Allowed for ESSENTIAL modules.
    pub fn replace(&mut self, id: ModuleId, module: Box<dyn Module>) -> Result<Box<dyn Module>> {
        let slot = self
            .modules
            .get_mut(&id)
            .ok_or(RegistryError::NotFound(id))?;
        let (old_name, old_flags) = (slot.metadata().name, slot.metadata().flags);
        let new_meta = module.metadata();
        if new_meta.name != old_name {
            return Err(RegistryError::NameChanged {
                id,
                registered: old_name.to_string(),
                offered: new_meta.name.to_string(),
            });
        }
        let new_flags = new_meta.flags;
        let old = core::mem::replace(slot, module);
        if new_flags != old_flags {
            self.unindex_flags(id, old_flags);
            self.index_flags(id, new_flags);
        }
        Ok(old)
    }

    /// The module registered as `id`.
    pub fn get(&self, id: ModuleId) -> Option<&dyn Module> {
        self.modules.get(&id).map(|m| &**m)
    }

    /// The module registered as `id`, mutably (to call its lifecycle
    /// methods; its metadata must not change while registered).
    pub fn get_mut(&mut self, id: ModuleId) -> Option<&mut (dyn Module + 'static)> {
        self.modules.get_mut(&id).map(|m| &mut **m)
    }

    /// The id of the module named `name`.
    pub fn find_by_name(&self, name: &str) -> Option<ModuleId> {
        self.by_name.get(name).copied()
    }

    /// The modules that have every bit of `flag`, in id order. One bit is
    /// one index lookup; several bits intersect; the empty set matches
    /// every module.
    pub fn find_by_capability(&self, flag: ModuleFlags) -> Vec<ModuleId> {
        let mut lists = flag
            .iter()
            .map(|bit| self.by_capability.get(&bit).map_or(&[][..], Vec::as_slice));
        let Some(first) = lists.next() else {
            return self.all();
        };
        let shortest = lists.fold(first, |a, b| if b.len() < a.len() { b } else { a });
        shortest
            .iter()
            .copied()
            .filter(|id| {
                self.modules
                    .get(id)
                    .is_some_and(|m| m.metadata().flags.contains(flag))
            })
            .collect()
    }

    /// Every registered id, in increasing order.
    pub fn all(&self) -> Vec<ModuleId> {
        self.modules.keys().copied().collect()
    }

    /// How many modules are registered.
    pub fn count(&self) -> usize {
        self.modules.len()
    }

    /// Registered modules with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (ModuleId, &dyn Module)> {
        self.modules.iter().map(|(&id, m)| (id, &**m))
    }

    fn index_flags(&mut self, id: ModuleId, flags: ModuleFlags) {
        for bit in flags.iter() {
            let ids = self.by_capability.entry(bit).or_default();
            if let Err(at) = ids.binary_search(&id) {
                ids.insert(at, id);
            }
        }
    }

    fn unindex_flags(&mut self, id: ModuleId, flags: ModuleFlags) {
        for bit in flags.iter() {
            if let Some(ids) = self.by_capability.get_mut(&bit) {
                ids.retain(|&other| other != id);
                if ids.is_empty() {
                    self.by_capability.remove(&bit);
                }
            }
        }
    }
}
