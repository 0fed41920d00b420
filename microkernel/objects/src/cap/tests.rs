use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use helix_abi::{CapRights, CapType, SysError};
use proptest::prelude::*;

use super::*;
use crate::table::ObjRef;

fn ep(i: u32) -> Cap {
    Cap::new(ObjRef::new(i, 0), CapType::Endpoint, CapRights::ALL)
}

fn setup() -> (CapSystem, ObjRef, ObjRef) {
    let mut s = CapSystem::new(4, 16);
    let a = s.create_space(8).unwrap();
    let b = s.create_space(8).unwrap();
    (s, a, b)
}

#[test]
fn lookup_errors_in_order() {
    let (mut s, a, _) = setup();
    s.insert_original(SlotAddr::new(a, 0), ep(1), None).unwrap();
    let cs = s.space(a).unwrap();
    assert_eq!(
        cs.lookup(99, CapType::Endpoint, CapRights::READ),
        Err(SysError::InvalidCap)
    );
    assert_eq!(
        cs.lookup(1, CapType::Endpoint, CapRights::READ),
        Err(SysError::EmptySlot)
    );
    assert_eq!(
        cs.lookup(0, CapType::Thread, CapRights::READ),
        Err(SysError::WrongType)
    );
    assert!(cs.lookup(0, CapType::Endpoint, CapRights::ALL).is_ok());
}

#[test]
fn mint_only_shrinks_rights_and_badges_once() {
    let (mut s, a, _) = setup();
    let at = |i| SlotAddr::new(a, i);
    s.insert_original(at(0), ep(1), None).unwrap();
    s.mint(at(0), at(1), CapRights::WRITE, 7).unwrap();
    assert_eq!(s.cap(at(1)).unwrap().rights, CapRights::WRITE);
    assert_eq!(s.cap(at(1)).unwrap().badge, 7);
    s.mint(at(1), at(2), CapRights::ALL, 0).unwrap();
    assert_eq!(s.cap(at(2)).unwrap().rights, CapRights::WRITE);
    assert_eq!(
        s.mint(at(1), at(3), CapRights::ALL, 9),
        Err(SysError::InvalidState)
    );
    assert_eq!(
        s.mint(at(0), at(1), CapRights::ALL, 0),
        Err(SysError::SlotOccupied)
    );
    assert_eq!(
        s.mint(at(5), at(6), CapRights::ALL, 0),
        Err(SysError::EmptySlot)
    );
    let frame = Cap::new(ObjRef::new(2, 0), CapType::Frame, CapRights::ALL);
    s.insert_original(at(4), frame, None).unwrap();
    assert_eq!(
        s.mint(at(4), at(5), CapRights::READ, 1),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(s.cap(at(3)), Err(SysError::EmptySlot));
}

#[test]
fn revoke_removes_descendants_in_every_space_but_not_the_cap() {
    let (mut s, a, b) = setup();
    let (a0, a1, b0, b1) = (
        SlotAddr::new(a, 0),
        SlotAddr::new(a, 1),
        SlotAddr::new(b, 0),
        SlotAddr::new(b, 1),
    );
    s.insert_original(a0, ep(3), None).unwrap();
    s.copy(a0, a1).unwrap();
    s.transfer(a1, b0).unwrap();
    s.mint(b0, b1, CapRights::READ, 0).unwrap();
    assert_eq!(s.count(CapType::Endpoint, ObjRef::new(3, 0)), 4);
    let mut seen = Vec::new();
    assert_eq!(s.revoke(a0, &mut |r| seen.push(r)), Ok(3));
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| !r.last));
    assert!(s.cap(a0).is_ok());
    for x in [a1, b0, b1] {
        assert_eq!(s.cap(x), Err(SysError::EmptySlot));
    }
    let r = s.delete(a0).unwrap();
    assert!(r.last);
}

#[test]
fn delete_keeps_children_and_move_keeps_the_tree() {
    let (mut s, a, b) = setup();
    let at = |i| SlotAddr::new(a, i);
    s.insert_original(at(0), ep(1), None).unwrap();
    s.copy(at(0), at(1)).unwrap();
    s.copy(at(1), at(2)).unwrap();
    s.delete(at(1)).unwrap();
    assert_eq!(s.parent(at(2)), Ok(Some(at(0))));
    s.move_cap(at(0), SlotAddr::new(b, 5)).unwrap();
    assert_eq!(s.parent(at(2)), Ok(Some(SlotAddr::new(b, 5))));
    assert_eq!(s.move_cap(at(2), at(2)), Err(SysError::SlotOccupied));
    s.revoke(SlotAddr::new(b, 5), &mut |_| {}).unwrap();
    assert_eq!(s.cap(at(2)), Err(SysError::EmptySlot));
}

#[test]
fn destroying_a_space_reports_its_caps() {
    let (mut s, a, b) = setup();
    s.insert_original(SlotAddr::new(a, 0), ep(1), None).unwrap();
    s.copy(SlotAddr::new(a, 0), SlotAddr::new(b, 0)).unwrap();
    let mut lasts = 0;
    s.destroy_space(a, &mut |r| lasts += usize::from(r.last))
        .unwrap();
    assert_eq!(lasts, 0);
    assert_eq!(s.space(a).err(), Some(SysError::InvalidCap));
    assert!(s.delete(SlotAddr::new(b, 0)).unwrap().last);
}

// ---- property test against a parent-pointer model ----

const SPACES: usize = 3;
const SLOTS: u32 = 6;
const OBJECTS: u32 = 4;

#[derive(Clone, Debug)]
enum Op {
    Original(u8, u32),
    Copy(u8, u8),
    Mint(u8, u8, u8, u64),
    Move(u8, u8),
    Delete(u8),
    Revoke(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0..(SPACES as u8 * SLOTS as u8);
    prop_oneof![
        (slot.clone(), 0..OBJECTS).prop_map(|(s, o)| Op::Original(s, o)),
        (slot.clone(), slot.clone()).prop_map(|(a, b)| Op::Copy(a, b)),
        (slot.clone(), slot.clone(), 0..16u8, 0..3u64)
            .prop_map(|(a, b, r, g)| Op::Mint(a, b, r, g)),
        (slot.clone(), slot.clone()).prop_map(|(a, b)| Op::Move(a, b)),
        slot.clone().prop_map(Op::Delete),
        slot.prop_map(Op::Revoke),
    ]
}

/// slot -> (object, parent slot)
type Model = BTreeMap<u8, (u32, Option<u8>)>;

fn descendants(m: &Model, root: u8) -> Vec<u8> {
    let mut out = Vec::new();
    for &k in m.keys() {
        let mut p = m[&k].1;
        while let Some(x) = p {
            if x == root {
                out.push(k);
                break;
            }
            p = m[&x].1;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn cdt_matches_model(ops in proptest::collection::vec(op(), 1..60)) {
        let mut s = CapSystem::new(SPACES, OBJECTS as usize);
        let spaces: Vec<ObjRef> = (0..SPACES).map(|_| s.create_space(SLOTS as usize).unwrap()).collect();
        let addr = |i: u8| SlotAddr::new(spaces[i as usize / SLOTS as usize], u32::from(i) % SLOTS);
        let mut m: Model = BTreeMap::new();
        let count = |m: &Model, o: u32| m.values().filter(|v| v.0 == o).count();
        for op in ops {
            match op {
                Op::Original(d, o) => {
                    let r = s.insert_original(addr(d), Cap::new(ObjRef::new(o, 0), CapType::Endpoint, CapRights::ALL), None);
                    if m.contains_key(&d) {
                        prop_assert_eq!(r, Err(SysError::SlotOccupied));
                    } else if count(&m, o) > 0 {
                        prop_assert_eq!(r, Err(SysError::InvalidState));
                    } else {
                        prop_assert_eq!(r, Ok(()));
                        m.insert(d, (o, None));
                    }
                }
                Op::Copy(a, b) | Op::Mint(a, b, _, _) | Op::Move(a, b) => {
                    let r = match op {
                        Op::Copy(..) => s.copy(addr(a), addr(b)),
                        Op::Mint(_, _, rights, badge) => {
                            s.mint(addr(a), addr(b), CapRights::from_bits(rights).unwrap(), badge)
                        }
                        _ => s.move_cap(addr(a), addr(b)),
                    };
                    let badge_conflict = matches!(op, Op::Mint(_, _, _, g) if g != 0)
                        && s.cap(addr(a)).map(|c| c.badge != 0).unwrap_or(false);
                    if !m.contains_key(&a) {
                        prop_assert_eq!(r, Err(SysError::EmptySlot));
                    } else if badge_conflict && r.is_err() {
                        prop_assert_eq!(r, Err(SysError::InvalidState));
                    } else if m.contains_key(&b) {
                        prop_assert_eq!(r, Err(SysError::SlotOccupied));
                    } else {
                        prop_assert_eq!(r, Ok(()));
                        let obj = m[&a].0;
                        if matches!(op, Op::Move(..)) {
                            let (o, p) = m.remove(&a).unwrap();
                            m.insert(b, (o, p));
                            for v in m.values_mut() {
                                if v.1 == Some(a) { v.1 = Some(b); }
                            }
                        } else {
                            m.insert(b, (obj, Some(a)));
                        }
                    }
                }
                Op::Delete(a) => {
                    let r = s.delete(addr(a));
                    match m.remove(&a) {
                        None => prop_assert_eq!(r.err(), Some(SysError::EmptySlot)),
                        Some((o, p)) => {
                            for v in m.values_mut() {
                                if v.1 == Some(a) { v.1 = p; }
                            }
                            let r = r.unwrap();
                            prop_assert_eq!(r.last, count(&m, o) == 0);
                        }
                    }
                }
                Op::Revoke(a) => {
                    let mut gone = Vec::new();
                    let r = s.revoke(addr(a), &mut |x| gone.push(x));
                    if m.contains_key(&a) {
                        let want = descendants(&m, a);
                        prop_assert_eq!(r, Ok(want.len()));
                        for d in &want { m.remove(d); }
                        prop_assert!(gone.iter().all(|x| !x.last), "revoke keeps the revoked cap");
                    } else {
                        prop_assert_eq!(r, Err(SysError::EmptySlot));
                    }
                }
            }
            // The system agrees with the model slot by slot.
            for i in 0..(SPACES as u8 * SLOTS as u8) {
                match m.get(&i) {
                    None => prop_assert_eq!(s.cap(addr(i)), Err(SysError::EmptySlot)),
                    Some(&(o, p)) => {
                        prop_assert_eq!(s.cap(addr(i)).unwrap().object, ObjRef::new(o, 0));
                        prop_assert_eq!(s.parent(addr(i)).unwrap(), p.map(addr));
                        let mut kids = s.children(addr(i)).unwrap();
                        kids.sort();
                        let mut want: Vec<SlotAddr> = m.iter().filter(|(_, v)| v.1 == Some(i)).map(|(k, _)| addr(*k)).collect();
                        want.sort();
                        prop_assert_eq!(kids, want);
                        let l = s.links(addr(i)).unwrap();
                        if p.is_none() { prop_assert!(l.prev.is_none() && l.next.is_none()); }
                    }
                }
            }
            for o in 0..OBJECTS {
                prop_assert_eq!(s.count(CapType::Endpoint, ObjRef::new(o, 0)) as usize, count(&m, o));
            }
        }
    }
}
