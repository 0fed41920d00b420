//! Tests on hand-built ELF files.

use super::*;

const TEXT: u64 = 0xffff_ffff_8000_0000;
const PF_R: u32 = 4;

struct Seg {
    vaddr: u64,
    memsz: u64,
    flags: u32,
    data: Vec<u8>,
}

fn seg(vaddr: u64, memsz: u64, flags: u32, data: &[u8]) -> Seg {
    Seg {
        vaddr,
        memsz,
        flags,
        data: data.to_vec(),
    }
}

/// ELF64 with one program header per segment (+ PT_DYNAMIC when given, at
/// `(vaddr, size)` inside one of the segments).
fn build(
    class: u8,
    machine: u16,
    e_type: u16,
    entry: u64,
    segs: &[Seg],
    dynamic: Option<(u64, u64)>,
) -> Vec<u8> {
    let phnum = segs.len() + usize::from(dynamic.is_some());
    let mut out = vec![0u8; 64 + 56 * phnum];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = class;
    out[5] = 1;
    out[6] = 1;
    out[16..18].copy_from_slice(&e_type.to_le_bytes());
    out[18..20].copy_from_slice(&machine.to_le_bytes());
    out[20..24].copy_from_slice(&1u32.to_le_bytes());
    out[24..32].copy_from_slice(&entry.to_le_bytes());
    out[32..40].copy_from_slice(&64u64.to_le_bytes());
    out[52..54].copy_from_slice(&64u16.to_le_bytes());
    out[54..56].copy_from_slice(&56u16.to_le_bytes());
    out[56..58].copy_from_slice(&(phnum as u16).to_le_bytes());
    out[58..60].copy_from_slice(&64u16.to_le_bytes());
    let phdr = |i: usize,
                p_type: u32,
                flags: u32,
                off: u64,
                vaddr: u64,
                filesz: u64,
                memsz: u64,
                out: &mut Vec<u8>| {
        let b = 64 + 56 * i;
        out[b..b + 4].copy_from_slice(&p_type.to_le_bytes());
        out[b + 4..b + 8].copy_from_slice(&flags.to_le_bytes());
        out[b + 8..b + 16].copy_from_slice(&off.to_le_bytes());
        out[b + 16..b + 24].copy_from_slice(&vaddr.to_le_bytes());
        out[b + 24..b + 32].copy_from_slice(&vaddr.to_le_bytes());
        out[b + 32..b + 40].copy_from_slice(&filesz.to_le_bytes());
        out[b + 40..b + 48].copy_from_slice(&memsz.to_le_bytes());
        out[b + 48..b + 56].copy_from_slice(&0x1000u64.to_le_bytes());
    };
    let mut offsets = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let off = (out.len() as u64).div_ceil(0x1000) * 0x1000;
        out.resize(off as usize, 0);
        out.extend_from_slice(&s.data);
        offsets.push(off);
        phdr(
            i,
            PT_LOAD,
            s.flags,
            off,
            s.vaddr,
            s.data.len() as u64,
            s.memsz,
            &mut out,
        );
    }
    if let Some((vaddr, size)) = dynamic {
        let (i, s) = segs
            .iter()
            .enumerate()
            .find(|(_, s)| vaddr >= s.vaddr && vaddr < s.vaddr + s.data.len() as u64)
            .expect("dynamic inside a segment");
        let off = offsets[i] + (vaddr - s.vaddr);
        phdr(segs.len(), 2, PF_R | PF_W, off, vaddr, size, size, &mut out);
    }
    out
}

fn words(ws: &[u64]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn kernel() -> Vec<u8> {
    build(
        2,
        EM_X86_64,
        ET_EXEC,
        TEXT + 4,
        &[
            seg(TEXT, 0x1800, PF_R | PF_X, &[0x90; 0x1800]),
            seg(TEXT + 0x2000, 0x100, PF_R, &[1; 0x100]),
            seg(TEXT + 0x3000, 0x3000, PF_R | PF_W, &[2; 0x10]),
        ],
        None,
    )
}

#[test]
fn plans_a_static_kernel() {
    let file = kernel();
    let k = KernelImage::parse(&file).unwrap();
    assert_eq!(
        (k.vbase, k.size, k.entry, k.slide),
        (TEXT, 0x6000, TEXT + 4, 0)
    );
    assert!(k.relocations.is_empty());
    let rx = Access {
        writable: false,
        executable: true,
    };
    let r = Access {
        writable: false,
        executable: false,
    };
    let rw = Access {
        writable: true,
        executable: false,
    };
    assert_eq!(
        k.page_runs(),
        vec![
            PageRun {
                vaddr: TEXT,
                len: 0x2000,
                access: rx
            },
            PageRun {
                vaddr: TEXT + 0x2000,
                len: 0x1000,
                access: r
            },
            PageRun {
                vaddr: TEXT + 0x3000,
                len: 0x3000,
                access: rw
            },
        ]
    );
    let mut image = vec![0xeeu8; k.size as usize];
    k.load(&file, &mut image);
    assert_eq!(image[0], 0x90);
    assert_eq!(image[0x17ff], 0x90);
    assert_eq!(image[0x1800], 0, "gap zeroed");
    assert_eq!(image[0x2000], 1);
    assert_eq!(image[0x300f], 2);
    assert_eq!(image[0x3010], 0, ".bss zeroed");
    assert_eq!(image[0x5fff], 0);
    assert_eq!(k.offset_of(TEXT + 0x10), Some(0x10));
    assert_eq!(k.offset_of(TEXT + 0x6000), None);
    assert_eq!(k.offset_of(TEXT - 1), None);
}

#[test]
fn shared_page_gets_union_of_rights() {
    let file = build(
        2,
        EM_X86_64,
        ET_EXEC,
        TEXT,
        &[
            seg(TEXT, 0x1800, PF_R | PF_X, &[0; 8]),
            seg(TEXT + 0x1800, 0x2000, PF_R | PF_W, &[0; 8]),
        ],
        None,
    );
    let k = KernelImage::parse(&file).unwrap();
    let rx = Access {
        writable: false,
        executable: true,
    };
    let rwx = Access {
        writable: true,
        executable: true,
    };
    let rw = Access {
        writable: true,
        executable: false,
    };
    assert_eq!(
        k.page_runs(),
        vec![
            PageRun {
                vaddr: TEXT,
                len: 0x1000,
                access: rx
            },
            PageRun {
                vaddr: TEXT + 0x1000,
                len: 0x1000,
                access: rwx
            },
            PageRun {
                vaddr: TEXT + 0x2000,
                len: 0x2000,
                access: rw
            },
        ]
    );
}

#[test]
fn rejects_non_elf_and_wrong_headers() {
    assert!(matches!(
        KernelImage::parse(b"hello world"),
        Err(ElfError::NotElf)
    ));
    assert!(matches!(
        KernelImage::parse(b"\x7fELF\x02\x01"),
        Err(ElfError::Truncated)
    ));
    let good = kernel();
    let mut c32 = good.clone();
    c32[4] = 1;
    assert!(matches!(
        KernelImage::parse(&c32),
        Err(ElfError::WrongClass)
    ));
    let mut be = good.clone();
    be[5] = 2;
    assert!(matches!(
        KernelImage::parse(&be),
        Err(ElfError::WrongEndian)
    ));
    let arm = build(
        2,
        183,
        ET_EXEC,
        TEXT,
        &[seg(TEXT, 16, PF_R | PF_X, &[0; 16])],
        None,
    );
    assert!(matches!(
        KernelImage::parse(&arm),
        Err(ElfError::WrongMachine(183))
    ));
    let rel = build(
        2,
        EM_X86_64,
        1,
        TEXT,
        &[seg(TEXT, 16, PF_R | PF_X, &[0; 16])],
        None,
    );
    assert!(matches!(
        KernelImage::parse(&rel),
        Err(ElfError::WrongType(1))
    ));
    let mut bad_phoff = good;
    bad_phoff[32..40].copy_from_slice(&0xffff_ffffu64.to_le_bytes());
    let err = KernelImage::parse(&bad_phoff).unwrap_err();
    assert!(matches!(err, ElfError::Malformed(_)), "{err:?}");
    assert!(err.to_string().starts_with("corrupt ELF"), "{err}");
}

#[test]
fn rejects_bad_segments() {
    let low = build(
        2,
        EM_X86_64,
        ET_EXEC,
        0x20_0000,
        &[seg(0x20_0000, 16, PF_R | PF_X, &[0; 16])],
        None,
    );
    let err = KernelImage::parse(&low).unwrap_err();
    assert!(
        matches!(
            err,
            ElfError::OutsideHigherHalf {
                index: 0,
                vaddr: 0x20_0000
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("outside the higher half"));

    let wrap = build(
        2,
        EM_X86_64,
        ET_EXEC,
        0xffff_ffff_ffff_f000,
        &[seg(0xffff_ffff_ffff_f000, 0x2000, PF_R | PF_X, &[0; 16])],
        None,
    );
    assert!(matches!(
        KernelImage::parse(&wrap),
        Err(ElfError::OutsideHigherHalf { .. })
    ));

    let overlap = build(
        2,
        EM_X86_64,
        ET_EXEC,
        TEXT,
        &[
            seg(TEXT, 0x2000, PF_R | PF_X, &[0; 16]),
            seg(TEXT + 0x1fff, 0x10, PF_R, &[0; 16]),
        ],
        None,
    );
    assert!(matches!(
        KernelImage::parse(&overlap),
        Err(ElfError::Overlap {
            first: 0,
            second: 1
        })
    ));

    let mut past_end = kernel();
    let len = past_end.len();
    past_end.truncate(len - 8);
    assert!(matches!(
        KernelImage::parse(&past_end),
        Err(ElfError::SegmentFileRange { index: 2 })
    ));

    let sizes = build(
        2,
        EM_X86_64,
        ET_EXEC,
        TEXT,
        &[seg(TEXT, 8, PF_R | PF_X, &[0; 16])],
        None,
    );
    assert!(matches!(
        KernelImage::parse(&sizes),
        Err(ElfError::SegmentSizes { index: 0 })
    ));

    let none = build(2, EM_X86_64, ET_EXEC, TEXT, &[], None);
    assert!(matches!(
        KernelImage::parse(&none),
        Err(ElfError::NoLoadableSegments)
    ));

    let entry = build(
        2,
        EM_X86_64,
        ET_EXEC,
        TEXT + 0x1000,
        &[
            seg(TEXT, 16, PF_R | PF_X, &[0; 16]),
            seg(TEXT + 0x1000, 16, PF_R | PF_W, &[0; 16]),
        ],
        None,
    );
    assert!(matches!(
        KernelImage::parse(&entry),
        Err(ElfError::EntryNotExecutable { entry: e }) if e == TEXT + 0x1000
    ));

    let huge = build(
        2,
        EM_X86_64,
        ET_EXEC,
        TEXT,
        &[seg(TEXT, 2 << 30, PF_R | PF_X, &[0; 16])],
        None,
    );
    assert!(matches!(
        KernelImage::parse(&huge),
        Err(ElfError::TooLarge { .. })
    ));
}

/// A PIE linked at 0: text at 0, data at 0x1000 holding the dynamic
/// array, one RELA entry and the word it patches.
fn pie(reloc_type: u64) -> Vec<u8> {
    let dyn_at = 0x1000u64;
    let rela_at = dyn_at + 4 * 16;
    let target = rela_at + 24;
    let mut data = words(&[7, rela_at, 8, 24, 9, 24, 0, 0]);
    data.extend(words(&[target, reloc_type, 0x40]));
    data.extend(words(&[0]));
    build(
        2,
        EM_X86_64,
        ET_DYN,
        0x10,
        &[
            seg(0, 0x100, PF_R | PF_X, &[0xc3; 0x100]),
            seg(dyn_at, 0x1000, PF_R | PF_W, &data),
        ],
        Some((dyn_at, 64)),
    )
}

#[test]
fn relocates_position_independent_kernels() {
    let file = pie(u64::from(R_X86_64_RELATIVE));
    let k = KernelImage::parse(&file).unwrap();
    assert_eq!(k.slide, KERNEL_MIN_VADDR);
    assert_eq!(k.vbase, KERNEL_MIN_VADDR);
    assert_eq!(k.entry, KERNEL_MIN_VADDR + 0x10);
    assert_eq!(
        k.relocations,
        vec![(0x1000 + 64 + 24, KERNEL_MIN_VADDR + 0x40)]
    );
    let mut image = vec![0u8; k.size as usize];
    k.load(&file, &mut image);
    let patched = u64::from_le_bytes(image[0x1058..0x1060].try_into().unwrap());
    assert_eq!(patched, KERNEL_MIN_VADDR + 0x40);
}

#[test]
fn rejects_symbolic_relocations() {
    let file = pie(1);
    assert!(matches!(
        KernelImage::parse(&file),
        Err(ElfError::UnsupportedRelocation { kind: 1 })
    ));
}
