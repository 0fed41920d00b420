//! The start-info page: what the module manager gave a process — its
//! identity, its manifest arguments, its named caps, the slots of its own
//! caps and its heap window — in one read-only page the manager maps at
//! [`START_INFO_ADDR`] before the process starts.
//!
//! Layout (`docs/formats.md`, "Start-info page"): a 12-byte header (magic
//! `HXSI`, format version, header length, body length) and a postcard body
//! that must fill the declared length exactly; the rest of the page is
//! zero. Decoding checks every byte and never panics; encoding refuses what
//! decoding would refuse, so a manager cannot hand out a page its servers
//! reject.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use helix_abi::CapType;
use serde::{Deserialize, Serialize};

use crate::message::PayloadFault;
use crate::v1::{ModuleContext, NamedCap};

/// User address of the start-info page (read-only, one 4 KiB page).
pub use helix_abi::bootinfo::{START_INFO_ADDR, START_MARK};
/// Size of the page: the encoded record never exceeds it.
pub const START_INFO_SIZE: usize = 4096;
/// First bytes of the record.
pub const START_INFO_MAGIC: [u8; 4] = *b"HXSI";
/// Record format version this crate reads and writes.
pub const START_INFO_VERSION: u16 = 2;
/// Header length in bytes.
pub const START_INFO_HEADER_LEN: usize = 12;
/// Names [`StartInfo::context`] gives the process's own endpoints; a named
/// cap may not use them (the boot manifest reserves the same names).
pub const RESERVED_CAP_NAMES: [&str; 3] = ["report", "service", "control"];

/// End of the lower half: user addresses are below it.
const USER_END: u64 = 0x0000_8000_0000_0000;
const PAGE: u64 = 4096;

/// CSpace slots of the caps every process is given for itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartSlots {
    /// Send-only endpoint of the module manager: exit and panic reports.
    pub report: u32,
    /// Service endpoint the server receives on (servers only).
    pub service: Option<u32>,
    /// Control endpoint the manager's control messages arrive on, if it is
    /// not the service endpoint.
    pub control: Option<u32>,
    /// Untyped memory budget the heap grows from, if any.
    pub memory: Option<u32>,
    /// Own AddressSpace.
    pub aspace: u32,
    /// Own Thread.
    pub thread: u32,
    /// First of the slots the process may fill itself (the heap's Frame
    /// caps, caps it receives).
    pub free_first: u32,
    /// How many free slots there are from `free_first`.
    pub free_count: u32,
}

impl StartSlots {
    /// The slots of [`runtime::slots`](super::slots): aspace 0, thread 1,
    /// report 2, service 4; no control endpoint, no memory budget.
    pub const RUNTIME: StartSlots = StartSlots {
        report: super::slots::REPORT,
        service: Some(super::slots::SERVICE),
        control: None,
        memory: None,
        aspace: super::slots::ASPACE,
        thread: super::slots::THREAD,
        free_first: super::slots::FREE_FIRST,
        free_count: super::slots::FREE_COUNT,
    };
}

/// The virtual range the heap may grow into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeapWindow {
    /// First address (page aligned).
    pub start: u64,
    /// Most bytes the heap may take (a multiple of 4 KiB; 0 for none).
    pub max_bytes: u64,
}

/// What a process was given at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartInfo {
    /// The id the manager registered the module under.
    pub module_id: u64,
    /// Module name (from the boot manifest).
    pub name: String,
    /// The manifest's `args` line.
    pub args: String,
    /// The manifest's caps, by name, in manifest order.
    pub caps: Vec<NamedCap>,
    /// Slots of the process's own caps.
    pub slots: StartSlots,
    /// Where the heap lives.
    pub heap: HeapWindow,
    /// Start quiesced (a hot reload's new version, a restart): wait for
    /// the state before serving.
    pub quiesced: bool,
}

/// Why a start-info record cannot be written or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartInfoError {
    /// Fewer bytes than the header or its declared body need.
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        available: usize,
    },
    /// The record does not start with `HXSI`.
    BadMagic,
    /// A format version this crate does not read.
    UnsupportedVersion(u16),
    /// A header length other than [`START_INFO_HEADER_LEN`].
    BadHeaderLength(u16),
    /// The record (header and body) does not fit one page.
    TooLarge {
        /// Record length in bytes.
        len: usize,
    },
    /// A nonzero byte after the record.
    NonZeroPadding {
        /// Its offset from the start of the page.
        offset: usize,
    },
    /// The body is not a postcard encoding of the record.
    Body(PayloadFault),
    /// The body's value ends before its declared length.
    TrailingBody {
        /// Bytes left over.
        extra: usize,
    },
    /// A named cap's type byte names no [`CapType`].
    UnknownCapType {
        /// The cap's slot.
        slot: u32,
        /// The byte.
        raw: u8,
    },
    /// Two named caps share a name.
    DuplicateCapName(String),
    /// A named cap uses one of [`RESERVED_CAP_NAMES`].
    ReservedCapName(String),
    /// Two caps (named or own) claim the same slot.
    SlotReused(u32),
    /// The heap window is unaligned, overflows, leaves user space or
    /// covers the start-info page.
    BadHeapWindow(HeapWindow),
}

impl fmt::Display for StartInfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartInfoError::Truncated { needed, available } => {
                write!(
                    f,
                    "start info truncated: need {needed} bytes, have {available}"
                )
            }
            StartInfoError::BadMagic => f.write_str("not a start-info record (bad magic)"),
            StartInfoError::UnsupportedVersion(v) => {
                write!(f, "unsupported start-info version {v}")
            }
            StartInfoError::BadHeaderLength(n) => write!(f, "start-info header length {n}"),
            StartInfoError::TooLarge { len } => {
                write!(
                    f,
                    "start info of {len} bytes exceeds the {START_INFO_SIZE}-byte page"
                )
            }
            StartInfoError::NonZeroPadding { offset } => {
                write!(
                    f,
                    "nonzero byte at offset {offset} after the start-info record"
                )
            }
            StartInfoError::Body(fault) => write!(f, "malformed start-info body: {fault:?}"),
            StartInfoError::TrailingBody { extra } => {
                write!(f, "{extra} bytes left over in the start-info body")
            }
            StartInfoError::UnknownCapType { slot, raw } => {
                write!(f, "cap in slot {slot} has unknown type {raw}")
            }
            StartInfoError::DuplicateCapName(n) => write!(f, "cap name `{n}` given twice"),
            StartInfoError::ReservedCapName(n) => write!(f, "cap name `{n}` is reserved"),
            StartInfoError::SlotReused(s) => write!(f, "slot {s} holds two caps"),
            StartInfoError::BadHeapWindow(h) => write!(
                f,
                "bad heap window: {} bytes at {:#x}",
                h.max_bytes, h.start
            ),
        }
    }
}

impl core::error::Error for StartInfoError {}

/// The body as postcard sees it (borrowing strings from the bytes).
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    module_id: u64,
    name: &'a str,
    args: &'a str,
    #[serde(borrow)]
    caps: Vec<WireCap<'a>>,
    slots: StartSlots,
    heap: HeapWindow,
    quiesced: bool,
}

#[derive(Serialize, Deserialize)]
struct WireCap<'a> {
    name: &'a str,
    slot: u32,
    cap_type: u8,
}

impl StartInfo {
    /// The record: header and body, at most [`START_INFO_SIZE`] bytes
    /// (the manager zero-fills the rest of the page).
    pub fn encode(&self) -> Result<Vec<u8>, StartInfoError> {
        self.check()?;
        let wire = Wire {
            module_id: self.module_id,
            name: &self.name,
            args: &self.args,
            caps: self
                .caps
                .iter()
                .map(|c| WireCap {
                    name: &c.name,
                    slot: c.slot,
                    cap_type: c.cap_type as u8,
                })
                .collect(),
            slots: self.slots,
            heap: self.heap,
            quiesced: self.quiesced,
        };
        frame(&wire)
    }

    /// Read a record from `bytes` (the page, or just the record); every
    /// byte is checked.
    pub fn decode(bytes: &[u8]) -> Result<StartInfo, StartInfoError> {
        let body = unframe(bytes)?;
        let (wire, rest) = postcard::take_from_bytes::<Wire<'_>>(body)
            .map_err(|e| StartInfoError::Body(PayloadFault::from_postcard(e)))?;
        if !rest.is_empty() {
            return Err(StartInfoError::TrailingBody { extra: rest.len() });
        }
        let caps = wire
            .caps
            .iter()
            .map(|c| {
                let cap_type =
                    CapType::from_raw(c.cap_type).ok_or(StartInfoError::UnknownCapType {
                        slot: c.slot,
                        raw: c.cap_type,
                    })?;
                Ok(NamedCap {
                    name: String::from(c.name),
                    slot: c.slot,
                    cap_type,
                })
            })
            .collect::<Result<Vec<_>, StartInfoError>>()?;
        let info = StartInfo {
            module_id: wire.module_id,
            name: String::from(wire.name),
            args: String::from(wire.args),
            caps,
            slots: wire.slots,
            heap: wire.heap,
            quiesced: wire.quiesced,
        };
        info.check()?;
        Ok(info)
    }

    /// The context the module's `init` gets: the module id, the args, the
    /// named caps, then `report`, and `service` / `control` when present
    /// (so `ctx.cap("kv")` and `ctx.cap("service")` both work).
    pub fn context(&self) -> ModuleContext {
        let mut ctx = ModuleContext::new(self.module_id).with_args(&self.args);
        ctx.quiesced = self.quiesced;
        for c in &self.caps {
            ctx = ctx.with_cap(&c.name, c.slot, c.cap_type);
        }
        let [report, service, control] = RESERVED_CAP_NAMES;
        ctx = ctx.with_cap(report, self.slots.report, CapType::Endpoint);
        for (name, slot) in [(service, self.slots.service), (control, self.slots.control)] {
            if let Some(slot) = slot {
                ctx = ctx.with_cap(name, slot, CapType::Endpoint);
            }
        }
        ctx
    }

    /// The rules a record keeps beyond its encoding.
    fn check(&self) -> Result<(), StartInfoError> {
        for (i, c) in self.caps.iter().enumerate() {
            if RESERVED_CAP_NAMES.contains(&c.name.as_str()) {
                return Err(StartInfoError::ReservedCapName(c.name.clone()));
            }
            if self.caps.iter().take(i).any(|d| d.name == c.name) {
                return Err(StartInfoError::DuplicateCapName(c.name.clone()));
            }
        }
        let s = &self.slots;
        let own = [
            Some(s.report),
            s.service,
            s.control,
            s.memory,
            Some(s.aspace),
            Some(s.thread),
        ];
        let all: Vec<u32> = own
            .into_iter()
            .flatten()
            .chain(self.caps.iter().map(|c| c.slot))
            .collect();
        let free = u64::from(s.free_first)..u64::from(s.free_first) + u64::from(s.free_count);
        for (i, slot) in all.iter().enumerate() {
            if all.iter().take(i).any(|s| s == slot) || free.contains(&u64::from(*slot)) {
                return Err(StartInfoError::SlotReused(*slot));
            }
        }
        let h = self.heap;
        let page_end = START_INFO_ADDR + PAGE;
        let fits = h.start.is_multiple_of(PAGE)
            && h.max_bytes.is_multiple_of(PAGE)
            && h.start.checked_add(h.max_bytes).is_some_and(|end| {
                end <= USER_END && (end <= START_INFO_ADDR || h.start >= page_end)
            });
        if fits {
            Ok(())
        } else {
            Err(StartInfoError::BadHeapWindow(h))
        }
    }
}

/// Header + postcard body of `wire`.
fn frame(wire: &Wire<'_>) -> Result<Vec<u8>, StartInfoError> {
    let body = postcard::to_allocvec(wire)
        .map_err(|e| StartInfoError::Body(PayloadFault::from_postcard(e)))?;
    let len = START_INFO_HEADER_LEN + body.len();
    let body_len = u32::try_from(body.len()).map_err(|_| StartInfoError::TooLarge { len })?;
    if len > START_INFO_SIZE {
        return Err(StartInfoError::TooLarge { len });
    }
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&START_INFO_MAGIC);
    out.extend_from_slice(&START_INFO_VERSION.to_le_bytes());
    out.extend_from_slice(&(START_INFO_HEADER_LEN as u16).to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// The body of the record in `bytes`, after checking the header and that
/// every byte after the record is zero.
fn unframe(bytes: &[u8]) -> Result<&[u8], StartInfoError> {
    let truncated = |needed| StartInfoError::Truncated {
        needed,
        available: bytes.len(),
    };
    let h: [u8; START_INFO_HEADER_LEN] = bytes
        .get(..START_INFO_HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or(truncated(START_INFO_HEADER_LEN))?;
    if [h[0], h[1], h[2], h[3]] != START_INFO_MAGIC {
        return Err(StartInfoError::BadMagic);
    }
    let version = u16::from_le_bytes([h[4], h[5]]);
    if version != START_INFO_VERSION {
        return Err(StartInfoError::UnsupportedVersion(version));
    }
    let header_len = u16::from_le_bytes([h[6], h[7]]);
    if usize::from(header_len) != START_INFO_HEADER_LEN {
        return Err(StartInfoError::BadHeaderLength(header_len));
    }
    let body_len = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
    let len = usize::try_from(body_len)
        .ok()
        .and_then(|n| n.checked_add(START_INFO_HEADER_LEN))
        .unwrap_or(usize::MAX);
    if len > START_INFO_SIZE {
        return Err(StartInfoError::TooLarge { len });
    }
    let body = bytes
        .get(START_INFO_HEADER_LEN..len)
        .ok_or(truncated(len))?;
    let padding = bytes.get(len..).unwrap_or_default();
    if let Some(at) = padding.iter().position(|&b| b != 0) {
        return Err(StartInfoError::NonZeroPadding { offset: len + at });
    }
    Ok(body)
}

#[cfg(test)]
mod tests;
