//! Bounds-checked views of the input file: every range an ELF header names
//! is an allegation until it is found inside the bytes.
#![forbid(unsafe_code)]

/// `data[offset..offset + size]`, or `None` when any of it lies outside
/// `data` (or the arithmetic overflows).
pub(super) fn file_range(data: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(size).ok()?)?;
    data.get(start..end)
}

/// The NUL-terminated string at `offset` in a string table, without the
/// NUL; `None` when `offset` is outside the table or no NUL ends the string.
pub(super) fn c_string_at(table: &[u8], offset: usize) -> Option<&[u8]> {
    let tail = table.get(offset..)?;
    let len = tail.iter().position(|&b| b == 0)?;
    tail.get(..len)
}
