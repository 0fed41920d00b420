//! The dispatcher's mechanism: per-CPU ready queues and time slices. The
//! scheduling policy (who gets which priority, quantum and CPU) is a user
//! server's business later.

mod runqueue;

#[cfg(test)]
mod tests;

pub use runqueue::{MAX_CPUS, PRIORITIES, RunQueue, Scheduler, Tick};
