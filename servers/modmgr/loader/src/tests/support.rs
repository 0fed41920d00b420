//! Shared test helpers: loading, patching bytes, and the invariants every
//! accepted module must satisfy (so a corrupted input that still loads is
//! checked, not just "did not panic").

use crate::{ElfLoader, LoadError, LoadedModule, ModuleFormat, PAGE_SIZE, USER_MIN, USER_TOP};

/// Load `data` with the ELF loader.
pub fn load(data: &[u8]) -> Result<LoadedModule, LoadError> {
    ElfLoader::parse(data)
}

/// Overwrite `data[at..]` with `bytes`.
pub fn patch(data: &mut [u8], at: usize, bytes: &[u8]) {
    data[at..at + bytes.len()].copy_from_slice(bytes);
}

/// `e_phoff`, `e_shoff`, `e_phnum`, `e_shnum`, `e_shstrndx` offsets in the header.
pub const E_PHOFF: usize = 32;
/// See [`E_PHOFF`].
pub const E_SHOFF: usize = 40;
/// See [`E_PHOFF`].
pub const E_PHNUM: usize = 56;
/// See [`E_PHOFF`].
pub const E_SHNUM: usize = 60;

/// What must hold of any module the ELF loader accepts from `data`.
pub fn check_invariants(data: &[u8], m: &LoadedModule) {
    check_invariants_of(ModuleFormat::Elf, data, m);
}

/// What must hold of any module a loader of `format` accepts from `data`.
pub fn check_invariants_of(format: ModuleFormat, data: &[u8], m: &LoadedModule) {
    assert_eq!(m.format, format);
    assert_eq!(m.symbols, m.record.symbols);
    assert!(!m.segments.is_empty());
    let mut last_page_end = 0;
    for s in &m.segments {
        let end = s.vaddr.checked_add(s.mem_size).expect("no wrap");
        assert!(s.mem_size > 0, "{s:?}");
        assert!(s.vaddr >= USER_MIN && end <= USER_TOP, "{s:?}");
        assert!(s.file_size as u64 <= s.mem_size, "{s:?}");
        assert!(s.file_offset + s.file_size <= data.len(), "{s:?}");
        assert_eq!(s.bytes(data).len(), s.file_size);
        assert!(!(s.rights.write && s.rights.execute), "{s:?}");
        let pages = s.pages().expect("pages");
        assert!(
            pages.start >= last_page_end,
            "sorted, no shared page: {s:?}"
        );
        assert_eq!(pages.start % PAGE_SIZE, 0);
        assert_eq!(pages.end % PAGE_SIZE, 0);
        last_page_end = pages.end;
    }
    assert!(
        m.segments
            .iter()
            .any(|s| s.rights.execute && s.contains(m.entry)),
        "entry {:#x} in code",
        m.entry
    );
}

/// Loading `data` fails with exactly `expected`, whose message is one line.
#[track_caller]
pub fn refused(data: &[u8], expected: LoadError) {
    let e = load(data).unwrap_err();
    assert_eq!(e, expected);
    check_message(&e);
}

/// An error's console line: not empty, one line.
pub fn check_message(e: &LoadError) {
    let text = alloc::format!("{e}");
    assert!(!text.is_empty() && !text.contains('\n'), "{text:?}");
}
