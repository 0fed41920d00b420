//! Intrusive FIFO wait queues of threads.
//!
//! A thread waits on at most one object at a time, so one pair of links
//! per thread serves every endpoint and notification queue: a [`Queue`] is
//! just head, tail and length, and [`QueueLinks`] holds the links indexed
//! by thread index. Push, pop and remove are O(1) and never allocate.

use alloc::vec;
use alloc::vec::Vec;
use helix_abi::SysError;

use crate::table::ThreadId;

/// The head of one FIFO of threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Queue {
    head: Option<ThreadId>,
    tail: Option<ThreadId>,
    len: u32,
}

impl Queue {
    /// An empty queue.
    pub const fn new() -> Queue {
        Queue {
            head: None,
            tail: None,
            len: 0,
        }
    }

    /// Number of queued threads.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when no thread is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first thread.
    pub fn front(&self) -> Option<ThreadId> {
        self.head
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Link {
    queued: bool,
    prev: Option<ThreadId>,
    next: Option<ThreadId>,
}

/// Per-thread queue links for every queue of one kind of waiting.
#[derive(Debug)]
pub struct QueueLinks {
    links: Vec<Link>,
}

impl QueueLinks {
    /// Links for threads with indices below `max_threads`.
    pub fn new(max_threads: usize) -> QueueLinks {
        QueueLinks {
            links: vec![Link::default(); max_threads],
        }
    }

    /// True when `t` is in some queue.
    pub fn is_queued(&self, t: ThreadId) -> bool {
        self.links.get(t.index()).is_some_and(|l| l.queued)
    }

    /// Append `t`; `InvalidState` if it is already queued or out of range.
    pub fn push_back(&mut self, q: &mut Queue, t: ThreadId) -> Result<(), SysError> {
        match self.links.get(t.index()) {
            Some(l) if !l.queued => {}
            _ => return Err(SysError::InvalidState),
        }
        self.links[t.index()] = Link {
            queued: true,
            prev: q.tail,
            next: None,
        };
        match q.tail {
            Some(tail) => self.links[tail.index()].next = Some(t),
            None => q.head = Some(t),
        }
        q.tail = Some(t);
        q.len += 1;
        Ok(())
    }

    /// Take the first thread.
    pub fn pop_front(&mut self, q: &mut Queue) -> Option<ThreadId> {
        let t = q.head?;
        self.remove(q, t);
        Some(t)
    }

    /// Take `t` out of `q`; false when it was not queued. The caller must
    /// pass the queue `t` is in (the thread's blocking state says which).
    pub fn remove(&mut self, q: &mut Queue, t: ThreadId) -> bool {
        if !self.is_queued(t) {
            return false;
        }
        let Link { prev, next, .. } = self.links[t.index()];
        match prev {
            Some(p) => self.links[p.index()].next = next,
            None => q.head = next,
        }
        match next {
            Some(n) => self.links[n.index()].prev = prev,
            None => q.tail = prev,
        }
        self.links[t.index()] = Link::default();
        q.len -= 1;
        true
    }

    /// The thread after `t` in its queue.
    pub fn next(&self, t: ThreadId) -> Option<ThreadId> {
        self.links.get(t.index()).and_then(|l| l.next)
    }

    /// The queue's threads in order (for tests and diagnostics).
    pub fn iter<'a>(&'a self, q: &Queue) -> impl Iterator<Item = ThreadId> + 'a {
        let mut cur = q.head;
        core::iter::from_fn(move || {
            let t = cur?;
            cur = self.links[t.index()].next;
            Some(t)
        })
    }
}
