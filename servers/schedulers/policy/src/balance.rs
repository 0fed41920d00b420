//! One load-balance step over [`RunQueues`].
//!
//! The load of a CPU is the number of its running and ready threads
//! (blocked threads do not count). A step repeats one move until none is
//! possible: the sources are taken from the most loaded CPU down (the
//! lowest numbered among equals); from a source, the candidates are its
//! ready threads from the back of the queue (the thread that would run
//! last first), never the running one; a candidate moves to the least
//! loaded CPU its affinity allows among those with at least two threads
//! fewer than the source (the lowest numbered among equals) and joins the
//! back of that queue. Every move lowers the sum of squared loads, so the
//! step ends; it ends with loads that differ by at most one unless
//! affinities forbid every remaining move.
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::cmp::Reverse;

use crate::runqueues::{QuantumFn, RunQueues, ThreadData};
use crate::types::Migration;

impl<D: ThreadData> RunQueues<D> {
    /// Run one balance step; `update(from, to, data)` adjusts the data of
    /// each thread that moves. Returns the moves in order.
    pub fn balance(
        &mut self,
        mut update: impl FnMut(u32, u32, &mut D),
        quantum: QuantumFn<'_>,
    ) -> Vec<Migration> {
        let mut moves = Vec::new();
        while let Some(step) = self.next_move() {
            if !self.migrate(step.thread, step.to, &mut update, quantum) {
                break;
            }
            moves.push(step);
        }
        moves
    }

    /// The next move of a balance step, if any is possible.
    fn next_move(&self) -> Option<Migration> {
        let cpus = self.cpu_count();
        let loads: Vec<usize> = (0..cpus).map(|cpu| self.load(cpu)).collect();
        let load = |cpu: u32| loads.get(cpu as usize).copied().unwrap_or(0);
        let mut sources: Vec<u32> = (0..cpus).filter(|&cpu| load(cpu) >= 2).collect();
        sources.sort_by_key(|&cpu| (Reverse(load(cpu)), cpu));
        for from in sources {
            for (thread, affinity) in self.movable(from) {
                let to = affinity
                    .iter(cpus)
                    .filter(|&to| load(from).saturating_sub(load(to)) >= 2)
                    .min_by_key(|&to| (load(to), to));
                if let Some(to) = to {
                    return Some(Migration { thread, from, to });
                }
            }
        }
        None
    }
}
