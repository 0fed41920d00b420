//! Page-table pages made by `Map` and the I/O permission bitmap are
//! charged to the address space's quota.

use helix_abi::{CapRights, CapType, Method, SysError};

use super::super::Completion;
use super::support::{Rec, boot, inv};
use crate::quota::IO_BITMAP_COST;
use crate::table::ObjRef;

const RW: u64 = 0x3;

#[test]
fn map_tables_are_charged_to_the_address_space_quota_and_refunded() {
    let (mut s, a) = boot();
    let mut fx = Rec {
        tables_per_map: 3,
        ..Rec::default()
    };
    let size = 4096 + 64 + 2 * 4096;
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedSplit,
        [0, 20, size, 0],
    )
    .unwrap();
    let aspace = CapType::AddressSpace as u64;
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::UntypedRetype,
        [aspace, 21, 1, 0],
    )
    .unwrap();
    let frame = CapType::Frame as u64;
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedRetype,
        [frame, 22, 1, 0],
    )
    .unwrap();
    let avail = |s: &mut super::super::System, fx: &mut Rec| {
        inv(s, a, fx, 20, Method::UntypedAvailable, [0; 4])
    };
    assert_eq!(avail(&mut s, &mut fx), Ok(Completion::Return([8192, 0, 0])));
    // Three tables needed, two affordable: OutOfMemory, the two made stay
    // charged.
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            21,
            Method::AddressSpaceMap,
            [22, 0x4000, RW, 0]
        ),
        Err(SysError::OutOfMemory)
    );
    assert_eq!(fx.maps.last().map(|m| m.1), Some(2));
    assert_eq!(avail(&mut s, &mut fx), Ok(Completion::Return([0, 0, 0])));
    // The boot address space was charged to no quota: no table budget.
    fx.tables_per_map = 0;
    inv(
        &mut s,
        a,
        &mut fx,
        0,
        Method::AddressSpaceMap,
        [22, 0x4000, RW, 0],
    )
    .unwrap();
    assert_eq!(fx.maps.last().map(|m| m.1), Some(u64::MAX));
    // Destroying the address space gives its tables back.
    inv(&mut s, a, &mut fx, 21, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(avail(&mut s, &mut fx), Ok(Completion::Return([size, 0, 0])));
}

/// The object of the cap in `slot` of `t`'s CSpace.
fn object_in(s: &super::super::System, t: crate::table::ThreadId, slot: u32) -> ObjRef {
    let cs = s.cspace_of(t).unwrap();
    s.caps
        .space(cs)
        .unwrap()
        .lookup(slot, CapType::AddressSpace, CapRights::NONE)
        .unwrap()
        .object
}

#[test]
fn io_bitmap_is_charged_to_the_address_space_quota_and_refunded() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    let aspace = CapType::AddressSpace as u64;
    let avail = |s: &mut super::super::System, fx: &mut Rec, slot| {
        inv(s, a, fx, slot, Method::UntypedAvailable, [0; 4])
    };
    // A budget one byte short of the bitmap: refused, nothing charged.
    let poor = 4096 + 64 + IO_BITMAP_COST - 1;
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedSplit,
        [0, 20, poor, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::UntypedRetype,
        [aspace, 21, 1, 0],
    )
    .unwrap();
    let p = object_in(&s, a, 21);
    assert_eq!(s.charge_io_bitmap(p), Err(SysError::OutOfMemory));
    assert_eq!(
        avail(&mut s, &mut fx, 20),
        Ok(Completion::Return([IO_BITMAP_COST - 1, 0, 0]))
    );
    // Enough: charged once, a second bitmap (after a revoke) is free.
    let rich = 4096 + 64 + IO_BITMAP_COST;
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedSplit,
        [0, 22, rich, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        22,
        Method::UntypedRetype,
        [aspace, 23, 1, 0],
    )
    .unwrap();
    let r = object_in(&s, a, 23);
    assert_eq!(s.charge_io_bitmap(r), Ok(()));
    assert_eq!(s.charge_io_bitmap(r), Ok(()));
    assert_eq!(
        avail(&mut s, &mut fx, 22),
        Ok(Completion::Return([0, 0, 0]))
    );
    // The boot address space was charged to no quota: neither is its bitmap.
    let root_before = avail(&mut s, &mut fx, 1);
    assert_eq!(s.charge_io_bitmap(object_in(&s, a, 0)), Ok(()));
    assert_eq!(avail(&mut s, &mut fx, 1), root_before);
    // Destroying the address space gives the bitmap back.
    inv(&mut s, a, &mut fx, 23, Method::CapDelete, [0; 4]).unwrap();
    assert_eq!(
        avail(&mut s, &mut fx, 22),
        Ok(Completion::Return([rich, 0, 0]))
    );
    assert_eq!(s.charge_io_bitmap(r), Err(SysError::Revoked));
}

#[test]
fn a_map_charges_exactly_the_tables_it_made_and_releases_the_reservation() {
    let (mut s, a) = boot();
    let mut fx = Rec {
        tables_per_map: 1,
        ..Rec::default()
    };
    let size = 4096 + 64 + 8 * 4096;
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedSplit,
        [0, 20, size, 0],
    )
    .unwrap();
    let aspace = CapType::AddressSpace as u64;
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::UntypedRetype,
        [aspace, 21, 1, 0],
    )
    .unwrap();
    let frame = CapType::Frame as u64;
    inv(
        &mut s,
        a,
        &mut fx,
        1,
        Method::UntypedRetype,
        [frame, 22, 1, 0],
    )
    .unwrap();
    let avail = |s: &mut super::super::System, fx: &mut Rec| {
        inv(s, a, fx, 20, Method::UntypedAvailable, [0; 4])
    };
    assert_eq!(
        avail(&mut s, &mut fx),
        Ok(Completion::Return([8 * 4096, 0, 0]))
    );
    // One table made although three were reserved: one is charged.
    inv(
        &mut s,
        a,
        &mut fx,
        21,
        Method::AddressSpaceMap,
        [22, 0x4000, RW, 0],
    )
    .unwrap();
    assert_eq!(fx.maps.last().map(|m| m.1), Some(3), "three tables offered");
    assert_eq!(
        avail(&mut s, &mut fx),
        Ok(Completion::Return([7 * 4096, 0, 0]))
    );
}
