//! helix-usertest: the ring-3 program behind the in-QEMU kernel scenarios.
//! The kernel test spawns it (often several times, in separate address
//! spaces) with a scenario number in its first argument, places the caps
//! the scenario needs in fixed slots ([`slots`]), and reads the outcome
//! from the message the program finally sends on its REPORT endpoint
//! (label = 0 for success or an error code, words = observations).
//!
//! Design rules:
//! - Only the `hw` module may use `unsafe` (raw memory probes and faulting
//!   instructions); everything else goes through `helix-sys`.
//! - A scenario never trusts itself: it reports what it saw and the kernel
//!   test decides.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod bench;
mod caps;
mod churn;
mod faults;
mod hostile;
mod hw;
mod ipc;
mod mem;
mod threads;

use helix_sys::{Cap, Endpoint, Message, SysError};

helix_sys::entry!(main);

/// Slot numbers the kernel tests fill (kept in step with
/// `microkernel/src/tests/user/fixture.rs`).
pub mod slots {
    /// Own AddressSpace (kernel-made processes).
    pub const ASPACE: u32 = 0;
    /// Own Thread.
    pub const THREAD: u32 = 1;
    /// Where the outcome is sent.
    pub const REPORT: u32 = 2;
    /// A memory quota.
    pub const UNTYPED: u32 = 3;
    /// The scenario's endpoint.
    pub const EP: u32 = 4;
    /// The scenario's notification.
    pub const NTFN: u32 = 5;
    /// A second endpoint.
    pub const EP2: u32 = 6;
    /// IRQ control.
    pub const IRQ_CONTROL: u32 = 7;
    /// I/O ports.
    pub const IO_PORTS: u32 = 8;
    /// First slot a scenario may fill itself.
    pub const FREE: u32 = 16;
}

/// Send the outcome and stop here.
pub fn report(status: u64, words: &[u64]) -> ! {
    let r: Cap<Endpoint> = Cap::from_slot(slots::REPORT);
    let _ = r.send(&Message::new(status, words));
    loop {
        helix_sys::yield_now();
    }
}

/// The code of an error (0 for success).
pub fn code<T>(r: Result<T, SysError>) -> u64 {
    match r {
        Ok(_) => 0,
        Err(e) => e.raw(),
    }
}

fn main(scenario: u64, param: u64) -> ! {
    match scenario {
        0 => report(0, &[param, 42]),
        1 => ipc::debug_write_checks(),
        2 => ipc::ping_pong_server(),
        3 => ipc::ping_pong_client(param),
        4 => ipc::send_expect_error(),
        5 => ipc::recv_expect_error(),
        6 => ipc::badge_server(param),
        7 => ipc::badge_client(param),
        8 => ipc::long_server(),
        9 => ipc::long_client(param),
        10 => caps::grant_sender(),
        11 => caps::grant_receiver(),
        13 => caps::revoke_local(),
        14 => caps::revoke_holder(),
        15 => faults::faulter(param),
        16 => faults::handler(),
        17 => faults::restart_handler(),
        18 => threads::preemption(),
        19 => ipc::timeout(),
        20 => ipc::non_blocking(),
        21 => ipc::notifications(),
        22 => mem::unmap_then_touch(),
        23 => mem::read_only_mapping(),
        24 => mem::share_sender(),
        25 => mem::share_receiver(),
        26 => mem::quota_exhaustion(),
        27 => mem::quota_split(),
        28 => threads::local_thread(),
        29 => threads::suspend_resume(),
        30 => threads::priorities(),
        31 => ipc::counter(param),
        32 => hostile::run(),
        33 => faults::irq_notification(param),
        34 => faults::ports(),
        35 => threads::yield_pair(param),
        36 => caps::identify_and_mint(),
        37 => caps::revoke_owner(),
        38 => faults::pager(),
        39 => faults::destroy_handler(),
        44 => threads::migrate(param),
        45 => threads::destroy_thread(),
        46 => mem::frame_phys(),
        47 => threads::shootdown(param),
        48 => mem::map_table_budget(),
        49 => churn::run(param),
        50 => threads::mcp(),
        51 => faults::port_bitmap_user(),
        52 => faults::port_bitmap_owner(),
        53 => ipc::long_send_without_buffer(),
        54 => ipc::long_recv_without_buffer(),
        55 => ipc::long_server_twice(),
        56 => threads::two_threads_own_buffers(),
        40 => bench::null_syscall(),
        41 => bench::call_reply(),
        42 => bench::yield_switch(),
        43 => bench::yield_forever(),
        _ => report(SysError::InvalidArgument.raw(), &[scenario]),
    }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    helix_sys::rt::abort(b"usertest: panic\n")
}
