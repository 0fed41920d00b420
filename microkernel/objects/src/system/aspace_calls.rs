//! AddressSpace methods: mapping frames (page tables charged to the
//! address space's budget), the I/O bitmap charge, and the cap methods
//! that reach into the address space's CSpace (how the root server fills
//! the CSpaces of the processes it builds).

use helix_abi::{CapRights, CapType, SysError};

use super::effects::{Completion, Effects, Hardware, MapRequest};
use super::invoke::{DONE, identity, need};
use super::state::System;
use crate::cap::{Cap, SlotAddr};
use crate::quota::{FRAME_PAGE as TABLE_PAGE, IO_BITMAP_COST};
use crate::syscall::AddressSpaceCall;
use crate::table::ObjRef;

impl System {
    /// AddressSpace methods on the cap `c` (at `at`, in the caller's CSpace).
    pub(super) fn invoke_address_space(
        &mut self,
        at: SlotAddr,
        c: Cap,
        call: AddressSpaceCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        match call {
            AddressSpaceCall::Map {
                frame,
                vaddr,
                rights,
            } => {
                need(&c, CapRights::WRITE)?;
                let fcap = self
                    .caps
                    .space(at.space)?
                    .lookup(frame, CapType::Frame, rights)?;
                let f = *self.frames.get(fcap.object).ok_or(SysError::Revoked)?;
                if vaddr
                    .checked_add(f.pages * 4096)
                    .is_none_or(|end| end > crate::syscall::USER_TOP)
                {
                    return Err(SysError::BadAddress);
                }
                let req = MapRequest {
                    aspace: c.object,
                    vaddr,
                    phys: f.phys,
                    pages: f.pages,
                    rights,
                };
                self.map_charged(req, fx).and(DONE)
            }
            AddressSpaceCall::Unmap { vaddr } => {
                need(&c, CapRights::WRITE)?;
                fx.hardware(Hardware::Unmap {
                    aspace: c.object,
                    vaddr,
                });
                DONE
            }
            AddressSpaceCall::CapMint {
                src,
                dst,
                rights,
                badge,
            } => {
                need(&c, CapRights::WRITE)?;
                let theirs = SlotAddr::new(self.cspace_of_aspace(c.object)?, dst);
                self.caps
                    .mint(SlotAddr::new(at.space, src), theirs, rights, badge)
                    .and(DONE)
            }
            AddressSpaceCall::CapMove { src, dst } => {
                need(&c, CapRights::WRITE)?;
                let theirs = SlotAddr::new(self.cspace_of_aspace(c.object)?, dst);
                self.caps
                    .move_cap(SlotAddr::new(at.space, src), theirs)
                    .and(DONE)
            }
            AddressSpaceCall::CapDelete { slot } => {
                need(&c, CapRights::WRITE)?;
                let theirs = SlotAddr::new(self.cspace_of_aspace(c.object)?, slot);
                self.delete_cap(theirs, fx).and(DONE)
            }
            AddressSpaceCall::CapIdentify { slot } => {
                need(&c, CapRights::READ)?;
                let theirs = SlotAddr::new(self.cspace_of_aspace(c.object)?, slot);
                Ok(identity(&self.caps.cap(theirs)?))
            }
        }
    }

    /// Map `req`, charging the page-table pages it needs (4096 bytes each)
    /// to the quota that paid for the address space; they are released
    /// when the address space is destroyed. Address spaces the kernel made
    /// at boot were charged to no quota and their tables are not either.
    fn map_charged(&mut self, req: MapRequest, fx: &mut dyn Effects) -> Result<(), SysError> {
        let Some((q, bytes)) = self.charge_of(CapType::AddressSpace, req.aspace) else {
            return fx.map(req, u64::MAX).result;
        };
        // Reserve what the budget can pay before mapping (at most three
        // tables per page), so nothing after the map can fail: every table
        // made is paid for by construction, the unused part is released.
        let affordable = self.quotas.get(q).map_or(0, |x| x.available()) / TABLE_PAGE;
        let reserved = affordable.min(req.pages.saturating_mul(3));
        if reserved > 0 {
            self.quotas.charge(q, reserved * TABLE_PAGE)?;
        }
        let done = fx.map(req, reserved);
        let used = done.tables.min(reserved);
        self.quotas.release(q, (reserved - used) * TABLE_PAGE);
        if used > 0 {
            self.set_charge(
                CapType::AddressSpace,
                req.aspace,
                Some((q, bytes + used * TABLE_PAGE)),
            );
        }
        done.result
    }

    /// Pay for the I/O permission bitmap of `aspace` (the kernel makes one
    /// on the first port instruction it lets through): [`IO_BITMAP_COST`]
    /// bytes charged once, like its page tables, to the quota that paid
    /// for the address space, and released when it is destroyed (a bitmap
    /// closed by a revoke and made again is not charged twice). Address
    /// spaces the kernel made at boot were charged to no quota and their
    /// bitmap is not either. `OutOfMemory` when the quota cannot pay,
    /// `Revoked` when `aspace` is gone.
    pub fn charge_io_bitmap(&mut self, aspace: ObjRef) -> Result<(), SysError> {
        let space = self.aspaces.get(aspace).ok_or(SysError::Revoked)?;
        if space.io_bitmap_paid {
            return Ok(());
        }
        if let Some((q, bytes)) = self.charge_of(CapType::AddressSpace, aspace) {
            self.quotas
                .charge(q, IO_BITMAP_COST)
                .map_err(|_| SysError::OutOfMemory)?;
            self.set_charge(
                CapType::AddressSpace,
                aspace,
                Some((q, bytes + IO_BITMAP_COST)),
            );
        }
        if let Some(space) = self.aspaces.get_mut(aspace) {
            space.io_bitmap_paid = true;
        }
        Ok(())
    }
}
