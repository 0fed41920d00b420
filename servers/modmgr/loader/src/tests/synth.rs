//! The ELF fixture writer lives in `crate::fixtures::elf` (shared with the
//! host tool's tests and the fuzz seeds); the tests keep its old path.

pub use crate::fixtures::elf::*;
