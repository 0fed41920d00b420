//! Loader-side decoder of the metadata record. Every length is checked
//! against the bytes present; nothing is trusted.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{RECORD_HEADER_LEN, RECORD_MAGIC, RECORD_VERSION};
use crate::ModuleFlags;
use crate::abi::{AbiVersion, Signature, SignatureError, SymbolEntry, SymbolKind, SymbolTable};

/// Why bytes are not a valid metadata record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// The bytes end before the record does.
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        available: usize,
    },
    /// The record does not start with `HXMD`.
    BadMagic,
    /// A record format version this crate cannot read.
    UnsupportedVersion(u16),
    /// The header length field is not the one of this format version.
    BadHeaderLength(u16),
    /// The total length field is shorter than the header.
    BadTotalLength(u32),
    /// The flags contain bits that name no [`ModuleFlags`].
    UnknownFlags(u32),
    /// A string is not UTF-8.
    BadUtf8,
    /// A symbol kind byte names no [`SymbolKind`].
    BadSymbolKind(u8),
    /// A deprecated byte is neither 0 nor 1.
    BadBool(u8),
    /// A symbol signature does not parse.
    BadSignature(SignatureError),
    /// The body does not fill the record's declared length exactly.
    LengthMismatch {
        /// Declared total length.
        declared: usize,
        /// Bytes the fields used.
        used: usize,
    },
    /// Bytes follow the record.
    TrailingBytes(usize),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Truncated { needed, available } => {
                write!(f, "truncated: need {needed} bytes, have {available}")
            }
            RecordError::BadMagic => f.write_str("not a module record (bad magic)"),
            RecordError::UnsupportedVersion(v) => write!(f, "unsupported record version {v}"),
            RecordError::BadHeaderLength(n) => write!(f, "bad header length {n}"),
            RecordError::BadTotalLength(n) => write!(f, "bad total length {n}"),
            RecordError::UnknownFlags(b) => write!(f, "unknown module flags {b:#x}"),
            RecordError::BadUtf8 => f.write_str("string is not UTF-8"),
            RecordError::BadSymbolKind(k) => write!(f, "bad symbol kind {k}"),
            RecordError::BadBool(b) => write!(f, "bad boolean byte {b}"),
            RecordError::BadSignature(e) => write!(f, "bad signature: {e}"),
            RecordError::LengthMismatch { declared, used } => {
                write!(
                    f,
                    "record declares {declared} bytes but its fields use {used}"
                )
            }
            RecordError::TrailingBytes(n) => write!(f, "{n} bytes after the record"),
        }
    }
}

impl core::error::Error for RecordError {}

/// A dependency as stored in a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDependency {
    /// Name of the module depended on.
    pub name: String,
    /// Version constraint (`">=0.4.0"`).
    pub version_constraint: String,
}

/// A decoded metadata record: what a loader knows about a module before it
/// runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleRecord {
    /// ABI the module was built against.
    pub abi: AbiVersion,
    /// Capability flags.
    pub flags: ModuleFlags,
    /// Module name.
    pub name: String,
    /// Module version text.
    pub version: String,
    /// Author.
    pub author: String,
    /// Description.
    pub description: String,
    /// Dependencies with their version constraints.
    pub dependencies: Vec<RecordDependency>,
    /// Interfaces the module serves.
    pub provides: Vec<String>,
    /// Exported symbols.
    pub symbols: SymbolTable,
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], RecordError> {
        let end = self.pos + n;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(RecordError::Truncated {
                needed: end,
                available: self.bytes.len(),
            })?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, RecordError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, RecordError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, RecordError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn str(&mut self) -> Result<&'a str, RecordError> {
        let len = self.u16()? as usize;
        core::str::from_utf8(self.take(len)?).map_err(|_| RecordError::BadUtf8)
    }
    fn string(&mut self) -> Result<String, RecordError> {
        self.str().map(String::from)
    }
}

impl ModuleRecord {
    /// Decode a record that fills `bytes` exactly (a `.helix_module` section).
    pub fn decode(bytes: &[u8]) -> Result<ModuleRecord, RecordError> {
        let (record, rest) = ModuleRecord::decode_prefix(bytes)?;
        if rest.is_empty() {
            Ok(record)
        } else {
            Err(RecordError::TrailingBytes(rest.len()))
        }
    }

    /// Decode the record at the start of `bytes`; return it and the bytes after it.
    pub fn decode_prefix(bytes: &[u8]) -> Result<(ModuleRecord, &[u8]), RecordError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4)? != RECORD_MAGIC {
            return Err(RecordError::BadMagic);
        }
        let version = r.u16()?;
        if version != RECORD_VERSION {
            return Err(RecordError::UnsupportedVersion(version));
        }
        let header_len = r.u16()?;
        if header_len as usize != RECORD_HEADER_LEN {
            return Err(RecordError::BadHeaderLength(header_len));
        }
        let total = r.u32()?;
        if (total as usize) < RECORD_HEADER_LEN {
            return Err(RecordError::BadTotalLength(total));
        }
        let total = total as usize;
        if bytes.len() < total {
            return Err(RecordError::Truncated {
                needed: total,
                available: bytes.len(),
            });
        }
        // Read the body from exactly the declared bytes.
        let mut r = Reader {
            bytes: &bytes[..total],
            pos: r.pos,
        };
        let abi = AbiVersion::new(r.u16()?, r.u16()?, r.u16()?);
        let _reserved = r.u16()?;
        let raw_flags = r.u32()?;
        let flags =
            ModuleFlags::from_bits(raw_flags).ok_or(RecordError::UnknownFlags(raw_flags))?;
        let name = r.string()?;
        let version = r.string()?;
        let author = r.string()?;
        let description = r.string()?;
        let mut dependencies = Vec::new();
        for _ in 0..r.u16()? {
            dependencies.push(RecordDependency {
                name: r.string()?,
                version_constraint: r.string()?,
            });
        }
        let mut provides = Vec::new();
        for _ in 0..r.u16()? {
            provides.push(r.string()?);
        }
        let mut symbols = SymbolTable::new();
        for _ in 0..r.u16()? {
            let kind_byte = r.u8()?;
            let kind =
                SymbolKind::from_code(kind_byte).ok_or(RecordError::BadSymbolKind(kind_byte))?;
            let deprecated = match r.u8()? {
                0 => false,
                1 => true,
                b => return Err(RecordError::BadBool(b)),
            };
            let name = r.string()?;
            let signature = Signature::parse(r.str()?).map_err(RecordError::BadSignature)?;
            symbols.push(SymbolEntry {
                name,
                kind,
                signature,
                deprecated,
            });
        }
        if r.pos != total {
            return Err(RecordError::LengthMismatch {
                declared: total,
                used: r.pos,
            });
        }
        let record = ModuleRecord {
            abi,
            flags,
            name,
            version,
            author,
            description,
            dependencies,
            provides,
            symbols,
        };
        Ok((record, &bytes[total..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{RecordSpec, SymbolSpec};

    const SPEC: RecordSpec<'static> = RecordSpec {
        name: "example",
        version: "1.0.0",
        author: "Helix",
        description: "Example module",
        flags: ModuleFlags::HOT_RELOADABLE.bits(),
        abi: AbiVersion::CURRENT,
        dependencies: &[("helix-hal", ">=0.4.0"), ("log", "^1.0")],
        provides: &["filesystem"],
        symbols: &[
            SymbolSpec {
                name: "read",
                kind: SymbolKind::Function,
                signature: "fn(u32, u32) -> Vec<u8>",
                deprecated: false,
            },
            SymbolSpec {
                name: "seek",
                kind: SymbolKind::Function,
                signature: "fn(u32, u64)",
                deprecated: true,
            },
        ],
    };
    const RECORD: [u8; SPEC.encoded_len()] = SPEC.encode();

    #[test]
    fn const_record_decodes_to_its_spec() {
        let rec = ModuleRecord::decode(&RECORD).unwrap();
        assert_eq!(rec.name, "example");
        assert_eq!(rec.version, "1.0.0");
        assert_eq!(rec.author, "Helix");
        assert_eq!(rec.description, "Example module");
        assert_eq!(rec.flags, ModuleFlags::HOT_RELOADABLE);
        assert_eq!(rec.abi, AbiVersion::CURRENT);
        assert_eq!(rec.dependencies.len(), 2);
        assert_eq!(rec.dependencies[0].name, "helix-hal");
        assert_eq!(rec.dependencies[0].version_constraint, ">=0.4.0");
        assert_eq!(rec.provides, ["filesystem"]);
        assert_eq!(rec.symbols.len(), 2);
        assert_eq!(
            rec.symbols.get("read").unwrap().signature,
            Signature::parse("fn(u32,u32)->Vec<u8>").unwrap()
        );
        assert!(rec.symbols.get("seek").unwrap().deprecated);
        assert_eq!(&RECORD[0..4], b"HXMD");
        assert_eq!(
            u32::from_le_bytes(RECORD[8..12].try_into().unwrap()) as usize,
            RECORD.len()
        );
    }

    #[test]
    fn every_truncation_is_rejected() {
        for cut in 0..RECORD.len() {
            assert!(
                matches!(
                    ModuleRecord::decode(&RECORD[..cut]),
                    Err(RecordError::Truncated { .. })
                ),
                "cut {cut}"
            );
        }
        let mut longer = RECORD.to_vec();
        longer.push(0);
        assert_eq!(
            ModuleRecord::decode(&longer),
            Err(RecordError::TrailingBytes(1))
        );
        let (_, rest) = ModuleRecord::decode_prefix(&longer).unwrap();
        assert_eq!(rest, &[0]);
    }

    #[test]
    fn corrupt_fields_are_rejected() {
        let patch = |at: usize, bytes: &[u8]| {
            let mut r = RECORD.to_vec();
            r[at..at + bytes.len()].copy_from_slice(bytes);
            ModuleRecord::decode(&r)
        };
        assert_eq!(patch(0, b"XXXX"), Err(RecordError::BadMagic));
        assert_eq!(patch(4, &[2, 0]), Err(RecordError::UnsupportedVersion(2)));
        assert_eq!(patch(6, &[23, 0]), Err(RecordError::BadHeaderLength(23)));
        assert_eq!(patch(8, &[3, 0, 0, 0]), Err(RecordError::BadTotalLength(3)));
        assert_eq!(
            patch(20, &[0, 1, 0, 0]),
            Err(RecordError::UnknownFlags(256))
        );
        // The name "example" starts at 26: make its first byte invalid UTF-8.
        assert_eq!(patch(26, &[0xff]), Err(RecordError::BadUtf8));
        // Declared length one short: the last field runs past it.
        let short = (RECORD.len() as u32 - 1).to_le_bytes();
        assert!(matches!(
            patch(8, &short),
            Err(RecordError::Truncated { .. })
        ));
        // Garbage of every small length never panics.
        for len in 0..64 {
            let junk: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert!(ModuleRecord::decode(&junk).is_err());
        }
    }

    #[test]
    fn spec_converts_to_v1_metadata() {
        let meta = SPEC.to_metadata();
        assert_eq!(meta.name, "example");
        assert_eq!(meta.dependencies[0].name, "helix-hal");
        assert_eq!(meta.dependencies[1].version_constraint, "^1.0");
        assert_eq!(meta.abi_version, AbiVersion::CURRENT);
    }
}
