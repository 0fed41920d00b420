//! The cap methods of an AddressSpace cap that reach into its CSpace
//! (`AddressSpaceCapMint`, `...Move`, `...Delete`, `...Identify`): how the
//! root server fills the CSpaces of the processes it builds.

use helix_abi::{CapRights, CapType, Method, SysError, Syscall};

use super::super::*;
use super::support::*;
use crate::cap::SlotAddr;
use crate::table::{ObjRef, ThreadId};

/// Root slot of the child address space (8 CSpace slots).
const CHILD: u64 = 16;
const CHILD_SLOTS: u64 = 8;
/// Root slot of an endpoint.
const EP: u64 = 10;

/// A booted root with an endpoint in [`EP`] and a child address space in
/// [`CHILD`]; returns the child's CSpace too.
fn setup() -> (System, ThreadId, Rec, ObjRef) {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    retype(&mut s, a, &mut fx, CapType::Endpoint, EP, 0);
    retype(
        &mut s,
        a,
        &mut fx,
        CapType::AddressSpace,
        CHILD,
        CHILD_SLOTS,
    );
    let root = s.cspace_of(a).unwrap();
    let child = s.caps.cap(SlotAddr::new(root, CHILD as u32)).unwrap();
    let cs = s.cspace_of_aspace(child.object).unwrap();
    (s, a, fx, cs)
}

fn root_slot(s: &System, a: ThreadId, slot: u64) -> SlotAddr {
    SlotAddr::new(s.cspace_of(a).unwrap(), slot as u32)
}

/// Split `bytes` off the root Untyped into root slot `dst`.
fn split(s: &mut System, a: ThreadId, fx: &mut Rec, dst: u64, bytes: u64) {
    inv(s, a, fx, 1, Method::UntypedSplit, [0, dst, bytes, 0]).unwrap();
}

fn available(s: &mut System, a: ThreadId, fx: &mut Rec) -> u64 {
    match inv(s, a, fx, 1, Method::UntypedAvailable, [0; 4]) {
        Ok(Completion::Return([n, ..])) => n,
        other => panic!("{other:?}"),
    }
}

fn identify_in(
    s: &mut System,
    a: ThreadId,
    fx: &mut Rec,
    slot: u64,
) -> Result<Completion, SysError> {
    inv(
        s,
        a,
        fx,
        CHILD,
        Method::AddressSpaceCapIdentify,
        [slot, 0, 0, 0],
    )
}

#[test]
fn mint_into_another_cspace_keeps_the_cap_mint_rules() {
    let (mut s, a, mut fx, child) = setup();
    let mint = |s: &mut System, fx: &mut Rec, args: [u64; 4]| {
        inv(s, a, fx, CHILD, Method::AddressSpaceCapMint, args)
    };
    assert_eq!(
        mint(&mut s, &mut fx, [EP, 3, 0x3, 5]),
        Ok(Completion::Return([0; 3]))
    );
    let theirs = SlotAddr::new(child, 3);
    let c = s.caps.cap(theirs).unwrap();
    let source = s.caps.cap(root_slot(&s, a, EP)).unwrap();
    assert_eq!(
        (c.object, c.kind, c.rights, c.badge),
        (
            source.object,
            CapType::Endpoint,
            CapRights::READ.union(CapRights::WRITE),
            5
        )
    );
    assert_eq!(
        s.caps.parent(theirs),
        Ok(Some(root_slot(&s, a, EP))),
        "a child of the source"
    );
    assert_eq!(
        identify_in(&mut s, a, &mut fx, 3),
        Ok(Completion::Return([
            CapType::Endpoint as u64,
            0x3 | 1 << 8,
            5
        ]))
    );
    // Destination: occupied, out of the target's range (not the caller's).
    assert_eq!(
        mint(&mut s, &mut fx, [EP, 3, 0xf, 0]),
        Err(SysError::SlotOccupied)
    );
    assert_eq!(
        mint(&mut s, &mut fx, [EP, CHILD_SLOTS, 0xf, 0]),
        Err(SysError::InvalidCap)
    );
    // Source: empty, out of range.
    assert_eq!(
        mint(&mut s, &mut fx, [40, 4, 0xf, 0]),
        Err(SysError::EmptySlot)
    );
    assert_eq!(
        mint(&mut s, &mut fx, [64, 4, 0xf, 0]),
        Err(SysError::InvalidCap)
    );
    assert_eq!(
        mint(&mut s, &mut fx, [1 << 32, 4, 0xf, 0]),
        Err(SysError::InvalidCap)
    );
    // Badges: only on endpoints and notifications, only once.
    assert_eq!(
        mint(&mut s, &mut fx, [1, 4, 0xf, 7]),
        Err(SysError::InvalidArgument)
    );
    inv(&mut s, a, &mut fx, EP, Method::CapMint, [11, 0xf, 9, 0]).unwrap();
    assert_eq!(
        mint(&mut s, &mut fx, [11, 4, 0xf, 3]),
        Err(SysError::InvalidState)
    );
    assert_eq!(
        mint(&mut s, &mut fx, [EP, 4, 0x10, 0]),
        Err(SysError::InvalidArgument)
    );
    // Rights only shrink.
    inv(&mut s, a, &mut fx, EP, Method::CapMint, [12, 0x1, 0, 0]).unwrap();
    assert_eq!(
        mint(&mut s, &mut fx, [12, 5, 0xf, 0]),
        Ok(Completion::Return([0; 3]))
    );
    assert_eq!(
        s.caps.cap(SlotAddr::new(child, 5)).unwrap().rights,
        CapRights::READ
    );
    assert!(
        s.caps.space(child).unwrap().check_empty(4).is_ok(),
        "failed mints left nothing"
    );
}

#[test]
fn the_target_methods_need_an_address_space_cap_with_rights() {
    let (mut s, a, mut fx, _) = setup();
    // A read-only cap to the child: identify works, the rest is NoRights.
    inv(&mut s, a, &mut fx, CHILD, Method::CapMint, [17, 0x1, 0, 0]).unwrap();
    for (m, args) in [
        (Method::AddressSpaceCapMint, [EP, 3, 0xf, 0]),
        (Method::AddressSpaceCapMove, [EP, 3, 0, 0]),
        (Method::AddressSpaceCapDelete, [0, 0, 0, 0]),
    ] {
        assert_eq!(
            inv(&mut s, a, &mut fx, 17, m, args),
            Err(SysError::NoRights),
            "{m:?}"
        );
    }
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            17,
            Method::AddressSpaceCapIdentify,
            [3, 0, 0, 0]
        ),
        Err(SysError::EmptySlot)
    );
    // A write-only cap cannot look.
    inv(&mut s, a, &mut fx, CHILD, Method::CapMint, [18, 0x2, 0, 0]).unwrap();
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            18,
            Method::AddressSpaceCapIdentify,
            [3, 0, 0, 0]
        ),
        Err(SysError::NoRights)
    );
    // Not an AddressSpace cap; unused registers must be zero.
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            EP,
            Method::AddressSpaceCapMint,
            [EP, 3, 0xf, 0]
        ),
        Err(SysError::WrongType)
    );
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            CHILD,
            Method::AddressSpaceCapMove,
            [EP, 3, 1, 0]
        ),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        inv(
            &mut s,
            a,
            &mut fx,
            CHILD,
            Method::AddressSpaceCapDelete,
            [3, 0, 0, 1]
        ),
        Err(SysError::InvalidArgument)
    );
}

#[test]
fn revoking_the_source_removes_the_cap_minted_into_another_cspace() {
    let (mut s, a, mut fx, child) = setup();
    inv(
        &mut s,
        a,
        &mut fx,
        CHILD,
        Method::AddressSpaceCapMint,
        [EP, 3, 0x2, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        CHILD,
        Method::AddressSpaceCapMint,
        [EP, 4, 0x2, 8],
    )
    .unwrap();
    inv(&mut s, a, &mut fx, EP, Method::CapRevoke, [0; 4]).unwrap();
    for slot in [3, 4] {
        assert_eq!(
            identify_in(&mut s, a, &mut fx, slot),
            Err(SysError::EmptySlot)
        );
    }
    assert!(s.caps.space(child).unwrap().occupied().next().is_none());
    // The source stays and its endpoint lives.
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [EP, 0, 0, 0, 0, 0]),
        Err(SysError::WouldBlock)
    );
}

#[test]
fn move_into_hands_over_the_cap_with_its_place_in_the_tree() {
    let (mut s, a, mut fx, child) = setup();
    split(&mut s, a, &mut fx, 20, 8192);
    let moved = s.caps.cap(root_slot(&s, a, 20)).unwrap();
    let mv = |s: &mut System, fx: &mut Rec, src: u64, dst: u64| {
        inv(
            s,
            a,
            fx,
            CHILD,
            Method::AddressSpaceCapMove,
            [src, dst, 0, 0],
        )
    };
    assert_eq!(mv(&mut s, &mut fx, 20, 2), Ok(Completion::Return([0; 3])));
    assert_eq!(s.caps.cap(root_slot(&s, a, 20)), Err(SysError::EmptySlot));
    let theirs = SlotAddr::new(child, 2);
    assert_eq!(s.caps.cap(theirs), Ok(moved));
    assert_eq!(s.caps.parent(theirs), Ok(Some(root_slot(&s, a, 1))));
    assert_eq!(mv(&mut s, &mut fx, 20, 3), Err(SysError::EmptySlot));
    split(&mut s, a, &mut fx, 21, 4096);
    assert_eq!(mv(&mut s, &mut fx, 21, 2), Err(SysError::SlotOccupied));
    assert_eq!(
        mv(&mut s, &mut fx, 21, CHILD_SLOTS),
        Err(SysError::InvalidCap)
    );
    assert!(
        s.caps.cap(root_slot(&s, a, 21)).is_ok(),
        "a failed move keeps the cap"
    );
    // The cap to the child itself can move into the child (slot 0 of a
    // process holds its own AddressSpace).
    assert_eq!(
        mv(&mut s, &mut fx, CHILD, 0),
        Ok(Completion::Return([0; 3]))
    );
    assert_eq!(
        s.caps.cap(SlotAddr::new(child, 0)).map(|c| c.kind),
        Ok(CapType::AddressSpace)
    );
}

#[test]
fn delete_in_empties_the_slot_and_the_last_cap_destroys_the_object() {
    let (mut s, a, mut fx, _) = setup();
    retype(&mut s, a, &mut fx, CapType::Frame, 14, 1);
    assert_eq!(fx.frames_live, 1);
    inv(
        &mut s,
        a,
        &mut fx,
        CHILD,
        Method::AddressSpaceCapMove,
        [14, 1, 0, 0],
    )
    .unwrap();
    inv(
        &mut s,
        a,
        &mut fx,
        CHILD,
        Method::AddressSpaceCapMint,
        [EP, 3, 0x3, 0],
    )
    .unwrap();
    let del = |s: &mut System, fx: &mut Rec, slot: u64| {
        inv(
            s,
            a,
            fx,
            CHILD,
            Method::AddressSpaceCapDelete,
            [slot, 0, 0, 0],
        )
    };
    assert_eq!(del(&mut s, &mut fx, 1), Ok(Completion::Return([0; 3])));
    assert_eq!(fx.frames_live, 0, "the frame's last cap went");
    assert_eq!(identify_in(&mut s, a, &mut fx, 1), Err(SysError::EmptySlot));
    assert_eq!(del(&mut s, &mut fx, 1), Err(SysError::EmptySlot));
    assert_eq!(del(&mut s, &mut fx, CHILD_SLOTS), Err(SysError::InvalidCap));
    // Not the last cap: the endpoint stays.
    assert_eq!(del(&mut s, &mut fx, 3), Ok(Completion::Return([0; 3])));
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [EP, 0, 0, 0, 0, 0]),
        Err(SysError::WouldBlock)
    );
    assert_eq!(
        identify_in(&mut s, a, &mut fx, CHILD_SLOTS),
        Err(SysError::InvalidCap)
    );
}

#[test]
fn destroying_the_target_takes_its_caps_and_refunds_their_budgets() {
    let (mut s, a) = boot();
    let mut fx = Rec::default();
    let start = available(&mut s, a, &mut fx);
    retype(&mut s, a, &mut fx, CapType::Endpoint, EP, 0);
    let after_ep = available(&mut s, a, &mut fx);
    retype(
        &mut s,
        a,
        &mut fx,
        CapType::AddressSpace,
        CHILD,
        CHILD_SLOTS,
    );
    split(&mut s, a, &mut fx, 20, 8192);
    retype(&mut s, a, &mut fx, CapType::Frame, 14, 1);
    let into = |s: &mut System, fx: &mut Rec, m: Method, args: [u64; 4]| {
        inv(s, a, fx, CHILD, m, args).unwrap()
    };
    into(&mut s, &mut fx, Method::AddressSpaceCapMove, [20, 2, 0, 0]);
    into(&mut s, &mut fx, Method::AddressSpaceCapMove, [14, 1, 0, 0]);
    into(
        &mut s,
        &mut fx,
        Method::AddressSpaceCapMint,
        [EP, 3, 0x2, 0],
    );
    let before = available(&mut s, a, &mut fx);
    assert_eq!(after_ep - before, 4096 + 64 * CHILD_SLOTS + 8192 + 4096);
    let child = s.caps.cap(root_slot(&s, a, CHILD)).unwrap().object;
    inv(&mut s, a, &mut fx, CHILD, Method::CapDelete, [0; 4]).unwrap();
    assert!(fx.hw.contains(&Hardware::AddressSpaceGone(child)));
    assert_eq!(fx.frames_live, 0, "the moved frame is freed");
    assert_eq!(
        available(&mut s, a, &mut fx),
        after_ep,
        "address space, moved budget and frame refunded; the endpoint stays"
    );
    assert_eq!(start - after_ep, 64);
    assert_eq!(
        sys(&mut s, a, &mut fx, Syscall::NbSend, [EP, 0, 0, 0, 0, 0]),
        Err(SysError::WouldBlock)
    );
}
