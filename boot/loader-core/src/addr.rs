//! Address-space constants and alignment helpers.

/// Size of a small page.
pub const PAGE_SIZE: u64 = 0x1000;
/// Size of a large (2 MiB) page.
pub const LARGE_PAGE_SIZE: u64 = 0x20_0000;
/// Size of a huge (1 GiB) page.
pub const HUGE_PAGE_SIZE: u64 = 0x4000_0000;
/// Start of the higher-half direct map with 4-level paging (Limine spec).
pub const HHDM_OFFSET: u64 = 0xffff_8000_0000_0000;
/// Lowest virtual address the Limine protocol lets a kernel be loaded at.
pub const KERNEL_MIN_VADDR: u64 = 0xffff_ffff_8000_0000;
/// 4 GiB: the span some base revisions map unconditionally.
pub const FOUR_GIB: u64 = 0x1_0000_0000;

/// Rounds `value` down to a multiple of `align` (a power of two).
pub const fn align_down(value: u64, align: u64) -> u64 {
    value & !(align - 1)
}

/// Rounds `value` up to a multiple of `align` (a power of two); `None` on overflow.
pub const fn align_up(value: u64, align: u64) -> Option<u64> {
    match value.checked_add(align - 1) {
        Some(v) => Some(v & !(align - 1)),
        None => None,
    }
}

/// True when `addr` is a canonical 48-bit virtual address.
pub const fn is_canonical(addr: u64) -> bool {
    let top = addr >> 47;
    top == 0 || top == 0x1_ffff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment() {
        assert_eq!(align_down(0x1234, PAGE_SIZE), 0x1000);
        assert_eq!(align_up(0x1234, PAGE_SIZE), Some(0x2000));
        assert_eq!(align_up(0x2000, PAGE_SIZE), Some(0x2000));
        assert_eq!(align_up(u64::MAX, PAGE_SIZE), None);
    }

    #[test]
    fn canonical() {
        assert!(is_canonical(0));
        assert!(is_canonical(0x7fff_ffff_ffff));
        assert!(!is_canonical(0x8000_0000_0000));
        assert!(is_canonical(HHDM_OFFSET));
        assert!(is_canonical(KERNEL_MIN_VADDR));
        assert!(!is_canonical(0xfff0_0000_0000_0000 - 1));
    }
}
