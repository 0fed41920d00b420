//! The reloader's steps, in order; each names what it checks.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use helix_protocol::client::{CallError, TransportError};
use helix_protocol::interfaces::modmgr::{ManagerError, ModuleSummary, ReloadReport};
use helix_protocol::runtime::prelude::log;

use crate::World;

/// A step that did not hold.
#[derive(Debug)]
pub struct Failed {
    /// Its number (the exit status).
    pub step: u64,
    /// What was wrong.
    pub why: String,
}

type Step = Result<(), Failed>;

fn fail(step: u64, why: String) -> Failed {
    Failed { step, why }
}

fn ensure(step: u64, ok: bool, why: impl FnOnce() -> String) -> Step {
    if ok { Ok(()) } else { Err(fail(step, why())) }
}

/// Reloads alternating the two versions.
const RELOADS: usize = 100;
/// The marker the rollbacks and the crash must keep.
const MARKER: &[u8] = b"still here";

/// Every step.
pub fn all(w: &mut World) -> Step {
    wait_for_streams(w)?;
    alternate(w)?;
    refusals(w)?;
    rollbacks(w)?;
    rollback_failed(w)?;
    final_state(w)?;
    crash(w)
}

fn get(w: &mut World, key: &str) -> Option<Vec<u8>> {
    w.kv.get(key.into()).ok()
}

fn number(b: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

/// `key` readable within `tries` times 20 ms.
fn wait_for(w: &mut World, key: &str, tries: u32) -> Option<Vec<u8>> {
    for _ in 0..tries {
        if let Some(v) = get(w, key) {
            return Some(v);
        }
        w.sleep.sleep(20);
    }
    None
}

fn kvstore(w: &mut World) -> Option<ModuleSummary> {
    w.mgr
        .lsmod()
        .ok()?
        .into_iter()
        .find(|m| m.name == "kvstore")
}

fn version(w: &mut World) -> String {
    kvstore(w).map(|m| m.version).unwrap_or_default()
}

fn reload(w: &mut World, file: &str) -> Result<ReloadReport, CallError<ManagerError>> {
    w.mgr.reload("kvstore".into(), file.into())
}

/// Step 1: both streams are running.
fn wait_for_streams(w: &mut World) -> Step {
    for id in 1..=2 {
        let key = format!("stream/{id}");
        ensure(1, wait_for(w, &key, 1000).is_some(), || {
            format!("{key} never written")
        })?;
    }
    w.kv.put("marker".into(), MARKER.to_vec())
        .map_err(|e| fail(1, format!("marker: {e:?}")))?;
    Ok(())
}

/// Step 2: 100 reloads, 1.0.0 -> 1.0.1 -> 1.0.0 ..., the state carried
/// (and converted: 1.0.1 restores 1.0.0's format 1, 1.0.0 restores 1.0.1's
/// format 2) while the streams run.
fn alternate(w: &mut World) -> Step {
    let mut downtimes = Vec::with_capacity(RELOADS);
    for i in 0..RELOADS {
        let (file, old, new, format) = if i % 2 == 0 {
            ("kvstore2.elf", "1.0.0", "1.0.1", 1)
        } else {
            ("kvstore.elf", "1.0.1", "1.0.0", 2)
        };
        let r = reload(w, file).map_err(|e| fail(2, format!("reload {i} to {file}: {e:?}")))?;
        ensure(
            2,
            r.old_version == old
                && r.new_version == new
                && r.state_preserved
                && r.state_format == Some(format),
            || format!("reload {i}: {r:?}"),
        )?;
        downtimes.push(r.downtime_us);
    }
    downtimes.sort_unstable();
    log::info!(
        target: "reloader",
        "{RELOADS} reloads under load: downtime median {} us, min {} us, max {} us",
        downtimes[RELOADS / 2],
        downtimes[0],
        downtimes[RELOADS - 1]
    );
    ensure(2, version(w) == "1.0.0", || "not back at 1.0.0".into())
}

/// Step 3: refused before anything stops, each with its reason.
fn refusals(w: &mut World) -> Step {
    let cases = [
        ("kvstore", "kv-major.elf", "cannot be replaced by 2.0.0"),
        ("kvstore", "kv-nosym.elf", "`kv_delete` was removed"),
        ("kvstore", "kv-sig.elf", "`kv_get`"),
        ("kvstore", "kv-minor.elf", "kvholder requires"),
        ("plain", "plain2.elf", "plain is not HOT_RELOADABLE"),
    ];
    for (name, file, text) in cases {
        match w.mgr.reload(name.into(), file.into()) {
            Err(CallError::Remote(ManagerError::ReloadRefused(reasons)))
                if reasons.iter().any(|r| r.contains(text)) =>
            {
                log::info!(target: "reloader", "{file} refused: {}", reasons.join("; "));
            }
            other => {
                return Err(fail(
                    3,
                    format!("{file}: expected a refusal naming `{text}`, got {other:?}"),
                ));
            }
        }
        ensure(3, w.kv.len().is_ok() && version(w) == "1.0.0", || {
            format!("after {file} kvstore does not serve 1.0.0")
        })?;
    }
    Ok(())
}

fn marker_kept(w: &mut World, step: u64, after: &str) -> Step {
    let m = get(w, "marker");
    ensure(step, m.as_deref() == Some(MARKER), || {
        format!("after {after} the marker reads {m:?}")
    })
}

/// Step 4: a binary that fails in init stops nothing; one that fails in
/// `restore_state` and one that crashes in `start` are rolled back; each
/// time 1.0.0 serves with its state.
fn rollbacks(w: &mut World) -> Step {
    match reload(w, "kv-badinit.elf") {
        Err(CallError::Remote(ManagerError::Refused(why))) if why.contains("did not start") => {
            log::info!(target: "reloader", "kv-badinit: {why}");
        }
        other => return Err(fail(4, format!("kv-badinit: {other:?}"))),
    }
    marker_kept(w, 4, "kv-badinit")?;
    for (file, phase) in [
        ("kv-badrestore.elf", "RestoringState"),
        ("kv-crash.elf", "RestoringState"),
    ] {
        match reload(w, file) {
            Err(CallError::Remote(ManagerError::RolledBack { phase: p, cause }))
                if p.contains(phase) =>
            {
                log::info!(target: "reloader", "{file} rolled back in {p}: {cause}");
            }
            other => {
                return Err(fail(
                    4,
                    format!("{file}: expected a rollback in {phase}, got {other:?}"),
                ));
            }
        }
        marker_kept(w, 4, file)?;
        ensure(4, version(w) == "1.0.0", || {
            format!("after {file}: not 1.0.0")
        })?;
    }
    Ok(())
}

/// Step 5: a rollback that fails too (kv-flaky cannot start twice) ends
/// in RollbackFailed, and self-healing restarts it from the snapshot.
fn rollback_failed(w: &mut World) -> Step {
    reload(w, "kv-flaky.elf").map_err(|e| fail(5, format!("to kv-flaky: {e:?}")))?;
    match reload(w, "kv-badrestore.elf") {
        Err(CallError::Remote(ManagerError::RollbackFailed {
            restarted: true,
            cause,
        })) => log::info!(target: "reloader", "rollback failed ({cause}); restarted"),
        other => return Err(fail(5, format!("expected RollbackFailed, got {other:?}"))),
    }
    marker_kept(w, 5, "the failed rollback")?;
    let s = kvstore(w);
    ensure(5, s.as_ref().is_some_and(|s| s.restarts >= 1), || {
        format!("no restart counted: {s:?}")
    })?;
    reload(w, "kvstore.elf").map_err(|e| fail(5, format!("back to kvstore: {e:?}")))?;
    Ok(())
}

/// Step 6: stop the streams; each stream's key holds its last request.
fn final_state(w: &mut World) -> Step {
    w.kv.put("ctl/stop".into(), alloc::vec![1])
        .map_err(|e| fail(6, format!("ctl/stop: {e:?}")))?;
    for id in 1..=2 {
        let done = wait_for(w, &format!("stream/{id}/done"), 1500).and_then(|b| number(&b));
        let last = get(w, &format!("stream/{id}")).and_then(|b| number(&b));
        ensure(6, done.is_some() && done == last, || {
            format!("stream {id}: done {done:?}, state {last:?}")
        })?;
        log::info!(target: "reloader", "stream {id}: {} requests, state matches", done.unwrap_or(0));
    }
    Ok(())
}

/// Step 7: a server that faults mid-stream is restarted from its
/// checkpoint; its client gets the error and retries.
fn crash(w: &mut World) -> Step {
    reload(w, "kv-faulty.elf").map_err(|e| fail(7, format!("to kv-faulty: {e:?}")))?;
    let before = kvstore(w).map_or(0, |s| s.restarts);
    match w.mgr.checkpoint("kvstore".into()) {
        Ok(Some(c)) => log::info!(target: "reloader", "checkpoint: {} bytes", c.bytes),
        other => return Err(fail(7, format!("checkpoint: {other:?}"))),
    }
    match w.kv.put("boom".into(), helix_sysmods::CRASH_VALUE.to_vec()) {
        Err(CallError::Transport(TransportError::ServerGone)) => {}
        other => {
            return Err(fail(
                7,
                format!("put crash!: expected ServerGone, got {other:?}"),
            ));
        }
    }
    let m = wait_for(w, "marker", 500);
    ensure(7, m.as_deref() == Some(MARKER), || {
        format!("after the crash the marker reads {m:?}")
    })?;
    ensure(7, get(w, "boom").is_none(), || {
        "the crashing put was kept".into()
    })?;
    let s = kvstore(w);
    let ok = s.as_ref().is_some_and(|s| {
        s.restarts > before
            && s.last_failure
                .as_deref()
                .is_some_and(|f| f.contains("#PF") && f.contains("address 0x"))
    });
    ensure(7, ok, || format!("lsmod after the crash: {s:?}"))?;
    reload(w, "kvstore.elf").map_err(|e| fail(7, format!("back to kvstore: {e:?}")))?;
    Ok(())
}
