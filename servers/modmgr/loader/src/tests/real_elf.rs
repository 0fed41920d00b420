//! The corpus on a real server binary: `HELIX_TEST_ELF=path cargo test -p
//! helix-module-loader -- --ignored` (build one with `cargo build --release
//! --target x86_64-unknown-none -p helix-kvstore`). The loader's view is
//! compared with goblin's full parse of the same file.

use alloc::vec::Vec;

use goblin::elf::Elf;
use goblin::elf::program_header::PT_LOAD;
use helix_protocol::metadata::{ModuleRecord, SECTION_NAME};

use super::support::{check_invariants, check_message, load};

fn fixture() -> Vec<u8> {
    let path = std::env::var("HELIX_TEST_ELF")
        .expect("set HELIX_TEST_ELF to a server binary (see this file's docs)");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
#[ignore = "needs HELIX_TEST_ELF=<server binary>"]
fn real_server_loads_as_goblin_sees_it() {
    let data = fixture();
    let m = load(&data).unwrap();
    check_invariants(&data, &m);

    let elf = Elf::parse(&data).unwrap();
    assert_eq!(m.entry, elf.entry);
    let mut loads: Vec<_> = elf
        .program_headers
        .iter()
        .filter(|p| p.p_type == PT_LOAD && p.p_memsz > 0)
        .collect();
    loads.sort_by_key(|p| p.p_vaddr);
    assert_eq!(m.segments.len(), loads.len());
    for (s, p) in m.segments.iter().zip(loads) {
        assert_eq!(s.vaddr, p.p_vaddr);
        assert_eq!(s.mem_size, p.p_memsz);
        assert_eq!(s.file_offset as u64, p.p_offset);
        assert_eq!(s.file_size as u64, p.p_filesz);
        assert_eq!(
            (s.rights.read, s.rights.write, s.rights.execute),
            (p.is_read(), p.is_write(), p.is_executable())
        );
    }
    let section = elf
        .section_headers
        .iter()
        .find(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(SECTION_NAME))
        .unwrap();
    let start = section.sh_offset as usize;
    let record = ModuleRecord::decode(&data[start..start + section.sh_size as usize]).unwrap();
    assert_eq!(m.record, record);
    assert!(!m.record.name.is_empty());
}

#[test]
#[ignore = "needs HELIX_TEST_ELF=<server binary>"]
fn real_server_truncated_and_flipped_never_panics() {
    let data = fixture();
    // Every truncation. Cut before the end of the section header table
    // (the end of the file, as lld lays it out), it must be refused.
    let header = Elf::parse_header(&data).unwrap();
    let table_end = header.e_shoff as usize + usize::from(header.e_shnum) * 64;
    for cut in 0..data.len() {
        match load(&data[..cut]) {
            Err(e) => check_message(&e),
            Ok(m) => {
                assert!(cut >= table_end, "cut at {cut:#x} accepted");
                check_invariants(&data[..cut], &m);
            }
        }
    }
    // Every byte flipped.
    let mut flipped = data.clone();
    let (mut refused, mut accepted) = (0, 0);
    for at in 0..data.len() {
        flipped[at] ^= 0xff;
        match load(&flipped) {
            Ok(m) => {
                check_invariants(&flipped, &m);
                accepted += 1;
            }
            Err(e) => {
                check_message(&e);
                refused += 1;
            }
        }
        flipped[at] ^= 0xff;
    }
    // Most bytes (code, debug info) are inert; header and record bytes are
    // not (kvstore: 303 refusals in 1.4 MB).
    assert!(
        refused > 100 && accepted > data.len() / 2,
        "{refused} refused, {accepted} accepted"
    );
}
