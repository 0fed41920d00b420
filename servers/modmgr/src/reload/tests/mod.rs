//! The engine against a mock host that records every call and can fail
//! any of them: the checks of Preparing and its refusals, the success
//! path, and many reloads in a row.

mod check;
mod mock;
mod refusals;
mod success;
