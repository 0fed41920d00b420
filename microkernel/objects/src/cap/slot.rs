//! Capabilities and CSpace slots.

use helix_abi::{CapRights, CapType, SysError};

use crate::table::ObjRef;

/// A capability: which object, what kind, which rights, which badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cap {
    /// The object (index + generation in the kernel's object table).
    pub object: ObjRef,
    /// The object's type.
    pub kind: CapType,
    /// What the holder may do with it.
    pub rights: CapRights,
    /// Delivered to receivers (endpoints) or ORed into the word
    /// (notifications); 0 = unbadged.
    pub badge: u64,
}

impl Cap {
    /// An unbadged cap.
    pub const fn new(object: ObjRef, kind: CapType, rights: CapRights) -> Cap {
        Cap {
            object,
            kind,
            rights,
            badge: 0,
        }
    }

    /// True for the types that carry badges (endpoint, notification).
    pub const fn badgeable(kind: CapType) -> bool {
        matches!(kind, CapType::Endpoint | CapType::Notification)
    }

    /// `WrongType` unless the cap is of `kind`, `NoRights` unless it has
    /// every right in `rights`.
    pub fn require(&self, kind: CapType, rights: CapRights) -> Result<&Cap, SysError> {
        if self.kind != kind {
            return Err(SysError::WrongType);
        }
        if !self.rights.contains(rights) {
            return Err(SysError::NoRights);
        }
        Ok(self)
    }

    /// The cap a mint produces: rights are intersected with `rights` (they
    /// can only shrink); a nonzero `badge` is only accepted on an unbadged
    /// endpoint or notification cap (`InvalidArgument` on other types,
    /// `InvalidState` when the cap already has a badge).
    pub fn derive(&self, rights: CapRights, badge: u64) -> Result<Cap, SysError> {
        let mut cap = *self;
        cap.rights = self.rights.intersect(rights);
        if badge != 0 {
            if !Cap::badgeable(self.kind) {
                return Err(SysError::InvalidArgument);
            }
            if self.badge != 0 {
                return Err(SysError::InvalidState);
            }
            cap.badge = badge;
        }
        Ok(cap)
    }
}

/// Where a cap lives: a CSpace and a slot index in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SlotAddr {
    /// The CSpace.
    pub space: ObjRef,
    /// The slot index.
    pub slot: u32,
}

impl SlotAddr {
    /// A slot address.
    pub const fn new(space: ObjRef, slot: u32) -> SlotAddr {
        SlotAddr { space, slot }
    }
}

/// Capability derivation tree links of one slot. Children of a node form a
/// doubly linked sibling list; a parentless node (an original cap) has no
/// siblings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Links {
    pub(crate) parent: Option<SlotAddr>,
    pub(crate) first_child: Option<SlotAddr>,
    pub(crate) prev: Option<SlotAddr>,
    pub(crate) next: Option<SlotAddr>,
}

/// One CSpace slot: maybe a cap, plus its place in the derivation tree.
#[derive(Clone, Copy, Debug, Default)]
pub struct Slot {
    pub(crate) cap: Option<Cap>,
    pub(crate) links: Links,
}

impl Slot {
    /// The cap in the slot, if any.
    pub fn cap(&self) -> Option<&Cap> {
        self.cap.as_ref()
    }

    /// True when the slot holds no cap.
    pub fn is_empty(&self) -> bool {
        self.cap.is_none()
    }

    /// True when caps were derived from this one (revoke would remove some).
    pub fn has_children(&self) -> bool {
        self.links.first_child.is_some()
    }
}
