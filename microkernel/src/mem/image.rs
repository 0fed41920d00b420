//! The kernel image's segments, from the linker script's symbols.

use helix_kernel_core::layout::{Perms, Segment};

unsafe extern "C" {
    static __kernel_start: u8;
    static __text_start: u8;
    static __text_end: u8;
    static __rodata_start: u8;
    static __rodata_end: u8;
    static __data_start: u8;
    static __data_end: u8;
}

/// Link address of the image's first byte.
pub fn start() -> u64 {
    &raw const __kernel_start as u64
}

/// The three segments: text (RX), rodata (R), data+bss (RW).
pub fn segments() -> [Segment; 3] {
    [
        Segment {
            name: "text",
            start: &raw const __text_start as u64,
            end: &raw const __text_end as u64,
            perms: Perms::ReadExec,
        },
        Segment {
            name: "rodata",
            start: &raw const __rodata_start as u64,
            end: &raw const __rodata_end as u64,
            perms: Perms::Read,
        },
        Segment {
            name: "data",
            start: &raw const __data_start as u64,
            end: &raw const __data_end as u64,
            perms: Perms::ReadWrite,
        },
    ]
}
