//! Per-CPU run queues: 256 priorities (255 highest), a bitmap of non-empty
//! priorities and a FIFO per priority, so picking the next thread is O(1)
//! (four words scanned). Links are intrusive (one pair per thread, indexed
//! by thread index); nothing allocates after [`Scheduler::new`].
//!
//! Mechanism only: threads carry a priority, a quantum (ticks), the ticks
//! left in the current slice, a CPU affinity mask and the CPU they belong
//! to. The running thread is never in a queue: the kernel takes it out with
//! [`Scheduler::pick`] and puts it back with [`Scheduler::enqueue`] (behind
//! its peers, after its slice expired or it yielded) or
//! [`Scheduler::enqueue_front`] (preempted, keeps its turn).

use alloc::vec;
use alloc::vec::Vec;
use helix_abi::SysError;

use crate::table::ThreadId;

/// Number of priorities.
pub const PRIORITIES: usize = 256;
/// The most CPUs (bits of an affinity mask).
pub const MAX_CPUS: usize = 64;

/// One CPU's ready queues.
#[derive(Clone, Debug)]
pub struct RunQueue {
    bitmap: [u64; PRIORITIES / 64],
    heads: [Option<ThreadId>; PRIORITIES],
    tails: [Option<ThreadId>; PRIORITIES],
    len: usize,
}

impl Default for RunQueue {
    fn default() -> Self {
        RunQueue {
            bitmap: [0; PRIORITIES / 64],
            heads: [None; PRIORITIES],
            tails: [None; PRIORITIES],
            len: 0,
        }
    }
}

impl RunQueue {
    /// The highest priority with a ready thread.
    pub fn highest(&self) -> Option<u8> {
        (0..self.bitmap.len()).rev().find_map(|w| {
            let bits = self.bitmap[w];
            (bits != 0).then(|| (w * 64 + 63 - bits.leading_zeros() as usize) as u8)
        })
    }

    /// Number of ready threads.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no thread is ready.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    owner: Option<ThreadId>,
    priority: u8,
    affinity: u64,
    cpu: usize,
    quantum: u32,
    left: u32,
    queued: bool,
    prev: Option<ThreadId>,
    next: Option<ThreadId>,
}

/// What a timer tick means for the running thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Slice not used up.
    Continue,
    /// Slice used up (and refilled): rotate it behind its peers.
    Expired,
}

/// Run queues of every CPU plus the scheduling state of every thread.
#[derive(Debug)]
pub struct Scheduler {
    cpus: Vec<RunQueue>,
    threads: Vec<Entry>,
}

impl Scheduler {
    /// `cpus` CPUs (1..=[`MAX_CPUS`], clamped) and threads with indices
    /// below `max_threads`.
    pub fn new(cpus: usize, max_threads: usize) -> Scheduler {
        Scheduler {
            cpus: vec![RunQueue::default(); cpus.clamp(1, MAX_CPUS)],
            threads: vec![Entry::default(); max_threads],
        }
    }

    /// Number of CPUs.
    pub fn cpus(&self) -> usize {
        self.cpus.len()
    }

    /// The run queue of `cpu`.
    pub fn queue(&self, cpu: usize) -> Option<&RunQueue> {
        self.cpus.get(cpu)
    }

    /// Track `t` (not queued) with `priority` and a quantum of `quantum`
    /// ticks (nonzero), on CPU 0 with every CPU allowed.
    pub fn add_thread(&mut self, t: ThreadId, priority: u8, quantum: u32) -> Result<(), SysError> {
        if quantum == 0 {
            return Err(SysError::InvalidArgument);
        }
        let e = self
            .threads
            .get_mut(t.index())
            .ok_or(SysError::OutOfMemory)?;
        if e.owner.is_some() {
            return Err(SysError::InvalidState);
        }
        *e = Entry {
            owner: Some(t),
            priority,
            affinity: u64::MAX,
            cpu: 0,
            quantum,
            left: quantum,
            ..Entry::default()
        };
        Ok(())
    }

    /// Forget `t` (dequeued first).
    pub fn remove_thread(&mut self, t: ThreadId) -> Result<(), SysError> {
        self.dequeue(t)?;
        self.threads[t.index()] = Entry::default();
        Ok(())
    }

    /// Priority of `t`.
    pub fn priority(&self, t: ThreadId) -> Result<u8, SysError> {
        Ok(self.entry(t)?.priority)
    }

    /// CPU `t` belongs to.
    pub fn cpu_of(&self, t: ThreadId) -> Result<usize, SysError> {
        Ok(self.entry(t)?.cpu)
    }

    /// Ticks left in `t`'s slice.
    pub fn slice_left(&self, t: ThreadId) -> Result<u32, SysError> {
        Ok(self.entry(t)?.left)
    }

    /// True when `t` is in a run queue.
    pub fn is_queued(&self, t: ThreadId) -> bool {
        self.entry(t).is_ok_and(|e| e.queued)
    }

    /// Make `t` ready at the back of its priority on its CPU; returns the CPU
    /// (send it an IPI if it is not the current one). Queued already: no-op.
    pub fn enqueue(&mut self, t: ThreadId) -> Result<usize, SysError> {
        self.insert(t, false)
    }

    /// Make `t` ready at the front of its priority (a preempted thread
    /// keeps its turn).
    pub fn enqueue_front(&mut self, t: ThreadId) -> Result<usize, SysError> {
        self.insert(t, true)
    }

    /// Take `t` out of its run queue (it blocked or was suspended); false
    /// when it was not queued.
    pub fn dequeue(&mut self, t: ThreadId) -> Result<bool, SysError> {
        let e = *self.entry(t)?;
        if !e.queued {
            return Ok(false);
        }
        let p = usize::from(e.priority);
        let rq = &mut self.cpus[e.cpu];
        match e.prev {
            Some(x) => self.threads[x.index()].next = e.next,
            None => rq.heads[p] = e.next,
        }
        match e.next {
            Some(x) => self.threads[x.index()].prev = e.prev,
            None => rq.tails[p] = e.prev,
        }
        if rq.heads[p].is_none() {
            rq.bitmap[p / 64] &= !(1 << (p % 64));
        }
        rq.len -= 1;
        let entry = &mut self.threads[t.index()];
        entry.queued = false;
        entry.prev = None;
        entry.next = None;
        Ok(true)
    }

    /// Take the highest-priority ready thread of `cpu` (FIFO within a
    /// priority) to run it; `None` means idle.
    pub fn pick(&mut self, cpu: usize) -> Option<ThreadId> {
        let rq = self.cpus.get(cpu)?;
        let t = rq.heads[usize::from(rq.highest()?)]?;
        self.dequeue(t).ok()?;
        Some(t)
    }

    /// True when `cpu` has a ready thread above `running` priority.
    pub fn should_preempt(&self, cpu: usize, running: u8) -> bool {
        self.cpus
            .get(cpu)
            .and_then(RunQueue::highest)
            .is_some_and(|p| p > running)
    }

    /// A timer tick charged to the running thread `t`.
    pub fn tick(&mut self, t: ThreadId) -> Result<Tick, SysError> {
        self.entry(t)?;
        let e = &mut self.threads[t.index()];
        e.left = e.left.saturating_sub(1);
        if e.left == 0 {
            e.left = e.quantum;
            Ok(Tick::Expired)
        } else {
            Ok(Tick::Continue)
        }
    }

    /// Set the quantum (nonzero ticks); the current slice is refilled.
    pub fn set_quantum(&mut self, t: ThreadId, quantum: u32) -> Result<(), SysError> {
        if quantum == 0 {
            return Err(SysError::InvalidArgument);
        }
        self.entry(t)?;
        let e = &mut self.threads[t.index()];
        e.quantum = quantum;
        e.left = quantum;
        Ok(())
    }

    /// Change the priority; a queued thread moves to the back of its new level.
    pub fn set_priority(&mut self, t: ThreadId, priority: u8) -> Result<(), SysError> {
        let was = self.dequeue(t)?;
        self.threads[t.index()].priority = priority;
        if was {
            self.enqueue(t)?;
        }
        Ok(())
    }

    /// Restrict `t` to the CPUs in `mask` (bit n = CPU n). `InvalidArgument`
    /// when no existing CPU is in the mask. If its CPU is no longer allowed
    /// it migrates to the lowest allowed one; returns its CPU.
    pub fn set_affinity(&mut self, t: ThreadId, mask: u64) -> Result<usize, SysError> {
        let allowed = mask & self.all_cpus();
        if allowed == 0 {
            return Err(SysError::InvalidArgument);
        }
        let e = self.entry(t)?;
        let cpu = e.cpu;
        self.threads[t.index()].affinity = mask;
        if allowed & (1 << cpu) != 0 {
            return Ok(cpu);
        }
        let target = allowed.trailing_zeros() as usize;
        self.migrate(t, target)?;
        Ok(target)
    }

    /// Move `t` to `cpu` (queued threads move queues, keeping their place at
    /// the back). `InvalidArgument` for a CPU outside its affinity.
    pub fn migrate(&mut self, t: ThreadId, cpu: usize) -> Result<(), SysError> {
        let e = *self.entry(t)?;
        if cpu >= self.cpus.len() || e.affinity & (1 << cpu) == 0 {
            return Err(SysError::InvalidArgument);
        }
        let was = self.dequeue(t)?;
        self.threads[t.index()].cpu = cpu;
        if was {
            self.enqueue(t)?;
        }
        Ok(())
    }

    fn all_cpus(&self) -> u64 {
        if self.cpus.len() >= 64 {
            u64::MAX
        } else {
            (1 << self.cpus.len()) - 1
        }
    }

    fn entry(&self, t: ThreadId) -> Result<&Entry, SysError> {
        match self.threads.get(t.index()) {
            Some(e) if e.owner == Some(t) => Ok(e),
            _ => Err(SysError::InvalidState),
        }
    }

    fn insert(&mut self, t: ThreadId, front: bool) -> Result<usize, SysError> {
        let e = *self.entry(t)?;
        if e.queued {
            return Ok(e.cpu);
        }
        let p = usize::from(e.priority);
        let rq = &mut self.cpus[e.cpu];
        let (prev, next) = if front {
            (None, rq.heads[p])
        } else {
            (rq.tails[p], None)
        };
        match prev {
            Some(x) => self.threads[x.index()].next = Some(t),
            None => rq.heads[p] = Some(t),
        }
        match next {
            Some(x) => self.threads[x.index()].prev = Some(t),
            None => rq.tails[p] = Some(t),
        }
        rq.bitmap[p / 64] |= 1 << (p % 64);
        rq.len += 1;
        let entry = &mut self.threads[t.index()];
        entry.queued = true;
        entry.prev = prev;
        entry.next = next;
        Ok(e.cpu)
    }
}
