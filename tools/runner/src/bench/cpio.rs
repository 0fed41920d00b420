//! A minimal writer for the `newc` cpio format (what the Linux kernel
//! unpacks as an initramfs). Pure: builds the archive in memory.
//!
//! Each entry is a 110-byte ASCII header (`070701` and 13 fields of 8
//! upper-case hex digits), the NUL-terminated name padded to a multiple of
//! 4 bytes (counted from the header start), then the data padded the same
//! way; the archive ends with the entry `TRAILER!!!`.

use std::fmt;

/// Magic of the `newc` format (no checksums).
const MAGIC: &str = "070701";
/// The name of the closing entry.
const TRAILER: &str = "TRAILER!!!";

/// File type bits of `st_mode`.
const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;
const S_IFCHR: u32 = 0o020_000;

/// An entry that cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CpioError {
    /// The name is empty, absolute, has `..`, a NUL, or is the trailer name.
    BadName(String),
    /// The data does not fit the format's 32-bit size field.
    TooLarge(String),
}

impl fmt::Display for CpioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CpioError::BadName(n) => write!(f, "cpio member name {n:?} is not a relative path"),
            CpioError::TooLarge(n) => write!(f, "cpio member {n:?} is larger than 4 GiB"),
        }
    }
}

/// An archive being built.
#[derive(Debug, Default)]
pub struct Cpio {
    out: Vec<u8>,
    next_ino: u32,
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn check_name(name: &str) -> Result<(), CpioError> {
    let bad = name.is_empty()
        || name.starts_with('/')
        || name.contains('\0')
        || name == TRAILER
        || name
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..");
    if bad {
        Err(CpioError::BadName(name.to_string()))
    } else {
        Ok(())
    }
}

impl Cpio {
    /// An empty archive.
    pub fn new() -> Self {
        Cpio::default()
    }

    fn entry(&mut self, name: &str, mode: u32, rdev: (u32, u32), data: &[u8]) {
        self.next_ino += 1;
        let nlink = if mode & S_IFDIR != 0 { 2 } else { 1 };
        // All lengths were checked against u32 by the callers.
        let fields = [
            self.next_ino,
            mode,
            0, // uid
            0, // gid
            nlink,
            0, // mtime
            data.len() as u32,
            0, // dev major
            0, // dev minor
            rdev.0,
            rdev.1,
            name.len() as u32 + 1,
            0, // check
        ];
        let mut header = String::with_capacity(110);
        header.push_str(MAGIC);
        for f in fields {
            header.push_str(&format!("{f:08X}"));
        }
        self.out.extend_from_slice(header.as_bytes());
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        pad4(&mut self.out);
        self.out.extend_from_slice(data);
        pad4(&mut self.out);
    }

    /// A directory (`mode` = permission bits).
    pub fn dir(&mut self, name: &str, mode: u32) -> Result<(), CpioError> {
        check_name(name)?;
        self.entry(name, S_IFDIR | (mode & 0o7777), (0, 0), &[]);
        Ok(())
    }

    /// A regular file.
    pub fn file(&mut self, name: &str, mode: u32, data: &[u8]) -> Result<(), CpioError> {
        check_name(name)?;
        if u32::try_from(data.len()).is_err() {
            return Err(CpioError::TooLarge(name.to_string()));
        }
        self.entry(name, S_IFREG | (mode & 0o7777), (0, 0), data);
        Ok(())
    }

    /// A character device node `major:minor`.
    pub fn char_dev(
        &mut self,
        name: &str,
        mode: u32,
        major: u32,
        minor: u32,
    ) -> Result<(), CpioError> {
        check_name(name)?;
        self.entry(name, S_IFCHR | (mode & 0o7777), (major, minor), &[]);
        Ok(())
    }

    /// Close the archive with the trailer and return its bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.next_ino = 0;
        self.entry(TRAILER, 0, (0, 0), &[]);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One parsed entry: name, mode, rdev, data.
    type Entry = (String, u32, (u32, u32), Vec<u8>);

    /// Parse a newc archive back into its entries.
    fn parse(mut b: &[u8]) -> Vec<Entry> {
        let mut out = Vec::new();
        let start = b.len();
        loop {
            let pos = start - b.len();
            assert_eq!(pos % 4, 0, "entry at {pos} is not aligned");
            assert_eq!(&b[..6], MAGIC.as_bytes());
            let field = |i: usize| {
                let s = std::str::from_utf8(&b[6 + 8 * i..14 + 8 * i]).unwrap();
                assert_eq!(s, s.to_uppercase());
                u32::from_str_radix(s, 16).unwrap()
            };
            let (mode, size, rdev, namesize) = (
                field(1),
                field(6) as usize,
                (field(9), field(10)),
                field(11) as usize,
            );
            let name = std::str::from_utf8(&b[110..110 + namesize - 1]).unwrap();
            assert_eq!(b[110 + namesize - 1], 0);
            let data_at = (110 + namesize).next_multiple_of(4);
            let data = b[data_at..data_at + size].to_vec();
            let next = (data_at + size).next_multiple_of(4);
            out.push((name.to_string(), mode, rdev, data));
            if name == TRAILER {
                assert_eq!(next, b.len(), "bytes after the trailer");
                return out;
            }
            b = &b[next..];
        }
    }

    #[test]
    fn archive_round_trips() -> Result<(), CpioError> {
        let mut c = Cpio::new();
        c.dir("dev", 0o755)?;
        c.char_dev("dev/console", 0o600, 5, 1)?;
        c.file("init", 0o755, b"\x7fELF12345")?;
        c.file("etc/x", 0o644, b"")?;
        let bytes = c.finish();
        assert_eq!(bytes.len() % 4, 0);
        let e = parse(&bytes);
        assert_eq!(e.len(), 5);
        assert_eq!(e[0], ("dev".into(), 0o040_755, (0, 0), vec![]));
        assert_eq!(e[1], ("dev/console".into(), 0o020_600, (5, 1), vec![]));
        assert_eq!(
            e[2],
            ("init".into(), 0o100_755, (0, 0), b"\x7fELF12345".to_vec())
        );
        assert_eq!(e[3].3, Vec::<u8>::new());
        assert_eq!(e[4].0, TRAILER);
        Ok(())
    }

    #[test]
    fn header_layout_is_exact() -> Result<(), CpioError> {
        let mut c = Cpio::new();
        c.file("a", 0o644, b"xy")?;
        let b = c.finish();
        let h = std::str::from_utf8(&b[..110]).unwrap();
        let fields = [
            "00000001", // ino
            "000081A4", // regular file, 0644
            "00000000", // uid
            "00000000", // gid
            "00000001", // nlink
            "00000000", // mtime
            "00000002", // file size
            "00000000", // dev major
            "00000000", // dev minor
            "00000000", // rdev major
            "00000000", // rdev minor
            "00000002", // name size with the NUL
            "00000000", // check
        ];
        assert_eq!(h, format!("070701{}", fields.concat()));
        // 110-byte header + "a\0" = 112 (aligned), then "xy" + 2 pad bytes.
        assert_eq!(&b[110..116], b"a\0xy\0\0");
        Ok(())
    }

    #[test]
    fn bad_names_are_refused() {
        let mut c = Cpio::new();
        for n in ["", "/init", "a/../b", "a//b", "./x", TRAILER, "a\0b"] {
            assert_eq!(
                c.file(n, 0o644, b""),
                Err(CpioError::BadName(n.into())),
                "{n:?}"
            );
        }
    }
}
