//! What a server file imports: `use helix_protocol::runtime::prelude::*;`
//! (the module API, the serving helpers, the macros, and the `alloc`
//! types a `no_std` server uses most).
#![forbid(unsafe_code)]

pub use alloc::boxed::Box;
pub use alloc::collections::BTreeMap;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
pub use alloc::{format, vec};

pub use crate::server::{serve_message, serve_request};
pub use crate::{
    Module, ModuleContext, ModuleError, ModuleFlags, ModuleMessage, ModuleState, helix_module,
    program_main, server_main,
};

/// `log::info!(...)` and friends: the runtime routes them to the debug
/// console, one line per record.
pub use log;
pub use log::{debug, error, info, trace, warn};
