//! The kernel heap: sizes from 8 B to 4 MiB, many small blocks, alignment,
//! growth from the frame allocator.

use alloc::alloc::{alloc, dealloc};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::alloc::Layout;

use crate::arch::paging;
use crate::ktest::Failure;
use crate::mem::{frames, heap};
use crate::{ensure, ensure_eq, ktest};

fn pattern(i: usize, seed: usize) -> u8 {
    (i.wrapping_mul(31) ^ seed.wrapping_mul(7)) as u8
}

fn fill_and_check(size: usize, seed: usize) -> Result<(), Failure> {
    let mut v: Vec<u8> = Vec::with_capacity(size);
    ensure!(v.capacity() >= size, "capacity smaller than asked");
    v.extend((0..size).map(|i| pattern(i, seed)));
    ensure!(
        v.iter().enumerate().all(|(i, b)| *b == pattern(i, seed)),
        "pattern corrupted"
    );
    Ok(())
}

fn heap_sizes_8_bytes_to_4_mib() -> Result<(), Failure> {
    let mut size = 8;
    while size <= 4 << 20 {
        fill_and_check(size, size)?;
        fill_and_check(size + 3, size)?;
        // Freed memory is reused: the same size must work again.
        fill_and_check(size, size + 1)?;
        size *= 2;
    }
    Ok(())
}

fn heap_many_small_blocks() -> Result<(), Failure> {
    let mut boxes: Vec<Option<Box<u64>>> = (0..10_000u64).map(|i| Some(Box::new(i * 3))).collect();
    // Free every other block, then allocate into the holes.
    for b in boxes.iter_mut().step_by(2) {
        *b = None;
    }
    for (i, b) in boxes.iter_mut().enumerate().step_by(2) {
        *b = Some(Box::new(u64::MAX - i as u64));
    }
    for (i, b) in boxes.iter().enumerate() {
        let b = b.as_ref().ok_or(Failure::Check {
            what: "block missing",
            line: line!(),
        })?;
        let want = if i % 2 == 0 {
            u64::MAX - i as u64
        } else {
            i as u64 * 3
        };
        ensure_eq!(**b, want, "small block value");
    }
    Ok(())
}

fn heap_respects_alignment() -> Result<(), Failure> {
    let mut align = 8;
    while align <= 4096 {
        let layout = Layout::from_size_align(align * 3, align).map_err(|_| Failure::Check {
            what: "bad layout",
            line: line!(),
        })?;
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { alloc(layout) };
        ensure!(!p.is_null(), "aligned allocation failed");
        ensure_eq!(p as usize % align, 0, "allocation alignment");
        // SAFETY: `p` is a live allocation of `layout.size()` bytes.
        unsafe { p.write_bytes(0xa5, layout.size()) };
        // SAFETY: `p` came from `alloc` with this layout.
        unsafe { dealloc(p, layout) };
        align *= 2;
    }
    Ok(())
}

fn heap_grows_from_frames() -> Result<(), Failure> {
    let before = heap::mapped_bytes();
    let big: Vec<u64> = alloc::vec![7; (8 << 20) / 8];
    ensure!(heap::mapped_bytes() > before, "heap did not grow for 8 MiB");
    // Its pages are frames from the allocator, mapped writable and NX.
    let t = paging::translate(big.as_ptr() as u64).ok_or(Failure::Check {
        what: "heap page unmapped",
        line: line!(),
    })?;
    ensure!(
        frames::manages(t.phys & !0xfff),
        "heap page not from usable memory"
    );
    ensure!(t.writable && !t.executable, "heap page permissions");
    ensure!(big.iter().all(|v| *v == 7), "big block contents");
    Ok(())
}

ktest!(
    heap_sizes_8_bytes_to_4_mib,
    heap_many_small_blocks,
    heap_respects_alignment,
    heap_grows_from_frames,
);
