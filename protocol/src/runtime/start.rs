//! Entry glue: what runs between `helix-sys`'s `_start` and a server's
//! `helix_module_entry` (or a program's `main`). Used through
//! [`server_main!`](crate::server_main) and
//! [`program_main!`](crate::program_main), which keep server crates free
//! of `unsafe`.
#![forbid(unsafe_code)]

use helix_sys::Cap;

use super::heap::HeapBudget;
use super::ipc::IpcChannel;
use super::process::{self, exit, exit_code, labels, slots};
use super::startinfo::{START_INFO_SIZE, StartInfo};
use crate::server::LoopExit;
use crate::v1::ModuleContext;

/// Heap, identity, logger and the module's context: from the start-info
/// page when the module manager started the process (its start words say
/// so), else from the two start words `[module id, parameter]` (processes
/// the kernel's tests start). A start-info page that does not decode ends
/// the process with a report.
fn setup(name: &'static str, arg0: u64, arg1: u64) -> (ModuleContext, u32, Option<u32>) {
    super::heap::init();
    super::log::install(log::LevelFilter::Info);
    let mut page = [0u8; START_INFO_SIZE];
    if !helix_sys::bootinfo::read_start_page(arg0, arg1, &mut page) {
        process::set_identity(name, arg0);
        process::split_free_slots(slots::FREE_FIRST, slots::FREE_COUNT);
        return (process::context(arg0, arg1), slots::SERVICE, None);
    }
    match StartInfo::decode(&page) {
        Ok(info) => {
            process::set_identity(name, info.module_id);
            let (first_slot, slots) =
                process::split_free_slots(info.slots.free_first, info.slots.free_count);
            if let Some(memory) = info.slots.memory {
                super::heap::install(HeapBudget {
                    memory,
                    aspace: info.slots.aspace,
                    window: info.heap.start,
                    window_bytes: info.heap.max_bytes,
                    first_slot,
                    slots,
                });
            }
            let service = info.slots.service.unwrap_or(slots::SERVICE);
            (info.context(), service, info.slots.control)
        }
        Err(e) => {
            process::set_identity(name, 0);
            log::error!("{name}: bad start-info page: {e}");
            exit(labels::FAILED, 0)
        }
    }
}

/// Run a server process: heap, logger, context, then `entry` (a
/// module's `helix_module_entry`) on the service endpoint; report how the
/// loop ended and exit.
pub fn serve(
    name: &'static str,
    arg0: u64,
    arg1: u64,
    entry: impl FnOnce(&ModuleContext, IpcChannel) -> LoopExit,
) -> ! {
    let (ctx, service, control) = setup(name, arg0, arg1);
    log::debug!("{name}: serving");
    let mut channel = IpcChannel::new(Cap::from_slot(service));
    if let Some(c) = control {
        channel = channel.with_control(Cap::from_slot(c));
    }
    let end = entry(&ctx, channel);
    log::info!("{name}: server loop ended: {end:?}");
    let (label, detail) = exit_code(end);
    exit(label, detail)
}

/// Run a program (a client, a tool): heap, logger, context, then `main`;
/// status 0 reports [`labels::OK`], anything else [`labels::FAILED`].
pub fn program(
    name: &'static str,
    arg0: u64,
    arg1: u64,
    main: impl FnOnce(&ModuleContext) -> u64,
) -> ! {
    let (ctx, _, _) = setup(name, arg0, arg1);
    match main(&ctx) {
        0 => exit(labels::OK, 0),
        status => exit(labels::FAILED, status),
    }
}
