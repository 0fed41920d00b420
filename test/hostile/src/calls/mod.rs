//! Making calls: the [`Hostile`] generator picks a kind of call, builds a
//! plausible one from the model (or, now and then, a deliberately wrong
//! one) and says what the model should learn from each possible result.

mod call;
mod caps;
mod hostile;
mod ipc;
mod spaces;
mod threads;

pub use call::{Call, Effect, Expect};
pub use hostile::{Hostile, WRONG_PER_MILLE};
pub use ipc::{FAULT_LABEL, holding_for};
