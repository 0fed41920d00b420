//! The capability derivation tree (CDT) and every operation that moves caps.
//!
//! [`CapSystem`] owns all CSpaces, so a derivation can cross CSpaces (caps
//! granted through IPC are children of the sender's cap). Rules:
//! - copy, mint and transfer make the new cap a child of its source; move
//!   keeps the cap's place in the tree; a retyped object's first cap is a
//!   child of the Untyped cap it came from;
//! - delete splices the deleted cap's children into its place (they stay);
//! - revoke deletes every descendant, depth first, without recursion;
//! - the system counts the caps per object: removing the last cap of an
//!   object reports it in [`Removed::last`] so the kernel destroys it.

use alloc::vec;
use alloc::vec::Vec;
use helix_abi::{CapRights, CapType, SysError};

use super::cspace::CSpace;
use super::slot::{Cap, Links, Slot, SlotAddr};
use crate::table::{ObjRef, Table};

/// A cap taken out of a slot by delete or revoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removed {
    /// Where it was.
    pub addr: SlotAddr,
    /// The cap.
    pub cap: Cap,
    /// True when it was the last cap to its object: destroy the object.
    pub last: bool,
}

/// All CSpaces, their derivation tree and the per-object cap counts.
#[derive(Debug)]
pub struct CapSystem {
    spaces: Table<CSpace>,
    counts: Vec<u32>,
    max_objects: usize,
}

/// Object types are numbered 1..=10 in the ABI.
const KINDS: usize = 11;

impl CapSystem {
    /// Room for `max_spaces` CSpaces and, per object type, objects with
    /// table indices below `max_objects`.
    pub fn new(max_spaces: usize, max_objects: usize) -> CapSystem {
        CapSystem {
            spaces: Table::with_capacity(max_spaces),
            counts: vec![0; max_objects * KINDS],
            max_objects,
        }
    }

    /// Index of the cap count of `kind`'s object `object`.
    fn count_slot(&self, kind: CapType, object: ObjRef) -> Option<usize> {
        (object.index() < self.max_objects)
            .then(|| kind as usize * self.max_objects + object.index())
    }

    /// Make a CSpace of `slots` slots.
    pub fn create_space(&mut self, slots: usize) -> Result<ObjRef, SysError> {
        let space = CSpace::new(slots)?;
        self.spaces.insert(space)
    }

    /// Delete every cap in the CSpace (each reported to `on_removed`), then
    /// free it. `InvalidCap` when `space` is stale.
    pub fn destroy_space(
        &mut self,
        space: ObjRef,
        on_removed: &mut dyn FnMut(Removed),
    ) -> Result<(), SysError> {
        let len = self.space(space)?.len() as u32;
        for slot in 0..len {
            let at = SlotAddr::new(space, slot);
            if self.slot(at)?.cap.is_some() {
                on_removed(self.delete(at)?);
            }
        }
        self.spaces.remove(space);
        Ok(())
    }

    /// How many CSpaces exist and how many caps they hold.
    pub fn census(&self) -> (usize, usize) {
        let caps = self.spaces.iter().map(|(_, s)| s.occupied().count()).sum();
        (self.spaces.len(), caps)
    }

    /// The CSpace `space` names; `InvalidCap` when stale.
    pub fn space(&self, space: ObjRef) -> Result<&CSpace, SysError> {
        self.spaces.get(space).ok_or(SysError::InvalidCap)
    }

    /// The slot at `at`; `InvalidCap` when the space is stale or the index
    /// out of range.
    pub fn slot(&self, at: SlotAddr) -> Result<&Slot, SysError> {
        self.space(at.space)?.slot(at.slot)
    }

    /// The cap at `at` (`InvalidCap`, `EmptySlot`).
    pub fn cap(&self, at: SlotAddr) -> Result<Cap, SysError> {
        self.slot(at)?.cap.ok_or(SysError::EmptySlot)
    }

    /// How many caps name `kind`'s object `object`.
    pub fn count(&self, kind: CapType, object: ObjRef) -> u32 {
        self.count_slot(kind, object).map_or(0, |i| self.counts[i])
    }

    /// Put the first cap of a new object into the empty slot `dst`, as a
    /// child of `parent` (the Untyped cap it was made from) or as a root.
    pub fn insert_original(
        &mut self,
        dst: SlotAddr,
        cap: Cap,
        parent: Option<SlotAddr>,
    ) -> Result<(), SysError> {
        self.check_empty(dst)?;
        if let Some(p) = parent {
            self.cap(p)?;
        }
        match self
            .count_slot(cap.kind, cap.object)
            .map(|i| self.counts[i])
        {
            Some(0) => {}
            Some(_) => return Err(SysError::InvalidState),
            None => return Err(SysError::OutOfMemory),
        }
        self.place(dst, cap, parent);
        Ok(())
    }

    /// Copy the cap at `src` into the empty slot `dst` (same rights and badge).
    pub fn copy(&mut self, src: SlotAddr, dst: SlotAddr) -> Result<(), SysError> {
        self.mint(src, dst, CapRights::ALL, 0)
    }

    /// Copy with rights intersected with `rights` and, if `badge` is
    /// nonzero, that badge (see [`Cap::derive`]).
    pub fn mint(
        &mut self,
        src: SlotAddr,
        dst: SlotAddr,
        rights: CapRights,
        badge: u64,
    ) -> Result<(), SysError> {
        let cap = self.cap(src)?.derive(rights, badge)?;
        self.check_empty(dst)?;
        self.place(dst, cap, Some(src));
        Ok(())
    }

    /// Move the cap at `src` to the empty slot `dst`, keeping its place in
    /// the derivation tree. Moving a cap onto itself is `SlotOccupied`.
    pub fn move_cap(&mut self, src: SlotAddr, dst: SlotAddr) -> Result<(), SysError> {
        let cap = self.cap(src)?;
        self.check_empty(dst)?;
        let links = self.node(src).links;
        *self.node(src) = Slot::default();
        *self.node(dst) = Slot {
            cap: Some(cap),
            links,
        };
        if let Some(prev) = links.prev {
            self.node(prev).links.next = Some(dst);
        } else if let Some(parent) = links.parent {
            self.node(parent).links.first_child = Some(dst);
        }
        if let Some(next) = links.next {
            self.node(next).links.prev = Some(dst);
        }
        let mut child = links.first_child;
        while let Some(c) = child {
            let n = self.node(c);
            n.links.parent = Some(dst);
            child = n.links.next;
        }
        Ok(())
    }

    /// Delete the cap at `at`; its children take its place in the tree.
    pub fn delete(&mut self, at: SlotAddr) -> Result<Removed, SysError> {
        let cap = self.cap(at)?;
        let links = self.node(at).links;
        // Re-parent the children and find the last one.
        let mut last_child = None;
        let mut child = links.first_child;
        while let Some(c) = child {
            let n = self.node(c);
            n.links.parent = links.parent;
            if links.parent.is_none() {
                // Roots have no siblings.
                child = n.links.next;
                n.links.prev = None;
                n.links.next = None;
            } else {
                last_child = Some(c);
                child = n.links.next;
            }
        }
        // Replace `at` by its children (or by nothing) in its sibling list.
        let (first, last) = match (links.parent, links.first_child, last_child) {
            (Some(_), Some(f), Some(l)) => (Some(f), Some(l)),
            _ => (None, None),
        };
        let after = first.or(links.next);
        if let Some(prev) = links.prev {
            self.node(prev).links.next = after;
        } else if let Some(parent) = links.parent {
            self.node(parent).links.first_child = after;
        }
        if let Some(f) = first {
            self.node(f).links.prev = links.prev;
        }
        let before = last.or(links.prev);
        if let Some(next) = links.next {
            self.node(next).links.prev = before;
        }
        if let Some(l) = last {
            self.node(l).links.next = links.next;
        }
        *self.node(at) = Slot::default();
        let mut last = true;
        if let Some(i) = self.count_slot(cap.kind, cap.object) {
            self.counts[i] = self.counts[i].saturating_sub(1);
            last = self.counts[i] == 0;
        }
        Ok(Removed {
            addr: at,
            cap,
            last,
        })
    }

    /// Delete every cap derived from the one at `at` (transitively, in every
    /// CSpace), reporting each to `on_removed`; the cap itself stays.
    /// Returns how many caps were removed.
    pub fn revoke(
        &mut self,
        at: SlotAddr,
        on_removed: &mut dyn FnMut(Removed),
    ) -> Result<usize, SysError> {
        self.cap(at)?;
        let mut removed = 0;
        while let Some(mut leaf) = self.node(at).links.first_child {
            while let Some(c) = self.node(leaf).links.first_child {
                leaf = c;
            }
            on_removed(self.delete(leaf)?);
            removed += 1;
        }
        Ok(removed)
    }

    /// Derive a copy of the cap at `src` into the empty slot `dst` of
    /// another CSpace (IPC cap transfer). Same as [`CapSystem::copy`].
    pub fn transfer(&mut self, src: SlotAddr, dst: SlotAddr) -> Result<(), SysError> {
        self.copy(src, dst)
    }

    /// The parent of the cap at `at` in the derivation tree.
    pub fn parent(&self, at: SlotAddr) -> Result<Option<SlotAddr>, SysError> {
        Ok(self.slot(at)?.links.parent)
    }

    /// The children of the cap at `at`, in list order.
    pub fn children(&self, at: SlotAddr) -> Result<Vec<SlotAddr>, SysError> {
        let mut out = Vec::new();
        let mut c = self.slot(at)?.links.first_child;
        while let Some(x) = c {
            out.push(x);
            c = self.slot(x)?.links.next;
        }
        Ok(out)
    }

    #[cfg(test)]
    pub(crate) fn links(&self, at: SlotAddr) -> Result<Links, SysError> {
        Ok(self.slot(at)?.links)
    }

    fn check_empty(&self, dst: SlotAddr) -> Result<(), SysError> {
        self.space(dst.space)?.check_empty(dst.slot)
    }

    /// Write `cap` into the (checked empty) slot `dst` as the first child of `parent`.
    fn place(&mut self, dst: SlotAddr, cap: Cap, parent: Option<SlotAddr>) {
        let next = match parent {
            Some(p) => {
                let old = self.node(p).links.first_child;
                self.node(p).links.first_child = Some(dst);
                old
            }
            None => None,
        };
        if let Some(n) = next {
            self.node(n).links.prev = Some(dst);
        }
        *self.node(dst) = Slot {
            cap: Some(cap),
            links: Links {
                parent,
                first_child: None,
                prev: None,
                next,
            },
        };
        if let Some(i) = self.count_slot(cap.kind, cap.object) {
            self.counts[i] += 1;
        }
    }

    /// A slot the tree links to. Links only ever name live slots (CSpaces
    /// are emptied before they are freed), so a miss is a broken invariant.
    fn node(&mut self, at: SlotAddr) -> &mut Slot {
        match self.spaces.get_mut(at.space) {
            Some(space) => match space.slot_mut(at.slot) {
                Ok(slot) => slot,
                Err(_) => unreachable!("CDT link to a slot out of range"),
            },
            None => unreachable!("CDT link to a freed CSpace"),
        }
    }
}
