use alloc::collections::VecDeque;
use alloc::vec::Vec;

use helix_abi::SysError;
use proptest::prelude::*;

use super::*;
use crate::table::{ObjRef, ThreadId};

fn tid(i: u32) -> ThreadId {
    ThreadId(ObjRef::new(i, 0))
}

#[test]
fn picks_highest_priority_fifo() {
    let mut s = Scheduler::new(1, 8);
    for (i, p) in [(0, 10), (1, 200), (2, 10), (3, 255), (4, 0)] {
        s.add_thread(tid(i), p, 3).unwrap();
        s.enqueue(tid(i)).unwrap();
    }
    assert!(s.should_preempt(0, 254));
    assert!(!s.should_preempt(0, 255));
    let order: Vec<_> = core::iter::from_fn(|| s.pick(0)).collect();
    assert_eq!(order, [tid(3), tid(1), tid(0), tid(2), tid(4)]);
    assert_eq!(s.pick(0), None);
}

#[test]
fn quantum_expiry_rotates_equal_priorities() {
    let mut s = Scheduler::new(1, 4);
    for i in 0..2 {
        s.add_thread(tid(i), 5, 2).unwrap();
        s.enqueue(tid(i)).unwrap();
    }
    let mut ran = Vec::new();
    let mut cur = s.pick(0).unwrap();
    for _ in 0..8 {
        ran.push(cur.index());
        if s.tick(cur).unwrap() == Tick::Expired {
            s.enqueue(cur).unwrap();
            cur = s.pick(0).unwrap();
        }
    }
    assert_eq!(ran, [0, 0, 1, 1, 0, 0, 1, 1]);
    assert_eq!(s.slice_left(cur), Ok(2));
}

#[test]
fn affinity_and_migration() {
    let mut s = Scheduler::new(4, 4);
    s.add_thread(tid(0), 1, 1).unwrap();
    s.enqueue(tid(0)).unwrap();
    assert_eq!(s.set_affinity(tid(0), 0b1100), Ok(2));
    assert_eq!(s.queue(0).unwrap().len(), 0);
    assert_eq!(s.pick(2), Some(tid(0)));
    assert_eq!(s.migrate(tid(0), 0), Err(SysError::InvalidArgument));
    assert_eq!(s.migrate(tid(0), 3), Ok(()));
    assert_eq!(s.enqueue(tid(0)), Ok(3));
    assert_eq!(
        s.set_affinity(tid(0), 1 << 40),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(s.add_thread(tid(1), 1, 0), Err(SysError::InvalidArgument));
    assert_eq!(s.enqueue(tid(2)), Err(SysError::InvalidState));
}

proptest! {
    /// The queues behave exactly like one FIFO per (CPU, priority) with
    /// pick taking from the highest non-empty priority.
    #[test]
    fn matches_fifo_model(ops in proptest::collection::vec((0..5u8, 0..8u32, any::<u8>(), 0..3usize), 1..200)) {
        let mut s = Scheduler::new(3, 8);
        let mut model: Vec<Vec<VecDeque<u32>>> = (0..3).map(|_| (0..256).map(|_| VecDeque::new()).collect()).collect();
        let mut prio = [0u8; 8];
        let mut cpu = [0usize; 8];
        for i in 0..8 {
            prio[i as usize] = (i * 37) as u8;
            s.add_thread(tid(i), prio[i as usize], 2).unwrap();
        }
        let find = |m: &Vec<Vec<VecDeque<u32>>>, t: u32| m.iter().flatten().any(|q| q.contains(&t));
        for (op, t, p, c) in ops {
            let ti = t as usize;
            match op {
                0 => {
                    let back = s.enqueue(tid(t)).unwrap();
                    prop_assert_eq!(back, cpu[ti]);
                    if !find(&model, t) { model[cpu[ti]][prio[ti] as usize].push_back(t); }
                }
                1 => {
                    let was = s.dequeue(tid(t)).unwrap();
                    prop_assert_eq!(was, find(&model, t));
                    for q in model.iter_mut().flatten() { q.retain(|x| *x != t); }
                }
                2 => {
                    let want = model[c].iter_mut().rev().find(|q| !q.is_empty()).and_then(|q| q.pop_front());
                    prop_assert_eq!(s.pick(c), want.map(tid));
                }
                3 => {
                    s.set_priority(tid(t), p).unwrap();
                    let queued = find(&model, t);
                    for q in model.iter_mut().flatten() { q.retain(|x| *x != t); }
                    prio[ti] = p;
                    if queued { model[cpu[ti]][p as usize].push_back(t); }
                }
                _ => {
                    s.migrate(tid(t), c).unwrap();
                    let queued = find(&model, t);
                    for q in model.iter_mut().flatten() { q.retain(|x| *x != t); }
                    cpu[ti] = c;
                    if queued { model[c][prio[ti] as usize].push_back(t); }
                }
            }
            for (c, rq) in model.iter().enumerate() {
                let top = rq.iter().rposition(|q| !q.is_empty()).map(|p| p as u8);
                prop_assert_eq!(s.queue(c).unwrap().highest(), top);
                prop_assert_eq!(s.queue(c).unwrap().len(), rq.iter().map(VecDeque::len).sum::<usize>());
            }
        }
    }
}
