//! helix-modmgr (binary): the root server. It starts with every initial
//! capability (all free memory, IRQ control, every I/O port, the boot
//! modules), reads the boot manifest, starts its modules as isolated
//! servers in dependency order, and then serves the `modmgr` interface:
//! the name service, the console's commands, and the reports and faults
//! of the processes it started.
//!
//! Design rules:
//! - The logic is this crate's library (tested on the host); this binary
//!   only wires it to syscalls. No `unsafe`: copies into frames go through
//!   `helix-sys`'s frame window.
//! - Every process it starts gets its own memory budget, from which all
//!   of it is made, and only the caps its manifest entry names.
//! - It never waits on a server without a timeout.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

mod boot;
mod clock;
mod control;
mod figures;
mod heal;
mod manager;
mod reload;
mod requests;
mod serve;
mod slots;
mod snapshot;
mod spawn;
mod tick;
mod verdict;

use helix_abi::bootinfo::{SLOT_ASPACE, SLOT_UNTYPED};
use helix_protocol::ModuleContext;
use helix_protocol::runtime::{HeapBudget, install_heap};
use helix_sys::bootinfo::BootInfo;
use helix_sys::{Cap, Endpoint, Untyped};

use manager::Manager;
use slots::{HEAP_SLOTS, Slots};
use spawn::Env;

/// Where the manager's own heap grows.
const HEAP_WINDOW: u64 = 0x0000_1000_0000_0000;
/// Most bytes of it. A reload holds the module's state (up to 64 MiB,
/// `MAX_TRUSTED_FRAME`) in about three copies at its peak: the reply as
/// received, the decoded snapshot and the restore request.
const HEAP_MAX: u64 = 256 << 20;
/// The share of the manager's memory its heap may take (the rest is for
/// the modules it starts).
const HEAP_SHARE: u64 = 4;

fn run(_ctx: &ModuleContext) -> u64 {
    let Some(boot) = BootInfo::read() else {
        log::error!(target: "modmgr", "no boot-info page: not started as the root server");
        return 1;
    };
    clock::init(boot.tsc_hz());
    let memory: Cap<Untyped> = Cap::from_slot(SLOT_UNTYPED);
    let heap = (boot.quota_bytes() / HEAP_SHARE).min(HEAP_MAX) & !0xfff;
    match memory.split(HEAP_SLOTS.0, heap) {
        Ok(_) => install_heap(HeapBudget {
            memory: HEAP_SLOTS.0,
            aspace: SLOT_ASPACE,
            window: HEAP_WINDOW,
            window_bytes: heap,
            first_slot: HEAP_SLOTS.0 + 1,
            slots: HEAP_SLOTS.1 - 1,
        }),
        Err(e) => log::warn!(target: "modmgr", "no heap budget ({e}): the seed arena only"),
    }
    let mut slots = Slots::new();
    let endpoint: Cap<Endpoint> = match slots.take().map(|s| memory.retype(s, 0)) {
        Ok(Ok(ep)) => ep,
        _ => {
            log::error!(target: "modmgr", "cannot make the manager's endpoint");
            return 1;
        }
    };
    log::info!(
        target: "modmgr",
        "root server: {} boot modules, {} MiB of memory, {} CPUs",
        boot.module_count(),
        boot.quota_bytes() >> 20,
        boot.cpus()
    );
    let env = Env {
        memory,
        aspace: Cap::from_slot(SLOT_ASPACE),
        endpoint,
    };
    let mut m = Manager::new(env, boot, slots);
    boot::run(&mut m);
    serve::serve(&mut m)
}

helix_protocol::program_main!("modmgr", run);
