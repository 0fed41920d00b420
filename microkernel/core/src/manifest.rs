//! The generated boot manifest: one line per boot module,
//! `<path> <size> <crc32 as 8 lowercase hex>`, so the kernel can check that
//! every module arrived whole.
//!
//! Blank lines and lines starting with `#` are ignored. Paths are as written
//! after `boot():` in `limine.cfg` (for example `/boot/helix/greeting.txt`).

use core::fmt;

/// One manifest line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Module path.
    pub path: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// CRC-32 (IEEE) of the contents.
    pub crc32: u32,
}

/// What is wrong with a manifest line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The manifest is not UTF-8.
    NotUtf8,
    /// Fewer than three fields.
    MissingField,
    /// More than three fields.
    TrailingField,
    /// The size is not a decimal number.
    BadSize,
    /// The CRC is not exactly 8 hex digits.
    BadCrc,
    /// The path appears twice.
    DuplicatePath,
}

/// A manifest error with its 1-based line number (0 when not line-bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::NotUtf8 => "not UTF-8",
            ErrorKind::MissingField => "expected `<path> <size> <crc32>`",
            ErrorKind::TrailingField => "extra field after the crc32",
            ErrorKind::BadSize => "size is not a decimal number",
            ErrorKind::BadCrc => "crc32 is not 8 hex digits",
            ErrorKind::DuplicatePath => "path listed twice",
        };
        write!(f, "line {}: {what}", self.line)
    }
}

/// A parsed manifest (borrowing the module's text).
#[derive(Clone, Copy, Debug)]
pub struct Manifest<'a> {
    text: &'a str,
}

impl<'a> Manifest<'a> {
    /// Parse and validate the whole manifest.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ManifestError> {
        let text = core::str::from_utf8(bytes).map_err(|_| ManifestError {
            line: 0,
            kind: ErrorKind::NotUtf8,
        })?;
        let m = Self { text };
        for (i, e) in m.lines() {
            let e = e?;
            let dup = m
                .lines()
                .take_while(|(j, _)| *j < i)
                .any(|(_, other)| other.is_ok_and(|o| o.path == e.path));
            if dup {
                return Err(ManifestError {
                    line: i,
                    kind: ErrorKind::DuplicatePath,
                });
            }
        }
        Ok(m)
    }

    fn lines(&self) -> impl Iterator<Item = (usize, Result<Entry<'a>, ManifestError>)> + 'a {
        self.text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
            .map(|(i, l)| {
                (
                    i,
                    parse_line(l).map_err(|kind| ManifestError { line: i, kind }),
                )
            })
    }

    /// The entries, in file order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + 'a {
        self.lines().filter_map(|(_, e)| e.ok())
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries().count()
    }

    /// Whether the manifest lists no module.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry for a module path as the bootloader reports it (see
    /// [`paths_match`]).
    pub fn find(&self, module_path: &str) -> Option<Entry<'a>> {
        self.entries().find(|e| paths_match(module_path, e.path))
    }
}

fn parse_line(line: &str) -> Result<Entry<'_>, ErrorKind> {
    let mut it = line.split_whitespace();
    let path = it.next().ok_or(ErrorKind::MissingField)?;
    let size = it.next().ok_or(ErrorKind::MissingField)?;
    let crc = it.next().ok_or(ErrorKind::MissingField)?;
    if it.next().is_some() {
        return Err(ErrorKind::TrailingField);
    }
    if !size.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorKind::BadSize);
    }
    let size = size.parse().map_err(|_| ErrorKind::BadSize)?;
    if crc.len() != 8 || !crc.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ErrorKind::BadCrc);
    }
    let crc32 = u32::from_str_radix(crc, 16).map_err(|_| ErrorKind::BadCrc)?;
    Ok(Entry { path, size, crc32 })
}

/// Whether a module path reported by the bootloader names the manifest path.
/// A resource prefix such as `boot():` on either side is ignored.
pub fn paths_match(module_path: &str, manifest_path: &str) -> bool {
    strip_resource(module_path) == strip_resource(manifest_path)
}

fn strip_resource(p: &str) -> &str {
    match p.find("):") {
        Some(i) => &p[i + 2..],
        None => p,
    }
}

/// How a module differs from its manifest entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Size differs.
    Size {
        /// Manifest size.
        expected: u64,
        /// Loaded size.
        actual: u64,
    },
    /// CRC-32 differs.
    Crc {
        /// Manifest CRC.
        expected: u32,
        /// CRC of the loaded bytes.
        actual: u32,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Size { expected, actual } => {
                write!(f, "size {actual}, manifest says {expected}")
            }
            Self::Crc { expected, actual } => {
                write!(f, "crc32 {actual:08x}, manifest says {expected:08x}")
            }
        }
    }
}

impl Entry<'_> {
    /// Check a module's size and contents against this entry, given the
    /// CRC-32 of the loaded bytes.
    pub fn check(&self, size: u64, crc32: u32) -> Result<(), Mismatch> {
        if size != self.size {
            return Err(Mismatch::Size {
                expected: self.size,
                actual: size,
            });
        }
        if crc32 != self.crc32 {
            return Err(Mismatch::Crc {
                expected: self.crc32,
                actual: crc32,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "/boot/helix/greeting.txt 42 1a2b3c4d\n\n# comment\n/boot/helix/pattern.bin 300000 DEADbeef\n";

    #[test]
    fn parses_entries_in_order() {
        let m = Manifest::parse(GOOD.as_bytes()).unwrap();
        let e: Vec<_> = m.entries().collect();
        assert_eq!(
            e,
            vec![
                Entry {
                    path: "/boot/helix/greeting.txt",
                    size: 42,
                    crc32: 0x1a2b3c4d
                },
                Entry {
                    path: "/boot/helix/pattern.bin",
                    size: 300000,
                    crc32: 0xdeadbeef
                },
            ]
        );
        assert_eq!(m.len(), 2);
        assert!(m.find("boot():/boot/helix/pattern.bin").is_some());
        assert!(m.find("/boot/helix/pattern.bi").is_none());
    }

    #[test]
    fn errors_carry_line_numbers() {
        let cases: [(&str, ErrorKind, usize); 6] = [
            ("a 1\n", ErrorKind::MissingField, 1),
            ("a 1 00000000 x\n", ErrorKind::TrailingField, 1),
            ("\na -1 00000000\n", ErrorKind::BadSize, 2),
            ("a 1 0000000\n", ErrorKind::BadCrc, 1),
            ("a 1 0000000g\n", ErrorKind::BadCrc, 1),
            (
                "a 1 00000000\nb 2 00000000\na 3 00000000\n",
                ErrorKind::DuplicatePath,
                3,
            ),
        ];
        for (text, kind, line) in cases {
            assert_eq!(
                Manifest::parse(text.as_bytes()).unwrap_err(),
                ManifestError { line, kind },
                "{text:?}"
            );
        }
        assert_eq!(
            Manifest::parse(&[0xff, 0xfe]).unwrap_err().kind,
            ErrorKind::NotUtf8
        );
        assert_eq!(
            Manifest::parse(b"a 99999999999999999999999 00000000")
                .unwrap_err()
                .kind,
            ErrorKind::BadSize
        );
    }

    #[test]
    fn empty_manifest_is_valid_and_empty() {
        let m = Manifest::parse(b"# nothing\n").unwrap();
        assert!(m.is_empty());
    }

    #[test]
    fn check_compares_size_then_crc() {
        let e = Entry {
            path: "x",
            size: 3,
            crc32: 0x352441c2,
        };
        assert_eq!(e.check(3, 0x352441c2), Ok(()));
        assert_eq!(
            e.check(4, 0x352441c2),
            Err(Mismatch::Size {
                expected: 3,
                actual: 4
            })
        );
        assert_eq!(
            e.check(3, 1),
            Err(Mismatch::Crc {
                expected: 0x352441c2,
                actual: 1
            })
        );
    }

    #[test]
    fn resource_prefix_is_ignored() {
        assert!(paths_match("boot():/a/b", "/a/b"));
        assert!(paths_match("/a/b", "boot():/a/b"));
        assert!(!paths_match("/a/b", "/a/c"));
    }
}
