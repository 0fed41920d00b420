//! Fixed-capacity object tables addressed by index + generation.
//!
//! Every kernel object lives in a [`Table`] slot. A reference to it is an
//! [`ObjRef`]: the slot index plus the slot's generation at the time the
//! object was created. Freeing a slot bumps its generation, so a stale
//! reference (a queued thread id, an IRQ binding, a reply object) no longer
//! resolves: the lookup fails instead of reaching the slot's next tenant
//! (the Hubris `TaskId` idea).
//!
//! All memory is allocated once by [`Table::with_capacity`]; insert and
//! remove never allocate.

use alloc::vec::Vec;
use helix_abi::SysError;

/// A typed-by-context reference to an object: table index + generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjRef {
    index: u32,
    generation: u32,
}

impl ObjRef {
    /// A reference from its parts.
    pub const fn new(index: u32, generation: u32) -> ObjRef {
        ObjRef { index, generation }
    }

    /// The slot index.
    pub const fn index(self) -> usize {
        self.index as usize
    }

    /// The generation the reference was made in.
    pub const fn generation(self) -> u32 {
        self.generation
    }

    /// One word: generation in bits 32..64, index in bits 0..32.
    pub const fn raw(self) -> u64 {
        ((self.generation as u64) << 32) | self.index as u64
    }

    /// Inverse of [`ObjRef::raw`].
    pub const fn from_raw(raw: u64) -> ObjRef {
        ObjRef {
            index: raw as u32,
            generation: (raw >> 32) as u32,
        }
    }
}

/// A thread, named by its index + generation in the kernel's thread table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadId(pub ObjRef);

impl ThreadId {
    /// The thread table index (also the index of per-thread side tables).
    pub const fn index(self) -> usize {
        self.0.index()
    }
}

#[derive(Debug)]
enum Entry<T> {
    Free { generation: u32, next: Option<u32> },
    Live { generation: u32, value: T },
}

/// A slab of at most `capacity` objects of type `T`.
#[derive(Debug)]
pub struct Table<T> {
    entries: Vec<Entry<T>>,
    free: Option<u32>,
    live: usize,
}

impl<T> Table<T> {
    /// An empty table that can hold `capacity` objects (at most `u32::MAX`).
    pub fn with_capacity(capacity: usize) -> Table<T> {
        let capacity = capacity.min(u32::MAX as usize);
        let mut entries = Vec::with_capacity(capacity);
        for i in 0..capacity {
            let next = if i + 1 < capacity {
                Some(i as u32 + 1)
            } else {
                None
            };
            entries.push(Entry::Free {
                generation: 0,
                next,
            });
        }
        Table {
            entries,
            free: if capacity > 0 { Some(0) } else { None },
            live: 0,
        }
    }

    /// Maximum number of objects.
    pub fn capacity(&self) -> usize {
        self.entries.len()
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when no object is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Store `value`; `OutOfMemory` when the table is full.
    pub fn insert(&mut self, value: T) -> Result<ObjRef, SysError> {
        let index = self.free.ok_or(SysError::OutOfMemory)?;
        let entry = &mut self.entries[index as usize];
        let (generation, next) = match *entry {
            Entry::Free { generation, next } => (generation, next),
            Entry::Live { .. } => return Err(SysError::InvalidState),
        };
        *entry = Entry::Live { generation, value };
        self.free = next;
        self.live += 1;
        Ok(ObjRef::new(index, generation))
    }

    /// The object `r` names, if it is still alive.
    pub fn get(&self, r: ObjRef) -> Option<&T> {
        match self.entries.get(r.index()) {
            Some(Entry::Live { generation, value }) if *generation == r.generation => Some(value),
            _ => None,
        }
    }

    /// Mutable access to the object `r` names, if it is still alive.
    pub fn get_mut(&mut self, r: ObjRef) -> Option<&mut T> {
        match self.entries.get_mut(r.index()) {
            Some(Entry::Live { generation, value }) if *generation == r.generation => Some(value),
            _ => None,
        }
    }

    /// True when `r` names a live object.
    pub fn contains(&self, r: ObjRef) -> bool {
        self.get(r).is_some()
    }

    /// The live object at `index`, with its current reference.
    pub fn at(&self, index: usize) -> Option<(ObjRef, &T)> {
        match self.entries.get(index) {
            Some(Entry::Live { generation, value }) => {
                Some((ObjRef::new(index as u32, *generation), value))
            }
            _ => None,
        }
    }

    /// Remove and return the object; its slot's generation is bumped so
    /// every outstanding reference goes stale.
    pub fn remove(&mut self, r: ObjRef) -> Option<T> {
        self.get(r)?;
        let generation = r.generation.wrapping_add(1);
        let old = core::mem::replace(
            &mut self.entries[r.index()],
            Entry::Free {
                generation,
                next: self.free,
            },
        );
        self.free = Some(r.index);
        self.live -= 1;
        match old {
            Entry::Live { value, .. } => Some(value),
            Entry::Free { .. } => None,
        }
    }

    /// Every live object with its reference, in index order.
    pub fn iter(&self) -> impl Iterator<Item = (ObjRef, &T)> {
        (0..self.entries.len()).filter_map(|i| self.at(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_references_do_not_resolve() {
        let mut t = Table::with_capacity(2);
        let a = t.insert(1).unwrap();
        let b = t.insert(2).unwrap();
        assert_eq!(t.insert(3), Err(SysError::OutOfMemory));
        assert_eq!(t.remove(a), Some(1));
        assert_eq!(t.get(a), None);
        let c = t.insert(4).unwrap();
        assert_eq!(c.index(), a.index());
        assert_ne!(c, a);
        assert_eq!(t.get(a), None);
        assert_eq!(t.get(c), Some(&4));
        assert_eq!(t.remove(a), None);
        assert_eq!(t.len(), 2);
        assert_eq!(t.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [4, 2]);
        assert_eq!(ObjRef::from_raw(b.raw()), b);
    }

    #[test]
    fn zero_capacity_is_always_full() {
        let mut t: Table<u8> = Table::with_capacity(0);
        assert_eq!(t.insert(1), Err(SysError::OutOfMemory));
        assert!(t.is_empty());
    }
}
