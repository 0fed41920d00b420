//! The hot-reload and self-healing system test, driven through the
//! module manager's interface while two `kvstream` clients stream to the
//! store: 100 reloads alternating kvstore 1.0.0 and 1.0.1 (whose state
//! formats differ), refusals before anything stops, rollbacks, a failed
//! rollback healed by a restart, the final state against every request,
//! and a crash mid-stream healed from a checkpoint. Exit status 0 when
//! every check held, else the number of the step that failed.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

mod steps;

use helix_kvstore::KvClient;
use helix_protocol::ModuleContext;
use helix_protocol::interfaces::modmgr::ManagerClient;
use helix_protocol::runtime::IpcTransport;
use helix_protocol::runtime::prelude::log;
use helix_sys::Cap;
use helix_sysmods::Sleeper;

helix_protocol::helix_program! {
    name: "reloader",
    version: "1.0.0",
    author: "Helix",
    description: "System test: hot reloads, rollbacks and crashes of kvstore under load",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [],
}

/// What the steps work with.
pub struct World {
    /// The module manager (`modmgr` cap).
    pub mgr: ManagerClient<IpcTransport>,
    /// The store (`kv` cap).
    pub kv: KvClient<IpcTransport>,
    /// For waiting.
    pub sleep: Sleeper,
}

fn run(ctx: &ModuleContext) -> u64 {
    let (Some(mgr), Some(kv)) = (ctx.cap("mgr"), ctx.cap("kv")) else {
        log::error!(target: "reloader", "needs caps mgr (modmgr) and kv (client kv)");
        return 100;
    };
    let sleep = match Sleeper::new(ctx) {
        Ok(s) => s,
        Err(e) => {
            log::error!(target: "reloader", "{e}");
            return 100;
        }
    };
    let mut w = World {
        mgr: ManagerClient::new(IpcTransport::new(Cap::from_slot(mgr.slot))),
        kv: KvClient::new(IpcTransport::new(Cap::from_slot(kv.slot))),
        sleep,
    };
    match steps::all(&mut w) {
        Ok(()) => {
            log::info!(target: "reloader", "every check held");
            0
        }
        Err(f) => {
            log::error!(target: "reloader", "step {} FAILED: {}", f.step, f.why);
            f.step
        }
    }
}

helix_protocol::program_main!("reloader", run);
