//! Compile-time encoder of the metadata record.
#![forbid(unsafe_code)]

use super::{RECORD_HEADER_LEN, RECORD_MAGIC, RECORD_VERSION};
use crate::abi::{AbiVersion, SymbolKind};
use crate::v1::{ModuleDependency, ModuleMetadata};
use alloc::vec::Vec;

/// An exported symbol as written in a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolSpec<'a> {
    /// Symbol name.
    pub name: &'a str,
    /// Function, variable or type.
    pub kind: SymbolKind,
    /// Signature text (see [`Signature::parse`](crate::abi::Signature::parse)).
    pub signature: &'a str,
    /// Deprecated symbols may disappear in the next version.
    pub deprecated: bool,
}

/// Everything a record holds, as borrowed data, so it can be built in a
/// `const` and encoded by a `const fn`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordSpec<'a> {
    /// Module name.
    pub name: &'a str,
    /// Module version text (`"1.2.0"`).
    pub version: &'a str,
    /// Author.
    pub author: &'a str,
    /// One-line description.
    pub description: &'a str,
    /// Raw [`ModuleFlags`](crate::ModuleFlags) bits.
    pub flags: u32,
    /// ABI the module was built against.
    pub abi: AbiVersion,
    /// `(name, version constraint)` of each dependency.
    pub dependencies: &'a [(&'a str, &'a str)],
    /// Interface names the module serves.
    pub provides: &'a [&'a str],
    /// Exported symbols.
    pub symbols: &'a [SymbolSpec<'a>],
}

const fn str_len(s: &str) -> usize {
    assert!(
        s.len() <= u16::MAX as usize,
        "metadata string longer than 65535 bytes"
    );
    2 + s.len()
}

const fn put_u16<const N: usize>(buf: &mut [u8; N], at: usize, v: u16) -> usize {
    let b = v.to_le_bytes();
    buf[at] = b[0];
    buf[at + 1] = b[1];
    at + 2
}

const fn put_u32<const N: usize>(buf: &mut [u8; N], at: usize, v: u32) -> usize {
    let b = v.to_le_bytes();
    let mut i = 0;
    while i < 4 {
        buf[at + i] = b[i];
        i += 1;
    }
    at + 4
}

const fn put_str<const N: usize>(buf: &mut [u8; N], at: usize, s: &str) -> usize {
    let mut at = put_u16(buf, at, s.len() as u16);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        buf[at] = bytes[i];
        at += 1;
        i += 1;
    }
    at
}

const fn count(n: usize) -> u16 {
    assert!(n <= u16::MAX as usize, "more than 65535 metadata entries");
    n as u16
}

impl RecordSpec<'_> {
    /// Length in bytes of the encoded record.
    pub const fn encoded_len(&self) -> usize {
        let mut len = RECORD_HEADER_LEN
            + str_len(self.name)
            + str_len(self.version)
            + str_len(self.author)
            + str_len(self.description)
            + 6; // three u16 counts
        let mut i = 0;
        while i < self.dependencies.len() {
            len += str_len(self.dependencies[i].0) + str_len(self.dependencies[i].1);
            i += 1;
        }
        i = 0;
        while i < self.provides.len() {
            len += str_len(self.provides[i]);
            i += 1;
        }
        i = 0;
        while i < self.symbols.len() {
            len += 2 + str_len(self.symbols[i].name) + str_len(self.symbols[i].signature);
            i += 1;
        }
        len
    }

    /// The encoded record. `N` must be [`encoded_len`](Self::encoded_len)
    /// (a mismatch fails compilation when evaluated in a `const`/`static`).
    pub const fn encode<const N: usize>(&self) -> [u8; N] {
        assert!(
            N == self.encoded_len(),
            "record buffer length differs from encoded_len()"
        );
        assert!(N <= u32::MAX as usize, "record too long");
        let mut buf = [0u8; N];
        buf[0] = RECORD_MAGIC[0];
        buf[1] = RECORD_MAGIC[1];
        buf[2] = RECORD_MAGIC[2];
        buf[3] = RECORD_MAGIC[3];
        let mut at = put_u16(&mut buf, 4, RECORD_VERSION);
        at = put_u16(&mut buf, at, RECORD_HEADER_LEN as u16);
        at = put_u32(&mut buf, at, N as u32);
        at = put_u16(&mut buf, at, self.abi.major);
        at = put_u16(&mut buf, at, self.abi.minor);
        at = put_u16(&mut buf, at, self.abi.patch);
        at = put_u16(&mut buf, at, 0); // reserved
        at = put_u32(&mut buf, at, self.flags);
        at = put_str(&mut buf, at, self.name);
        at = put_str(&mut buf, at, self.version);
        at = put_str(&mut buf, at, self.author);
        at = put_str(&mut buf, at, self.description);
        at = put_u16(&mut buf, at, count(self.dependencies.len()));
        let mut i = 0;
        while i < self.dependencies.len() {
            at = put_str(&mut buf, at, self.dependencies[i].0);
            at = put_str(&mut buf, at, self.dependencies[i].1);
            i += 1;
        }
        at = put_u16(&mut buf, at, count(self.provides.len()));
        i = 0;
        while i < self.provides.len() {
            at = put_str(&mut buf, at, self.provides[i]);
            i += 1;
        }
        at = put_u16(&mut buf, at, count(self.symbols.len()));
        i = 0;
        while i < self.symbols.len() {
            let s = &self.symbols[i];
            buf[at] = s.kind as u8;
            buf[at + 1] = s.deprecated as u8;
            at = put_str(&mut buf, at + 2, s.name);
            at = put_str(&mut buf, at, s.signature);
            i += 1;
        }
        assert!(
            at == N,
            "record encoder wrote a different length than encoded_len()"
        );
        buf
    }
}

impl RecordSpec<'static> {
    /// The v1 [`ModuleMetadata`] this record describes.
    pub fn to_metadata(&self) -> ModuleMetadata {
        ModuleMetadata {
            name: self.name,
            version: self.version,
            author: self.author,
            description: self.description,
            flags: crate::ModuleFlags::from_bits_retain(self.flags),
            dependencies: self
                .dependencies
                .iter()
                .map(|&(name, version_constraint)| ModuleDependency {
                    name,
                    version_constraint,
                })
                .collect::<Vec<_>>(),
            abi_version: self.abi,
        }
    }
}
