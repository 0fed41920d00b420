//! Host tests of the pieces that do not need a kernel (the generator
//! against `System` is tested in helix-kernel-objects).

use helix_abi::{MessageInfo, SysError};

use crate::calls::{Effect, Expect, Hostile};
use crate::config::{Config, Options};
use crate::layout::{self, CODE_WORDS};
use crate::model::{Entry, Model, What};
use crate::op::Op;
use crate::stats::{Mismatch, Stats};

fn cfg(seed: u64) -> Config {
    Config {
        seed,
        calls: 1000,
        index: 1,
        procs: 3,
        cpus: 2,
        own_mask: 2,
        progress: 0,
    }
}

#[test]
fn config_and_options_round_trip() {
    let c = cfg(0xabc);
    let w = c.to_words();
    assert_eq!(Config::from_words(|i| w[i]), Some(c));
    assert_eq!(Config::from_words(|i| if i == 0 { 1 } else { w[i] }), None);
    let o = Options::parse("log=info hostile.seed=0x1f ktest hostile.calls=500").unwrap();
    assert_eq!((o.seed, o.calls), (Some(0x1f), Some(500)));
    assert!(Options::parse("hostile.seed=zz").is_err());
    assert_eq!(Options::parse("ktest").unwrap(), Options::default());
}

#[test]
fn stats_round_trip_and_add() {
    let mut s = Stats::default();
    s.count(Op::Retype, true);
    s.count(Op::Retype, false);
    s.count(Op::Garbage, false);
    s.wrong = 1;
    let m = Mismatch {
        op: Op::Copy,
        got: 3,
        want: 0,
        call: 77,
    };
    s.mismatch(m);
    let back = Stats::from_words(&s.to_words()).unwrap();
    assert_eq!(back, s);
    assert_eq!(Mismatch::decode(back.first_mismatch), Some(m));
    let mut t = Stats::default();
    t.add(&s);
    t.add(&s);
    assert_eq!((t.calls, t.oks(), t.mismatches), (6, 2, 2));
    assert!(Stats::from_words(&[0; 3]).is_none());
}

#[test]
fn child_code_is_the_intended_instructions() {
    let b: Vec<u8> = CODE_WORDS.iter().flat_map(|w| w.to_le_bytes()).collect();
    // mov eax, 11; syscall; jmp -9 (back to the mov)
    assert_eq!(&b[..9], &[0xb8, 11, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7]);
    let w = layout::code::WAIT_CHILD as usize;
    assert_eq!(b[w], 0xbf);
    assert_eq!(
        u32::from_le_bytes(b[w + 1..w + 5].try_into().unwrap()),
        layout::CHILD_NTFN
    );
    assert_eq!(
        &b[w + 5..w + 14],
        &[0xb8, 9, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf2]
    );
    // The jump lands on the first instruction: 14 bytes back from its end.
    assert_eq!((w + 14) as i64 + i64::from(0xf2u8 as i8), w as i64);
    let o = layout::code::WAIT_OWN as usize;
    assert_eq!(
        u32::from_le_bytes(b[o + 1..o + 5].try_into().unwrap()),
        layout::NTFN_A
    );
}

fn ep(parent: u8) -> Entry {
    Entry {
        what: What::Endpoint,
        rights: 0b111,
        parent,
        ..Entry::EMPTY
    }
}

#[test]
fn revoke_clears_descendants_and_delete_splices() {
    let mut m = Model::new(&cfg(1));
    m.set(20, ep(layout::EP_A as u8));
    m.derive(20, 21, 0b11, false);
    m.derive(21, 22, 0b1, false);
    m.derive(20, 23, 0b111, false);
    m.delete(21);
    assert_eq!(m.at(22).parent, 20, "22 took 21's place under 20");
    m.move_to(20, 30);
    assert_eq!((m.at(22).parent, m.at(23).parent), (30, 30));
    m.revoke(30);
    assert_eq!(m.at(30).what, What::Endpoint, "the revoked cap stays");
    assert_eq!((m.at(22).what, m.at(23).what), (What::Empty, What::Empty));
    m.revoke(layout::EP_A);
    assert_eq!(m.at(30).what, What::Empty);
    assert_eq!(m.at(layout::EP_A).what, What::Endpoint, "fixed caps stay");
    assert_eq!(m.count(What::Endpoint), 2, "EP_A and EP_B");
}

#[test]
fn a_stream_is_reproducible_and_protects_the_process() {
    let run = |seed| {
        let mut h = Hostile::new(&cfg(seed));
        let mut v = Vec::new();
        for _ in 0..3000 {
            let c = h.next_call();
            // Pretend every call fails: the stream must still be valid.
            h.complete(&c, SysError::WouldBlock.raw(), [0; 6]);
            v.push((c.nr, c.args));
            let slot = c.cap_slot().unwrap_or(u32::MAX);
            if matches!(c.effect, Effect::Delete(_) | Effect::Move { .. }) {
                assert!(slot >= layout::FIRST_FREE, "{c:?}");
            }
            assert_ne!(slot, layout::REPORT, "{c:?}");
        }
        (v, h.stats)
    };
    let (a, sa) = run(5);
    assert_eq!(a, run(5).0, "same seed, same stream");
    assert_ne!(a, run(6).0);
    assert!(sa.wrong > 200 && sa.wrong < 600, "{}", sa.wrong);
    assert!(
        sa.mismatches > 0,
        "failures where success was sure are counted"
    );
}

#[test]
fn prologue_sets_priority_and_timeout_of_the_main_thread() {
    let mut h = Hostile::new(&cfg(9));
    for op in [Op::Priority, Op::Timeout] {
        let c = h.next_call();
        assert_eq!(
            (c.op, c.args[0], c.expect),
            (op, u64::from(layout::THREAD), Expect::Ok)
        );
        h.complete(&c, 0, [0; 6]);
    }
    let info = MessageInfo::new(0xfa17, 4, 0).unwrap();
    assert_eq!(
        crate::calls::holding_for(info.label()),
        crate::model::Holding::Fault
    );
}

#[test]
fn an_undefined_error_code_is_a_mismatch() {
    let mut h = Hostile::new(&cfg(3));
    let c = h.next_call();
    h.complete(&c, 99, [0; 6]);
    assert_eq!(h.stats.mismatches, 1);
    let m = Mismatch::decode(h.stats.first_mismatch).unwrap();
    assert_eq!((m.got, m.want), (99, crate::outcome::UNKNOWN_CODE));
}
