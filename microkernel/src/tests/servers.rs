//! Servers built on the helix-protocol runtime, as separate ring-3
//! processes: the example kvstore answers the typed kvclient through the
//! runtime's IPC transport, a store's state moves to a new instance over
//! the hot-reload control messages, and a server that panics is reported
//! to the root endpoint while the kernel keeps running.
//!
//! The test plays the root server. Slots, report labels and the manager
//! badge are the runtime's process conventions (`helix_abi::process`):
//! report endpoint in slot 2, service endpoint in slot 4; start words
//! `[module id, param]`.

use alloc::vec::Vec;

use helix_abi::process::MANAGER_BADGE;
use helix_abi::process::labels::{OK, PANIC};
use helix_abi::process::slots::{REPORT, SERVICE};
use helix_abi::{CapRights, CapType};
use helix_kernel_objects::cap::{Cap, SlotAddr};
use helix_kernel_objects::table::ThreadId;

use crate::boot::boot_info;
use crate::ktest::Failure;
use crate::user::{self, Proc};
use crate::{ensure, ensure_eq, ktest};

/// CSpace slots of a runtime process.
const SLOTS: usize = 256;
/// Fault endpoint slot (left empty: a fault suspends the thread).
const FAULT: u32 = 9;

/// What a process sent on the report endpoint: label and words 0..4.
type Report = (u64, [u64; 4]);

/// The image of the boot module whose path ends with `suffix`.
fn module(suffix: &'static str) -> Result<&'static [u8], Failure> {
    boot_info()
        .modules()
        .find(|m| m.path.ends_with(suffix))
        .map(|m| m.data)
        .ok_or(Failure::Missing(suffix))
}

/// Stores and a client, and the reports of one run.
struct Run {
    stores: Vec<Proc>,
    client: Proc,
    reports: Vec<(ThreadId, Report)>,
}

impl Run {
    fn of(&self, p: &Proc) -> Option<Report> {
        self.reports
            .iter()
            .find(|(t, _)| *t == p.thread)
            .map(|(_, r)| *r)
    }
}

/// Start one kvstore per id in `store_ids` (each serving its own
/// endpoint) and a kvclient (`client_id`, `param`); every process gets a
/// send-only cap to the report endpoint. The client's caps: slot
/// [`SERVICE`] the first store (send only); with two stores also slots
/// 5 and 6 the first and second store badged [`MANAGER_BADGE`], slot 7
/// the second store. With `cpu`, every process runs on that CPU only.
/// Runs until `want` processes report.
fn start(
    store_ids: &[u64],
    client_id: u64,
    param: u64,
    want: usize,
    cpu: Option<u64>,
) -> Result<Run, Failure> {
    user::reset();
    let (stores, client, report) = user::with(|w| -> Result<_, Failure> {
        let holder = w.sys.caps.create_space(1 + store_ids.len())?;
        let report = w.sys.ipc.create_endpoint()?;
        for slot in 0..=store_ids.len() {
            let obj = if slot == 0 {
                report
            } else {
                w.sys.ipc.create_endpoint()?
            };
            let cap = Cap::new(obj, CapType::Endpoint, CapRights::ALL);
            w.sys
                .caps
                .insert_original(SlotAddr::new(holder, slot as u32), cap, None)?;
        }
        let rw = CapRights::READ.union(CapRights::WRITE);
        let send = CapRights::WRITE;
        let give = |w: &mut user::World, p: &Proc, slot, from, rights, badge| {
            w.sys.caps.mint(
                SlotAddr::new(holder, from),
                SlotAddr::new(p.cspace, slot),
                rights,
                badge,
            )
        };
        let mut stores = Vec::new();
        for (k, id) in store_ids.iter().enumerate() {
            let p = w.spawn(module("/kvstore.elf")?, SLOTS, [*id, 0], Some(FAULT))?;
            give(w, &p, REPORT, 0, send, 0)?;
            give(w, &p, SERVICE, k as u32 + 1, rw, 0)?;
            stores.push(p);
        }
        let client = w.spawn(
            module("/kvclient.elf")?,
            SLOTS,
            [client_id, param],
            Some(FAULT),
        )?;
        give(w, &client, REPORT, 0, send, 0)?;
        give(w, &client, SERVICE, 1, send, 0)?;
        if store_ids.len() == 2 {
            give(w, &client, 5, 1, send, MANAGER_BADGE)?;
            give(w, &client, 6, 2, send, MANAGER_BADGE)?;
            give(w, &client, 7, 2, send, 0)?;
        }
        if let Some(cpu) = cpu {
            for p in stores.iter().chain([&client]) {
                w.sys.sched.set_affinity(p.thread, 1 << cpu)?;
            }
        }
        Ok((stores, client, report))
    })
    .ok_or(Failure::Missing("user world"))??;
    let o = user::run(Some(report), want, 20_000);
    let reports: Vec<(ThreadId, Report)> = user::with(|w| {
        w.reports(report)
            .into_iter()
            .filter_map(|t| {
                let c = w.m.tcb(t)?.ctx;
                Some((t, (c.rsi >> 16, [c.rdx, c.r10, c.r8, c.r9])))
            })
            .collect()
    })
    .unwrap_or_default();
    if o.timed_out {
        return Err(Failure::UserTimeout {
            got: reports.len(),
            want,
        });
    }
    Ok(Run {
        stores,
        client,
        reports,
    })
}

fn kvstore_serves_kvclient_across_address_spaces() -> Result<(), Failure> {
    let r = start(&[1], 2, 0, 1, None)?;
    ensure!(r.client.aspace != r.stores[0].aspace, "two address spaces");
    ensure!(r.of(&r.stores[0]).is_none(), "the server did not exit");
    let (label, words) = r.of(&r.client).ok_or(Failure::NoReport("kvclient"))?;
    ensure_eq!(label, OK, "kvclient exit label (0 = every answer checked)");
    ensure_eq!(words[0], 2, "kvclient's module id");
    Ok(())
}

fn panicking_server_is_reported_and_the_system_stays_up() -> Result<(), Failure> {
    // The client floods the store until its heap runs out: the store panics.
    let r = start(&[3], 4, 1, 1, None)?;
    let (label, words) = r
        .of(&r.stores[0])
        .ok_or(Failure::NoReport("kvstore panic"))?;
    ensure_eq!(label, PANIC, "report label");
    ensure_eq!(words[0], 3, "the panicking module's id");
    ensure!(r.of(&r.client).is_none(), "the client still waits");
    // The kernel is unharmed: a fresh pair works.
    let r = start(&[5], 6, 0, 1, None)?;
    let (label, _) = r.of(&r.client).ok_or(Failure::NoReport("fresh kvclient"))?;
    ensure_eq!(label, OK, "fresh pair after a panic");
    Ok(())
}

fn kvstore_state_moves_to_a_new_instance_over_ipc() -> Result<(), Failure> {
    // The client plays the module manager: quiesce, save_state,
    // restore_state into the second store, check, shut the first down.
    let r = start(&[7, 8], 9, 2, 2, None)?;
    let (label, _) = r.of(&r.client).ok_or(Failure::NoReport("kvclient"))?;
    ensure_eq!(label, OK, "kvclient exit label (0 = reload checked)");
    let (label, words) = r.of(&r.stores[0]).ok_or(Failure::NoReport("old kvstore"))?;
    ensure_eq!(label, OK, "old store shut down cleanly");
    ensure_eq!(words[0], 7, "old store's module id");
    ensure!(r.of(&r.stores[1]).is_none(), "the new store still serves");
    Ok(())
}

/// Report label of a kvclient benchmark result (`"BEN"`).
const BENCH: u64 = 0x42_454e;

/// The `kbench` typed round trip: a kvstore and a kvclient timing typed
/// `kv.len()` calls (`param=3`), both on CPU 0. Returns the client's
/// `[median, min, runs]` in cycles.
pub(crate) fn typed_call_bench() -> Result<[u64; 3], Failure> {
    let r = start(&[11], 12, 3, 1, Some(0))?;
    let (label, words) = r.of(&r.client).ok_or(Failure::NoReport("kvclient"))?;
    ensure_eq!(label, BENCH, "kvclient benchmark report label");
    Ok([words[0], words[1], words[2]])
}

ktest!(
    kvstore_serves_kvclient_across_address_spaces,
    panicking_server_is_reported_and_the_system_stays_up,
    kvstore_state_moves_to_a_new_instance_over_ipc,
);
