//! Synchronous IPC: endpoints, reply objects, messages, wait queues.

mod endpoint;
mod message;
mod queue;
mod reply;
mod state;

#[cfg(test)]
mod tests;

pub use endpoint::{Endpoint, Recv, RecvOutcome, SendOutcome, Waiters};
pub use message::{
    MSG_MAX_CAPS, MSG_MAX_WORDS, MSG_REG_WORDS, RecvWindow, check_send, transfer_caps,
};
pub use queue::{Queue, QueueLinks};
pub use reply::ReplyObject;
pub use state::{Ipc, IpcLimits, IpcState, PendingSend, Transfer};
