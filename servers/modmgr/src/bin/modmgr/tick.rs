//! The watchdog: every round (the manager's receive times out, or a round
//! is due between requests) each serving server is pinged on its service
//! path, behind its clients. One that misses `HUNG_AFTER` pings in a row
//! is hung; one that answers its health check with "not healthy" is
//! unhealthy; both go to self-healing. A server whose manifest entry sets
//! `checkpoint-every` is checkpointed once it has served that many more
//! requests.

use alloc::vec::Vec;

use helix_modmgr::ModuleId;
use helix_modmgr::supervisor::Ending;
use helix_protocol::interfaces::modmgr::ModuleStatus;

use crate::clock;
use crate::control;
use crate::heal;
use crate::manager::Manager;

/// Milliseconds between rounds.
pub const ROUND_MS: u64 = 200;
/// Missed pings in a row that make a server hung.
pub const HUNG_AFTER: u32 = 6;
/// Every this many rounds the health check runs too.
pub const HEALTH_EVERY: u64 = 5;

/// Whether a round is due.
pub fn due(m: &Manager) -> bool {
    clock::us(m.watchdog.0, clock::now()) >= ROUND_MS * 1000
}

/// One round over every serving server.
pub fn round(m: &mut Manager) {
    m.watchdog = (clock::now(), m.watchdog.1 + 1);
    let health = m.watchdog.1.is_multiple_of(HEALTH_EVERY);
    let serving: Vec<(ModuleId, u32, u32)> = m
        .modules
        .values()
        .filter(|x| x.status == ModuleStatus::Running && x.process.is_some())
        .filter_map(|x| x.endpoints.map(|e| (x.id, e.manager, x.generation)))
        .collect();
    for (id, manager, generation) in serving {
        let ending = match control::ping(manager) {
            Ok(served) => {
                observed(m, id, served);
                match health.then(|| control::health(manager)) {
                    Some(Ok(false)) => Some(Ending::Unhealthy),
                    _ => None,
                }
            }
            // A process that died holding the ping: its fault or report
            // is on its way to the manager's endpoint.
            Err(f) if f.server_gone() => None,
            Err(_) => missed(m, id),
        };
        if let Some(e) = ending {
            heal::ended(m, id, generation, e);
        }
    }
}

/// Server `id` answered a ping: `served` requests so far. Checkpoint it
/// when its manifest entry asks for one by now.
fn observed(m: &mut Manager, id: ModuleId, served: u64) {
    let Some(x) = m.modules.get_mut(&id) else {
        return;
    };
    x.served = served;
    x.missed_pings = 0;
    let every = u64::from(x.entry.checkpoint_every);
    if every == 0 || served.saturating_sub(x.checkpoint_served) < every {
        return;
    }
    let Some(e) = x.endpoints else { return };
    match control::checkpoint(e.manager) {
        Ok(state) => {
            x.checkpoint = state;
            x.checkpoint_served = served;
        }
        Err(f) => log::warn!(target: "modmgr", "{}: checkpoint failed: {f}", x.entry.name),
    }
}

/// Server `id` did not answer a ping: hung after `HUNG_AFTER` in a row.
fn missed(m: &mut Manager, id: ModuleId) -> Option<Ending> {
    let x = m.modules.get_mut(&id)?;
    x.missed_pings += 1;
    (x.missed_pings >= HUNG_AFTER).then_some(Ending::Hung)
}
