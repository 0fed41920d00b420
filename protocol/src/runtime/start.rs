//! Entry glue: what runs between `helix-sys`'s `_start` and a server's
//! `helix_module_entry` (or a program's `main`). Used through
//! [`server_main!`](crate::server_main) and
//! [`program_main!`](crate::program_main), which keep server crates free
//! of `unsafe`.
#![forbid(unsafe_code)]

use helix_sys::Cap;

use super::ipc::IpcChannel;
use super::process::{self, exit, exit_code, labels, slots};
use crate::server::LoopExit;
use crate::v1::ModuleContext;

fn setup(name: &'static str, arg0: u64) {
    super::heap::init();
    process::set_identity(name, arg0);
    super::log::install(log::LevelFilter::Info);
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
    setup(name, arg0);
    let ctx = process::context(arg0, arg1);
    log::info!("{name}: serving");
    let end = entry(&ctx, IpcChannel::new(Cap::from_slot(slots::SERVICE)));
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
    setup(name, arg0);
    let ctx = process::context(arg0, arg1);
    match main(&ctx) {
        0 => exit(labels::OK, 0),
        status => exit(labels::FAILED, status),
    }
}
