//! A client streaming numbered requests to the `kv` store: `put("stream/
//! <id>", n)` for n = 1, 2, ..., each answer must be exactly the value it
//! replaced (n - 1; none for n = 1): every request answered once, in
//! order, nothing lost, whatever the store goes through (hot reloads).
//! Every 32 requests it reads `ctl/stop`; once that key exists it writes
//! `stream/<id>/done` = n and exits 0. Any error or wrong answer ends it
//! with a status naming it (1 wrong answer, 2 a call error, 3 bad args).
//!
//! Args: `id=<n>` (which stream), `pace_ms=<ms>` (sleep between requests,
//! needs a `mem` cap; default 0).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::format;
use alloc::vec::Vec;

use helix_kvstore::KvClient;
use helix_protocol::ModuleContext;
use helix_protocol::runtime::IpcTransport;
use helix_protocol::runtime::prelude::log;
use helix_sys::Cap;
use helix_sysmods::Sleeper;

helix_protocol::helix_program! {
    name: "kvstream",
    version: "1.0.0",
    author: "Helix",
    description: "Streams numbered requests to the kv store and checks each answer",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [],
}

/// Requests between two reads of `ctl/stop`.
const STOP_EVERY: u64 = 32;

fn bytes(n: u64) -> Vec<u8> {
    n.to_le_bytes().to_vec()
}

fn run(ctx: &ModuleContext) -> u64 {
    let (Some(id), Some(kv)) = (ctx.arg("id"), ctx.cap("kv")) else {
        log::error!(target: "kvstream", "needs arg id=<n> and cap kv");
        return 3;
    };
    let pace: u64 = ctx.arg("pace_ms").and_then(|p| p.parse().ok()).unwrap_or(0);
    let sleeper = match (pace, Sleeper::new(ctx)) {
        (0, _) => None,
        (_, Ok(s)) => Some(s),
        (_, Err(e)) => {
            log::error!(target: "kvstream", "pace_ms needs a sleeper: {e}");
            return 3;
        }
    };
    let mut kv = KvClient::new(IpcTransport::new(Cap::from_slot(kv.slot)));
    let key = format!("stream/{id}");
    log::info!(target: "kvstream", "stream {id} starts");
    let mut n: u64 = 1;
    loop {
        let want = (n > 1).then(|| bytes(n - 1));
        match kv.put(key.clone(), bytes(n)) {
            Ok(got) if got == want => {}
            Ok(got) => {
                log::error!(target: "kvstream", "stream {id} request {n}: expected {want:?}, got {got:?}");
                return 1;
            }
            Err(e) => {
                log::error!(target: "kvstream", "stream {id} request {n}: {e:?}");
                return 2;
            }
        }
        if n.is_multiple_of(STOP_EVERY) && kv.get("ctl/stop".into()).is_ok() {
            if let Err(e) = kv.put(format!("{key}/done"), bytes(n)) {
                log::error!(target: "kvstream", "stream {id}: done not written: {e:?}");
                return 2;
            }
            log::info!(target: "kvstream", "stream {id}: {n} requests, each answered once and in order");
            return 0;
        }
        if let Some(s) = &sleeper {
            s.sleep(pace);
        }
        n += 1;
    }
}

helix_protocol::program_main!("kvstream", run);
