//! helix-kvclient: calls the kvstore server on its service endpoint
//! through the typed `kv` client, checks every answer, and prints
//! `kvclient: ok <n> operations` (or `kvclient: FAILED: ...`) on the debug
//! console; the exit report carries the status. With `param=1` it
//! floods the store instead, until the store runs out of memory; with
//! `param=2` it hot-reloads one store into another over the control
//! protocol (playing the module manager); with `param=3` it times typed
//! `kv.len()` round trips and reports `[median, min, runs]` (`bench`).
//! With `shared=1` the session allows other clients' keys in the store
//! (its `len` checks become lower bounds).
//!
//! Design rules:
//! - No `unsafe`: the runtime in `helix-protocol` owns the entry, heap and
//!   panic handler; `helix-sys` the syscalls.
//! - Every answer is checked against what a correct store must say; the
//!   first difference is the failure.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

use helix_kvstore::KvClient;
use helix_protocol::ModuleContext;
use helix_protocol::client::ControlClient;
use helix_protocol::runtime::{IpcTransport, slots};
use helix_sys::{Cap, println};

use session::{KEYS, Sharing, flood, session};

mod bench;
mod reload;
mod session;

fn transport(slot: u32) -> IpcTransport {
    IpcTransport::new(Cap::from_slot(slot))
}

/// `param=0`: the checked session; `param=1`: [`flood`]; `param=2`:
/// [`reload::reload`]; `param=3`: [`bench::typed_round_trip`]. The store
/// is the manifest's `kv` cap when the module manager started us, else
/// the service slot the kernel's tests fill.
fn run(ctx: &ModuleContext) -> u64 {
    let store = ctx.cap("kv").map_or(slots::SERVICE, |c| c.slot);
    let mut kv = KvClient::new(transport(store));
    let result = match ctx.arg("param") {
        Some("1") => Err(flood(&mut kv)),
        Some("2") => reload::reload(&mut reload::Stores {
            old: kv,
            old_control: ControlClient::new(transport(reload::OLD_CONTROL)),
            new_control: ControlClient::new(transport(reload::NEW_CONTROL)),
            new: KvClient::new(transport(reload::NEW_SERVICE)),
        }),
        Some("3") => bench::typed_round_trip(&mut kv),
        _ if ctx.arg("shared") == Some("1") => session(&mut kv, KEYS, Sharing::Shared),
        _ => session(&mut kv, KEYS, Sharing::Alone),
    };
    match result {
        Ok(n) => {
            println!("kvclient: ok {n} operations");
            0
        }
        Err(e) => {
            println!("kvclient: FAILED: {e}");
            1
        }
    }
}

helix_protocol::helix_program! {
    name: "kvclient",
    version: "1.0.0",
    author: "Helix",
    description: "Checks the kv interface of a store, answer by answer",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [("kvstore", "^1.0")],
}

helix_protocol::program_main!("kvclient", run);
