//! Address-space facts a loader checks segments against.
#![forbid(unsafe_code)]

/// Size of a page: segments are mapped, and kept apart, page by page.
pub const PAGE_SIZE: u64 = 0x1000;
/// Lowest address a segment may use (page 0 stays unmapped so null
/// pointers fault).
pub const USER_MIN: u64 = 0x1000;
/// End (exclusive) of the user half of the address space: the first
/// non-canonical address. The kernel's spawner uses the same bound.
pub const USER_TOP: u64 = 0x0000_8000_0000_0000;

/// `addr` rounded down to its page.
pub const fn page_floor(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// `addr` rounded up to a page boundary, `None` past `u64::MAX`.
pub const fn page_ceil(addr: u64) -> Option<u64> {
    match addr.checked_add(PAGE_SIZE - 1) {
        Some(a) => Some(page_floor(a)),
        None => None,
    }
}
