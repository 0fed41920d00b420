//! [`AbiVersion`] and the spec's compatibility table.
#![forbid(unsafe_code)]

use core::fmt;
use serde::{Deserialize, Serialize};

/// The version of a module's binary interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AbiVersion {
    /// Incompatible changes.
    pub major: u16,
    /// Backward-compatible additions.
    pub minor: u16,
    /// Bug fixes only.
    pub patch: u16,
}

impl AbiVersion {
    /// The ABI this crate implements; the default of every module built with it.
    pub const CURRENT: AbiVersion = AbiVersion::new(1, 0, 0);

    /// `major.minor.patch`.
    pub const fn new(major: u16, minor: u16, patch: u16) -> AbiVersion {
        AbiVersion {
            major,
            minor,
            patch,
        }
    }

    /// May a module built for `self` (the old version) be replaced by one
    /// built for `new`? The spec's table:
    ///
    /// | old | new | compatible | why |
    /// | --- | --- | --- | --- |
    /// | 1.0.0 | 1.0.1 | yes | patch bump |
    /// | 1.0.0 | 1.1.0 | yes | minor bump (additive) |
    /// | 1.0.0 | 2.0.0 | no | major bump (breaking) |
    /// | 1.2.0 | 1.1.0 | no | minor downgrade |
    ///
    /// Patch numbers never change the interface, so a patch downgrade within
    /// the same minor is compatible too.
    pub const fn is_compatible_with(&self, new: &AbiVersion) -> bool {
        self.major == new.major && new.minor >= self.minor
    }
}

impl fmt::Display for AbiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_table() {
        let v = AbiVersion::new;
        let table = [
            (v(1, 0, 0), v(1, 0, 1), true),
            (v(1, 0, 0), v(1, 1, 0), true),
            (v(1, 0, 0), v(2, 0, 0), false),
            (v(1, 2, 0), v(1, 1, 0), false),
            (v(1, 0, 0), v(1, 0, 0), true),
            (v(2, 0, 0), v(1, 9, 9), false),
            (v(1, 1, 5), v(1, 1, 2), true),
        ];
        for (old, new, ok) in table {
            assert_eq!(old.is_compatible_with(&new), ok, "{old} -> {new}");
        }
    }
}
