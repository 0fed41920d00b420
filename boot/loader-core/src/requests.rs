//! Finding the kernel's Limine requests and base revision tag in its loaded
//! image.
//!
//! A request is 8-byte aligned and starts with the common magic followed by
//! its 2-word id, then `revision` and the `response` pointer the loader
//! fills in. The base revision tag is three words: two magic words and the
//! requested revision. When request delimiters are present only the words
//! between the last start marker and the first end marker count.

use alloc::vec::Vec;
use core::fmt;

/// The first two id words of every request.
pub const COMMON_MAGIC: [u64; 2] = [0xc7b1_dd30_df4c_8b88, 0x0a82_e883_a194_f07b];
/// The first two words of the base revision tag.
pub const BASE_REVISION_MAGIC: [u64; 2] = [0xf956_2b2d_5c95_a6c8, 0x6a7b_3849_4453_6bdc];
/// Requests start marker.
pub const START_MARKER: [u64; 4] = [
    0xf6b8_f4b3_9de7_d1ae,
    0xfab9_1a69_40fc_b9cf,
    0x785c_6ed0_15d3_e316,
    0x181e_920a_7852_b9d9,
];
/// Requests end marker.
pub const END_MARKER: [u64; 2] = [0xadc0_e053_1bb1_0d03, 0x9572_709f_3176_4c62];

/// Byte offset of `revision` in a request.
pub const REVISION_OFFSET: u64 = 32;
/// Byte offset of the `response` pointer in a request.
pub const RESPONSE_OFFSET: u64 = 40;

macro_rules! request_kinds {
    ($($(#[$doc:meta])* $name:ident = [$a:expr, $b:expr], $size:expr, $text:expr;)*) => {
        /// Every request the protocol specifies (x86-64 and otherwise).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum RequestKind {
            $($(#[$doc])* $name,)*
        }

        impl RequestKind {
            /// All kinds, in specification order.
            pub const ALL: &'static [RequestKind] = &[$(RequestKind::$name,)*];

            /// The request-specific id words.
            pub const fn id(self) -> [u64; 2] {
                match self {
                    $(RequestKind::$name => [$a, $b],)*
                }
            }

            /// Bytes of the request structure the loader reads.
            pub const fn size(self) -> u64 {
                match self {
                    $(RequestKind::$name => $size,)*
                }
            }

            /// Name for logs and errors.
            pub const fn name(self) -> &'static str {
                match self {
                    $(RequestKind::$name => $text,)*
                }
            }
        }
    };
}

request_kinds! {
    /// Bootloader name and version.
    BootloaderInfo = [0xf550_38d8_e2a1_202f, 0x2794_26fc_f5f5_9740], 48, "bootloader info";
    /// The kernel's command line.
    ExecutableCmdline = [0x4b16_1536_e598_651e, 0xb390_ad4a_2f1f_303a], 48, "executable cmdline";
    /// BIOS or UEFI.
    FirmwareType = [0x8c2f_75d9_0bef_28a8, 0x7045_a468_8eac_00c3], 48, "firmware type";
    /// Stack size for the BSP and APs.
    StackSize = [0x224e_f046_0a8e_8926, 0xe1cb_0fc2_5f46_ea3d], 56, "stack size";
    /// Higher-half direct map offset.
    Hhdm = [0x48dc_f1cb_8ad2_b852, 0x6398_4e95_9a98_244b], 48, "HHDM";
    /// Framebuffers.
    Framebuffer = [0x9d58_27dc_d881_dd75, 0xa314_8604_f6fa_b11b], 48, "framebuffer";
    /// 4- or 5-level paging.
    PagingMode = [0x95c1_a0ed_ab09_44cb, 0xa4e5_cb38_42f7_488a], 56, "paging mode";
    /// Start the application processors.
    Mp = [0x95a6_7b81_9a1b_857e, 0xa0b6_1b72_3b6a_73e0], 56, "MP";
    /// RISC-V boot hart (never answered on x86-64).
    RiscvBspHartid = [0x1369_359f_0255_25f9, 0x2ff2_a561_7839_1bb6], 48, "RISC-V BSP hart id";
    /// Physical memory map.
    MemoryMap = [0x67cf_3d9d_378a_806f, 0xe304_acdf_c50c_3c62], 48, "memory map";
    /// Alternative entry point.
    EntryPoint = [0x13d8_6c03_5a1c_d3e1, 0x2b0c_aa89_d8f3_026a], 56, "entry point";
    /// The kernel file itself.
    ExecutableFile = [0xad97_e90e_83f1_ed67, 0x31eb_5d1c_5ff2_3b69], 48, "executable file";
    /// Boot modules.
    Module = [0x3e7e_2797_02be_32af, 0xca1c_4f3b_d128_0cee], 48, "module";
    /// ACPI RSDP.
    Rsdp = [0xc5e7_7b6b_397e_7b43, 0x2763_7845_accd_cf3c], 48, "RSDP";
    /// SMBIOS entry points.
    Smbios = [0x9e90_46f1_1e09_5391, 0xaa4a_520f_efbd_e5ee], 48, "SMBIOS";
    /// EFI system table (never answered: PVH is not EFI).
    EfiSystemTable = [0x5ceb_a516_3eaa_f6d6, 0x0a69_8161_0cf6_5fcc], 48, "EFI system table";
    /// EFI memory map (never answered).
    EfiMemoryMap = [0x7df6_2a43_1d68_72d5, 0xa4fc_dfb3_e573_06c8], 48, "EFI memory map";
    /// Wall-clock time at boot.
    DateAtBoot = [0x5027_46e1_84c0_88aa, 0xfbc5_ec83_e632_7893], 48, "date at boot";
    /// Physical and virtual base of the kernel.
    ExecutableAddress = [0x71ba_7686_3cc5_5f63, 0xb264_4a48_c516_a487], 48, "executable address";
    /// Device tree blob (never answered on PC).
    DeviceTreeBlob = [0xb40d_db48_fb54_bac7, 0x5450_8149_3f81_ffb7], 48, "device tree blob";
    /// Boot timing.
    BootloaderPerformance = [0x6b50_ad9b_f36d_13ad, 0xdc4c_7e88_fc75_9e17], 48, "bootloader performance";
}

impl RequestKind {
    /// The kind with this id, if the protocol defines one.
    pub fn from_id(id: [u64; 2]) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.id() == id)
    }
}

/// One request found in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// Byte offset of the request in the image.
    pub offset: u64,
    /// The request-specific id words.
    pub id: [u64; 2],
    /// Known kind, `None` for ids this loader does not know.
    pub kind: Option<RequestKind>,
    /// The `revision` field.
    pub revision: u64,
}

/// The base revision tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseRevisionTag {
    /// Byte offset of the tag in the image.
    pub offset: u64,
    /// Third word: the revision the kernel asks for.
    pub requested: u64,
}

/// Everything found in the image.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Scan {
    /// The tag, if present (absent = revision 0).
    pub base_revision: Option<BaseRevisionTag>,
    /// Requests in image order.
    pub requests: Vec<Request>,
    /// Byte range searched (narrowed by delimiters).
    pub window: (u64, u64),
    /// Whether a start or end marker was seen.
    pub delimited: bool,
}

impl Scan {
    /// The request of `kind`, if the kernel made one.
    pub fn find(&self, kind: RequestKind) -> Option<&Request> {
        self.requests.iter().find(|r| r.kind == Some(kind))
    }
}

/// A request table the loader must refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// The same id twice (the spec says refuse to boot).
    Duplicate {
        /// The id words.
        id: [u64; 2],
        /// Offset of the second copy.
        offset: u64,
    },
    /// A request that runs past the end of the image.
    Truncated {
        /// Its offset.
        offset: u64,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RequestError::Duplicate { id, offset } => {
                let name = RequestKind::from_id(id).map_or("unknown", RequestKind::name);
                write!(
                    f,
                    "Limine {name} request ({:#x}, {:#x}) present twice (second at image offset {offset:#x})",
                    id[0], id[1]
                )
            }
            RequestError::Truncated { offset } => {
                write!(
                    f,
                    "Limine request at image offset {offset:#x} runs past the image"
                )
            }
        }
    }
}

fn word(image: &[u8], index: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&image[index * 8..index * 8 + 8]);
    u64::from_le_bytes(bytes)
}

fn matches(image: &[u8], index: usize, pattern: &[u64]) -> bool {
    let words = image.len() / 8;
    index + pattern.len() <= words
        && pattern
            .iter()
            .enumerate()
            .all(|(i, &p)| word(image, index + i) == p)
}

/// Scans `image` (the kernel's loaded bytes, starting at a page-aligned
/// virtual address) for the base revision tag and requests.
pub fn scan(image: &[u8]) -> Result<Scan, RequestError> {
    let words = image.len() / 8;
    let mut start = 0usize;
    let mut end = words;
    let mut delimited = false;
    let mut first_end: Option<usize> = None;
    for i in 0..words {
        if matches(image, i, &START_MARKER) {
            start = i + START_MARKER.len();
            delimited = true;
        } else if first_end.is_none() && matches(image, i, &END_MARKER) {
            first_end = Some(i);
            delimited = true;
        }
    }
    if let Some(e) = first_end {
        end = e;
    }
    let mut scan = Scan {
        window: ((start * 8) as u64, (end.max(start) * 8) as u64),
        delimited,
        ..Scan::default()
    };
    let mut i = start;
    while i < end {
        if scan.base_revision.is_none() && i + 3 <= end && matches(image, i, &BASE_REVISION_MAGIC) {
            scan.base_revision = Some(BaseRevisionTag {
                offset: (i * 8) as u64,
                requested: word(image, i + 2),
            });
            i += 3;
            continue;
        }
        if matches(image, i, &COMMON_MAGIC) {
            let offset = (i * 8) as u64;
            if i + 6 > words {
                return Err(RequestError::Truncated { offset });
            }
            let id = [word(image, i + 2), word(image, i + 3)];
            let kind = RequestKind::from_id(id);
            if offset + kind.map_or(48, RequestKind::size) > image.len() as u64 {
                return Err(RequestError::Truncated { offset });
            }
            if scan.requests.iter().any(|r| r.id == id) {
                return Err(RequestError::Duplicate { id, offset });
            }
            scan.requests.push(Request {
                offset,
                id,
                kind,
                revision: word(image, i + 4),
            });
            i += 6;
            continue;
        }
        i += 1;
    }
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Image(Vec<u64>);

    impl Image {
        fn new() -> Self {
            Image(vec![0; 8])
        }
        fn push(&mut self, words: &[u64]) -> u64 {
            let at = (self.0.len() * 8) as u64;
            self.0.extend_from_slice(words);
            self.0.extend_from_slice(&[0x1111, 0x2222]);
            at
        }
        fn request(&mut self, kind: RequestKind, revision: u64) -> u64 {
            let [a, b] = kind.id();
            let mut words = vec![COMMON_MAGIC[0], COMMON_MAGIC[1], a, b, revision, 0];
            words.resize((kind.size() / 8) as usize, 0);
            self.push(&words)
        }
        fn bytes(&self) -> Vec<u8> {
            self.0.iter().flat_map(|w| w.to_le_bytes()).collect()
        }
    }

    #[test]
    fn finds_tag_and_requests() {
        let mut img = Image::new();
        let tag = img.push(&[BASE_REVISION_MAGIC[0], BASE_REVISION_MAGIC[1], 3]);
        let hhdm = img.request(RequestKind::Hhdm, 0);
        let mp = img.request(RequestKind::Mp, 0);
        let unknown = img.push(&[COMMON_MAGIC[0], COMMON_MAGIC[1], 7, 8, 0, 0]);
        let scan = scan(&img.bytes()).unwrap();
        assert_eq!(
            scan.base_revision,
            Some(BaseRevisionTag {
                offset: tag,
                requested: 3
            })
        );
        assert_eq!(scan.requests.len(), 3);
        assert_eq!(scan.find(RequestKind::Hhdm).unwrap().offset, hhdm);
        assert_eq!(scan.find(RequestKind::Mp).unwrap().offset, mp);
        assert_eq!(
            scan.requests[2],
            Request {
                offset: unknown,
                id: [7, 8],
                kind: None,
                revision: 0
            }
        );
        assert!(!scan.delimited);
    }

    #[test]
    fn no_tag_means_revision_zero_default() {
        let mut img = Image::new();
        img.request(RequestKind::MemoryMap, 0);
        let scan = scan(&img.bytes()).unwrap();
        assert_eq!(scan.base_revision, None);
    }

    #[test]
    fn delimiters_narrow_the_search() {
        let mut img = Image::new();
        img.request(RequestKind::Rsdp, 0);
        img.push(&START_MARKER);
        img.push(&START_MARKER);
        img.push(&[BASE_REVISION_MAGIC[0], BASE_REVISION_MAGIC[1], 2]);
        img.request(RequestKind::Hhdm, 0);
        img.push(&END_MARKER);
        img.request(RequestKind::MemoryMap, 0);
        img.push(&END_MARKER);
        let scan = scan(&img.bytes()).unwrap();
        assert!(scan.delimited);
        assert_eq!(scan.base_revision.unwrap().requested, 2);
        let kinds: Vec<_> = scan.requests.iter().map(|r| r.kind.unwrap()).collect();
        assert_eq!(kinds, vec![RequestKind::Hhdm]);
    }

    #[test]
    fn duplicate_requests_are_refused() {
        let mut img = Image::new();
        img.request(RequestKind::Hhdm, 0);
        let second = img.request(RequestKind::Hhdm, 0);
        let err = scan(&img.bytes()).unwrap_err();
        assert_eq!(
            err,
            RequestError::Duplicate {
                id: RequestKind::Hhdm.id(),
                offset: second
            }
        );
        assert!(err.to_string().contains("HHDM request"), "{err}");
    }

    #[test]
    fn truncated_request_is_refused() {
        let mut img = Image::new();
        let [a, b] = RequestKind::StackSize.id();
        img.0
            .extend_from_slice(&[COMMON_MAGIC[0], COMMON_MAGIC[1], a, b, 0, 0]);
        let err = scan(&img.bytes()).unwrap_err();
        assert_eq!(err, RequestError::Truncated { offset: 64 });
    }

    #[test]
    fn ids_are_unique_and_round_trip() {
        for (i, a) in RequestKind::ALL.iter().enumerate() {
            assert_eq!(RequestKind::from_id(a.id()), Some(*a));
            for b in &RequestKind::ALL[i + 1..] {
                assert_ne!(a.id(), b.id());
            }
        }
    }
}
