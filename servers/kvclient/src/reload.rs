//! A hot reload driven over IPC, the module manager's part played by the
//! client: fill the old store, quiesce it, move its state into a new
//! store, check the new store serves the same data, shut the old one down.

use alloc::format;
use alloc::vec;

use helix_kvstore::{KvClient, KvError};
use helix_protocol::client::{CallError, ControlClient, Transport};
use helix_protocol::server::{ServerError, ServerMode};

use crate::session::{Failure, check};

/// Slot of the manager cap (badged `MANAGER_BADGE`) to the old store.
pub const OLD_CONTROL: u32 = 5;
/// Slot of the manager cap to the new store.
pub const NEW_CONTROL: u32 = 6;
/// Slot of the client cap to the new store (the old one's is `SERVICE`).
pub const NEW_SERVICE: u32 = 7;

/// Keys moved across the reload.
const KEYS: u8 = 8;

/// The four handles a reload needs: client and manager (badged) caps to
/// the old and to the new store.
pub struct Stores<T: Transport> {
    /// Client of the running store.
    pub old: KvClient<T>,
    /// Control path of the running store.
    pub old_control: ControlClient<T>,
    /// Control path of the fresh store.
    pub new_control: ControlClient<T>,
    /// Client of the fresh store.
    pub new: KvClient<T>,
}

/// Run the reload; returns the number of calls made.
pub fn reload<T: Transport>(s: &mut Stores<T>) -> Result<u64, Failure> {
    for i in 0..KEYS {
        check("put", s.old.put(format!("k{i}"), vec![i; 4]), None)?;
    }
    let control = |step, e| Failure::Control(step, e);
    s.old_control.quiesce().map_err(|e| control("quiesce", e))?;
    let refused = s.old.len();
    if refused
        != Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Quiesced,
        )))
    {
        return Err(Failure::Wrong("quiesced store", format!("{refused:?}")));
    }
    let state = s
        .old_control
        .save_state()
        .map_err(|e| control("save_state", e))?
        .ok_or(Failure::Wrong("save_state", "no state".into()))?;
    s.new_control
        .restore_state(state)
        .map_err(|e| control("restore_state", e))?;
    for i in 0..KEYS {
        check("get after reload", s.new.get(format!("k{i}")), vec![i; 4])?;
    }
    check("len after reload", s.new.len(), u64::from(KEYS))?;
    let missing = s.new.get("k99".into());
    if missing != Err(CallError::Remote(KvError::NotFound)) {
        return Err(Failure::Wrong("get missing", format!("{missing:?}")));
    }
    s.old_control
        .shutdown()
        .map_err(|e| control("shutdown", e))?;
    Ok(u64::from(KEYS) * 2 + 7)
}
