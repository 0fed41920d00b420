//! Start-info round trips, the context it builds, and every rejection.

use super::*;
use alloc::string::ToString;
use alloc::vec;
use proptest::prelude::*;

fn cap(name: &str, slot: u32, cap_type: CapType) -> NamedCap {
    NamedCap {
        name: name.to_string(),
        slot,
        cap_type,
    }
}

fn sample() -> StartInfo {
    StartInfo {
        module_id: 7,
        name: "kvclient".to_string(),
        args: "param=3 verbose".to_string(),
        caps: vec![
            cap("kv", 10, CapType::Endpoint),
            cap("uart", 11, CapType::IoPorts),
            cap("com1", 12, CapType::IrqHandler),
        ],
        slots: StartSlots {
            control: Some(5),
            memory: Some(6),
            ..StartSlots::RUNTIME
        },
        heap: HeapWindow {
            start: 0x4000_0000,
            max_bytes: 1 << 20,
        },
        quiesced: true,
    }
}

/// A record around any body, bypassing the checks of `encode`.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = START_INFO_MAGIC.to_vec();
    out.extend_from_slice(&START_INFO_VERSION.to_le_bytes());
    out.extend_from_slice(&(START_INFO_HEADER_LEN as u16).to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// The record of `info` without `encode`'s checks.
fn unchecked(info: &StartInfo, cap_type: impl Fn(&NamedCap) -> u8) -> Vec<u8> {
    let wire = Wire {
        module_id: info.module_id,
        name: &info.name,
        args: &info.args,
        caps: info
            .caps
            .iter()
            .map(|c| WireCap {
                name: &c.name,
                slot: c.slot,
                cap_type: cap_type(c),
            })
            .collect(),
        slots: info.slots,
        heap: info.heap,
        quiesced: info.quiesced,
    };
    framed(&postcard::to_allocvec(&wire).unwrap())
}

fn page(record: &[u8]) -> Vec<u8> {
    let mut p = record.to_vec();
    p.resize(START_INFO_SIZE, 0);
    p
}

#[test]
fn a_record_and_its_page_decode_to_the_same_info() {
    let info = sample();
    let bytes = info.encode().unwrap();
    assert_eq!(&bytes[..4], b"HXSI");
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize,
        bytes.len() - START_INFO_HEADER_LEN
    );
    assert_eq!(StartInfo::decode(&bytes), Ok(info.clone()));
    assert_eq!(StartInfo::decode(&page(&bytes)), Ok(info));
}

#[test]
fn the_context_names_every_cap() {
    let ctx = sample().context();
    assert_eq!(ctx.module_id, 7);
    assert_eq!(ctx.arg("param"), Some("3"));
    assert_eq!(ctx.arg("verbose"), Some(""));
    let kv = ctx.cap("kv").unwrap();
    assert_eq!((kv.slot, kv.cap_type), (10, CapType::Endpoint));
    assert_eq!(
        ctx.cap("com1").map(|c| c.cap_type),
        Some(CapType::IrqHandler)
    );
    assert_eq!(ctx.cap("report").map(|c| c.slot), Some(2));
    assert_eq!(ctx.cap("service").map(|c| c.slot), Some(4));
    assert_eq!(ctx.cap("control").map(|c| c.slot), Some(5));
    assert_eq!(ctx.caps.len(), 6);
    let mut client = sample();
    client.slots.service = None;
    client.slots.control = None;
    let ctx = client.context();
    assert!(ctx.cap("service").is_none() && ctx.cap("control").is_none());
    assert_eq!(ctx.caps.len(), 4);
}

#[test]
fn the_largest_manifest_entry_fits_one_page() {
    // The boot manifest's limits: 32-byte names, 512 bytes of args, 64 caps.
    let mut info = sample();
    info.module_id = u64::MAX;
    info.name = "n".repeat(32);
    info.args = "a".repeat(512);
    info.caps = (0..64u32)
        .map(|i| {
            cap(
                &alloc::format!("{i:0>32}"),
                u32::MAX - i,
                CapType::IrqControl,
            )
        })
        .collect();
    info.heap.max_bytes = START_INFO_ADDR - info.heap.start;
    let bytes = info.encode().unwrap();
    assert!(bytes.len() <= START_INFO_SIZE);
    assert_eq!(StartInfo::decode(&bytes), Ok(info.clone()));
    info.args = "a".repeat(START_INFO_SIZE);
    assert!(
        matches!(info.encode(), Err(StartInfoError::TooLarge { len }) if len > START_INFO_SIZE)
    );
}

/// The index of a variant: adding one breaks this match until the table
/// below has a case for it.
fn variant(e: &StartInfoError) -> usize {
    match e {
        StartInfoError::Truncated { .. } => 0,
        StartInfoError::BadMagic => 1,
        StartInfoError::UnsupportedVersion(_) => 2,
        StartInfoError::BadHeaderLength(_) => 3,
        StartInfoError::TooLarge { .. } => 4,
        StartInfoError::NonZeroPadding { .. } => 5,
        StartInfoError::Body(_) => 6,
        StartInfoError::TrailingBody { .. } => 7,
        StartInfoError::UnknownCapType { .. } => 8,
        StartInfoError::DuplicateCapName(_) => 9,
        StartInfoError::ReservedCapName(_) => 10,
        StartInfoError::SlotReused(_) => 11,
        StartInfoError::BadHeapWindow(_) => 12,
    }
}
const VARIANTS: usize = 13;

fn patched(at: usize, bytes: &[u8]) -> Vec<u8> {
    let mut out = sample().encode().unwrap();
    out[at..at + bytes.len()].copy_from_slice(bytes);
    out
}

fn with(f: impl Fn(&mut StartInfo)) -> StartInfo {
    let mut info = sample();
    f(&mut info);
    info
}

#[test]
fn every_malformed_record_is_refused() {
    let good = sample().encode().unwrap();
    let body = &good[START_INFO_HEADER_LEN..];
    let mut trailing = body.to_vec();
    trailing.push(0);
    let mut padded = page(&good);
    padded[START_INFO_SIZE - 1] = 1;
    let cases: Vec<(Vec<u8>, StartInfoError)> = vec![
        (
            good[..11].to_vec(),
            StartInfoError::Truncated {
                needed: 12,
                available: 11,
            },
        ),
        (
            good[..good.len() - 1].to_vec(),
            StartInfoError::Truncated {
                needed: good.len(),
                available: good.len() - 1,
            },
        ),
        (patched(0, b"HXSJ"), StartInfoError::BadMagic),
        (
            patched(4, &(START_INFO_VERSION + 1).to_le_bytes()),
            StartInfoError::UnsupportedVersion(START_INFO_VERSION + 1),
        ),
        (
            patched(6, &16u16.to_le_bytes()),
            StartInfoError::BadHeaderLength(16),
        ),
        (
            patched(8, &4085u32.to_le_bytes()),
            StartInfoError::TooLarge { len: 4097 },
        ),
        (
            patched(8, &u32::MAX.to_le_bytes()),
            StartInfoError::TooLarge {
                len: u32::MAX as usize + START_INFO_HEADER_LEN,
            },
        ),
        (
            padded,
            StartInfoError::NonZeroPadding {
                offset: START_INFO_SIZE - 1,
            },
        ),
        (
            framed(&body[..body.len() - 1]),
            StartInfoError::Body(PayloadFault::UnexpectedEnd),
        ),
        (framed(&trailing), StartInfoError::TrailingBody { extra: 1 }),
        (
            unchecked(&sample(), |c| if c.slot == 11 { 0 } else { 1 }),
            StartInfoError::UnknownCapType { slot: 11, raw: 0 },
        ),
        (
            unchecked(&with(|i| i.caps[2].name = "kv".into()), |_| 1),
            StartInfoError::DuplicateCapName("kv".into()),
        ),
        (
            unchecked(&with(|i| i.caps[0].name = "service".into()), |_| 1),
            StartInfoError::ReservedCapName("service".into()),
        ),
        (
            unchecked(&with(|i| i.caps[1].slot = 6), |_| 1),
            StartInfoError::SlotReused(6),
        ),
    ];
    let mut seen = [false; VARIANTS];
    for (bytes, expected) in cases {
        assert_eq!(StartInfo::decode(&bytes), Err(expected.clone()));
        seen[variant(&expected)] = true;
        assert!(!expected.to_string().is_empty());
    }
    for heap in [
        HeapWindow {
            start: 0x1001,
            max_bytes: 0,
        },
        HeapWindow {
            start: 0,
            max_bytes: 100,
        },
        HeapWindow {
            start: START_INFO_ADDR - PAGE,
            max_bytes: 2 * PAGE,
        },
        HeapWindow {
            start: START_INFO_ADDR,
            max_bytes: PAGE,
        },
        HeapWindow {
            start: USER_END - PAGE,
            max_bytes: 2 * PAGE,
        },
        HeapWindow {
            start: !(PAGE - 1),
            max_bytes: 2 * PAGE,
        },
    ] {
        let info = with(|i| i.heap = heap);
        let expected = StartInfoError::BadHeapWindow(heap);
        assert_eq!(
            StartInfo::decode(&unchecked(&info, |c| c.cap_type as u8)),
            Err(expected.clone())
        );
        assert_eq!(info.encode(), Err(expected.clone()), "{heap:?}");
        seen[variant(&expected)] = true;
    }
    assert_eq!(seen, [true; VARIANTS], "a variant has no case");
}

#[test]
fn encode_refuses_what_decode_refuses() {
    for info in [
        with(|i| i.caps[2].name = "kv".into()),
        with(|i| i.caps[0].name = "report".into()),
        with(|i| i.slots.thread = i.slots.report),
    ] {
        let refused = StartInfo::decode(&unchecked(&info, |c| c.cap_type as u8)).unwrap_err();
        assert_eq!(info.encode(), Err(refused));
    }
    // The highest window that ends at the start-info page, and the one above it.
    for start in [START_INFO_ADDR - PAGE, START_INFO_ADDR + PAGE] {
        let info = with(|i| {
            i.heap = HeapWindow {
                start,
                max_bytes: PAGE,
            }
        });
        assert_eq!(StartInfo::decode(&info.encode().unwrap()), Ok(info));
    }
}

fn cap_type() -> impl Strategy<Value = CapType> {
    (1u8..=10).prop_map(|raw| CapType::from_raw(raw).unwrap())
}

prop_compose! {
    fn info()(
        module_id in any::<u64>(),
        name in "\\PC{0,32}",
        args in "\\PC{0,200}",
        caps in proptest::collection::vec(("[a-z0-9_-]{1,32}", cap_type()), 0..64),
        optional in any::<[bool; 3]>(),
        slots in proptest::collection::btree_set(any::<u32>(), 70),
        heap_page in 0..START_INFO_ADDR / PAGE,
        heap_fraction in 0.0..=1.0f64,
        quiesced in any::<bool>(),
    ) -> StartInfo {
        let mut slots = slots.into_iter();
        let mut next = || slots.next().unwrap();
        let mut named: Vec<NamedCap> = Vec::new();
        for (name, cap_type) in caps {
            if !RESERVED_CAP_NAMES.contains(&name.as_str()) && named.iter().all(|c| c.name != name) {
                named.push(NamedCap { name, slot: next(), cap_type });
            }
        }
        let pages_left = START_INFO_ADDR / PAGE - heap_page;
        StartInfo {
            module_id,
            name,
            args,
            caps: named,
            slots: StartSlots {
                report: next(),
                service: Some(next()).filter(|_| optional[0]),
                control: Some(next()).filter(|_| optional[1]),
                memory: Some(next()).filter(|_| optional[2]),
                aspace: next(),
                thread: next(),
                free_first: 0,
                free_count: 0,
            },
            heap: HeapWindow {
                start: heap_page * PAGE,
                max_bytes: (pages_left as f64 * heap_fraction) as u64 * PAGE,
            },
            quiesced,
        }
    }
}

proptest! {
    #[test]
    fn any_info_round_trips_alone_and_in_a_page(info in info()) {
        match info.encode() {
            Ok(bytes) => {
                prop_assert_eq!(StartInfo::decode(&bytes), Ok(info.clone()));
                prop_assert_eq!(StartInfo::decode(&page(&bytes)), Ok(info));
            }
            Err(StartInfoError::TooLarge { len }) => prop_assert!(len > START_INFO_SIZE),
            Err(e) => prop_assert!(false, "valid info refused: {e}"),
        }
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..5000)) {
        // Also with a valid header in front, so the body decoder sees it.
        for candidate in [bytes.clone(), framed(&bytes[..bytes.len().min(4000)])] {
            if let Ok(info) = StartInfo::decode(&candidate) {
                prop_assert_eq!(StartInfo::decode(&info.encode().unwrap()), Ok(info));
            }
        }
    }

    #[test]
    fn a_flipped_byte_is_refused_or_still_valid(
        at in any::<proptest::sample::Index>(),
        xor in 1u8..=255,
    ) {
        let mut bytes = page(&sample().encode().unwrap());
        let i = at.index(bytes.len());
        bytes[i] ^= xor;
        if let Ok(info) = StartInfo::decode(&bytes) {
            // Only the body can change meaning and stay well formed.
            prop_assert!(i >= START_INFO_HEADER_LEN);
            prop_assert_eq!(StartInfo::decode(&info.encode().unwrap()), Ok(info));
        }
    }
}
