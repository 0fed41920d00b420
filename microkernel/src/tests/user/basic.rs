//! Ring 3 basics: a process runs, makes syscalls, talks to another one.

use helix_abi::{CapRights, SysError};

use super::fixture::{EP, RW, run, sc};
use crate::ktest::Failure;
use crate::{ensure, ensure_eq, ktest};

fn user_process_reports_its_arguments() -> Result<(), Failure> {
    let (p, out) = run(1, 2000, |e| e.spawn(sc::REPORT_ARGS, 7))?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.label, 0, "label");
    ensure_eq!(r.words[0], 7, "argument 1 arrived");
    ensure_eq!(r.words[1], 42, "second word");
    Ok(())
}

fn user_debug_write_checks_every_pointer() -> Result<(), Failure> {
    let (p, out) = run(1, 2000, |e| e.spawn(sc::DEBUG_WRITE, 0))?;
    let r = out.of(&p, "process")?;
    let bad = SysError::BadAddress.raw();
    ensure_eq!(r.words[0], 0, "good text prints");
    ensure_eq!(r.words[1], bad, "kernel address refused");
    ensure_eq!(r.words[2], bad | (bad << 8), "unmapped and null refused");
    ensure_eq!(
        r.words[3],
        SysError::MessageTooLong.raw() | (bad << 8),
        "over-long and non-canonical refused"
    );
    Ok(())
}

fn ipc_ping_pong_between_address_spaces() -> Result<(), Failure> {
    let ((client, server), out) = run(1, 5000, |e| {
        let ep = e.endpoint()?;
        let server = e.spawn(sc::PP_SERVER, 0)?;
        let client = e.spawn(sc::PP_CLIENT, 1000)?;
        e.give(&server, EP, ep, RW, 0)?;
        e.give(&client, EP, ep, CapRights::WRITE, 0)?;
        Ok((client, server))
    })?;
    ensure!(client.aspace != server.aspace, "two address spaces");
    let r = out.of(&client, "client")?;
    ensure_eq!(r.label, 0, "client status");
    ensure_eq!(r.words[0], 1000, "1000 round trips each added one");
    Ok(())
}

ktest!(
    user_process_reports_its_arguments,
    user_debug_write_checks_every_pointer,
    ipc_ping_pong_between_address_spaces,
);
