//! The boot bundle: a ustar archive holding `limine.cfg` and every
//! `boot():/x/y` file as member `x/y`.

use core::fmt;

use tar_no_std::{CorruptDataError, TarArchiveRef};

/// An initrd that is not a usable bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleError {
    /// Zero bytes.
    Empty,
    /// Not a well-formed tar archive.
    NotTar(CorruptDataError),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::Empty => f.write_str("boot bundle is empty"),
            BundleError::NotTar(e) => write!(f, "not a ustar archive ({e})"),
        }
    }
}

/// A validated bundle.
#[derive(Debug)]
pub struct Bundle<'a> {
    archive: TarArchiveRef<'a>,
}

/// Member name without leading `./` or `/`.
fn normalize(name: &str) -> &str {
    let mut n = name;
    loop {
        if let Some(rest) = n.strip_prefix("./") {
            n = rest;
        } else if let Some(rest) = n.strip_prefix('/') {
            n = rest;
        } else {
            return n;
        }
    }
}

impl<'a> Bundle<'a> {
    /// Validates `bytes` as a tar archive.
    pub fn new(bytes: &'a [u8]) -> Result<Self, BundleError> {
        if bytes.is_empty() {
            return Err(BundleError::Empty);
        }
        let archive = TarArchiveRef::new(bytes).map_err(BundleError::NotTar)?;
        Ok(Bundle { archive })
    }

    /// Contents of the regular-file member `name` (leading `/` or `./` ignored).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        let want = normalize(name);
        self.archive.entries().find_map(|e| {
            let filename = e.filename();
            let name = filename.as_str().ok()?;
            (normalize(name) == want).then(|| e.data())
        })
    }

    /// Number of regular files.
    pub fn len(&self) -> usize {
        self.archive.entries().count()
    }

    /// True when the archive has no regular file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn finds_members() {
        let bytes = tar_of(&[
            ("limine.cfg", b"timeout: 0\n"),
            ("boot/helix/k.elf", b"\x7fELF"),
        ]);
        let bundle = Bundle::new(&bytes).unwrap();
        assert_eq!(bundle.len(), 2);
        assert_eq!(bundle.get("limine.cfg"), Some(&b"timeout: 0\n"[..]));
        assert_eq!(bundle.get("/boot/helix/k.elf"), Some(&b"\x7fELF"[..]));
        assert_eq!(bundle.get("boot/helix/k.elf"), Some(&b"\x7fELF"[..]));
        assert_eq!(bundle.get("boot/helix/missing"), None);
    }

    #[test]
    fn dot_slash_members() {
        let bytes = tar_of(&[("./limine.cfg", b"x")]);
        assert_eq!(
            Bundle::new(&bytes).unwrap().get("limine.cfg"),
            Some(&b"x"[..])
        );
    }

    #[test]
    fn rejects_non_tar() {
        assert_eq!(Bundle::new(&[]).unwrap_err(), BundleError::Empty);
        let elf = [0x7fu8, b'E', b'L', b'F', 2, 1, 1, 0];
        assert!(matches!(
            Bundle::new(&elf).unwrap_err(),
            BundleError::NotTar(_)
        ));
        let mut junk = vec![0xa5u8; 4096];
        junk[0] = b'x';
        let err = Bundle::new(&junk).unwrap_err();
        assert!(err.to_string().starts_with("not a ustar archive"), "{err}");
        let mut bytes = tar_of(&[("a", b"1")]);
        bytes[100] ^= 0x5;
        assert!(matches!(
            Bundle::new(&bytes).unwrap_err(),
            BundleError::NotTar(_)
        ));
    }
}
