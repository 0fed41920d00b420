//! Page-table pages made by `Map` are charged to the address space's quota.

use helix_abi::{CapType, Method, SysError};

use super::super::Completion;
use super::support::{Rec, boot, inv};

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
