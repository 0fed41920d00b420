//! The hot-reload benchmark (`make bench`): fills the `kv` store to a
//! state of about 0, 4 KiB, 1 MiB and 16 MiB and reloads it (kvstore.elf
//! over itself, so only the transfer varies) a few times at each size,
//! checking each reload carried the state. The module manager measures
//! each reload's downtime and prints the figures when this program ends.
//! Exit status 0 when every reload held, else the size step that failed.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::format;

use helix_kvstore::KvClient;
use helix_protocol::ModuleContext;
use helix_protocol::interfaces::modmgr::ManagerClient;
use helix_protocol::runtime::IpcTransport;
use helix_protocol::runtime::prelude::log;
use helix_sys::Cap;

helix_protocol::helix_program! {
    name: "reloadbench",
    version: "1.0.0",
    author: "Helix",
    description: "Benchmark: hot-reload downtime by state size",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [],
}

/// Bytes of one value.
const VALUE: usize = 64 << 10;
/// (state bytes to reach, reloads at that size).
const SIZES: &[(usize, u32)] = &[(0, 20), (4 << 10, 20), (1 << 20, 10), (16 << 20, 3)];

fn run(ctx: &ModuleContext) -> u64 {
    let (Some(mgr), Some(kv)) = (ctx.cap("mgr"), ctx.cap("kv")) else {
        log::error!(target: "reloadbench", "needs caps mgr (modmgr) and kv (client kv)");
        return 100;
    };
    let mut mgr = ManagerClient::new(IpcTransport::new(Cap::from_slot(mgr.slot)));
    let mut kv = KvClient::new(IpcTransport::new(Cap::from_slot(kv.slot)));
    let mut filled = 0usize;
    for (step, &(bytes, reloads)) in SIZES.iter().enumerate() {
        let step = step as u64 + 1;
        while filled < bytes {
            let n = (bytes - filled).min(VALUE);
            if let Err(e) = kv.put(format!("fill/{filled}"), alloc::vec![0xa5; n]) {
                log::error!(target: "reloadbench", "fill to {bytes} bytes: {e:?}");
                return step;
            }
            filled += n;
        }
        for i in 0..reloads {
            match mgr.reload("kvstore".into(), "kvstore.elf".into()) {
                Ok(r) if r.state_preserved && r.state_bytes as usize >= bytes => log::info!(
                    target: "reloadbench",
                    "{bytes} bytes: reload {i}: {} state bytes, downtime {} us",
                    r.state_bytes,
                    r.downtime_us
                ),
                other => {
                    log::error!(target: "reloadbench", "{bytes} bytes: reload {i}: {other:?}");
                    return step;
                }
            }
        }
    }
    0
}

helix_protocol::program_main!("reloadbench", run);
