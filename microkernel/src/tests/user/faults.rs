//! Faults reach the fault endpoint as messages; IRQs arrive as
//! notifications; ports only through IoPorts caps.

use helix_abi::fault::FAULT_LABEL;
use helix_abi::{CapRights, SysError};

use super::fixture::{EP, EP2, FAULT, Outcome, RW, Report, run, sc};
use crate::ktest::Failure;
use crate::user::Proc;
use crate::{ensure, ensure_eq, ktest};

/// Address usertest's page-fault scenario reads.
const UNMAPPED: u64 = 0xdead_0000;

/// A faulter of `kind`, a handler receiving its faults, and a bystander
/// that keeps running; returns (faulter, handler, bystander, outcome).
fn fault_world(
    kind: u64,
    handler_sc: u64,
    want: usize,
) -> Result<(Proc, Proc, Proc, Outcome), Failure> {
    let ((f, h, b), out) = run(want, 3000, |e| {
        let ep = e.endpoint()?;
        let f = e.spawn(sc::FAULTER, kind)?;
        let h = e.spawn(handler_sc, 0)?;
        let b = e.spawn(sc::COUNTER, 200)?;
        e.give(&f, FAULT, ep, CapRights::WRITE, 0xfa)?;
        e.give(&h, EP, ep, RW, 0)?;
        e.untyped(&f, 64 * 1024)?;
        Ok((f, h, b))
    })?;
    Ok((f, h, b, out))
}

fn check_fault(kind: u64, vector: u64) -> Result<(u64, u64, u64), Failure> {
    let (f, h, b, out) = fault_world(kind, sc::HANDLER, 2)?;
    let r = out.of(&h, "handler")?;
    ensure_eq!(r.label, 0, "handler status");
    ensure_eq!(r.words[0], FAULT_LABEL, "fault label");
    ensure_eq!(r.words[1] & 0xff, vector, "vector");
    ensure!(
        out.of(&f, "faulter").is_err(),
        "the faulter stopped at the fault"
    );
    ensure_eq!(
        out.of(&b, "bystander")?.words[0],
        200,
        "other process kept running"
    );
    Ok((r.words[1] >> 32, r.words[2], r.words[3]))
}

fn fault_page_fault_reaches_the_fault_endpoint() -> Result<(), Failure> {
    let (code, addr, rip) = check_fault(0, 14)?;
    ensure_eq!(addr, UNMAPPED, "faulting address");
    ensure_eq!(code & 0x4, 0x4, "user-mode access in the error code");
    ensure!(
        (0x40_0000..0x80_0000).contains(&rip),
        "rip inside the program"
    );
    Ok(())
}

fn fault_general_protection_reaches_the_fault_endpoint() -> Result<(), Failure> {
    check_fault(1, 13).map(|_| ())
}

fn fault_invalid_opcode_reaches_the_fault_endpoint() -> Result<(), Failure> {
    check_fault(2, 6).map(|_| ())
}

fn fault_divide_error_reaches_the_fault_endpoint() -> Result<(), Failure> {
    check_fault(3, 0).map(|_| ())
}

fn fault_write_to_code_page_is_a_protection_fault() -> Result<(), Failure> {
    let (code, _, _) = check_fault(5, 14)?;
    ensure_eq!(code & 0x7, 0x7, "present + write + user");
    Ok(())
}

fn fault_handler_can_restart_the_thread() -> Result<(), Failure> {
    let (f, h, _, out) = fault_world(2, sc::RESTART_HANDLER, 3)?;
    let r = out.of(&h, "handler")?;
    ensure_eq!(r.words[0], 6, "#UD received");
    ensure_eq!(r.words[1], 0, "restart reply accepted");
    ensure_eq!(
        out.of(&f, "restarted faulter")?.words[0],
        0x600d,
        "faulter continued"
    );
    Ok(())
}

fn fault_handler_can_page_in_and_resume() -> Result<(), Failure> {
    let ((f, pager), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let f = e.spawn(sc::FAULTER, 0)?;
        let pager = e.spawn(sc::PAGER, 0)?;
        e.give(&f, FAULT, ep, CapRights::WRITE, 0)?;
        e.give(&pager, EP, ep, RW, 0)?;
        e.untyped(&pager, 64 * 1024)?;
        // The pager may map into the faulter's address space.
        e.mint((&f, 0), (&pager, EP2), CapRights::WRITE, 0)?;
        Ok((f, pager))
    })?;
    let p = out.of(&pager, "pager")?;
    ensure_eq!(p.label, 0, "pager status");
    ensure_eq!(p.words[0], UNMAPPED, "pager saw the faulting address");
    ensure_eq!(p.words[1], 0, "resume accepted");
    let r = out.of(&f, "resumed faulter")?;
    ensure_eq!(r.label, 1, "faulter continued after its load");
    ensure_eq!(r.words[0], 0, "and read the fresh zeroed page");
    Ok(())
}

fn fault_handler_can_destroy_the_thread() -> Result<(), Failure> {
    let (f, h, b, out) = fault_world(2, sc::DESTROY_HANDLER, 2)?;
    let r = out.of(&h, "handler")?;
    ensure_eq!(r.words[0], 6, "#UD received");
    ensure_eq!(r.words[1], 0, "destroy accepted");
    ensure!(out.of(&f, "faulter").is_err(), "faulter never ran again");
    ensure_eq!(out.of(&b, "bystander")?.words[0], 200, "bystander finished");
    let stopped = crate::user::with(|w| {
        w.sys
            .thread(f.thread)
            .is_ok_and(|t| t.state == helix_kernel_objects::system::RunState::Suspended)
    });
    ensure!(stopped == Some(true), "faulter stopped for good");
    Ok(())
}

fn fault_without_handler_stops_only_that_thread() -> Result<(), Failure> {
    let ((f, b), out) = run(1, 3000, |e| {
        let f = e.spawn(sc::FAULTER, 0)?;
        let b = e.spawn(sc::COUNTER, 100)?;
        Ok((f, b))
    })?;
    ensure_eq!(out.of(&b, "bystander")?.words[0], 100, "bystander finished");
    ensure!(out.of(&f, "faulter").is_err(), "faulter stopped");
    let suspended = crate::user::with(|w| {
        w.sys
            .thread(f.thread)
            .is_ok_and(|t| t.state == helix_kernel_objects::system::RunState::Suspended)
    });
    ensure!(suspended == Some(true), "faulter suspended");
    Ok(())
}

fn irq_arrives_as_a_notification() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::IRQ, 0)?;
        e.untyped(&p, 64 * 1024)?;
        e.devices(&p)?;
        Ok(p)
    })?;
    let r = out.of(&p, "driver")?;
    ensure_eq!(r.label, 0, "driver status");
    ensure_eq!(r.words[0], 0b100, "first IRQ signalled the bound bits");
    ensure_eq!(r.words[1], 0b100, "second IRQ after the ack");
    ensure_eq!(r.words[2], 0, "both acks accepted");
    ensure_eq!(
        r.words[3],
        helix_abi::SysError::InvalidState.raw(),
        "a claimed line cannot be claimed twice"
    );
    Ok(())
}

fn io_ports_only_through_the_cap() -> Result<(), Failure> {
    let ((p, h), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::PORTS, 0)?;
        let h = e.spawn(sc::HANDLER, 0)?;
        e.devices(&p)?;
        e.untyped(&p, 64 * 1024)?;
        e.give(&p, FAULT, ep, CapRights::WRITE, 0)?;
        e.give(&h, EP, ep, RW, 0)?;
        Ok((p, h))
    })?;
    let d = out.of(&p, "driver")?;
    ensure_eq!(d.label, 0, "driver status");
    let no = SysError::NoRights.raw();
    ensure_eq!(
        d.words[0],
        no | (no << 24),
        "wider mint refused, delete ok, CMOS out by call ok, port 0x61 refused"
    );
    ensure!(d.words[1] <= 0xff, "status B read by IoPortIn");
    ensure_eq!(d.words[2] & 0xff, d.words[1], "`in al, dx` reads it too");
    ensure_eq!(d.words[2] >> 8, d.words[1], "`in al, 0x71` reads it too");
    ensure_eq!(d.words[3], 0, "second thread started");
    let r = out.of(&h, "handler")?;
    ensure_eq!(
        r.words[1] & 0xff,
        13,
        "`in al, 0x61` outside the range is a #GP"
    );
    Ok(())
}

/// Bytes of a process's I/O permission bitmap (docs/syscalls.md).
const IO_BITMAP: u64 = 8192;
/// What the bitmap user sends once its port read went through.
const PORT_READ_OK: u64 = 0x600d;

/// A process with an IoPorts cap reads port 0x71 with `in al, dx`; its
/// address space is billed to an Untyped of `budget` bytes held by an
/// owner process, which receives the user's message or #GP (same
/// endpoint), then destroys the user's address space. Returns the owner's
/// report: [label, word 1, available after the read, after the destroy].
fn port_bitmap_on_a_budget(budget: u64) -> Result<Report, Failure> {
    let ((_, owner), out) = run(1, 3000, |e| {
        let ep = e.endpoint()?;
        let user = e.spawn(sc::PORT_BITMAP_USER, 0)?;
        let owner = e.spawn(sc::PORT_BITMAP_OWNER, 0)?;
        e.devices(&user)?;
        e.give(&user, EP, ep, CapRights::WRITE, 0)?;
        e.give(&user, FAULT, ep, CapRights::WRITE, 0)?;
        e.give(&owner, EP, ep, RW, 0)?;
        e.untyped(&owner, budget)?;
        e.bill(&user, &owner)?;
        // The owner holds the only cap to the user's address space.
        e.hand_over((&user, 0), (&owner, EP2))?;
        Ok((user, owner))
    })?;
    let r = out.of(&owner, "owner")?;
    ensure_eq!(r.label, 0, "owner status");
    Ok(r)
}

fn io_bitmap_is_charged_to_the_address_space_budget() -> Result<(), Failure> {
    // One byte short: no bitmap, the port read is a #GP at the fault
    // endpoint, nothing is charged, the kernel stays up.
    let poor = port_bitmap_on_a_budget(IO_BITMAP - 1)?;
    ensure_eq!(poor.words[0], FAULT_LABEL, "refused read is a fault");
    ensure_eq!(poor.words[1] & 0xff, 13, "a #GP");
    ensure_eq!(poor.words[2], IO_BITMAP - 1, "nothing charged");
    ensure_eq!(poor.words[3], IO_BITMAP - 1, "nothing to give back");
    // Exactly enough: the read goes through, the bitmap takes the whole
    // budget, destroying the address space gives it back.
    let rich = port_bitmap_on_a_budget(IO_BITMAP)?;
    ensure_eq!(rich.words[0], 0, "read went through");
    ensure_eq!(rich.words[1], PORT_READ_OK, "read went through");
    ensure_eq!(rich.words[2], 0, "the bitmap is charged");
    ensure_eq!(rich.words[3], IO_BITMAP, "destroy refunds the bitmap");
    Ok(())
}

ktest!(
    fault_page_fault_reaches_the_fault_endpoint,
    fault_general_protection_reaches_the_fault_endpoint,
    fault_invalid_opcode_reaches_the_fault_endpoint,
    fault_divide_error_reaches_the_fault_endpoint,
    fault_write_to_code_page_is_a_protection_fault,
    fault_handler_can_restart_the_thread,
    fault_handler_can_page_in_and_resume,
    fault_handler_can_destroy_the_thread,
    fault_without_handler_stops_only_that_thread,
    irq_arrives_as_a_notification,
    io_ports_only_through_the_cap,
    io_bitmap_is_charged_to_the_address_space_budget,
);
