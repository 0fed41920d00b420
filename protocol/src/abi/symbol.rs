//! [`SymbolTable`]: what a module exports.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::{Signature, SignatureError};

/// What kind of thing a symbol is. The discriminant is stored in the
/// metadata section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum SymbolKind {
    /// A callable (for a server: a request of its interface).
    Function = 0,
    /// A value.
    Variable = 1,
    /// A type whose layout is part of the ABI.
    Type = 2,
}

impl SymbolKind {
    /// Decode the stored byte.
    pub const fn from_code(code: u8) -> Option<SymbolKind> {
        match code {
            0 => Some(SymbolKind::Function),
            1 => Some(SymbolKind::Variable),
            2 => Some(SymbolKind::Type),
            _ => None,
        }
    }
}

/// One exported symbol.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SymbolEntry {
    /// Unique name within the table.
    pub name: String,
    /// Function, variable or type.
    pub kind: SymbolKind,
    /// Its type.
    pub signature: Signature,
    /// Deprecated symbols may disappear in the next version.
    pub deprecated: bool,
}

impl SymbolEntry {
    /// A symbol whose type is given as text (see [`Signature::parse`]).
    pub fn new(
        name: &str,
        kind: SymbolKind,
        signature: &str,
    ) -> Result<SymbolEntry, SignatureError> {
        Ok(SymbolEntry {
            name: String::from(name),
            kind,
            signature: Signature::parse(signature)?,
            deprecated: false,
        })
    }

    /// A function symbol: `SymbolEntry::function("read", "fn(u32, u32) -> Vec<u8>")`.
    pub fn function(name: &str, signature: &str) -> Result<SymbolEntry, SignatureError> {
        SymbolEntry::new(name, SymbolKind::Function, signature)
    }

    /// The same symbol, marked deprecated.
    pub fn deprecated(mut self) -> SymbolEntry {
        self.deprecated = true;
        self
    }
}

/// The symbols a module exports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolTable {
    /// The entries, in declaration order.
    pub symbols: Vec<SymbolEntry>,
}

impl SymbolTable {
    /// An empty table.
    pub const fn new() -> SymbolTable {
        SymbolTable {
            symbols: Vec::new(),
        }
    }

    /// Add an entry.
    pub fn push(&mut self, entry: SymbolEntry) {
        self.symbols.push(entry);
    }

    /// The entry called `name`, if any.
    pub fn get(&self, name: &str) -> Option<&SymbolEntry> {
        self.symbols.iter().find(|s| s.name == name)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// True when the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }
}

impl FromIterator<SymbolEntry> for SymbolTable {
    fn from_iter<I: IntoIterator<Item = SymbolEntry>>(iter: I) -> Self {
        SymbolTable {
            symbols: iter.into_iter().collect(),
        }
    }
}
