//! A small ELF64 writer for fixtures: hand-assembled ELF header, program
//! headers, section headers and a `.helix_module` section holding a record
//! made by `helix_protocol`'s const encoder. Every field is public so a test
//! can break exactly one thing.
//!
//! The valid image (`Image::valid`), 0x740 bytes:
//!
//! | file offset | what | vaddr |
//! | --- | --- | --- |
//! | 0x000 | ELF header | segment 1 (R) from 0x400000 |
//! | 0x040 | 5 program headers | (PT_PHDR is header 0) |
//! | 0x180 | metadata record | up to `RECORD_END` |
//! | 0x400 | text, 0x40 bytes | segment 2 (R+X) at 0x401400; entry 0x401410 |
//! | 0x500 | data, 0x20 bytes | segment 3 (R+W) at 0x402500, 0x2000 in memory |
//! | 0x600 | section names | |
//! | 0x640 | 4 section headers | null, .text, .helix_module, .shstrtab |

use alloc::vec::Vec;

use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD, PT_PHDR};
use goblin::elf::section_header::{SHF_ALLOC, SHF_EXECINSTR, SHT_PROGBITS, SHT_STRTAB};
use helix_protocol::metadata::{RecordSpec, SymbolSpec};
use helix_protocol::{AbiVersion, ModuleFlags, SymbolKind};

/// The record the valid image carries.
pub const SPEC: RecordSpec<'static> = RecordSpec {
    name: "synthetic",
    version: "1.2.3",
    author: "loader tests",
    description: "A hand-assembled module",
    flags: ModuleFlags::HOT_RELOADABLE
        .union(ModuleFlags::USERSPACE)
        .bits(),
    abi: AbiVersion::new(1, 4, 2),
    dependencies: &[("kvstore", "^0.1"), ("helix-hal", ">=0.4.0")],
    provides: &["kv"],
    symbols: &[
        SymbolSpec {
            name: "get",
            kind: SymbolKind::Function,
            signature: "fn(String) -> Option<Vec<u8>>",
            deprecated: false,
        },
        SymbolSpec {
            name: "LIMIT",
            kind: SymbolKind::Variable,
            signature: "u64",
            deprecated: true,
        },
    ],
};
/// [`SPEC`], encoded.
pub const RECORD: [u8; SPEC.encoded_len()] = SPEC.encode();

/// Where the program headers start.
pub const PHOFF: u64 = 0x40;
/// File offset of the record.
pub const RECORD_AT: u64 = 0x180;
/// End of the record in the file (and of segment 1).
pub const RECORD_END: u64 = RECORD_AT + RECORD.len() as u64;
/// File offset of the text bytes.
pub const TEXT_AT: u64 = 0x400;
/// Their address.
pub const TEXT_VADDR: u64 = 0x40_1400;
/// Their length.
pub const TEXT_LEN: u64 = 0x40;
/// The entry point.
pub const ENTRY: u64 = TEXT_VADDR + 0x10;
/// File offset of the data bytes.
pub const DATA_AT: u64 = 0x500;
/// Their address.
pub const DATA_VADDR: u64 = 0x40_2500;
/// Their length in the file.
pub const DATA_LEN: u64 = 0x20;
/// The data segment's length in memory.
pub const DATA_MEM: u64 = 0x2000;
/// File offset of the section names.
pub const NAMES_AT: u64 = 0x600;
/// The section names (offsets: `.helix_module` 1, `.shstrtab` 15, `.text` 25).
pub const NAMES: &[u8] = b"\0.helix_module\0.shstrtab\0.text\0";
/// Offset of `.text` in [`NAMES`].
pub const TEXT_NAME: u32 = 25;
/// Where the section headers start.
pub const SHOFF: u64 = 0x640;
/// Length of the valid image.
pub const IMAGE_LEN: usize = 0x740;
/// Index of the `.helix_module` section header.
pub const META_SECTION: usize = 2;

// The layout above must hold together (checked at compile time).
const _: () = assert!(PHOFF + 5 * 56 <= RECORD_AT && RECORD_END <= TEXT_AT);
const _: () = assert!(NAMES_AT + NAMES.len() as u64 <= SHOFF);
const _: () = assert!(SHOFF + 4 * 64 == IMAGE_LEN as u64);

/// A program header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phdr {
    /// `p_type`.
    pub p_type: u32,
    /// `p_flags`.
    pub flags: u32,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr` (and `p_paddr`).
    pub vaddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_align`.
    pub align: u64,
}

impl Phdr {
    /// A PT_LOAD with page alignment.
    pub const fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Phdr {
        Phdr {
            p_type: PT_LOAD,
            flags,
            offset,
            vaddr,
            filesz,
            memsz,
            align: 0x1000,
        }
    }
}

/// A section header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shdr {
    /// `sh_name`.
    pub name: u32,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags`.
    pub flags: u64,
    /// `sh_addr`.
    pub addr: u64,
    /// `sh_offset`.
    pub offset: u64,
    /// `sh_size`.
    pub size: u64,
}

/// An ELF file to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// `EI_CLASS`.
    pub class: u8,
    /// `EI_DATA`.
    pub data: u8,
    /// `e_type`.
    pub elf_type: u16,
    /// `e_machine`.
    pub machine: u16,
    /// `e_entry`.
    pub entry: u64,
    /// `e_phoff`.
    pub phoff: u64,
    /// `e_phentsize`.
    pub phentsize: u16,
    /// `e_shoff`.
    pub shoff: u64,
    /// `e_shentsize`.
    pub shentsize: u16,
    /// `e_shstrndx`.
    pub shstrndx: u16,
    /// Program headers (`e_phnum` is their count).
    pub phdrs: Vec<Phdr>,
    /// Section headers (`e_shnum` is their count).
    pub shdrs: Vec<Shdr>,
    /// File contents: bytes at offsets.
    pub blobs: Vec<(u64, Vec<u8>)>,
}

impl Image {
    /// The valid module laid out as the module docs say.
    pub fn valid() -> Image {
        let text: Vec<u8> = (0..TEXT_LEN).map(|i| 0x90 ^ i as u8).collect();
        let data: Vec<u8> = (0..DATA_LEN).map(|i| 0xa5 ^ i as u8).collect();
        Image {
            class: 2,
            data: 1,
            elf_type: 2,
            machine: 62,
            entry: ENTRY,
            phoff: PHOFF,
            phentsize: 56,
            shoff: SHOFF,
            shentsize: 64,
            shstrndx: 3,
            phdrs: alloc::vec![
                Phdr {
                    p_type: PT_PHDR,
                    flags: PF_R,
                    offset: PHOFF,
                    vaddr: 0x40_0000 + PHOFF,
                    filesz: 5 * 56,
                    memsz: 5 * 56,
                    align: 8,
                },
                Phdr::load(PF_R, 0, 0x40_0000, RECORD_END, RECORD_END),
                Phdr::load(PF_R | PF_X, TEXT_AT, TEXT_VADDR, TEXT_LEN, TEXT_LEN),
                Phdr::load(PF_R | PF_W, DATA_AT, DATA_VADDR, DATA_LEN, DATA_MEM),
                Phdr {
                    p_type: PT_GNU_STACK,
                    flags: PF_R | PF_W,
                    offset: 0,
                    vaddr: 0,
                    filesz: 0,
                    memsz: 0,
                    align: 0,
                },
            ],
            shdrs: alloc::vec![
                Shdr::default(),
                Shdr {
                    name: TEXT_NAME,
                    sh_type: SHT_PROGBITS,
                    flags: u64::from(SHF_ALLOC | SHF_EXECINSTR),
                    addr: TEXT_VADDR,
                    offset: TEXT_AT,
                    size: TEXT_LEN,
                },
                Shdr {
                    name: 1,
                    sh_type: SHT_PROGBITS,
                    flags: u64::from(SHF_ALLOC),
                    addr: 0x40_0000 + RECORD_AT,
                    offset: RECORD_AT,
                    size: RECORD.len() as u64,
                },
                Shdr {
                    name: 15,
                    sh_type: SHT_STRTAB,
                    flags: 0,
                    addr: 0,
                    offset: NAMES_AT,
                    size: NAMES.len() as u64,
                },
            ],
            blobs: alloc::vec![
                (RECORD_AT, RECORD.to_vec()),
                (TEXT_AT, text),
                (DATA_AT, data),
                (NAMES_AT, NAMES.to_vec()),
            ],
        }
    }

    /// The valid image with `change` applied, as bytes.
    pub fn valid_with(change: impl FnOnce(&mut Image)) -> Vec<u8> {
        let mut image = Image::valid();
        change(&mut image);
        image.bytes()
    }

    /// The file: everything at its offset, zeros between.
    pub fn bytes(&self) -> Vec<u8> {
        let phnum = self.phdrs.len() as u64;
        let shnum = self.shdrs.len() as u64;
        let mut len = 64;
        if phnum > 0 {
            len = len.max(self.phoff + phnum * 56);
        }
        if shnum > 0 {
            len = len.max(self.shoff + shnum * 64);
        }
        for (at, blob) in &self.blobs {
            len = len.max(at + blob.len() as u64);
        }
        let mut out = alloc::vec![0u8; len as usize];
        let mut w = Writer { out: &mut out };
        w.put(0, b"\x7fELF");
        w.put(4, &[self.class, self.data, 1]);
        w.u16(16, self.elf_type);
        w.u16(18, self.machine);
        w.u32(20, 1);
        w.u64(24, self.entry);
        w.u64(32, self.phoff);
        w.u64(40, self.shoff);
        w.u16(52, 64);
        w.u16(54, self.phentsize);
        w.u16(56, phnum as u16);
        w.u16(58, self.shentsize);
        w.u16(60, shnum as u16);
        w.u16(62, self.shstrndx);
        for (i, p) in self.phdrs.iter().enumerate() {
            let at = (self.phoff + i as u64 * 56) as usize;
            w.u32(at, p.p_type);
            w.u32(at + 4, p.flags);
            w.u64(at + 8, p.offset);
            w.u64(at + 16, p.vaddr);
            w.u64(at + 24, p.vaddr);
            w.u64(at + 32, p.filesz);
            w.u64(at + 40, p.memsz);
            w.u64(at + 48, p.align);
        }
        for (i, s) in self.shdrs.iter().enumerate() {
            let at = (self.shoff + i as u64 * 64) as usize;
            w.u32(at, s.name);
            w.u32(at + 4, s.sh_type);
            w.u64(at + 8, s.flags);
            w.u64(at + 16, s.addr);
            w.u64(at + 24, s.offset);
            w.u64(at + 32, s.size);
            w.u64(at + 48, 1); // sh_addralign
        }
        for (at, blob) in &self.blobs {
            w.put(*at as usize, blob);
        }
        out
    }
}

struct Writer<'a> {
    out: &'a mut [u8],
}

impl Writer<'_> {
    fn put(&mut self, at: usize, bytes: &[u8]) {
        self.out[at..at + bytes.len()].copy_from_slice(bytes);
    }
    fn u16(&mut self, at: usize, v: u16) {
        self.put(at, &v.to_le_bytes());
    }
    fn u32(&mut self, at: usize, v: u32) {
        self.put(at, &v.to_le_bytes());
    }
    fn u64(&mut self, at: usize, v: u64) {
        self.put(at, &v.to_le_bytes());
    }
}
