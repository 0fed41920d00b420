//! Test support for the policy crates (feature `testing`, host tests only):
//! random thread events with a proptest strategy, a model that knows which
//! threads exist and which are blocked and checks every answer and every
//! queue against it, snapshots to compare two schedulers, and a CPU-time
//! simulation.
#![forbid(unsafe_code)]

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use proptest::prelude::*;

use crate::ThreadId;
use crate::error::PolicyError;
use crate::policy::SchedulingPolicy;
use crate::stats::Stats;
use crate::types::{CpuMask, Decision, Migration, ThreadInfo, ThreadState};

/// One event a server could deliver. Thread numbers are small so events
/// hit known threads often; CPU numbers go one past the machine so that
/// refusals are exercised too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `add_thread`; an affinity of 0 means every CPU.
    Add {
        /// Thread number.
        thread: u8,
        /// Priority.
        priority: u8,
        /// Affinity bits.
        affinity: u8,
    },
    /// `add_thread_on`.
    AddOn {
        /// Thread number.
        thread: u8,
        /// Priority.
        priority: u8,
        /// Affinity bits (0: every CPU).
        affinity: u8,
        /// CPU.
        cpu: u8,
    },
    /// `remove`.
    Remove(u8),
    /// `block`.
    Block(u8),
    /// `wake`.
    Wake(u8),
    /// `set_priority`.
    SetPriority(u8, u8),
    /// `tick` on a CPU.
    Tick(u8),
    /// `yield_now` on a CPU.
    Yield(u8),
    /// `balance`.
    Balance,
}

/// What a policy answered to an [`Op`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// From `remove`, `block`, `set_priority`, `add_thread_on`.
    Unit(Result<(), PolicyError>),
    /// From `add_thread`, `wake`: the CPU.
    Cpu(Result<u32, PolicyError>),
    /// From `tick`, `yield_now`.
    Decision(Result<Decision, PolicyError>),
    /// From `balance`.
    Moves(Vec<Migration>),
}

/// The thread id of thread number `n`.
pub fn tid(n: u8) -> ThreadId {
    ThreadId(u64::from(n))
}

/// The affinity of affinity bits `bits` (0: every CPU).
pub fn mask(bits: u8) -> CpuMask {
    if bits == 0 {
        CpuMask::ALL
    } else {
        CpuMask(u64::from(bits))
    }
}

/// Random events for a machine of `cpus` CPUs (at most 254), ticks the
/// most frequent.
pub fn op(cpus: u8) -> impl Strategy<Value = Op> {
    let cpu = 0..=cpus;
    let thread = 0u8..24;
    prop_oneof![
        3 => (thread.clone(), any::<u8>(), any::<u8>())
            .prop_map(|(thread, priority, affinity)| Op::Add { thread, priority, affinity }),
        1 => (thread.clone(), any::<u8>(), any::<u8>(), cpu.clone())
            .prop_map(|(thread, priority, affinity, cpu)| Op::AddOn { thread, priority, affinity, cpu }),
        1 => thread.clone().prop_map(Op::Remove),
        2 => thread.clone().prop_map(Op::Block),
        2 => thread.clone().prop_map(Op::Wake),
        1 => (thread, any::<u8>()).prop_map(|(t, p)| Op::SetPriority(t, p)),
        8 => cpu.clone().prop_map(Op::Tick),
        1 => cpu.prop_map(Op::Yield),
        1 => Just(Op::Balance),
    ]
}

/// Apply `op` to `policy`.
pub fn apply(policy: &mut dyn SchedulingPolicy, op: Op) -> Outcome {
    match op {
        Op::Add {
            thread,
            priority,
            affinity,
        } => Outcome::Cpu(policy.add_thread(tid(thread), priority, mask(affinity))),
        Op::AddOn {
            thread,
            priority,
            affinity,
            cpu,
        } => Outcome::Unit(policy.add_thread_on(
            tid(thread),
            priority,
            mask(affinity),
            u32::from(cpu),
        )),
        Op::Remove(t) => Outcome::Unit(policy.remove(tid(t))),
        Op::Block(t) => Outcome::Unit(policy.block(tid(t))),
        Op::Wake(t) => Outcome::Cpu(policy.wake(tid(t))),
        Op::SetPriority(t, p) => Outcome::Unit(policy.set_priority(tid(t), p)),
        Op::Tick(cpu) => Outcome::Decision(policy.tick(u32::from(cpu))),
        Op::Yield(cpu) => Outcome::Decision(policy.yield_now(u32::from(cpu))),
        Op::Balance => Outcome::Moves(policy.balance()),
    }
}

/// Everything observable of a scheduler, to compare two of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Each CPU's queue.
    pub queues: Vec<Vec<ThreadId>>,
    /// Every thread.
    pub threads: Vec<ThreadInfo>,
    /// Each thread's quantum left.
    pub remaining: Vec<Option<u64>>,
    /// Counters.
    pub stats: Stats,
    /// The configuration.
    pub config: alloc::string::String,
}

/// A [`Snapshot`] of `policy`.
pub fn snapshot(policy: &dyn SchedulingPolicy) -> Snapshot {
    let threads = policy.threads();
    Snapshot {
        queues: (0..policy.cpu_count()).map(|c| policy.queue(c)).collect(),
        remaining: threads
            .iter()
            .map(|t| policy.remaining_ms(t.thread))
            .collect(),
        threads,
        stats: policy.stats().clone(),
        config: policy.config_words(),
    }
}

/// What the model knows of one thread.
#[derive(Clone, Copy, Debug)]
struct Known {
    affinity: CpuMask,
    blocked: bool,
}

/// Which threads exist and which are blocked, kept from the events alone.
#[derive(Clone, Debug)]
pub struct Model {
    cpus: u32,
    threads: BTreeMap<ThreadId, Known>,
}

impl Model {
    /// No threads on `cpus` CPUs.
    pub fn new(cpus: u32) -> Model {
        Model {
            cpus,
            threads: BTreeMap::new(),
        }
    }

    /// Apply `op` to `policy`, assert that it was refused exactly when the
    /// model says it must be and that its answer fits, then update the
    /// model.
    pub fn apply(&mut self, policy: &mut dyn SchedulingPolicy, op: Op) -> Outcome {
        let outcome = apply(policy, op);
        let known = |t: u8| self.threads.get(&tid(t)).copied();
        match (op, &outcome) {
            (
                Op::Add {
                    thread, affinity, ..
                },
                Outcome::Cpu(result),
            ) => {
                let fits = known(thread).is_none() && !mask(affinity).within(self.cpus).is_empty();
                assert_eq!(result.is_ok(), fits, "{op:?} -> {result:?}");
                if let Ok(cpu) = result {
                    assert!(mask(affinity).contains(*cpu) && *cpu < self.cpus);
                    self.insert(thread, affinity);
                }
            }
            (
                Op::AddOn {
                    thread,
                    affinity,
                    cpu,
                    ..
                },
                Outcome::Unit(result),
            ) => {
                let cpu = u32::from(cpu);
                let fits =
                    known(thread).is_none() && cpu < self.cpus && mask(affinity).contains(cpu);
                assert_eq!(result.is_ok(), fits, "{op:?} -> {result:?}");
                if result.is_ok() {
                    self.insert(thread, affinity);
                }
            }
            (Op::Remove(t), Outcome::Unit(result)) => {
                assert_eq!(result.is_ok(), known(t).is_some(), "{op:?} -> {result:?}");
                self.threads.remove(&tid(t));
            }
            (Op::Block(t), Outcome::Unit(result)) => {
                let fits = known(t).is_some_and(|k| !k.blocked);
                assert_eq!(result.is_ok(), fits, "{op:?} -> {result:?}");
                self.set_blocked(t, true);
            }
            (Op::Wake(t), Outcome::Cpu(result)) => {
                let fits = known(t).is_some_and(|k| k.blocked);
                assert_eq!(result.is_ok(), fits, "{op:?} -> {result:?}");
                if let (Ok(cpu), Some(k)) = (result, known(t)) {
                    assert!(k.affinity.contains(*cpu));
                }
                self.set_blocked(t, false);
            }
            (Op::SetPriority(t, _), Outcome::Unit(result)) => {
                assert_eq!(result.is_ok(), known(t).is_some(), "{op:?} -> {result:?}");
            }
            (Op::Tick(cpu) | Op::Yield(cpu), Outcome::Decision(result)) => {
                let cpu = u32::from(cpu);
                assert_eq!(result.is_ok(), cpu < self.cpus, "{op:?} -> {result:?}");
                // A balance step after a tick never moves a running
                // thread, but it may give an idle CPU one.
                if let Ok(decision) = result
                    && (decision.running().is_some() || matches!(op, Op::Yield(_)))
                {
                    assert_eq!(decision.running(), policy.next(cpu));
                }
            }
            (Op::Balance, Outcome::Moves(moves)) => {
                for m in moves {
                    let k = self.threads.get(&m.thread).copied();
                    assert!(k.is_some_and(|k| !k.blocked && k.affinity.contains(m.to)));
                    assert_ne!(m.from, m.to);
                }
            }
            (op, outcome) => panic!("{op:?} answered {outcome:?}"),
        }
        outcome
    }

    /// Assert the invariants: every ready or running thread is in exactly
    /// one queue, on a CPU its affinity allows, running exactly when it is
    /// the front; blocked threads are in none; `threads()` lists each known
    /// thread once; a running thread has `1..=quantum` left.
    pub fn check(&self, policy: &dyn SchedulingPolicy) {
        let mut queued = BTreeSet::new();
        for cpu in 0..self.cpus {
            let queue = policy.queue(cpu);
            assert_eq!(policy.next(cpu), queue.first().copied());
            for (i, &t) in queue.iter().enumerate() {
                assert!(queued.insert(t), "{t:?} queued twice");
                let info = policy.thread(t).expect("queued thread is known");
                assert_eq!(info.cpu, cpu);
                assert!(info.affinity.contains(cpu));
                let state = if i == 0 {
                    ThreadState::Running
                } else {
                    ThreadState::Ready
                };
                assert_eq!(info.state, state);
            }
            if let Some(t) = queue.first() {
                let left = policy.remaining_ms(*t).expect("running has a quantum");
                let full = policy.quantum_ms(*t).expect("known thread has a quantum");
                assert!((1..=full).contains(&left), "{t:?}: {left} of {full}");
            }
        }
        let runnable: BTreeSet<ThreadId> = self
            .threads
            .iter()
            .filter(|(_, k)| !k.blocked)
            .map(|(&t, _)| t)
            .collect();
        assert_eq!(queued, runnable, "queued threads");
        let listed = policy.threads();
        assert_eq!(listed.len(), self.threads.len(), "threads() length");
        for info in &listed {
            let k = self.threads.get(&info.thread).expect("listed thread known");
            assert_eq!(info.state == ThreadState::Blocked, k.blocked);
        }
    }

    /// Known threads.
    pub fn len(&self) -> usize {
        self.threads.len()
    }

    /// No thread known.
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
    }

    fn insert(&mut self, thread: u8, affinity: u8) {
        let known = Known {
            affinity: mask(affinity),
            blocked: false,
        };
        self.threads.insert(tid(thread), known);
    }

    fn set_blocked(&mut self, thread: u8, blocked: bool) {
        if let Some(k) = self.threads.get_mut(&tid(thread)) {
            k.blocked = blocked;
        }
    }
}

/// Run `periods` timer periods (each ticks every CPU once, in CPU order)
/// and count, per thread, the ticks during which it held a CPU.
pub fn cpu_time(policy: &mut dyn SchedulingPolicy, periods: u64) -> BTreeMap<ThreadId, u64> {
    let mut time = BTreeMap::new();
    for _ in 0..periods {
        for cpu in 0..policy.cpu_count() {
            if let Some(t) = policy.next(cpu) {
                *time.entry(t).or_insert(0) += 1;
            }
            policy.tick(cpu).expect("valid CPU");
        }
    }
    time
}

/// Apply `ops` to both schedulers and assert the same answers, the same
/// periodic migrations and the same [`Snapshot`] after each.
pub fn assert_same_future(a: &mut dyn SchedulingPolicy, b: &mut dyn SchedulingPolicy, ops: &[Op]) {
    for &op in ops {
        assert_eq!(apply(a, op), apply(b, op), "{op:?}");
        assert_eq!(a.take_migrations(), b.take_migrations(), "after {op:?}");
        assert_eq!(snapshot(a), snapshot(b), "after {op:?}");
    }
}

/// Apply random `ops` to `policy` (empty, on `cpus` CPUs) under a
/// [`Model`], checking every answer and the invariants after each; returns
/// the model.
pub fn check_events(policy: &mut dyn SchedulingPolicy, cpus: u32, ops: &[Op]) -> Model {
    let mut model = Model::new(cpus);
    for &op in ops {
        model.apply(policy, op);
        model.check(policy);
    }
    assert_eq!(policy.threads().len(), model.len());
    model
}

/// Add threads `(id, priority)` in order, each to the least loaded CPU.
pub fn add_all(policy: &mut dyn SchedulingPolicy, threads: &[(u64, u8)]) {
    for &(n, priority) in threads {
        policy
            .add_thread(ThreadId(n), priority, CpuMask::ALL)
            .expect("new thread");
    }
}

/// The thread (its number, `u64::MAX` for none) that holds `cpu` during
/// each of the next `ticks` ticks.
pub fn trace(policy: &mut dyn SchedulingPolicy, cpu: u32, ticks: usize) -> Vec<u64> {
    (0..ticks)
        .map(|_| {
            let running = policy.next(cpu).map_or(u64::MAX, |t| t.0);
            policy.tick(cpu).expect("valid CPU");
            running
        })
        .collect()
}
