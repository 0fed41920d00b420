//! Threads: preemption, timeouts, suspend/resume, priorities, yield,
//! notifications, non-blocking calls.

use helix_abi::{CapRights, SysError};

use super::fixture::{EP, RW, run, sc};
use crate::ktest::Failure;
use crate::{ensure, ensure_eq, ktest};

fn preemption_lets_equal_priority_spinners_both_progress() -> Result<(), Failure> {
    let (p, out) = run(1, 5000, |e| {
        let p = e.spawn(sc::PREEMPTION, 0)?;
        e.untyped(&p, 256 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "supervisor")?;
    ensure_eq!(r.words[3], 0, "both threads started");
    ensure_eq!(
        r.words[2],
        SysError::TimedOut.raw(),
        "supervisor slept with a timeout"
    );
    ensure!(r.words[0] > 1000, "spinner 0 progressed");
    ensure!(r.words[1] > 1000, "spinner 1 progressed");
    Ok(())
}

fn ipc_timeout_ends_a_blocked_receive() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::TIMEOUT, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[0], 0, "timeout set");
    ensure_eq!(r.words[1], SysError::TimedOut.raw(), "TimedOut");
    Ok(())
}

fn non_blocking_calls_would_block() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(sc::NON_BLOCKING, 0)?;
        e.give(&p, EP, ep, CapRights::READ.union(CapRights::WRITE), 0)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[0], SysError::WouldBlock.raw(), "nb_send");
    ensure_eq!(r.words[1], SysError::WouldBlock.raw(), "nb_recv");
    Ok(())
}

fn notifications_signal_poll_wait() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::NOTIFICATIONS, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[0], 0, "signal");
    ensure_eq!(r.words[1], 0b101, "poll returns the bits");
    ensure_eq!(r.words[2], 0, "poll cleared them");
    ensure_eq!(
        r.words[3],
        0b10 | (SysError::InvalidArgument.raw() << 32),
        "wait returns bits; zero bits refused"
    );
    Ok(())
}

fn thread_started_by_a_process_runs() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::LOCAL_THREAD, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[1], 0, "thread started");
    ensure_eq!(r.words[0], 0b1000, "its signal arrived");
    Ok(())
}

/// Each thread of a process uses its own IPC buffer (helix-sys reaches it
/// through FS, which the kernel loads per thread). With one fixed buffer
/// address the second thread's words landed in the first thread's page.
fn each_thread_has_its_own_ipc_buffer() -> Result<(), Failure> {
    let ((client, server), out) = run(2, 4000, |e| {
        let ep = e.endpoint()?;
        let server = e.spawn(sc::LONG_SERVER_TWICE, 0)?;
        let client = e.spawn(sc::TWO_THREAD_BUFFERS, 0)?;
        e.untyped(&client, 128 * 1024)?;
        e.give(&server, EP, ep, RW, 0)?;
        e.give(&client, EP, ep, CapRights::WRITE, 0)?;
        Ok((client, server))
    })?;
    let s = out.of(&server, "server")?;
    // Second thread: 1..=4 + (1000 + i for i in 4..40); main: 1..=40.
    ensure_eq!(
        s.words[0],
        36_784,
        "second thread's words from its own buffer"
    );
    ensure_eq!(
        s.words[1],
        820,
        "main thread's words untouched by the second"
    );
    let c = out.of(&client, "client")?;
    ensure_eq!(c.words[0], 36_784, "second thread got its reply");
    ensure_eq!(c.words[1], 820, "main thread got its reply");
    Ok(())
}

fn suspend_stops_and_resume_restarts_a_thread() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::SUSPEND_RESUME, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(
        r.words[0],
        SysError::InvalidState.raw() << 16,
        "suspend, resume ok; resuming a running thread refused"
    );
    ensure!(r.words[1] > 0, "spinner ran before the suspend");
    ensure_eq!(r.words[2], r.words[1], "no progress while suspended");
    ensure!(r.words[3] > r.words[2], "progress after the resume");
    Ok(())
}

fn higher_priority_thread_runs_first() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::PRIORITIES, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[1], 3, "both threads signalled");
    ensure_eq!(r.words[0], 0x21, "priority 150 ran before priority 120");
    Ok(())
}

fn yield_alternates_two_processes() -> Result<(), Failure> {
    let ((a, b), out) = run(2, 3000, |e| {
        let a = e.spawn(sc::YIELD_PAIR, 500)?;
        let b = e.spawn(sc::YIELD_PAIR, 500)?;
        Ok((a, b))
    })?;
    ensure_eq!(out.of(&a, "a")?.words[0], 500, "a done");
    ensure_eq!(out.of(&b, "b")?.words[0], 500, "b done");
    Ok(())
}

fn deleting_the_last_thread_cap_destroys_the_thread() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::DESTROY_THREAD, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[0], 0, "delete succeeded");
    ensure!(r.words[1] > 0, "thread ran before");
    ensure_eq!(r.words[2], r.words[1], "thread gone: no progress");
    ensure_eq!(r.words[3], SysError::EmptySlot.raw(), "slot empty");
    Ok(())
}

fn priority_is_bounded_by_the_max_controlled_priority() -> Result<(), Failure> {
    let (p, out) = run(1, 3000, |e| {
        let p = e.spawn(sc::MCP, 0)?;
        e.untyped(&p, 64 * 1024)?;
        Ok(p)
    })?;
    let r = out.of(&p, "process")?;
    ensure_eq!(r.words[0], 0, "MCP 100 given, thread started");
    let no = SysError::NoRights.raw();
    let want = no | (no << 16) | (no << 32);
    ensure_eq!(
        r.words[1],
        want,
        "priority 150 refused, 100 ok, MCP 200 refused, MCP 50 ok, priority 60 refused"
    );
    Ok(())
}

ktest!(
    each_thread_has_its_own_ipc_buffer,
    priority_is_bounded_by_the_max_controlled_priority,
    deleting_the_last_thread_cap_destroys_the_thread,
    preemption_lets_equal_priority_spinners_both_progress,
    ipc_timeout_ends_a_blocked_receive,
    non_blocking_calls_would_block,
    notifications_signal_poll_wait,
    thread_started_by_a_process_runs,
    suspend_stops_and_resume_restarts_a_thread,
    higher_priority_thread_runs_first,
    yield_alternates_two_processes,
);
