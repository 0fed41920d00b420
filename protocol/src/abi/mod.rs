//! ABI versioning: [`AbiVersion`] and its compatibility rule, the
//! [`SymbolTable`] a module exports, and the [`AbiChecker`] that compares an
//! old table with a new one before a hot reload.

mod checker;
mod signature;
mod symbol;
mod version;

pub use checker::{AbiChecker, AbiViolation};
pub use signature::{Signature, SignatureError};
pub use symbol::{SymbolEntry, SymbolKind, SymbolTable};
pub use version::AbiVersion;
