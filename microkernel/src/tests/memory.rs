//! The memory map and the physical frame allocator.

use alloc::vec::Vec;

use helix_kernel_core::PAGE_SIZE;
use helix_kernel_core::frames::{FrameError, UsableRanges};
use helix_kernel_core::memmap::{self, RegionKind};

use crate::boot::boot_info;
use crate::ktest::Failure;
use crate::mem::{frames, image};
use crate::{ensure, ensure_eq, ktest};

/// Frames taken by each allocator test.
const MANY: usize = 4096;

fn memory_map_sorted_and_disjoint() -> Result<(), Failure> {
    let regions = boot_info().regions();
    memmap::check(regions)?;
    ensure!(
        regions.iter().any(|r| r.kind == RegionKind::Usable),
        "no usable memory"
    );
    ensure!(
        regions
            .iter()
            .any(|r| r.kind == RegionKind::ExecutableAndModules),
        "kernel image not in the memory map"
    );
    Ok(())
}

/// Fill `v` (whose capacity is reserved) with `n` fresh frames.
fn take_into(v: &mut Vec<u64>, n: usize) -> Result<(), Failure> {
    for _ in 0..n {
        v.push(frames::allocate().ok_or(Failure::Check {
            what: "out of frames",
            line: line!(),
        })?);
    }
    Ok(())
}

fn give_back(v: &[u64]) -> Result<(), Failure> {
    for f in v {
        frames::deallocate(*f)?;
    }
    Ok(())
}

/// Whether `a` and `b` together hold no value twice (`scratch` has room
/// for both, so the check does not touch the heap).
fn all_distinct(a: &[u64], b: &[u64], scratch: &mut Vec<u64>) -> bool {
    scratch.clear();
    scratch.extend_from_slice(a);
    scratch.extend_from_slice(b);
    scratch.sort_unstable();
    scratch.windows(2).all(|w| w[0] != w[1])
}

fn frames_never_handed_out_twice() -> Result<(), Failure> {
    // Reserve every buffer first: heap growth takes frames too.
    let mut first = Vec::with_capacity(MANY);
    let mut second = Vec::with_capacity(MANY / 2);
    let mut scratch = Vec::with_capacity(MANY * 2);
    let (_, free_before) = frames::stats().ok_or(Failure::Missing("frame allocator"))?;
    take_into(&mut first, MANY)?;
    ensure!(
        all_distinct(&first, &[], &mut scratch),
        "a frame handed out twice"
    );
    // Free half; what comes back must not collide with what is still out.
    let (returned, kept) = first.split_at(MANY / 2);
    give_back(returned)?;
    take_into(&mut second, MANY / 2)?;
    ensure!(
        all_distinct(kept, &second, &mut scratch),
        "a frame handed out twice after freeing"
    );
    give_back(kept)?;
    give_back(&second)?;
    let (_, free_after) = frames::stats().ok_or(Failure::Missing("frame allocator"))?;
    ensure_eq!(
        free_after,
        free_before,
        "free count after returning everything"
    );
    Ok(())
}

fn frames_only_from_usable_memory() -> Result<(), Failure> {
    let info = boot_info();
    let regions = info.regions();
    let image_phys = info.image.phys;
    let image_len = image::segments()[2].end - info.image.virt;
    let mut v = Vec::with_capacity(MANY);
    take_into(&mut v, MANY)?;
    for f in &v {
        ensure_eq!(f % PAGE_SIZE, 0, "frame alignment");
        let r = memmap::find(regions, *f).ok_or(Failure::Check {
            what: "frame outside the memory map",
            line: line!(),
        })?;
        ensure!(r.kind == RegionKind::Usable, "frame outside usable memory");
        ensure!(
            r.contains(f + PAGE_SIZE - 1),
            "frame straddles a region boundary"
        );
        ensure!(
            !(image_phys..image_phys + image_len).contains(f),
            "frame inside the kernel image"
        );
        ensure!(*f != 0, "physical page 0 handed out");
    }
    give_back(&v)
}

fn frames_double_free_rejected() -> Result<(), Failure> {
    let f = frames::allocate().ok_or(Failure::Missing("a free frame"))?;
    frames::deallocate(f)?;
    ensure!(
        frames::deallocate(f) == Err(FrameError::NotAllocated(f)),
        "double free accepted"
    );
    let image = boot_info().image.phys;
    ensure!(
        frames::deallocate(image) == Err(FrameError::NotManaged(image)),
        "freeing a kernel-image frame accepted"
    );
    ensure!(
        frames::deallocate(f + 1) == Err(FrameError::Unaligned(f + 1)),
        "unaligned free accepted"
    );
    Ok(())
}

fn frame_count_matches_memory_map() -> Result<(), Failure> {
    let usable = UsableRanges::from_regions(boot_info().regions());
    let (total, free) = frames::stats().ok_or(Failure::Missing("frame allocator"))?;
    ensure_eq!(total, usable.frames(), "managed frames vs usable memory");
    ensure!(
        free < total,
        "nothing allocated (bitmap, page tables, heap)"
    );
    Ok(())
}

ktest!(
    memory_map_sorted_and_disjoint,
    frames_never_handed_out_twice,
    frames_only_from_usable_memory,
    frames_double_free_rejected,
    frame_count_matches_memory_map,
);
