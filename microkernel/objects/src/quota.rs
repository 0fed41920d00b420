//! Memory quotas (the Untyped equivalent): budgets new objects come from.
//!
//! A quota has a size and a used count in bytes. Retyping an object
//! charges its cost ([`object_cost`]); destroying it releases the cost.
//! A child quota is split off by charging its whole size to the parent.
//! When the last cap to a quota goes, the unused part returns to the parent
//! at once; the quota stays behind, *detached*, until the objects still
//! charged to it are destroyed, and passes each release on to its parent.
//! So memory in use is always charged to some live ancestor and no
//! process can make the kernel allocate without a budget.

use helix_abi::{CapType, SysError};

use crate::table::{ObjRef, Table};

/// Bytes of kernel memory an endpoint costs.
pub const ENDPOINT_COST: u64 = 64;
/// Bytes a notification costs.
pub const NOTIFICATION_COST: u64 = 64;
/// Bytes a thread costs (TCB + kernel stack share).
pub const THREAD_COST: u64 = 1024;
/// Bytes an address space costs before its CSpace (the PML4 page).
pub const ADDRESS_SPACE_COST: u64 = 4096;
/// Bytes per CSpace slot.
pub const SLOT_COST: u64 = 64;
/// Bytes of one frame page.
pub const FRAME_PAGE: u64 = 4096;
/// Bytes of a process's I/O permission bitmap (one bit per port).
pub const IO_BITMAP_COST: u64 = 0x1_0000 / 8;
/// The most pages one Frame object can span (2 MiB).
pub const FRAME_MAX_PAGES: u64 = 512;

/// What retyping `kind` with size argument `arg` costs: CSpace slots for an
/// AddressSpace (1..=`CSPACE_MAX_SLOTS`), pages for a Frame
/// (1..=[`FRAME_MAX_PAGES`]), 0 otherwise. `InvalidArgument` for a bad
/// argument or a type that cannot be retyped (Reply, IrqHandler, IoPorts,
/// IrqControl, Untyped — use split for budgets).
pub fn object_cost(kind: CapType, arg: u64) -> Result<u64, SysError> {
    let plain = |cost| {
        if arg == 0 {
            Ok(cost)
        } else {
            Err(SysError::InvalidArgument)
        }
    };
    match kind {
        CapType::Endpoint => plain(ENDPOINT_COST),
        CapType::Notification => plain(NOTIFICATION_COST),
        CapType::Thread => plain(THREAD_COST),
        CapType::AddressSpace if arg >= 1 && arg <= crate::cap::CSPACE_MAX_SLOTS as u64 => {
            Ok(ADDRESS_SPACE_COST + arg * SLOT_COST)
        }
        CapType::Frame if (1..=FRAME_MAX_PAGES).contains(&arg) => Ok(arg * FRAME_PAGE),
        _ => Err(SysError::InvalidArgument),
    }
}

/// One budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    size: u64,
    used: u64,
    parent: Option<ObjRef>,
    detached: bool,
}

impl Quota {
    /// Total bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes charged.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Bytes still available.
    pub fn available(&self) -> u64 {
        self.size - self.used
    }

    /// The quota this one was split from.
    pub fn parent(&self) -> Option<ObjRef> {
        self.parent
    }
}

/// All quotas.
#[derive(Debug)]
pub struct Quotas {
    table: Table<Quota>,
}

impl Quotas {
    /// Room for `capacity` quotas.
    pub fn with_capacity(capacity: usize) -> Quotas {
        Quotas {
            table: Table::with_capacity(capacity),
        }
    }

    /// A root budget (boot memory handed to the root server).
    pub fn create_root(&mut self, size: u64) -> Result<ObjRef, SysError> {
        self.table.insert(Quota {
            size,
            used: 0,
            parent: None,
            detached: false,
        })
    }

    /// The quota `q`; `Revoked` when it no longer exists.
    pub fn get(&self, q: ObjRef) -> Result<&Quota, SysError> {
        self.table.get(q).ok_or(SysError::Revoked)
    }

    /// Number of quotas alive (attached or detached).
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when no quota is alive.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Charge `bytes`; `OutOfMemory` when they do not fit.
    pub fn charge(&mut self, q: ObjRef, bytes: u64) -> Result<(), SysError> {
        let quota = self.table.get_mut(q).ok_or(SysError::Revoked)?;
        if quota.detached {
            return Err(SysError::Revoked);
        }
        if bytes > quota.size - quota.used {
            return Err(SysError::OutOfMemory);
        }
        quota.used += bytes;
        Ok(())
    }

    /// Give back `bytes` charged to `q` (an object was destroyed). Passes
    /// through detached quotas to their parents and frees a detached quota
    /// once nothing is charged to it.
    pub fn release(&mut self, q: ObjRef, bytes: u64) {
        let mut cur = Some(q);
        while let Some(r) = cur {
            let Some(quota) = self.table.get_mut(r) else {
                return;
            };
            quota.used = quota.used.saturating_sub(bytes);
            if !quota.detached {
                return;
            }
            cur = quota.parent;
            if quota.used == 0 {
                self.table.remove(r);
            }
        }
    }

    /// Split a child budget of `bytes` (nonzero) off `q`.
    pub fn split(&mut self, q: ObjRef, bytes: u64) -> Result<ObjRef, SysError> {
        if bytes == 0 {
            return Err(SysError::InvalidArgument);
        }
        self.charge(q, bytes)?;
        self.table
            .insert(Quota {
                size: bytes,
                used: 0,
                parent: Some(q),
                detached: false,
            })
            .inspect_err(|_| self.release(q, bytes))
    }

    /// The last cap to `q` is gone: return its unused bytes to the parent
    /// and detach it (freed at once when nothing is charged to it).
    pub fn destroy(&mut self, q: ObjRef) {
        let Some(quota) = self.table.get_mut(q) else {
            return;
        };
        if quota.detached {
            return;
        }
        let unused = quota.size - quota.used;
        quota.detached = true;
        quota.size = quota.used;
        let (parent, used) = (quota.parent, quota.used);
        if used == 0 {
            self.table.remove(q);
        }
        if let Some(p) = parent {
            self.release(p, unused);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[test]
    fn exhausting_returns_out_of_memory_and_release_refills() {
        let mut qs = Quotas::with_capacity(4);
        let q = qs.create_root(100).unwrap();
        qs.charge(q, 64).unwrap();
        assert_eq!(qs.charge(q, 64), Err(SysError::OutOfMemory));
        qs.release(q, 64);
        qs.charge(q, 100).unwrap();
        assert_eq!(qs.get(q).unwrap().available(), 0);
    }

    #[test]
    fn costs() {
        assert_eq!(object_cost(CapType::Endpoint, 0), Ok(ENDPOINT_COST));
        assert_eq!(
            object_cost(CapType::Endpoint, 1),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(object_cost(CapType::Frame, 2), Ok(8192));
        assert_eq!(
            object_cost(CapType::Frame, 0),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(
            object_cost(CapType::Frame, 513),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(
            object_cost(CapType::AddressSpace, 4097),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(
            object_cost(CapType::Untyped, 0),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(
            object_cost(CapType::Reply, 0),
            Err(SysError::InvalidArgument)
        );
    }

    #[test]
    fn detached_child_keeps_charging_parent_until_objects_die() {
        let mut qs = Quotas::with_capacity(4);
        let p = qs.create_root(1000).unwrap();
        let c = qs.split(p, 400).unwrap();
        qs.charge(c, 100).unwrap();
        qs.destroy(c);
        assert_eq!(qs.get(p).unwrap().used(), 100);
        assert_eq!(qs.charge(c, 1), Err(SysError::Revoked));
        qs.release(c, 100);
        assert_eq!(qs.get(p).unwrap().used(), 0);
        assert!(qs.get(c).is_err());
        assert_eq!(qs.len(), 1);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Charge(usize, u64),
        Release(usize),
        Split(usize, u64),
        Destroy(usize),
    }

    proptest! {
        /// No quota is ever over budget, and once every object is destroyed
        /// and every child budget dropped, the root is whole again and every
        /// detached quota has been freed.
        #[test]
        fn accounting_is_conserved(ops in proptest::collection::vec(
            prop_oneof![
                (0..8usize, 0..300u64).prop_map(|(q, b)| Op::Charge(q, b)),
                (0..32usize).prop_map(Op::Release),
                (0..8usize, 0..500u64).prop_map(|(q, b)| Op::Split(q, b)),
                (0..8usize).prop_map(Op::Destroy),
            ], 1..80)) {
            let mut qs = Quotas::with_capacity(16);
            let root = qs.create_root(1000).unwrap();
            let mut quotas = alloc::vec![root];
            let mut objects: Vec<(ObjRef, u64)> = Vec::new();
            for op in ops {
                match op {
                    Op::Charge(i, b) => {
                        let q = quotas[i % quotas.len()];
                        if qs.charge(q, b).is_ok() { objects.push((q, b)); }
                    }
                    Op::Release(i) if !objects.is_empty() => {
                        let (q, b) = objects.swap_remove(i % objects.len());
                        qs.release(q, b);
                    }
                    Op::Release(_) => {}
                    Op::Split(i, b) => {
                        if let Ok(c) = qs.split(quotas[i % quotas.len()], b) { quotas.push(c); }
                    }
                    Op::Destroy(i) => {
                        let q = quotas[i % quotas.len()];
                        if q != root { qs.destroy(q); }
                    }
                }
                for q in &quotas {
                    if let Ok(x) = qs.get(*q) { prop_assert!(x.used() <= x.size()); }
                }
            }
            for q in quotas.iter().skip(1) { qs.destroy(*q); }
            for (q, b) in objects { qs.release(q, b); }
            prop_assert_eq!(qs.get(root).unwrap().used(), 0);
            prop_assert_eq!(qs.len(), 1);
        }
    }
}
