//! [`CycleError`]: a dependency cycle, as the path that closes it.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::registry::ModuleId;

/// Modules that depend on each other in a circle, so none can start first.
///
/// The path follows dependency edges: each module depends on the next and
/// the last depends on the first. It starts at the smallest id in the
/// cycle, so the same cycle is always reported the same way. A
/// self-dependency is a path of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleError {
    path: Vec<ModuleId>,
    names: Vec<Option<String>>,
}

impl CycleError {
    /// A cycle through `path` (ids with their names where known); rotated
    /// to start at the smallest id.
    pub(crate) fn new(mut entries: Vec<(ModuleId, Option<String>)>) -> CycleError {
        if let Some(start) = entries
            .iter()
            .enumerate()
            .min_by_key(|(_, (id, _))| *id)
            .map(|(at, _)| at)
        {
            entries.rotate_left(start);
        }
        let (path, names) = entries.into_iter().unzip();
        CycleError { path, names }
    }

    /// The modules of the cycle, in dependency order, smallest id first.
    pub fn path(&self) -> &[ModuleId] {
        &self.path
    }

    /// The name of the `i`th module of the path, if the graph knew it.
    pub fn name(&self, i: usize) -> Option<&str> {
        self.names.get(i).and_then(|n| n.as_deref())
    }

    /// Whether `id` is on the cycle.
    pub fn contains(&self, id: ModuleId) -> bool {
        self.path.contains(&id)
    }

    fn write_entry(&self, f: &mut fmt::Formatter<'_>, i: usize) -> fmt::Result {
        match (self.name(i), self.path.get(i)) {
            (Some(name), _) => f.write_str(name),
            (None, Some(id)) => write!(f, "{id}"),
            (None, None) => f.write_str("?"),
        }
    }
}

/// `a -> b -> c -> a` (ids as `#3` where no name is known).
impl fmt::Display for CycleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in 0..self.path.len() {
            self.write_entry(f, i)?;
            f.write_str(" -> ")?;
        }
        self.write_entry(f, 0)
    }
}

impl core::error::Error for CycleError {}
