//! Several CPUs, the root server, SMEP/SMAP.

use helix_abi::CapRights;
use helix_abi::bootinfo::SLOT_FIRST_MODULE;
use helix_kernel_objects::ipc::IpcState;

use super::fixture::{EP, RW, run, sc};
use crate::arch::cpu;
use crate::ktest::Failure;
use crate::user::{self, smp};
use crate::{ensure, ensure_eq, kprintln, ktest};

/// A CPU slow to acknowledge a TLB shootdown (it ignores the IPI for
/// 300 ms) is waited for: the shootdown returns only after it flushed.
/// (The old code gave up after 100 ms and freed pages that CPU could
/// still reach.)
fn tlb_shootdown_waits_for_a_slow_cpu() -> Result<(), Failure> {
    if smp::online() < 2 {
        return Err(Failure::Missing("a second CPU (run with -smp 2 or more)"));
    }
    let per_ms = crate::time::clock().map_or(1, |c| c.hz / 1000).max(1);
    let stall_ms = 300;
    let start = cpu::rdtsc();
    smp::test_stall(1, start + stall_ms * per_ms, smp::SHOOTDOWN_DEADLINE_MS);
    smp::shootdown(0);
    let waited = (cpu::rdtsc() - start) / per_ms;
    let generation = smp::generation();
    smp::test_stall(1, 0, smp::SHOOTDOWN_DEADLINE_MS);
    ensure!(
        smp::acknowledged(1, generation),
        "cpu 1 flushed before the shootdown returned"
    );
    ensure!(waited >= stall_ms, "the shootdown waited for the slow cpu");
    Ok(())
}

fn smp_threads_on_two_cpus_exchange_messages() -> Result<(), Failure> {
    if smp::online() < 2 {
        return Err(Failure::Missing("a second CPU (run with -smp 2 or more)"));
    }
    let last = smp::online() as u64 - 1;
    let ((client, server), out) = run(1, 8000, |e| {
        let ep = e.endpoint()?;
        let server = e.spawn(sc::PP_SERVER, 0)?;
        let client = e.spawn(sc::PP_CLIENT, 300)?;
        e.give(&server, EP, ep, RW, 0)?;
        e.give(&client, EP, ep, CapRights::WRITE, 0)?;
        e.affinity(&server, 1)?;
        e.affinity(&client, 1 << last)?;
        Ok((client, server))
    })?;
    let r = out.of(&client, "client")?;
    ensure_eq!(r.words[0], 300, "300 round trips across CPUs");
    let cpus = user::with(|w| {
        (
            w.sys.sched.cpu_of(client.thread).unwrap_or(99),
            w.sys.sched.cpu_of(server.thread).unwrap_or(99),
        )
    });
    ensure!(
        cpus == Some((last as usize, 0)),
        "client and server on different CPUs"
    );
    Ok(())
}

fn smp_user_threads_run_on_every_cpu() -> Result<(), Failure> {
    let n = smp::online();
    let (procs, out) = run(n, 8000, |e| {
        let mut v = alloc::vec::Vec::new();
        for c in 0..n {
            let p = e.spawn(sc::COUNTER, 50)?;
            e.affinity(&p, 1 << c)?;
            v.push(p);
        }
        Ok(v)
    })?;
    for p in &procs {
        ensure_eq!(
            out.of(p, "counter")?.words[0],
            50,
            "every CPU's process finished"
        );
    }
    Ok(())
}

fn smp_thread_moves_itself_to_another_cpu() -> Result<(), Failure> {
    if smp::online() < 2 {
        return Err(Failure::Missing("a second CPU (run with -smp 2 or more)"));
    }
    let last = smp::online() - 1;
    let (p, out) = run(1, 5000, |e| e.spawn(sc::MIGRATE, 1 << last))?;
    ensure_eq!(
        out.of(&p, "process")?.words[0],
        0,
        "ThreadSetAffinity accepted"
    );
    let cpu = user::with(|w| w.sys.sched.cpu_of(p.thread).ok()).flatten();
    ensure!(cpu == Some(last), "thread now belongs to the last CPU");
    Ok(())
}

fn root_server_starts_with_boot_info() -> Result<(), Failure> {
    user::reset();
    let started = user::with(|w| user::root::boot_root(w, crate::boot::boot_info()))
        .ok_or(Failure::Missing("user world"))??;
    let (root, modules) = started;
    // The manager's start (heap, boot modules, log lines) takes a while
    // under TCG with more CPUs than host cores: run in slices until it
    // waits on its endpoint, for at most 5 s.
    for _ in 0..20 {
        user::run(None, 0, 250);
        let receiving =
            user::with(|w| matches!(w.sys.ipc.state(root.thread), Ok(IpcState::Receiving { .. })));
        if receiving == Some(true) {
            break;
        }
    }
    let state = user::with(|w| {
        (
            w.sys.ipc.state(root.thread),
            w.sys.caps.cap(helix_kernel_objects::cap::SlotAddr::new(
                root.cspace,
                SLOT_FIRST_MODULE,
            )),
        )
    })
    .ok_or(Failure::Missing("user world"))?;
    ensure!(
        matches!(state.0, Ok(IpcState::Receiving { .. })),
        "the root server (the module manager) waits on its endpoint"
    );
    ensure!(
        state.1.is_ok_and(|c| c.rights == CapRights::READ),
        "module frame is read-only"
    );
    ensure_eq!(
        modules + 1,
        crate::boot::boot_info().module_count(),
        "every other module described"
    );
    Ok(())
}

fn smep_and_smap_are_on() -> Result<(), Failure> {
    let (smep, smap) = crate::arch::usercopy::smep_smap_enabled();
    let ebx = crate::arch::cpu::cpuid(7, 0).ebx;
    ensure_eq!(smep, ebx & (1 << 7) != 0, "SMEP on iff the CPU has it");
    ensure_eq!(smap, ebx & (1 << 20) != 0, "SMAP on iff the CPU has it");
    Ok(())
}

/// Free frames used by a world whose one process made and destroyed
/// `rounds` processes running on the last CPU, and the tables still
/// waiting for a CPU to switch away.
fn churn(rounds: u64) -> Result<(u64, usize), Failure> {
    let free = || crate::mem::frames::stats().map_or(0, |s| s.1);
    let last = smp::online() - 1;
    let mut before = 0;
    let (p, out) = run(1, 30_000, |e| {
        before = free();
        let p = e.spawn(sc::CHURN, 1 << last | rounds << 32)?;
        e.untyped(&p, 256 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "churner")?;
    ensure_eq!(r.label, 0, "status");
    ensure_eq!(r.words[0], rounds, "rounds done");
    ensure_eq!(r.words[1], 0, "every child ran before it was destroyed");
    let zombies = user::with(|w| w.m.zombies()).unwrap_or(usize::MAX);
    Ok((before.saturating_sub(free()), zombies))
}

fn smp_destroyed_processes_tables_are_freed() -> Result<(), Failure> {
    if smp::online() < 2 {
        return Err(Failure::Missing("a second CPU (run with -smp 2 or more)"));
    }
    let (used1, _) = churn(1)?;
    let (used40, zombies) = churn(40)?;
    kprintln!("frames in use after 1 destroyed process: {used1}, after 40: {used40}");
    ensure_eq!(zombies, 0, "no tables left waiting");
    ensure_eq!(
        used40,
        used1,
        "40 destroyed processes leave no frames behind"
    );
    Ok(())
}

ktest!(
    tlb_shootdown_waits_for_a_slow_cpu,
    smp_destroyed_processes_tables_are_freed,
    smp_threads_on_two_cpus_exchange_messages,
    smp_user_threads_run_on_every_cpu,
    smp_thread_moves_itself_to_another_cpu,
    root_server_starts_with_boot_info,
    smep_and_smap_are_on,
);
