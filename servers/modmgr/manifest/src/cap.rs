//! Cap lines: what a module is granted, by name.

use alloc::string::String;
use core::fmt;

use crate::policy::Size;
use crate::word_enum::word_enum;

/// One `cap NAME = KIND ...` line of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapEntry {
    /// The name the module looks the cap up by (`ctx.cap("kv")`).
    pub name: String,
    /// 1-based line of the `cap` line.
    pub line: usize,
    /// What the cap grants.
    pub kind: CapKind,
}

/// What a cap grants.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CapKind {
    /// A send-only endpoint cap to the service endpoint of the module that
    /// provides `interface`. The module depends on that provider: it starts
    /// after it, and the provider's version must satisfy `constraint`.
    Client {
        /// Interface name (`"kv"`, `"filesystem"`).
        interface: String,
        /// Version constraint, verbatim (`"^1.0"`, `">=0.4.0, <2"`); the
        /// resolver parses it with `semver`. Never empty.
        constraint: String,
    },
    /// The I/O ports `first..=last`.
    IoPorts {
        /// First port.
        first: u16,
        /// Last port (inclusive, `>= first`).
        last: u16,
    },
    /// An IRQ handler for line `0..IRQ_LINES`, delivered as a notification.
    Irq(u8),
    /// A send-only endpoint cap to the module manager's control interface.
    Modmgr,
    /// An extra Untyped memory budget of this many bytes (nonzero), split
    /// off the manager's memory.
    Untyped(u64),
}

word_enum! {
    /// The kinds of cap, by the word that starts a cap value.
    pub enum CapClass {
        /// [`CapKind::Client`].
        Client = "client",
        /// [`CapKind::IoPorts`].
        IoPorts = "ioports",
        /// [`CapKind::Irq`].
        Irq = "irq",
        /// [`CapKind::Modmgr`].
        Modmgr = "modmgr",
        /// [`CapKind::Untyped`].
        Untyped = "untyped",
    }
}

impl CapClass {
    /// How a cap of this kind is written (for error messages).
    pub const fn syntax(self) -> &'static str {
        match self {
            CapClass::Client => "`client INTERFACE CONSTRAINT`, e.g. `client kv ^1.0`",
            CapClass::IoPorts => {
                "`ioports FIRST-LAST` or `ioports PORT`, ports 0..=0xffff, FIRST <= LAST"
            }
            CapClass::Irq => "`irq LINE`, LINE 0..=223",
            CapClass::Modmgr => "`modmgr` with nothing after it",
            CapClass::Untyped => "`untyped SIZE`, a nonzero size such as 64K",
        }
    }
}

impl CapKind {
    /// The kind's class.
    pub const fn class(&self) -> CapClass {
        match self {
            CapKind::Client { .. } => CapClass::Client,
            CapKind::IoPorts { .. } => CapClass::IoPorts,
            CapKind::Irq(_) => CapClass::Irq,
            CapKind::Modmgr => CapClass::Modmgr,
            CapKind::Untyped(_) => CapClass::Untyped,
        }
    }
}

impl fmt::Display for CapKind {
    /// The cap's value as a manifest writes it (`client kv ^1.0`,
    /// `ioports 0x3f8-0x3ff`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = self.class();
        match self {
            CapKind::Client {
                interface,
                constraint,
            } => write!(f, "{class} {interface} {constraint}"),
            CapKind::IoPorts { first, last } if first == last => write!(f, "{class} {first:#x}"),
            CapKind::IoPorts { first, last } => write!(f, "{class} {first:#x}-{last:#x}"),
            CapKind::Irq(line) => write!(f, "{class} {line}"),
            CapKind::Modmgr => write!(f, "{class}"),
            CapKind::Untyped(bytes) => write!(f, "{class} {}", Size(*bytes)),
        }
    }
}
