//! Capability scenarios: rights, badges, long messages, GRANT, revoke.

use helix_abi::{CapRights, CapType, SysError};

use super::fixture::{EP, NTFN, RW, run, sc};
use crate::ktest::Failure;
use crate::{ensure_eq, ktest};

fn ipc_send_without_write_right_fails() -> Result<(), Failure> {
    let (p, out) = run(1, 2000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::SEND_ERR, 0)?;
        e.give(&p, EP, ep, CapRights::READ, 0)?;
        Ok(p)
    })?;
    ensure_eq!(
        out.of(&p, "sender")?.label,
        SysError::NoRights.raw(),
        "NoRights"
    );
    Ok(())
}

fn ipc_recv_without_read_right_fails() -> Result<(), Failure> {
    let (p, out) = run(1, 2000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::RECV_ERR, 0)?;
        e.give(&p, EP, ep, CapRights::WRITE, 0)?;
        Ok(p)
    })?;
    ensure_eq!(
        out.of(&p, "receiver")?.label,
        SysError::NoRights.raw(),
        "NoRights"
    );
    Ok(())
}

fn ipc_send_on_empty_or_wrong_slot_fails() -> Result<(), Failure> {
    let ((a, b), out) = run(2, 2000, |e| {
        let n = e.notification()?;
        let a = e.spawn(sc::SEND_ERR, 0)?;
        let b = e.spawn(sc::SEND_ERR, 0)?;
        e.give(&b, EP, n, RW, 0)?;
        Ok((a, b))
    })?;
    ensure_eq!(
        out.of(&a, "a")?.label,
        SysError::EmptySlot.raw(),
        "empty slot"
    );
    ensure_eq!(
        out.of(&b, "b")?.label,
        SysError::WrongType.raw(),
        "notification is not an endpoint"
    );
    Ok(())
}

fn ipc_badges_arrive_at_the_receiver() -> Result<(), Failure> {
    let (server, out) = run(3, 3000, |e| {
        let ep = e.endpoint()?;
        let server = e.spawn(sc::BADGE_SERVER, 2)?;
        let c1 = e.spawn(sc::BADGE_CLIENT, 5)?;
        let c2 = e.spawn(sc::BADGE_CLIENT, 6)?;
        e.give(&server, EP, ep, CapRights::READ, 0)?;
        e.give(&c1, EP, ep, CapRights::WRITE, 0x100)?;
        e.give(&c2, EP, ep, CapRights::WRITE, 0x200)?;
        Ok(server)
    })?;
    let r = out.of(&server, "server")?;
    ensure_eq!(r.label, 0, "server status");
    ensure_eq!(r.words[0], 0x300, "both badges arrived");
    ensure_eq!(r.words[1], 11, "both words arrived");
    ensure_eq!(r.words[2], 14, "both labels arrived");
    Ok(())
}

fn ipc_long_message_through_the_ipc_buffer() -> Result<(), Failure> {
    let ((client, server), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let server = e.spawn(sc::LONG_SERVER, 0)?;
        let client = e.spawn(sc::LONG_CLIENT, 40)?;
        e.give(&server, EP, ep, RW, 0)?;
        e.give(&client, EP, ep, CapRights::WRITE, 0)?;
        Ok((client, server))
    })?;
    let s = out.of(&server, "server")?;
    ensure_eq!(s.words[1], 40, "server saw 40 words");
    ensure_eq!(s.words[0], 820, "sum of 1..=40 across registers and buffer");
    ensure_eq!(
        out.of(&client, "client")?.words[0],
        820,
        "reply reached the client"
    );
    Ok(())
}

fn ipc_long_message_from_a_sender_without_buffer_fails_and_sends_nothing() -> Result<(), Failure> {
    let ((client, server), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let server = e.spawn(sc::LONG_SERVER, 0)?;
        let client = e.spawn(sc::LONG_SEND_NO_BUFFER, 0)?;
        e.give(&server, EP, ep, RW, 0)?;
        e.give(&client, EP, ep, CapRights::WRITE, 0)?;
        Ok((client, server))
    })?;
    let c = out.of(&client, "client")?;
    ensure_eq!(c.words[0], 0, "IPC buffer unmapped");
    ensure_eq!(
        c.words[1],
        SysError::BadAddress.raw(),
        "10-word call without a buffer: BadAddress"
    );
    ensure_eq!(c.words[2], 0, "4-word call then works");
    ensure_eq!(c.words[3], 4, "the server saw only the 4-word call");
    let s = out.of(&server, "server")?;
    ensure_eq!(s.words[1], 4, "the failed call never reached the server");
    ensure_eq!(s.words[0], 10, "sum of 1..=4");
    Ok(())
}

fn ipc_long_message_to_a_receiver_without_buffer_is_truncated_visibly() -> Result<(), Failure> {
    let ((client, server), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let server = e.spawn(sc::LONG_RECV_NO_BUFFER, 0)?;
        let client = e.spawn(sc::LONG_CLIENT, 40)?;
        e.give(&server, EP, ep, RW, 0)?;
        e.give(&client, EP, ep, CapRights::WRITE, 0)?;
        Ok((client, server))
    })?;
    let s = out.of(&server, "server")?;
    ensure_eq!(s.label, 0, "server received");
    ensure_eq!(s.words[0], 0, "IPC buffer unmapped");
    ensure_eq!(s.words[1], 4, "length says only the register words arrived");
    ensure_eq!(s.words[2], 10, "the register words 1..=4 arrived");
    let c = out.of(&client, "client")?;
    ensure_eq!(c.label, 0, "the sender's call succeeded");
    ensure_eq!(c.words[0], 10, "and got the server's reply");
    Ok(())
}

fn ipc_granted_cap_works_in_the_receiver() -> Result<(), Failure> {
    let ((sender, receiver), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let sender = e.spawn(sc::GRANT_SENDER, 0)?;
        let receiver = e.spawn(sc::GRANT_RECEIVER, 0)?;
        e.untyped(&sender, 64 * 1024)?;
        e.give(&sender, EP, ep, CapRights::WRITE.union(CapRights::GRANT), 0)?;
        e.give(&receiver, EP, ep, CapRights::READ, 0)?;
        Ok((sender, receiver))
    })?;
    let r = out.of(&receiver, "receiver")?;
    ensure_eq!(r.words[0], 1, "one cap arrived");
    ensure_eq!(r.words[1], 0, "signal through the granted cap worked");
    ensure_eq!(r.words[2], 0x77, "message word arrived");
    let s = out.of(&sender, "sender")?;
    ensure_eq!(s.label, 0, "sender status");
    ensure_eq!(s.words[0], 0x5a, "sender saw the receiver's signal");
    Ok(())
}

fn ipc_cap_without_grant_is_not_transferred() -> Result<(), Failure> {
    let (sender, out) = run(1, 2000, |e| {
        let ep = e.endpoint()?;
        let sender = e.spawn(sc::GRANT_SENDER, 0)?;
        let receiver = e.spawn(sc::GRANT_RECEIVER, 0)?;
        e.untyped(&sender, 64 * 1024)?;
        e.give(&sender, EP, ep, CapRights::WRITE, 0)?;
        e.give(&receiver, EP, ep, CapRights::READ, 0)?;
        Ok(sender)
    })?;
    let s = out.of(&sender, "sender")?;
    ensure_eq!(
        s.label,
        SysError::NoRights.raw(),
        "send with a cap but no GRANT"
    );
    ensure_eq!(s.words[0], 2, "failed at the send");
    Ok(())
}

fn revoke_removes_every_derived_cap() -> Result<(), Failure> {
    let (p, out) = run(1, 2000, |e| {
        let p = e.spawn(sc::REVOKE_LOCAL, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    let (empty, wb) = (SysError::EmptySlot.raw(), SysError::WouldBlock.raw());
    ensure_eq!(r.words[0], wb << 8, "copy made; derived cap usable before");
    ensure_eq!(r.words[1], 0, "revoke succeeded");
    ensure_eq!(
        r.words[2],
        empty | (empty << 8),
        "minted and copied caps gone"
    );
    ensure_eq!(r.words[3], wb, "original still works");
    Ok(())
}

fn revoke_reaches_caps_in_other_processes() -> Result<(), Failure> {
    let ((owner, holder), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let n = e.notification()?;
        let owner = e.spawn(sc::REVOKE_OWNER, 0)?;
        let holder = e.spawn(sc::REVOKE_HOLDER, 0)?;
        e.give(&owner, EP, ep, RW, 0)?;
        e.mint((&owner, EP), (&holder, EP), CapRights::WRITE, 0)?;
        e.give(&owner, NTFN, n, RW, 0)?;
        e.give(&holder, NTFN, n, RW, 0)?;
        Ok((owner, holder))
    })?;
    ensure_eq!(out.of(&owner, "owner")?.words[0], 0, "revoke succeeded");
    let h = out.of(&holder, "holder")?;
    ensure_eq!(
        h.words[0],
        SysError::WouldBlock.raw(),
        "derived cap worked before"
    );
    ensure_eq!(
        h.words[1],
        SysError::EmptySlot.raw(),
        "derived cap gone after"
    );
    Ok(())
}

fn caps_identify_and_mint_only_narrows() -> Result<(), Failure> {
    let (p, out) = run(1, 2000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::IDENTIFY, 0)?;
        e.give(&p, EP, ep, RW, 0)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(
        r.words[0],
        CapType::Endpoint as u64 | (3 << 8),
        "endpoint, READ|WRITE"
    );
    ensure_eq!(r.words[1], 0, "mint succeeded");
    ensure_eq!(
        r.words[2],
        CapType::Endpoint as u64 | (0x101 << 8) | (9 << 16),
        "READ only, badged 9"
    );
    ensure_eq!(
        r.words[3],
        SysError::InvalidState.raw() | (SysError::NoRights.raw() << 8),
        "no re-badging; no sending on a READ cap"
    );
    Ok(())
}

ktest!(
    ipc_send_without_write_right_fails,
    ipc_recv_without_read_right_fails,
    ipc_send_on_empty_or_wrong_slot_fails,
    ipc_badges_arrive_at_the_receiver,
    ipc_long_message_through_the_ipc_buffer,
    ipc_long_message_from_a_sender_without_buffer_fails_and_sends_nothing,
    ipc_long_message_to_a_receiver_without_buffer_is_truncated_visibly,
    ipc_granted_cap_works_in_the_receiver,
    ipc_cap_without_grant_is_not_transferred,
    revoke_removes_every_derived_cap,
    revoke_reaches_caps_in_other_processes,
    caps_identify_and_mint_only_narrows,
);
