//! The ELF64 loader: x86_64, little-endian, ET_EXEC modules, parsed with
//! goblin and checked before anything is described.

mod file;
mod header;
mod loader;
mod metadata;
mod segments;
mod tables;

pub use loader::ElfLoader;
