//! [`AbiChecker`]: may the new symbol table replace the old one?
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{AbiVersion, SymbolKind, SymbolTable};

/// One reason a new module cannot replace the old one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AbiViolation {
    /// The version numbers forbid the upgrade (major change or minor down).
    VersionIncompatible {
        /// Version of the running module.
        old: AbiVersion,
        /// Version of the replacement.
        new: AbiVersion,
    },
    /// A non-deprecated symbol is missing from the new table.
    Removed {
        /// Symbol name.
        name: String,
    },
    /// The symbol changed between function, variable and type.
    KindChanged {
        /// Symbol name.
        name: String,
        /// Old kind.
        old: SymbolKind,
        /// New kind.
        new: SymbolKind,
    },
    /// A function takes a different number of arguments.
    ArgCountChanged {
        /// Symbol name.
        name: String,
        /// Old count.
        old: usize,
        /// New count.
        new: usize,
    },
    /// A function argument changed type.
    ArgTypeChanged {
        /// Symbol name.
        name: String,
        /// Zero-based argument index.
        index: usize,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// A function's return type, or a variable's or type's definition, changed.
    TypeChanged {
        /// Symbol name.
        name: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// A name appears twice in the new table.
    Duplicate {
        /// Symbol name.
        name: String,
    },
    /// Symbols were added without a minor version bump.
    AddedWithoutMinorBump {
        /// Symbol name.
        name: String,
    },
}

impl fmt::Display for AbiViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AbiViolation::VersionIncompatible { old, new } => {
                write!(f, "ABI {old} cannot be replaced by {new}")
            }
            AbiViolation::Removed { name } => write!(f, "`{name}` was removed"),
            AbiViolation::KindChanged { name, old, new } => {
                write!(f, "`{name}` changed from {old:?} to {new:?}")
            }
            AbiViolation::ArgCountChanged { name, old, new } => {
                write!(f, "`{name}` takes {new} arguments instead of {old}")
            }
            AbiViolation::ArgTypeChanged {
                name,
                index,
                old,
                new,
            } => {
                write!(
                    f,
                    "`{name}` argument {index} changed from `{old}` to `{new}`"
                )
            }
            AbiViolation::TypeChanged { name, old, new } => {
                write!(f, "`{name}` type changed from `{old}` to `{new}`")
            }
            AbiViolation::Duplicate { name } => write!(f, "`{name}` is defined twice"),
            AbiViolation::AddedWithoutMinorBump { name } => {
                write!(f, "`{name}` was added without a minor bump")
            }
        }
    }
}

/// Compares the exports of a running module with those of its replacement.
///
/// Rules (spec): every non-deprecated old symbol must exist in the new
/// table with the same kind and a compatible signature (same argument
/// count and types, same return type); new symbols may be added. Every
/// violation is reported, not just the first.
#[derive(Clone, Copy, Debug, Default)]
pub struct AbiChecker;

impl AbiChecker {
    /// Compare the symbol tables only.
    pub fn check_symbols(old: &SymbolTable, new: &SymbolTable) -> Vec<AbiViolation> {
        let mut out = Vec::new();
        for (i, sym) in new.symbols.iter().enumerate() {
            if new.symbols[..i].iter().any(|s| s.name == sym.name) {
                out.push(AbiViolation::Duplicate {
                    name: sym.name.clone(),
                });
            }
        }
        for old_sym in old.symbols.iter().filter(|s| !s.deprecated) {
            let name = || old_sym.name.clone();
            let Some(new_sym) = new.get(&old_sym.name) else {
                out.push(AbiViolation::Removed { name: name() });
                continue;
            };
            if new_sym.kind != old_sym.kind {
                out.push(AbiViolation::KindChanged {
                    name: name(),
                    old: old_sym.kind,
                    new: new_sym.kind,
                });
                continue;
            }
            let (o, n) = (&old_sym.signature, &new_sym.signature);
            if o.args.len() != n.args.len() {
                out.push(AbiViolation::ArgCountChanged {
                    name: name(),
                    old: o.args.len(),
                    new: n.args.len(),
                });
            } else {
                for (index, (oa, na)) in o.args.iter().zip(&n.args).enumerate() {
                    if oa != na {
                        out.push(AbiViolation::ArgTypeChanged {
                            name: name(),
                            index,
                            old: oa.clone(),
                            new: na.clone(),
                        });
                    }
                }
            }
            if o.ret != n.ret {
                out.push(AbiViolation::TypeChanged {
                    name: name(),
                    old: o.ret.clone(),
                    new: n.ret.clone(),
                });
            }
        }
        out
    }

    /// The whole hot-reload check: version rule, symbol rules, and
    /// additions only with a minor (or major) bump.
    pub fn check(
        old_version: AbiVersion,
        old: &SymbolTable,
        new_version: AbiVersion,
        new: &SymbolTable,
    ) -> Result<(), Vec<AbiViolation>> {
        let mut out = Vec::new();
        if !old_version.is_compatible_with(&new_version) {
            out.push(AbiViolation::VersionIncompatible {
                old: old_version,
                new: new_version,
            });
        }
        out.extend(Self::check_symbols(old, new));
        if new_version.major == old_version.major && new_version.minor == old_version.minor {
            for sym in new.symbols.iter().filter(|s| old.get(&s.name).is_none()) {
                out.push(AbiViolation::AddedWithoutMinorBump {
                    name: sym.name.clone(),
                });
            }
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::SymbolEntry;
    use alloc::vec;

    fn f(name: &str, sig: &str) -> SymbolEntry {
        SymbolEntry::function(name, sig).unwrap()
    }

    fn base() -> SymbolTable {
        [
            f("open", "fn(&str, u32) -> u32"),
            f("read", "fn(u32, u32) -> Vec<u8>"),
            SymbolEntry::new("MAX_FD", SymbolKind::Variable, "u32").unwrap(),
            f("legacy_seek", "fn(u32, u64)").deprecated(),
        ]
        .into_iter()
        .collect()
    }

    fn with(edit: impl FnOnce(&mut SymbolTable)) -> SymbolTable {
        let mut t = base();
        edit(&mut t);
        t
    }

    fn name(s: &str) -> String {
        String::from(s)
    }

    #[test]
    fn symbol_rules_table() {
        let cases: Vec<(&str, SymbolTable, Vec<AbiViolation>)> = vec![
            ("identical", base(), vec![]),
            (
                "added symbol",
                with(|t| t.push(f("stat", "fn(&str) -> Stat"))),
                vec![],
            ),
            (
                "deprecated removed",
                with(|t| t.symbols.retain(|s| s.name != "legacy_seek")),
                vec![],
            ),
            (
                "whitespace only",
                with(|t| t.symbols[1] = f("read", "fn( u32,u32 )->Vec< u8 >")),
                vec![],
            ),
            (
                "removed",
                with(|t| t.symbols.retain(|s| s.name != "read")),
                vec![AbiViolation::Removed { name: name("read") }],
            ),
            (
                "arg count",
                with(|t| t.symbols[1] = f("read", "fn(u32, u32, u64) -> Vec<u8>")),
                vec![AbiViolation::ArgCountChanged {
                    name: name("read"),
                    old: 2,
                    new: 3,
                }],
            ),
            (
                "arg type",
                with(|t| t.symbols[0] = f("open", "fn(&str, u64) -> u32")),
                vec![AbiViolation::ArgTypeChanged {
                    name: name("open"),
                    index: 1,
                    old: name("u32"),
                    new: name("u64"),
                }],
            ),
            (
                "return type",
                with(|t| t.symbols[0] = f("open", "fn(&str, u32) -> i64")),
                vec![AbiViolation::TypeChanged {
                    name: name("open"),
                    old: name("u32"),
                    new: name("i64"),
                }],
            ),
            (
                "kind",
                with(|t| {
                    t.symbols[2] =
                        SymbolEntry::new("MAX_FD", SymbolKind::Function, "fn() -> u32").unwrap()
                }),
                vec![AbiViolation::KindChanged {
                    name: name("MAX_FD"),
                    old: SymbolKind::Variable,
                    new: SymbolKind::Function,
                }],
            ),
            (
                "duplicate",
                with(|t| t.push(f("open", "fn(&str, u32) -> u32"))),
                vec![AbiViolation::Duplicate { name: name("open") }],
            ),
        ];
        for (what, new, want) in cases {
            assert_eq!(AbiChecker::check_symbols(&base(), &new), want, "{what}");
        }
    }

    #[test]
    fn every_violation_is_reported() {
        let new = with(|t| {
            t.symbols.retain(|s| s.name != "read");
            t.symbols[0] = f("open", "fn(&[u8], u64) -> u32");
        });
        let got = AbiChecker::check_symbols(&base(), &new);
        assert_eq!(
            got,
            vec![
                AbiViolation::ArgTypeChanged {
                    name: name("open"),
                    index: 0,
                    old: name("&str"),
                    new: name("&[u8]")
                },
                AbiViolation::ArgTypeChanged {
                    name: name("open"),
                    index: 1,
                    old: name("u32"),
                    new: name("u64")
                },
                AbiViolation::Removed { name: name("read") },
            ]
        );
    }

    #[test]
    fn upgrade_check_combines_versions_and_symbols() {
        let v = AbiVersion::new;
        let added = with(|t| t.push(f("stat", "fn(&str) -> Stat")));
        assert_eq!(
            AbiChecker::check(v(1, 0, 0), &base(), v(1, 0, 1), &base()),
            Ok(())
        );
        assert_eq!(
            AbiChecker::check(v(1, 0, 0), &base(), v(1, 1, 0), &added),
            Ok(())
        );
        assert_eq!(
            AbiChecker::check(v(1, 0, 0), &base(), v(1, 0, 1), &added),
            Err(vec![AbiViolation::AddedWithoutMinorBump {
                name: name("stat")
            }])
        );
        let removed = with(|t| t.symbols.retain(|s| s.name != "open"));
        assert_eq!(
            AbiChecker::check(v(1, 2, 0), &base(), v(1, 1, 0), &removed),
            Err(vec![
                AbiViolation::VersionIncompatible {
                    old: v(1, 2, 0),
                    new: v(1, 1, 0)
                },
                AbiViolation::Removed { name: name("open") },
            ])
        );
    }
}
