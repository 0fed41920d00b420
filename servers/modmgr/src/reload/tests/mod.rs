//! The engine against a mock host that records every call and can fail
//! any of them: refusals, every failure point, cancel in every state, the
//! success path, and many reloads in a row.

mod cancel;
mod check;
mod failures;
mod mock;
mod refusals;
mod success;
