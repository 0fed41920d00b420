//! Capability object types and rights.

/// The kind of kernel object a capability names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CapType {
    /// Synchronous rendezvous IPC endpoint.
    Endpoint = 1,
    /// Asynchronous word of signal bits.
    Notification = 2,
    /// One-shot right to answer one `call`.
    Reply = 3,
    /// A thread control block.
    Thread = 4,
    /// The page tables of one process.
    AddressSpace = 5,
    /// Physical memory that can be mapped.
    Frame = 6,
    /// The right to receive one IRQ line as a notification.
    IrqHandler = 7,
    /// The right to use a range of I/O ports.
    IoPorts = 8,
    /// A memory budget new objects are made from.
    Untyped = 9,
    /// The right to create IRQ handlers.
    IrqControl = 10,
}

impl CapType {
    /// Decode a raw type byte.
    pub const fn from_raw(raw: u8) -> Option<CapType> {
        Some(match raw {
            1 => CapType::Endpoint,
            2 => CapType::Notification,
            3 => CapType::Reply,
            4 => CapType::Thread,
            5 => CapType::AddressSpace,
            6 => CapType::Frame,
            7 => CapType::IrqHandler,
            8 => CapType::IoPorts,
            9 => CapType::Untyped,
            10 => CapType::IrqControl,
            _ => return None,
        })
    }
}

/// Rights carried by a capability, as a bit set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CapRights(u8);

impl CapRights {
    /// Receive / read / map readable.
    pub const READ: CapRights = CapRights(1 << 0);
    /// Send / write / map writable.
    pub const WRITE: CapRights = CapRights(1 << 1);
    /// Transfer capabilities with a message.
    pub const GRANT: CapRights = CapRights(1 << 2);
    /// Map executable.
    pub const EXECUTE: CapRights = CapRights(1 << 3);
    /// No rights.
    pub const NONE: CapRights = CapRights(0);
    /// Every right.
    pub const ALL: CapRights = CapRights(0b1111);

    /// Build from raw bits; unknown bits are rejected.
    pub const fn from_bits(bits: u8) -> Option<CapRights> {
        if bits & !Self::ALL.0 == 0 {
            Some(CapRights(bits))
        } else {
            None
        }
    }

    /// The raw bits.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// True when every right in `other` is also in `self`.
    pub const fn contains(self, other: CapRights) -> bool {
        self.0 & other.0 == other.0
    }

    /// Rights in both sets (used when minting: rights can only shrink).
    pub const fn intersect(self, other: CapRights) -> CapRights {
        CapRights(self.0 & other.0)
    }

    /// Rights in either set.
    pub const fn union(self, other: CapRights) -> CapRights {
        CapRights(self.0 | other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip() {
        for raw in 0..=255u8 {
            if let Some(t) = CapType::from_raw(raw) {
                assert_eq!(t as u8, raw);
            }
        }
        assert_eq!(CapType::from_raw(0), None);
    }

    #[test]
    fn rights_only_shrink_on_intersect() {
        let rw = CapRights::READ.union(CapRights::WRITE);
        assert!(rw.contains(CapRights::READ));
        assert!(!rw.contains(CapRights::GRANT));
        assert_eq!(rw.intersect(CapRights::GRANT), CapRights::NONE);
        assert_eq!(CapRights::from_bits(0x10), None);
    }
}
