//! The boot bundle: a ustar archive with `limine.cfg` at the root and every
//! staged file under its member name, the offline loader's `-initrd`.
//! Headers are deterministic (mode 0644, mtime 0, no owner names).
//! Every staged file's data starts on a 4 KiB boundary of the archive
//! (padding members `.padN` go before it), so the loader can hand it to the
//! kernel in place instead of copying it (docs/boot.md, "zero-copy members").

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

const BLOCK: usize = 512;
const PAGE: usize = 4096;

/// Bytes one member takes in the archive: header plus data in whole blocks.
fn member_len(data_len: usize) -> usize {
    BLOCK + data_len.div_ceil(BLOCK) * BLOCK
}

/// Data size of the padding member that makes the data of a member whose
/// header would start at `offset` begin on a page boundary; `None` when it
/// already does. (The padding member itself adds one header block.)
fn padding_before(offset: usize) -> Option<usize> {
    if (offset + BLOCK).is_multiple_of(PAGE) {
        None
    } else {
        Some((PAGE - (offset + 2 * BLOCK) % PAGE) % PAGE)
    }
}

/// The archive bytes.
pub fn archive(staged: &Staged) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    append(&mut builder, CONFIG_MEMBER, staged.config.as_bytes())?;
    let mut offset = member_len(staged.config.len());
    for (i, (member, data)) in staged.files.iter().enumerate() {
        if let Some(pad) = padding_before(offset) {
            append(&mut builder, &format!(".pad{i}"), &vec![0; pad])?;
            offset += member_len(pad);
        }
        append(&mut builder, member, data)?;
        offset += member_len(data.len());
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
        let names: Vec<&str> = seen
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !n.starts_with(".pad"))
            .collect();
        assert_eq!(
            names,
            [
                "limine.cfg",
                "boot/helix/kernel.elf",
                "boot/helix/greeting.txt"
            ]
        );
        assert_eq!(seen[0].1, b"timeout: 0\n");
        assert_eq!(seen.last().map(|(_, d)| d.as_slice()), Some(&b"hi\n"[..]));
        Ok(())
    }

    #[test]
    fn staged_files_start_on_page_boundaries() -> std::io::Result<()> {
        let mut s = staged();
        s.files.push(("boot/helix/big.bin".into(), vec![7; 5000]));
        s.files.push(("boot/helix/page.bin".into(), vec![9; 4096]));
        let bytes = archive(&s)?;
        let mut ar = tar::Archive::new(bytes.as_slice());
        let mut checked = 0;
        for entry in ar.entries()? {
            let entry = entry?;
            let name = entry.path()?.to_string_lossy().into_owned();
            if name.starts_with("boot/") {
                assert_eq!(entry.raw_file_position() % 4096, 0, "{name}");
                checked += 1;
            }
        }
        assert_eq!(checked, 4);
        Ok(())
    }

    #[test]
    fn padding_arithmetic() {
        assert_eq!(padding_before(4096 - 512), None);
        assert_eq!(padding_before(0), Some(4096 - 1024));
        assert_eq!(padding_before(4096 - 1024), Some(0));
        for blocks in 0..16 {
            let o = blocks * 512;
            if let Some(p) = padding_before(o) {
                assert_eq!((o + member_len(p) + 512) % 4096, 0, "offset {o}");
            }
        }
    }

    #[test]
    fn archive_is_deterministic() -> std::io::Result<()> {
        assert_eq!(archive(&staged())?, archive(&staged())?);
        Ok(())
    }
}
