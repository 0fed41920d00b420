//! Message limits and capability transfer.
//!
//! Limits (from `helix_abi::ipc`): a message has at most [`MSG_MAX_WORDS`]
//! words, the first [`MSG_REG_WORDS`] in registers (fast path), the rest in
//! the IPC buffer, and at most [`MSG_MAX_CAPS`] caps. A message with caps
//! needs GRANT on the sender's endpoint cap (else `NoRights` to the
//! sender). Caps arrive in the receiver's window, the slots it named in its
//! IPC buffer; transfer stops at the first cap that cannot be moved (window
//! full, slot occupied, source cap gone), and the receiver's message info
//! says how many arrived.

pub use helix_abi::ipc::{MSG_MAX_CAPS, MSG_MAX_WORDS, MSG_REG_WORDS};
use helix_abi::{CapRights, MessageInfo, SysError};

use crate::cap::{CapSystem, SlotAddr};
use crate::table::ObjRef;

/// Check a message against the rights of the endpoint cap it is sent
/// through: caps need GRANT.
pub fn check_send(info: MessageInfo, rights: CapRights) -> Result<(), SysError> {
    if info.caps() > 0 && !rights.contains(CapRights::GRANT) {
        return Err(SysError::NoRights);
    }
    Ok(())
}

/// The slots a receiver offers for incoming caps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecvWindow {
    first: u32,
    count: u8,
}

impl RecvWindow {
    /// No caps accepted.
    pub const NONE: RecvWindow = RecvWindow { first: 0, count: 0 };

    /// From the IPC buffer's `RECV_SLOT` and `RECV_COUNT` words:
    /// `InvalidArgument` for a count above [`MSG_MAX_CAPS`], `InvalidCap`
    /// when the slots do not fit in 32 bits.
    pub fn from_buffer(first: u64, count: u64) -> Result<RecvWindow, SysError> {
        if count > MSG_MAX_CAPS as u64 {
            return Err(SysError::InvalidArgument);
        }
        if count == 0 {
            return Ok(RecvWindow::NONE);
        }
        let last = first.checked_add(count - 1).ok_or(SysError::InvalidCap)?;
        if last > u64::from(u32::MAX) {
            return Err(SysError::InvalidCap);
        }
        Ok(RecvWindow {
            first: first as u32,
            count: count as u8,
        })
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        usize::from(self.count)
    }

    /// True when no caps are accepted.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The `i`-th slot.
    pub fn slot(&self, i: usize) -> Option<u32> {
        (i < self.len()).then(|| self.first + i as u32)
    }
}

/// Copy the caps in `send_slots` of CSpace `from` into `window` of CSpace
/// `to` (each a child of the sender's cap). Returns how many arrived; the
/// transfer stops at the first cap that cannot be moved.
pub fn transfer_caps(
    caps: &mut CapSystem,
    from: ObjRef,
    send_slots: &[u32],
    to: ObjRef,
    window: RecvWindow,
) -> usize {
    let mut n = 0;
    for (i, &src) in send_slots.iter().take(MSG_MAX_CAPS).enumerate() {
        let Some(dst) = window.slot(i) else {
            break;
        };
        if caps
            .transfer(SlotAddr::new(from, src), SlotAddr::new(to, dst))
            .is_err()
        {
            break;
        }
        n += 1;
    }
    n
}
