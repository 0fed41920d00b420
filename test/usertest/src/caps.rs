//! Capability scenarios: GRANT transfer, refusal without GRANT, revoke,
//! identify and mint.

use helix_abi::ipc::buffer;
use helix_sys::{Cap, CapRights, Endpoint, Message, MessageInfo, Notification, Untyped, ipcbuf};

use crate::{code, report, slots};

fn ep() -> Cap<Endpoint> {
    Cap::from_slot(slots::EP)
}

/// Make a notification and send its cap on EP (needs GRANT); then wait for
/// the receiver to signal it. Reports the send result and the bits.
pub fn grant_sender() -> ! {
    let u: Cap<Untyped> = Cap::from_slot(slots::UNTYPED);
    let n: Cap<Notification> = match u.retype(slots::FREE, 0) {
        Ok(n) => n,
        Err(e) => report(e.raw(), &[1]),
    };
    ipcbuf::set(buffer::SEND_CAPS, u64::from(n.slot()));
    let info = MessageInfo::new(3, 1, 1).unwrap_or_default();
    let sent = ep().send(&Message::with_info(info, [0x77, 0, 0, 0]));
    if let Err(e) = sent {
        report(e.raw(), &[2]);
    }
    let bits = n.wait().unwrap_or(0);
    report(0, &[bits])
}

/// Accept one cap into slot FREE+4, then signal it.
pub fn grant_receiver() -> ! {
    let at = slots::FREE + 4;
    ipcbuf::set(buffer::RECV_SLOT, u64::from(at));
    ipcbuf::set(buffer::RECV_COUNT, 1);
    let r = match ep().recv() {
        Ok(r) => r,
        Err(e) => report(e.raw(), &[]),
    };
    let n: Cap<Notification> = Cap::from_slot(at);
    let s = code(n.signal(0x5a));
    report(0, &[r.info.caps() as u64, s, r.words[0]])
}

/// Mint and copy an endpoint cap, revoke the original: both derived caps
/// are gone, the original still works.
pub fn revoke_local() -> ! {
    let u: Cap<Untyped> = Cap::from_slot(slots::UNTYPED);
    let orig: Cap<Endpoint> = match u.retype(slots::FREE, 0) {
        Ok(c) => c,
        Err(e) => report(e.raw(), &[1]),
    };
    let minted = orig.mint(slots::FREE + 1, CapRights::WRITE, 5);
    let copied = minted.and_then(|m| m.copy_to(slots::FREE + 2));
    let before = code(Cap::<Endpoint>::from_slot(slots::FREE + 2).nb_send(&Message::new(1, &[])));
    let rv = code(orig.revoke());
    let after1 = code(Cap::<Endpoint>::from_slot(slots::FREE + 1).identify());
    let after2 = code(Cap::<Endpoint>::from_slot(slots::FREE + 2).nb_send(&Message::new(1, &[])));
    let still = code(orig.nb_send(&Message::new(1, &[])));
    report(
        0,
        &[
            code(copied) | (before << 8),
            rv,
            after1 | (after2 << 8),
            still,
        ],
    )
}

/// A process holding a cap derived from another's: wait for the go signal
/// (the owner revoked), then try the cap.
pub fn revoke_holder() -> ! {
    let before = code(ep().nb_send(&Message::new(1, &[])));
    let n: Cap<Notification> = Cap::from_slot(slots::NTFN);
    let _ = n.wait();
    let after = code(ep().nb_send(&Message::new(1, &[])));
    report(0, &[before, after])
}

/// Identify caps; minting can only narrow rights; a badge cannot be
/// replaced.
pub fn identify_and_mint() -> ! {
    let id = match ep().identify() {
        Ok(i) => i,
        Err(e) => report(e.raw(), &[]),
    };
    let m = ep().mint(slots::FREE, CapRights::READ, 9);
    let mid = Cap::<Endpoint>::from_slot(slots::FREE).identify();
    let again =
        code(Cap::<Endpoint>::from_slot(slots::FREE).mint(slots::FREE + 1, CapRights::READ, 10));
    let (k, r, b) = mid.map_or((0, 0, 0), |i| (i.kind, u64::from(i.rights), i.badge));
    let send = code(Cap::<Endpoint>::from_slot(slots::FREE).nb_send(&Message::new(1, &[])));
    report(
        0,
        &[
            id.kind | (u64::from(id.rights) << 8),
            code(m),
            k | (r << 8) | (b << 16),
            again | (send << 8),
        ],
    )
}

/// Revoke our endpoint cap (its children in other processes go), then
/// tell the holder through the notification.
pub fn revoke_owner() -> ! {
    // Let the holder try its cap first.
    for _ in 0..20 {
        helix_sys::yield_now();
    }
    let rv = code(ep().revoke());
    let n: Cap<Notification> = Cap::from_slot(slots::NTFN);
    let s = code(n.signal(1));
    report(0, &[rv, s])
}
