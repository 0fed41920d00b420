//! [`RunQueues`]: the per-CPU queues every policy keeps, and the thread
//! table behind them.
//!
//! Each CPU has one queue, ordered by the policy's key and then by arrival
//! (a FIFO when the key is `()`). The front of a queue is the running
//! thread; whenever a CPU's running thread leaves (blocks, exits, its
//! quantum ends) the next one is dispatched at once, so a CPU idles only
//! when its queue is empty. The running thread's quantum left over is kept
//! per CPU and set to the full quantum when a thread is dispatched.
#![forbid(unsafe_code)]

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt::Debug;

use helix_protocol::interfaces::scheduler::ThreadId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Inconsistency, PolicyError};
use crate::types::{CpuMask, MAX_CPUS, ThreadInfo, ThreadState};

/// Per-thread data a policy keeps beside the common fields, and the order
/// it gives the ready queue.
pub trait ThreadData:
    Clone + PartialEq + Debug + Send + Sync + Serialize + DeserializeOwned
{
    /// Ready threads run in increasing key order, equal keys in arrival
    /// order. `()` makes the queue a FIFO.
    type Key: Ord + Copy + Debug + Send + Sync + Serialize + DeserializeOwned;

    /// The thread's position key (read when it joins a queue).
    fn key(&self) -> Self::Key;
}

/// No data: the queue is a FIFO.
impl ThreadData for () {
    type Key = ();

    fn key(&self) {}
}

/// The full quantum in milliseconds of a thread of a given priority.
pub type QuantumFn<'a> = &'a dyn Fn(u8) -> u64;

/// Where a thread is; a ready thread knows its arrival number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Place {
    Running,
    Ready(u64),
    Blocked,
}

/// What the queues know of one thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Entry<D: ThreadData> {
    pub(crate) priority: u8,
    pub(crate) affinity: CpuMask,
    pub(crate) cpu: u32,
    pub(crate) place: Place,
    pub(crate) data: D,
}

impl<D: ThreadData> Entry<D> {
    /// Priority 0..=255.
    pub fn priority(&self) -> u8 {
        self.priority
    }

    /// CPUs it may use.
    pub fn affinity(&self) -> CpuMask {
        self.affinity
    }

    /// The CPU whose queue holds it.
    pub fn cpu(&self) -> u32 {
        self.cpu
    }

    /// Running, ready or blocked.
    pub fn state(&self) -> ThreadState {
        match self.place {
            Place::Running => ThreadState::Running,
            Place::Ready(_) => ThreadState::Ready,
            Place::Blocked => ThreadState::Blocked,
        }
    }

    /// The policy's data.
    pub fn data(&self) -> &D {
        &self.data
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub(crate) struct CpuQueue<K: Ord + Copy + Debug + Serialize + DeserializeOwned> {
    pub(crate) running: Option<ThreadId>,
    /// Quantum left to the running thread.
    pub(crate) remaining_ms: u64,
    pub(crate) ready: BTreeMap<(K, u64), ThreadId>,
}

impl<K: Ord + Copy + Debug + Serialize + DeserializeOwned> CpuQueue<K> {
    fn load(&self) -> usize {
        self.ready.len() + usize::from(self.running.is_some())
    }
}

/// The per-CPU queues and the thread table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct RunQueues<D: ThreadData> {
    pub(crate) cpus: Vec<CpuQueue<D::Key>>,
    pub(crate) threads: BTreeMap<ThreadId, Entry<D>>,
    pub(crate) next_seq: u64,
}

impl<D: ThreadData> RunQueues<D> {
    /// Empty queues for `cpus` CPUs (1 to 64).
    pub fn new(cpus: u32) -> Result<Self, PolicyError> {
        if cpus == 0 || cpus > MAX_CPUS {
            return Err(PolicyError::CpuCount(cpus));
        }
        let queue = CpuQueue {
            running: None,
            remaining_ms: 0,
            ready: BTreeMap::new(),
        };
        Ok(RunQueues {
            cpus: (0..cpus).map(|_| queue.clone()).collect(),
            threads: BTreeMap::new(),
            next_seq: 0,
        })
    }

    /// Queues holding `threads` as another policy left them: each keeps its
    /// CPU when its affinity allows it there, else goes to the least loaded
    /// CPU it allows; the first thread said to run on a CPU runs there, the
    /// others queue in the order given; `data` gives each its policy data.
    pub fn from_threads(
        cpus: u32,
        threads: &[ThreadInfo],
        mut data: impl FnMut(&ThreadInfo, u32) -> D,
        quantum: QuantumFn<'_>,
    ) -> Result<Self, PolicyError> {
        let mut queues = Self::new(cpus)?;
        for info in threads {
            let thread = info.thread;
            if queues.threads.contains_key(&thread) {
                return Err(PolicyError::DuplicateThread(thread));
            }
            let allowed = info.affinity.within(cpus);
            let cpu = if allowed.contains(info.cpu) {
                info.cpu
            } else {
                queues
                    .least_loaded(allowed)
                    .ok_or(PolicyError::NoAllowedCpu {
                        thread,
                        affinity: info.affinity,
                    })?
            };
            let data = data(info, cpu);
            let key = data.key();
            queues.threads.insert(
                thread,
                Entry {
                    priority: info.priority,
                    affinity: info.affinity,
                    cpu,
                    place: Place::Blocked,
                    data,
                },
            );
            let Some(queue) = queues.cpus.get_mut(cpu as usize) else {
                return Err(PolicyError::InvalidCpu { cpu, cpus });
            };
            let place = match info.state {
                ThreadState::Blocked => Place::Blocked,
                ThreadState::Running if queue.running.is_none() => {
                    queue.running = Some(thread);
                    queue.remaining_ms = quantum(info.priority);
                    Place::Running
                }
                ThreadState::Running | ThreadState::Ready => {
                    let seq = queues.next_seq;
                    queues.next_seq += 1;
                    queue.ready.insert((key, seq), thread);
                    Place::Ready(seq)
                }
            };
            if let Some(entry) = queues.threads.get_mut(&thread) {
                entry.place = place;
            }
        }
        for cpu in 0..cpus {
            queues.fill(cpu, quantum);
        }
        Ok(queues)
    }

    /// How many CPUs.
    pub fn cpu_count(&self) -> u32 {
        // At most MAX_CPUS (checked by `new` and `validate`).
        self.cpus.len() as u32
    }

    /// `cpu` if the machine has it.
    pub fn check_cpu(&self, cpu: u32) -> Result<u32, PolicyError> {
        if (cpu as usize) < self.cpus.len() {
            Ok(cpu)
        } else {
            Err(PolicyError::InvalidCpu {
                cpu,
                cpus: self.cpu_count(),
            })
        }
    }

    /// What the queues know of `thread`.
    pub fn entry(&self, thread: ThreadId) -> Option<&Entry<D>> {
        self.threads.get(&thread)
    }

    /// How many threads (running, ready and blocked).
    pub fn len(&self) -> usize {
        self.threads.len()
    }

    /// No thread at all.
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
    }

    /// The thread running on `cpu`.
    pub fn running(&self, cpu: u32) -> Option<ThreadId> {
        self.cpus.get(cpu as usize).and_then(|q| q.running)
    }

    /// Quantum left to the thread running on `cpu`.
    pub fn remaining_ms(&self, cpu: u32) -> Option<u64> {
        let queue = self.cpus.get(cpu as usize)?;
        queue.running.map(|_| queue.remaining_ms)
    }

    /// The key of the first ready thread of `cpu` (the next to run after
    /// the running one).
    pub fn first_ready_key(&self, cpu: u32) -> Option<D::Key> {
        let queue = self.cpus.get(cpu as usize)?;
        queue.ready.first_key_value().map(|((key, _), _)| *key)
    }

    /// `cpu`'s queue, front (the running thread) first.
    pub fn queue(&self, cpu: u32) -> Vec<ThreadId> {
        match self.cpus.get(cpu as usize) {
            Some(q) => q
                .running
                .into_iter()
                .chain(q.ready.values().copied())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Threads on `cpu` that are running or ready.
    pub fn load(&self, cpu: u32) -> usize {
        self.cpus.get(cpu as usize).map_or(0, CpuQueue::load)
    }

    /// The least loaded CPU in `affinity` (the lowest numbered among equals).
    pub fn least_loaded(&self, affinity: CpuMask) -> Option<u32> {
        affinity
            .iter(self.cpu_count())
            .min_by_key(|&cpu| (self.load(cpu), cpu))
    }

    /// Every thread: CPU by CPU, each queue front first, then the blocked
    /// threads by id. [`from_threads`](Self::from_threads) of this list
    /// rebuilds the same queue orders.
    pub fn threads(&self) -> Vec<ThreadInfo> {
        let mut out = Vec::with_capacity(self.threads.len());
        for cpu in 0..self.cpu_count() {
            out.extend(self.queue(cpu).into_iter().filter_map(|t| self.info(t)));
        }
        out.extend(
            self.threads
                .iter()
                .filter(|(_, e)| e.place == Place::Blocked)
                .filter_map(|(&t, _)| self.info(t)),
        );
        out
    }

    /// The description of one thread.
    pub fn info(&self, thread: ThreadId) -> Option<ThreadInfo> {
        self.threads.get(&thread).map(|e| ThreadInfo {
            thread,
            priority: e.priority,
            affinity: e.affinity,
            cpu: e.cpu,
            state: e.state(),
        })
    }

    /// A new thread joins the back of `cpu`'s queue (and runs if the CPU
    /// was idle).
    pub fn insert(
        &mut self,
        info: (ThreadId, u8, CpuMask),
        cpu: u32,
        data: D,
        quantum: QuantumFn<'_>,
    ) -> Result<(), PolicyError> {
        let (thread, priority, affinity) = info;
        self.check_cpu(cpu)?;
        if self.threads.contains_key(&thread) {
            return Err(PolicyError::DuplicateThread(thread));
        }
        if !affinity.contains(cpu) {
            return Err(PolicyError::NotAllowed { thread, cpu });
        }
        self.threads.insert(
            thread,
            Entry {
                priority,
                affinity,
                cpu,
                place: Place::Blocked,
                data,
            },
        );
        self.enqueue(thread);
        self.fill(cpu, quantum);
        Ok(())
    }

    /// Forget `thread`; if it was running, the next one is dispatched.
    pub fn remove(
        &mut self,
        thread: ThreadId,
        quantum: QuantumFn<'_>,
    ) -> Result<Entry<D>, PolicyError> {
        let cpu = self.unlink(thread)?;
        let entry = self
            .threads
            .remove(&thread)
            .ok_or(PolicyError::UnknownThread(thread))?;
        self.fill(cpu, quantum);
        Ok(entry)
    }

    /// `thread` leaves its queue until woken; if it was running, the next
    /// one is dispatched.
    pub fn block(&mut self, thread: ThreadId, quantum: QuantumFn<'_>) -> Result<(), PolicyError> {
        let entry = self
            .threads
            .get(&thread)
            .ok_or(PolicyError::UnknownThread(thread))?;
        if entry.place == Place::Blocked {
            return Err(PolicyError::AlreadyBlocked(thread));
        }
        let cpu = self.unlink(thread)?;
        self.fill(cpu, quantum);
        Ok(())
    }

    /// Blocked `thread` joins the back of its CPU's queue after `update`
    /// adjusts its data; returns that CPU.
    pub fn wake(
        &mut self,
        thread: ThreadId,
        update: impl FnOnce(u32, &mut D),
        quantum: QuantumFn<'_>,
    ) -> Result<u32, PolicyError> {
        let entry = self
            .threads
            .get_mut(&thread)
            .ok_or(PolicyError::UnknownThread(thread))?;
        if entry.place != Place::Blocked {
            return Err(PolicyError::NotBlocked(thread));
        }
        update(entry.cpu, &mut entry.data);
        let cpu = entry.cpu;
        self.enqueue(thread);
        self.fill(cpu, quantum);
        Ok(cpu)
    }

    /// The thread running on `cpu`, its priority, its data and the quantum
    /// it has left, for the policy's accounting of one tick.
    pub fn running_mut(&mut self, cpu: u32) -> Option<(ThreadId, u8, &mut D, &mut u64)> {
        let queue = self.cpus.get_mut(cpu as usize)?;
        let thread = queue.running?;
        let entry = self.threads.get_mut(&thread)?;
        Some((
            thread,
            entry.priority,
            &mut entry.data,
            &mut queue.remaining_ms,
        ))
    }

    /// The running thread of `cpu` goes back into its queue and the front
    /// is dispatched: `(prev, next)`, `None` when the CPU was idle.
    pub fn requeue_running(
        &mut self,
        cpu: u32,
        quantum: QuantumFn<'_>,
    ) -> Option<(ThreadId, ThreadId)> {
        let queue = self.cpus.get_mut(cpu as usize)?;
        let prev = queue.running.take()?;
        self.enqueue(prev);
        self.fill(cpu, quantum);
        Some((prev, self.running(cpu)?))
    }

    /// Change a thread's priority; a running thread keeps at most the new
    /// full quantum.
    pub fn set_priority(
        &mut self,
        thread: ThreadId,
        priority: u8,
        quantum: QuantumFn<'_>,
    ) -> Result<(), PolicyError> {
        let entry = self
            .threads
            .get_mut(&thread)
            .ok_or(PolicyError::UnknownThread(thread))?;
        entry.priority = priority;
        if entry.place == Place::Running
            && let Some(queue) = self.cpus.get_mut(entry.cpu as usize)
        {
            queue.remaining_ms = queue.remaining_ms.min(quantum(priority));
        }
        Ok(())
    }

    /// After a change of configuration: every running thread keeps at most
    /// its new full quantum.
    pub fn clamp_remaining(&mut self, quantum: QuantumFn<'_>) {
        for queue in &mut self.cpus {
            if let Some(entry) = queue.running.and_then(|t| self.threads.get(&t)) {
                queue.remaining_ms = queue.remaining_ms.min(quantum(entry.priority));
            }
        }
    }

    /// Move ready `thread` to the back of `to`'s queue after `update`
    /// adjusts its data (`update(from, to, data)`). False (and nothing
    /// moves) unless the thread is ready and its affinity allows `to`.
    pub(crate) fn migrate(
        &mut self,
        thread: ThreadId,
        to: u32,
        update: &mut impl FnMut(u32, u32, &mut D),
        quantum: QuantumFn<'_>,
    ) -> bool {
        let movable = self.check_cpu(to).is_ok()
            && self
                .threads
                .get(&thread)
                .is_some_and(|e| matches!(e.place, Place::Ready(_)) && e.affinity.contains(to));
        if !movable {
            return false;
        }
        let Ok(from) = self.unlink(thread) else {
            return false;
        };
        if let Some(entry) = self.threads.get_mut(&thread) {
            entry.cpu = to;
            update(from, to, &mut entry.data);
        }
        self.enqueue(thread);
        self.fill(to, quantum);
        true
    }

    /// The ready threads of `cpu`, back of the queue first, with their
    /// affinities: the candidates of a balance step.
    pub(crate) fn movable(&self, cpu: u32) -> Vec<(ThreadId, CpuMask)> {
        match self.cpus.get(cpu as usize) {
            Some(q) => q
                .ready
                .values()
                .rev()
                .filter_map(|t| self.threads.get(t).map(|e| (*t, e.affinity)))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Check restored queues: 1 to 64 CPUs, every thread on a CPU its
    /// affinity allows, queues and thread table agreeing both ways, no CPU
    /// idle with ready threads, arrival numbers below the counter, and
    /// every running thread's quantum left in `1..=quantum`.
    pub fn validate(&self, quantum: QuantumFn<'_>) -> Result<(), Inconsistency> {
        let n = self.cpus.len();
        if n == 0 || n > MAX_CPUS as usize {
            return Err(Inconsistency::CpuCount(n));
        }
        for (thread, entry) in &self.threads {
            let cpu = entry.cpu as usize;
            if cpu >= n || !entry.affinity.contains(entry.cpu) {
                return Err(Inconsistency::BadCpu(*thread));
            }
            let queue = self.cpus.get(cpu).ok_or(Inconsistency::BadCpu(*thread))?;
            let linked = match entry.place {
                Place::Running => queue.running == Some(*thread),
                Place::Ready(seq) => {
                    if seq >= self.next_seq {
                        return Err(Inconsistency::StaleSequence(*thread));
                    }
                    queue.ready.get(&(entry.data.key(), seq)) == Some(thread)
                }
                Place::Blocked => true,
            };
            if !linked {
                return Err(Inconsistency::Misplaced(*thread));
            }
        }
        for (cpu, queue) in self.cpus.iter().enumerate() {
            let running = match queue.running {
                Some(t) => Some((t, self.threads.get(&t).ok_or(Inconsistency::Misplaced(t))?)),
                None => None,
            };
            match running {
                Some((t, e)) if e.place != Place::Running || e.cpu as usize != cpu => {
                    return Err(Inconsistency::Misplaced(t));
                }
                Some((t, e)) if !(1..=quantum(e.priority)).contains(&queue.remaining_ms) => {
                    return Err(Inconsistency::BadThreadData(t));
                }
                None if !queue.ready.is_empty() => {
                    return Err(Inconsistency::IdleWithReady(cpu as u32));
                }
                Some(_) | None => {}
            }
            for ((key, seq), t) in &queue.ready {
                let entry = self.threads.get(t).ok_or(Inconsistency::Misplaced(*t))?;
                if entry.place != Place::Ready(*seq)
                    || entry.cpu as usize != cpu
                    || entry.data.key() != *key
                {
                    return Err(Inconsistency::Misplaced(*t));
                }
            }
        }
        Ok(())
    }

    /// Take `thread` out of its CPU's queue (it stays in the table as
    /// blocked); returns that CPU. Does not dispatch.
    fn unlink(&mut self, thread: ThreadId) -> Result<u32, PolicyError> {
        let entry = self
            .threads
            .get_mut(&thread)
            .ok_or(PolicyError::UnknownThread(thread))?;
        let cpu = entry.cpu;
        if let Some(queue) = self.cpus.get_mut(cpu as usize) {
            match entry.place {
                Place::Running => queue.running = None,
                Place::Ready(seq) => {
                    queue.ready.remove(&(entry.data.key(), seq));
                }
                Place::Blocked => {}
            }
        }
        entry.place = Place::Blocked;
        Ok(cpu)
    }

    /// Put a thread that is in no queue at the back of its CPU's queue.
    fn enqueue(&mut self, thread: ThreadId) {
        if self.next_seq == u64::MAX {
            self.renumber();
        }
        let Some(entry) = self.threads.get_mut(&thread) else {
            return;
        };
        let Some(queue) = self.cpus.get_mut(entry.cpu as usize) else {
            return;
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        queue.ready.insert((entry.data.key(), seq), thread);
        entry.place = Place::Ready(seq);
    }

    /// Number the ready threads afresh from 0, keeping every queue's
    /// order, when the arrival counter is exhausted (restored state may
    /// bring it close).
    fn renumber(&mut self) {
        let mut seq = 0;
        for queue in &mut self.cpus {
            let ready = core::mem::take(&mut queue.ready);
            for ((key, _), thread) in ready {
                queue.ready.insert((key, seq), thread);
                if let Some(entry) = self.threads.get_mut(&thread) {
                    entry.place = Place::Ready(seq);
                }
                seq += 1;
            }
        }
        self.next_seq = seq;
    }

    /// Dispatch the front of `cpu`'s queue if nothing runs there.
    fn fill(&mut self, cpu: u32, quantum: QuantumFn<'_>) {
        let Some(queue) = self.cpus.get_mut(cpu as usize) else {
            return;
        };
        if queue.running.is_some() {
            return;
        }
        if let Some((_, thread)) = queue.ready.pop_first()
            && let Some(entry) = self.threads.get_mut(&thread)
        {
            entry.place = Place::Running;
            queue.running = Some(thread);
            queue.remaining_ms = quantum(entry.priority);
        }
    }
}
