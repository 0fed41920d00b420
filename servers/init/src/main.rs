//! helix-init: the root server, started by the kernel from the first boot
//! module with every initial capability (see `helix_abi::bootinfo`).
//!
//! Design rules:
//! - No `unsafe`: the entry stub and the boot-info reader live in
//!   `helix-sys`; the only exception is the `entry!` attribute.
//! - Today it reports what it was given and waits; handing out narrower
//!   caps to the servers it starts comes with the module manager.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use helix_sys::bootinfo::BootInfo;
use helix_sys::{Cap, Notification, Untyped, println};

helix_sys::entry!(main);

/// Slot for the notification init waits on.
const SLOT_IDLE: u32 = helix_sys::caps::FIRST_FREE_SLOT;

fn main(_arg0: u64, _arg1: u64) -> ! {
    match BootInfo::read() {
        Some(info) => {
            println!(
                "init: boot info: {} modules, {} KiB memory quota, {} CPUs",
                info.module_count(),
                info.quota_bytes() >> 10,
                info.cpus()
            );
            for i in 0..info.module_count() {
                if let Some(m) = info.module(i) {
                    println!(
                        "init:   module {i}: {} ({} bytes, frame slot {}, at {:#x})",
                        m.name(),
                        m.size,
                        m.frame_slot,
                        m.addr
                    );
                }
            }
        }
        None => println!("init: no boot-info page"),
    }
    let untyped: Cap<Untyped> = Cap::from_slot(helix_sys::caps::ROOT_UNTYPED);
    match untyped.retype::<Notification>(SLOT_IDLE, 0) {
        Ok(idle) => {
            println!("init: waiting");
            loop {
                let _ = idle.wait();
            }
        }
        Err(e) => {
            println!("init: cannot make a notification: {e}");
            loop {
                helix_sys::yield_now();
            }
        }
    }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    helix_sys::rt::abort(b"init: panic\n")
}
