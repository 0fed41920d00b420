//! The boot bundle: a ustar archive with `limine.cfg` at the root and every
//! staged file under its member name, the offline loader's `-initrd`.
//! Headers are deterministic (mode 0644, mtime 0, no owner names).

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::stage::Staged;

/// Member name of the config inside the bundle.
pub const CONFIG_MEMBER: &str = "limine.cfg";

fn append(builder: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) -> std::io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_path(name)?;
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    builder.append(&header, data)
}

/// The archive bytes.
pub fn archive(staged: &Staged) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    append(&mut builder, CONFIG_MEMBER, staged.config.as_bytes())?;
    for (member, data) in &staged.files {
        append(&mut builder, member, data)?;
    }
    builder.into_inner()
}

/// Write the archive to `path` (parent directories are created).
pub fn write(staged: &Staged, path: &Path) -> Result<(), Error> {
    let bytes = archive(staged).map_err(|e| Error::io("build archive", path, e))?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    let mut f = fs::File::create(path).map_err(|e| Error::io("create", path, e))?;
    f.write_all(&bytes).map_err(|e| Error::io("write", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn staged() -> Staged {
        Staged {
            config: "timeout: 0\n".into(),
            files: vec![
                ("boot/helix/kernel.elf".into(), vec![0x7f, b'E', b'L', b'F']),
                ("boot/helix/greeting.txt".into(), b"hi\n".to_vec()),
            ],
        }
    }

    #[test]
    fn members_are_ustar_without_leading_slash() -> std::io::Result<()> {
        let bytes = archive(&staged())?;
        // ustar magic in the first header, and an archive of whole blocks.
        assert_eq!(&bytes[257..263], b"ustar\0");
        assert_eq!(bytes.len() % 512, 0);
        let mut ar = tar::Archive::new(bytes.as_slice());
        let mut seen = Vec::new();
        for entry in ar.entries()? {
            let mut entry = entry?;
            let name = entry.path()?.to_string_lossy().into_owned();
            let mut data = Vec::new();
            entry.read_to_end(&mut data)?;
            seen.push((name, data));
        }
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "limine.cfg",
                "boot/helix/kernel.elf",
                "boot/helix/greeting.txt"
            ]
        );
        assert_eq!(seen[0].1, b"timeout: 0\n");
        assert_eq!(seen[2].1, b"hi\n");
        Ok(())
    }

    #[test]
    fn archive_is_deterministic() -> std::io::Result<()> {
        assert_eq!(archive(&staged())?, archive(&staged())?);
        Ok(())
    }
}
