//! Memory scenarios: unmap revokes access, read-only mappings, sharing,
//! quotas.

use helix_abi::{CapRights, SysError};

use super::fixture::{EP, FAULT, RW, run, sc};
use crate::ktest::Failure;
use crate::{ensure, ensure_eq, ktest};

const VA: u64 = 0x5000_0000;

fn unmap_really_revokes_access() -> Result<(), Failure> {
    let ((p, h), out) = run(1, 3000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::UNMAP, 0)?;
        let h = e.spawn(sc::HANDLER, 0)?;
        e.untyped(&p, 64 * 1024)?;
        e.give(&p, FAULT, ep, CapRights::WRITE, 0)?;
        e.give(&h, EP, ep, RW, 0)?;
        Ok((p, h))
    })?;
    ensure!(
        out.of(&p, "mapper").is_err(),
        "mapper faulted instead of reporting"
    );
    let r = out.of(&h, "handler")?;
    ensure_eq!(r.words[1] & 0xff, 14, "page fault");
    ensure_eq!(r.words[2], VA, "at the unmapped page");
    ensure_eq!((r.words[1] >> 32) & 1, 0, "not-present fault");
    Ok(())
}

fn read_only_frame_cannot_be_written() -> Result<(), Failure> {
    let ((p, h), out) = run(1, 3000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::READ_ONLY, 0)?;
        let h = e.spawn(sc::HANDLER, 0)?;
        e.untyped(&p, 64 * 1024)?;
        e.give(&p, FAULT, ep, CapRights::WRITE, 0)?;
        e.give(&h, EP, ep, RW, 0)?;
        Ok((p, h))
    })?;
    ensure!(out.of(&p, "mapper").is_err(), "write did not go through");
    let r = out.of(&h, "handler")?;
    ensure_eq!(r.words[1] & 0xff, 14, "page fault");
    ensure_eq!(r.words[2], VA, "at the read-only page");
    ensure_eq!((r.words[1] >> 32) & 3, 3, "write to a present page");
    Ok(())
}

fn frames_are_shared_between_processes() -> Result<(), Failure> {
    let ((a, b), out) = run(2, 3000, |e| {
        let ep = e.endpoint()?;
        let a = e.spawn(sc::SHARE_SENDER, 0)?;
        let b = e.spawn(sc::SHARE_RECEIVER, 0)?;
        e.untyped(&a, 64 * 1024)?;
        e.give(&a, EP, ep, CapRights::WRITE.union(CapRights::GRANT), 0)?;
        e.give(&b, EP, ep, CapRights::READ, 0)?;
        Ok((a, b))
    })?;
    ensure_eq!(out.of(&a, "sender")?.label, 0, "sender status");
    let r = out.of(&b, "receiver")?;
    ensure_eq!(r.label, 0, "receiver status");
    ensure_eq!(r.words[0], 0xfeed_f00d, "receiver reads the sender's value");
    Ok(())
}

fn quota_exhaustion_returns_out_of_memory() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::QUOTA, 0)?;
        e.untyped(&p, 10 * 4096)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[0], SysError::OutOfMemory.raw(), "OutOfMemory");
    ensure_eq!(r.words[1], 10, "exactly the budget's frames");
    ensure_eq!(r.words[2], 0, "nothing left");
    Ok(())
}

fn quota_split_and_delete_returns_budget() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::QUOTA_SPLIT, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[0], 8192, "child quota");
    ensure_eq!(
        r.words[1],
        SysError::OutOfMemory.raw() << 16,
        "two fit, third refused, delete ok"
    );
    ensure_eq!(r.words[2], 4096, "deleted frame's budget came back");
    Ok(())
}

fn frame_reports_its_physical_address_with_read() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::FRAME_PHYS, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure!(
        r.words[0] != 0 && r.words[0] % 4096 == 0,
        "page-aligned physical address"
    );
    ensure!(crate::mem::frames::manages(r.words[0]), "in usable RAM");
    ensure_eq!(r.words[1], SysError::NoRights.raw(), "not without READ");
    Ok(())
}

fn unmap_reaches_a_thread_on_another_cpu() -> Result<(), Failure> {
    let n = crate::user::smp::online();
    if n < 2 {
        return Err(Failure::Missing("a second CPU (run with -smp 2 or more)"));
    }
    let ((p, h), out) = run(2, 5000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::SHOOTDOWN, 1 << (n - 1))?;
        let h = e.spawn(sc::HANDLER, 0)?;
        e.untyped(&p, 128 * 1024)?;
        e.give(&p, FAULT, ep, CapRights::WRITE, 0)?;
        e.give(&h, EP, ep, RW, 0)?;
        Ok((p, h))
    })?;
    let r = out.of(&p, "unmapper")?;
    ensure_eq!(r.words[0], 0, "reader pinned to the last CPU");
    ensure!(r.words[1] > 0, "reader was reading the page");
    ensure_eq!(r.words[2], 0, "unmap succeeded");
    let f = out.of(&h, "handler")?;
    ensure_eq!(f.words[1] & 0xff, 14, "reader took a page fault");
    ensure_eq!(f.words[2], VA, "at the unmapped page");
    Ok(())
}

fn map_tables_are_charged_to_the_address_space_quota() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::MAP_TABLE_BUDGET, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.label, 0, "status");
    ensure_eq!(
        r.words[0],
        SysError::OutOfMemory.raw(),
        "map with an exhausted budget"
    );
    ensure_eq!(r.words[1], 0, "nothing left in the exhausted budget");
    ensure_eq!(
        r.words[2],
        0,
        "map, second map, delete ok; tables used it all"
    );
    ensure_eq!(
        r.words[3],
        4096 + 64 + 3 * 4096,
        "destroy refunds the tables"
    );
    Ok(())
}

ktest!(
    map_tables_are_charged_to_the_address_space_quota,
    frame_reports_its_physical_address_with_read,
    unmap_reaches_a_thread_on_another_cpu,
    unmap_really_revokes_access,
    read_only_frame_cannot_be_written,
    frames_are_shared_between_processes,
    quota_exhaustion_returns_out_of_memory,
    quota_split_and_delete_returns_budget,
);
