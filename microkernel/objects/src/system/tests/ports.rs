//! IoPorts caps narrowed to a sub-range.

use helix_abi::{Method, SysError};

use super::super::Hardware;
use super::support::{Rec, boot, inv};

#[test]
fn io_ports_mint_narrows_the_range_and_revoke_removes_it() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    // Slot 3 holds every port.
    inv(
        &mut s,
        a,
        &mut fx,
        3,
        Method::IoPortsMint,
        [0x70, 0x71, 20, 0],
    )
    .unwrap();
    inv(&mut s, a, &mut fx, 20, Method::IoPortIn, [0x71, 1, 0, 0]).unwrap();
    assert_eq!(
        fx.hw.last(),
        Some(&Hardware::PortIn {
            port: 0x71,
            width: 1
        })
    );
    let denied = [
        inv(&mut s, a, &mut fx, 20, Method::IoPortIn, [0x72, 1, 0, 0]),
        inv(&mut s, a, &mut fx, 20, Method::IoPortIn, [0x71, 2, 0, 0]),
        inv(
            &mut s,
            a,
            &mut fx,
            20,
            Method::IoPortsMint,
            [0x70, 0x72, 21, 0],
        ),
    ];
    assert!(denied.iter().all(|r| *r == Err(SysError::NoRights)));
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            20,
            Method::IoPortsMint,
            [0x71, 0x70, 21, 0]
        ),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            3,
            Method::IoPortsMint,
            [0, 0x1_0000, 21, 0]
        ),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        inv(&mut s, a, &mut fx, 3, Method::IoPortsMint, [0, 1, 20, 0]),
        Err(SysError::SlotOccupied)
    );
    // Narrower still, from the narrowed cap; revoking the original
    // removes both.
    inv(
        &mut s,
        a,
        &mut fx,
        20,
        Method::IoPortsMint,
        [0x70, 0x70, 21, 0],
    )
    .unwrap();
    inv(&mut s, a, &mut fx, 3, Method::CapRevoke, [0; 4]).unwrap();
    for slot in [20, 21] {
        assert_eq!(
            inv(&mut s, a, &mut fx, slot, Method::IoPortIn, [0x70, 1, 0, 0]),
            Err(SysError::EmptySlot)
        );
    }
}
