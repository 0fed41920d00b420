//! Finding the counter server: the manifest's `counter` cap when the
//! module manager granted one, else a name-service lookup.

use helix_protocol::ModuleContext;
use helix_protocol::runtime::{self, IpcTransport};
use helix_sys::Cap;

use crate::session::Failure;

/// Interface the client needs.
const INTERFACE: &str = "counter";
/// Versions of it the client accepts.
const CONSTRAINT: &str = "^1.0";

/// A transport to the counter server's service endpoint.
pub fn counter(ctx: &ModuleContext) -> Result<IpcTransport, Failure> {
    if let Some(cap) = ctx.cap(INTERFACE) {
        return Ok(IpcTransport::new(Cap::from_slot(cap.slot)));
    }
    let slot = runtime::reserve_slot().ok_or(Failure::NoFreeSlot)?;
    let (cap, _answer) = runtime::lookup(INTERFACE, CONSTRAINT, slot).map_err(Failure::Lookup)?;
    Ok(IpcTransport::new(cap))
}
