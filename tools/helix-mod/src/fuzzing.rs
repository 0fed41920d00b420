//! The fuzz harnesses: one function per parser, called by the cargo-fuzz
//! targets (`fuzz/fuzz_targets/*.rs`) and by the stable test that replays
//! the saved corpus (`tests/fuzz_corpus.rs`), so a crash found once stays
//! fixed. Each runs its parser on arbitrary bytes and checks what must hold
//! of anything accepted; a violated property panics (that is the finding).

use helix_manifest::Manifest;
use helix_module_loader::native::{NativeFile, checksum};
use helix_module_loader::{
    ElfLoader, HelixNativeLoader, LoadedModule, TrustPolicy, USER_MIN, USER_TOP,
};

use crate::wasm::read_wasm_metadata;

/// What every accepted module satisfies (the loaders' promises).
fn check_module(data: &[u8], m: &LoadedModule) {
    assert!(!m.segments.is_empty());
    let mut last_end = 0;
    for s in &m.segments {
        let end = s.vaddr.checked_add(s.mem_size).expect("segment wraps");
        assert!(
            s.vaddr >= USER_MIN && end <= USER_TOP,
            "{s:?} outside user space"
        );
        assert!(s.file_size as u64 <= s.mem_size);
        assert_eq!(
            s.bytes(data).len(),
            s.file_size,
            "segment bytes outside the input"
        );
        assert!(!(s.rights.write && s.rights.execute), "W+X accepted");
        let pages = s.pages().expect("pages");
        assert!(pages.start >= last_end, "segments share a page");
        last_end = pages.end;
    }
    assert!(
        m.segments
            .iter()
            .any(|s| s.rights.execute && s.contains(m.entry))
    );
    assert_eq!(m.symbols, m.record.symbols);
}

/// The ELF loader on `data`.
pub fn elf(data: &[u8]) {
    if let Ok(m) = ElfLoader::parse(data) {
        check_module(data, &m);
        assert!(ElfLoader::record_bytes(data).is_ok());
    }
}

/// The HelixNative loader on `data`, twice: as it is (framing, checksum,
/// signature), and with the checksum recomputed so that random content
/// reaches the record, table and segment checks.
pub fn native(data: &[u8]) {
    let loader = HelixNativeLoader::new(TrustPolicy::allowing_unsigned());
    if let Ok(m) = loader.parse(data) {
        check_module(data, &m);
    }
    let Some(image_len) = data
        .get(8..12)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(|b| u32::from_le_bytes(b) as usize)
        .filter(|&n| n >= 36 && n <= data.len())
    else {
        return;
    };
    let mut fixed = data.to_vec();
    let sum = checksum(&fixed[..image_len - 4]);
    fixed[image_len - 4..image_len].copy_from_slice(&sum.to_le_bytes());
    if let Ok(file) = NativeFile::parse(&fixed)
        && let Ok(m) = file.module()
    {
        check_module(&fixed, &m);
        assert!(file.record_bytes().is_ok());
    }
}

/// The Wasm metadata reader on `data`.
pub fn wasm(data: &[u8]) {
    if let Ok(Some(record)) = read_wasm_metadata(data) {
        assert!(record.symbols.len() <= usize::from(u16::MAX));
    }
}

/// The boot manifest parser on `data` (as UTF-8): a manifest that parses
/// renders to text that parses to the same manifest, and `parse` and
/// `parse_all` agree.
pub fn manifest(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let first = Manifest::parse(text);
    let all = Manifest::parse_all(text);
    match (&first, &all) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            let again = Manifest::parse(&a.render()).expect("rendered manifest parses");
            assert_eq!(
                without_lines(again),
                without_lines(a.clone()),
                "render round trip"
            );
        }
        (Err(e), Err(errors)) => assert_eq!(errors.first(), Some(e)),
        _ => panic!("parse and parse_all disagree: {first:?} / {all:?}"),
    }
}

/// `m` with every line number 0 (rendering moves lines).
fn without_lines(mut m: Manifest) -> Manifest {
    for e in &mut m.modules {
        e.line = 0;
        for c in &mut e.caps {
            c.line = 0;
        }
    }
    m
}
