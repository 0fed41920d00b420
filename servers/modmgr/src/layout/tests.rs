//! The spawn plan: frames cover every segment page once, fills copy exactly
//! the file bytes, reserved ranges are refused, the budget pays for it all.

use alloc::vec;

use helix_module_loader::{LoadedModule, ModuleFormat, Segment, SegmentRights};
use helix_protocol::metadata::ModuleRecord;
use helix_protocol::{AbiVersion, ModuleFlags, SymbolTable};

use super::*;

const RX: SegmentRights = SegmentRights {
    read: true,
    write: false,
    execute: true,
};
const RW: SegmentRights = SegmentRights {
    read: true,
    write: true,
    execute: false,
};

fn module(segments: Vec<Segment>) -> LoadedModule {
    LoadedModule {
        format: ModuleFormat::Elf,
        record: ModuleRecord {
            abi: AbiVersion::CURRENT,
            flags: ModuleFlags::USERSPACE,
            name: "m".into(),
            version: "1.0.0".into(),
            author: String::new(),
            description: String::new(),
            dependencies: vec![],
            provides: vec![],
            symbols: SymbolTable::default(),
        },
        symbols: SymbolTable::default(),
        entry: 0x40_1000,
        segments,
    }
}

fn seg(vaddr: u64, mem: u64, off: usize, file: usize, rights: SegmentRights) -> Segment {
    Segment {
        vaddr,
        mem_size: mem,
        file_offset: off,
        file_size: file,
        rights,
    }
}

#[test]
fn segments_become_frames_with_exact_fills() {
    let m = module(vec![
        seg(0x40_1000, 0x2345, 0x1000, 0x2345, RX),
        // data: file part then bss, not page aligned
        seg(0x40_5100, 0x3000, 0x4100, 0x80, RW),
    ]);
    let p = SpawnPlan::new(&m, 1 << 20).unwrap();
    assert_eq!(p.entry, 0x40_1000);
    assert_eq!(p.image.len(), 2);
    assert_eq!(
        p.image[0],
        ImageFrame {
            vaddr: 0x40_1000,
            pages: 3,
            rights: RX,
            fills: vec![Fill {
                frame_offset: 0,
                file_offset: 0x1000,
                len: 0x2345
            }],
        }
    );
    assert_eq!(p.image[1].vaddr, 0x40_5000);
    assert_eq!(
        p.image[1].pages, 4,
        "0x405100 + 0x3000 ends in the 4th page"
    );
    assert_eq!(
        p.image[1].fills,
        vec![Fill {
            frame_offset: 0x100,
            file_offset: 0x4100,
            len: 0x80
        }]
    );
    assert_eq!(p.heap_budget, 1 << 20);
}

#[test]
fn a_big_segment_is_split_into_frames_of_at_most_512_pages() {
    let pages = 1200u64;
    let m = module(vec![seg(
        0x40_0000,
        pages * PAGE,
        0,
        (pages * PAGE) as usize,
        RX,
    )]);
    let p = SpawnPlan::new(&m, 0).unwrap();
    let sizes: Vec<u64> = p.image.iter().map(|f| f.pages).collect();
    assert_eq!(sizes, vec![512, 512, 176]);
    let copied: usize = p.image.iter().flat_map(|f| &f.fills).map(|f| f.len).sum();
    assert_eq!(copied as u64, pages * PAGE, "every file byte copied once");
    for w in p.image.windows(2) {
        assert_eq!(w[0].vaddr + w[0].pages * PAGE, w[1].vaddr, "contiguous");
        assert_eq!(
            w[0].fills[0].file_offset + w[0].fills[0].len,
            w[1].fills[0].file_offset
        );
    }
}

#[test]
fn reserved_ranges_are_refused() {
    for (vaddr, what) in [
        (STACK_TOP - PAGE, "stack"),
        (IPC_BUFFER, "IPC buffer"),
        (START_INFO, "start-info page"),
        (HEAP_START + 0x5000, "heap window"),
        (FRAME_WINDOW.0, "frame window"),
    ] {
        let m = module(vec![seg(vaddr, PAGE, 0, 0, RW)]);
        assert_eq!(
            SpawnPlan::new(&m, 1 << 20),
            Err(PlanError::Reserved { vaddr, what })
        );
    }
    // Just below the heap window is fine.
    let m = module(vec![seg(HEAP_START - PAGE, PAGE, 0, 0, RW)]);
    assert!(SpawnPlan::new(&m, 1 << 20).is_ok());
}

#[test]
fn too_many_frames_and_bad_heaps_are_refused() {
    let segs = (0..65u64)
        .map(|i| seg(0x40_0000 + i * 2 * PAGE, PAGE, 0, 0, RW))
        .collect();
    assert_eq!(
        SpawnPlan::new(&module(segs), 0),
        Err(PlanError::TooManyFrames(65))
    );
    let m = module(vec![seg(0x40_0000, PAGE, 0, 0, RW)]);
    assert_eq!(SpawnPlan::new(&m, 100), Err(PlanError::BadHeap(100)));
}

#[test]
fn the_budget_pays_for_objects_frames_and_tables() {
    let m = module(vec![seg(0x40_0000, 3 * PAGE, 0, 0, RX)]);
    let p = SpawnPlan::new(&m, 8 * PAGE).unwrap();
    // Tables for every range the process maps: image, stack, IPC buffer,
    // start info and the whole heap window.
    let ranges = [
        (0x40_0000, 0x40_3000),
        (STACK_TOP - STACK_PAGES * PAGE, STACK_TOP),
        (IPC_BUFFER, IPC_BUFFER + PAGE),
        (START_INFO, START_INFO + PAGE),
        (HEAP_START, HEAP_START + 8 * PAGE),
    ];
    let tables = page_tables(&ranges);
    assert_eq!(
        p.objects_budget,
        4096 + 64 * u64::from(CSPACE_SLOTS) + 1024 + 4096 * (3 + STACK_PAGES + 2 + tables)
    );
}

#[test]
fn page_tables_count_distinct_regions() {
    assert_eq!(page_tables(&[]), 0);
    assert_eq!(page_tables(&[(0x1000, 0x2000)]), 3, "one PDPT, PD and PT");
    assert_eq!(
        page_tables(&[(0x1000, 0x2000), (0x3000, 0x4000)]),
        3,
        "same 2 MiB region"
    );
    assert_eq!(
        page_tables(&[(0x1f_f000, 0x20_1000)]),
        4,
        "crosses a 2 MiB boundary: two PTs"
    );
    assert_eq!(page_tables(&[(0x1000, 0x1000)]), 0, "empty range");
}
