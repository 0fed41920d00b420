//! The manager's loop on its endpoint: exit and panic reports (sends),
//! fault messages (calls the kernel makes for a faulting thread), and
//! requests of the `modmgr` interface (calls carrying frames, long ones in
//! pieces). Who sent what is in the badge.
//!
//! The manager never waits on a server it does not trust without a
//! timeout: a control call (shutdown before `rmmod`) runs with an IPC
//! timeout on the manager's thread.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use helix_abi::bootinfo::SLOT_THREAD;
use helix_abi::ipc::buffer::SEND_CAPS;
use helix_abi::process::labels;
use helix_manifest::Expect;
use helix_modmgr::ModuleId;
use helix_modmgr::supervisor::Ending;
use helix_protocol::interfaces::Dispatch;
use helix_protocol::interfaces::modmgr::{ManagerRequest, ModuleManager};
use helix_protocol::message::{MessageType, decode_frame, encode_frame};
use helix_protocol::runtime::{FrameKind, FrameStep, Pending, frame_message, received_frame_bytes};
use helix_protocol::server::ServerError;
use helix_sys::{Cap, Endpoint, Message, MessageInfo, Received, SysError, Thread, ipcbuf};

use crate::heal;
use crate::manager::{Manager, badge};
use crate::requests::Requests;
use crate::tick;

/// Timer ticks (ms) a control call to a server may take.
const CONTROL_TIMEOUT_TICKS: u64 = 500;
/// Label of the kernel's fault messages.
const FAULT_LABEL: u64 = 0xfa17;

/// What to answer a message with.
enum Answer {
    /// Nothing (a send, or the caller is gone): receive again.
    None,
    /// This reply.
    Reply(Message),
    /// This reply, carrying the cap in this manager slot (deleted after).
    WithCap(Message, u32),
}

/// Serve forever: answer each message; between messages run the
/// self-healing queue and, when due, a watchdog round (the receive times
/// out after a round's time, so an idle manager still watches).
pub fn serve(m: &mut Manager) -> ! {
    let ep = m.env.endpoint;
    let mut pending = Pending::new();
    m.watchdog.0 = crate::clock::now();
    let mut r = wait(ep, None);
    loop {
        let answer = match r {
            Ok(got) => handle(m, &mut pending, &got),
            Err(SysError::TimedOut) => Answer::None,
            Err(e) => {
                log::warn!(target: "modmgr", "receive failed: {e}");
                Answer::None
            }
        };
        let due = tick::due(m);
        if m.heal_queue.is_empty() && !due {
            r = match answer {
                Answer::Reply(msg) => wait(ep, Some(msg)),
                other => {
                    send(m, other);
                    wait(ep, None)
                }
            };
            continue;
        }
        send(m, answer);
        // Endings that arrived meanwhile join the queue before it runs,
        // so ESSENTIAL modules go first among all of them.
        while let Ok(got) = ep.nb_recv() {
            let a = handle(m, &mut pending, &got);
            send(m, a);
        }
        heal::run_queue(m);
        if due {
            tick::round(m);
            heal::run_queue(m);
        }
        r = wait(ep, None);
    }
}

/// Answer `answer` (if any) and receive the next message, waiting at most
/// a watchdog round.
fn wait(ep: Cap<Endpoint>, answer: Option<Message>) -> Result<Received, SysError> {
    let me: Cap<Thread> = Cap::from_slot(SLOT_THREAD);
    // Our own thread cap always takes a timeout; if it did not, the
    // manager would only watch less often (rounds also run between
    // messages).
    let _ = me.set_timeout(tick::ROUND_MS);
    match answer {
        Some(msg) => ep.reply_recv(&msg),
        None => ep.recv(),
    }
}

/// Answer a message.
fn send(m: &mut Manager, answer: Answer) {
    match answer {
        Answer::None => {}
        Answer::Reply(msg) => {
            if let Err(e) = helix_sys::reply(&msg) {
                log::warn!(target: "modmgr", "reply failed: {e}");
            }
        }
        Answer::WithCap(msg, slot) => {
            ipcbuf::set(SEND_CAPS, u64::from(slot));
            let info = msg.info.with_caps(1).unwrap_or(msg.info);
            let msg = Message::with_info(info, msg.words);
            if let Err(e) = helix_sys::reply(&msg) {
                log::warn!(target: "modmgr", "reply with a cap failed: {e}");
            }
            let c: Cap<Endpoint> = Cap::from_slot(slot);
            // The transferred copy is derived from the manager's
            // original, not from this temporary: deleting it keeps it.
            let _ = c.delete();
            m.slots.give_back(slot);
        }
    }
}

fn handle(m: &mut Manager, pending: &mut Pending, got: &Received) -> Answer {
    let (kind, id) = (badge::kind(got.badge), ModuleId(badge::id(got.badge)));
    let label = got.info.label();
    if kind == badge::FAULT && label == FAULT_LABEL {
        fault(m, id, badge::generation(got.badge), got);
        return Answer::None;
    }
    if FrameKind::from_tag(label >> 16).is_some() {
        return request(m, pending, got);
    }
    if kind == badge::REPORT {
        report(m, id, badge::generation(got.badge), label, got.words[1]);
    }
    Answer::None
}

fn name_of(m: &Manager, id: ModuleId) -> String {
    m.modules
        .get(&id)
        .map_or_else(|| alloc::format!("#{}", id.0), |x| x.entry.name.clone())
}

/// A thread of module `id` faulted: say who, what and where, and stop the
/// module (its process is destroyed; the kernel and the others go on).
fn fault(m: &mut Manager, id: ModuleId, generation: u32, got: &Received) {
    let vector = (got.words[1] & 0xff) as u8;
    let code = got.words[1] >> 32;
    let (address, rip) = (got.words[2], got.words[3]);
    let name = name_of(m, id);
    let what = alloc::format!(
        "{} (vector {vector}, error code {code:#x}) at address {address:#x}, rip {rip:#x}",
        mnemonic(vector)
    );
    log::error!(target: "modmgr", "{name} faulted: {what}");
    heal::ended(m, id, generation, Ending::Fault(what));
}

/// Exception mnemonics (`#PF`, ...).
fn mnemonic(v: u8) -> &'static str {
    match v {
        0 => "#DE",
        1 => "#DB",
        3 => "#BP",
        4 => "#OF",
        5 => "#BR",
        6 => "#UD",
        7 => "#NM",
        12 => "#SS",
        13 => "#GP",
        14 => "#PF",
        16 => "#MF",
        17 => "#AC",
        19 => "#XM",
        _ => "exception",
    }
}

/// An exit or panic report from module `id`'s runtime.
fn report(m: &mut Manager, id: ModuleId, generation: u32, label: u64, detail: u64) {
    let name = name_of(m, id);
    let ending = match label {
        labels::OK => Ending::Exit(0),
        labels::FAILED => Ending::Exit(detail),
        labels::INIT_FAILED => Ending::Failed("init failed".to_string()),
        labels::START_FAILED => Ending::Failed("start failed".to_string()),
        labels::TRANSPORT => Ending::Failed("its server loop lost its endpoint".to_string()),
        labels::PANIC => Ending::Panic,
        other => {
            log::warn!(target: "modmgr", "{name}: unknown report label {other:#x}");
            return;
        }
    };
    match &ending {
        Ending::Exit(0) => log::info!(target: "modmgr", "{name} exited"),
        e => log::warn!(target: "modmgr", "{name}: {e}"),
    }
    heal::ended(m, id, generation, ending);
}

/// A call of the `modmgr` interface (or a piece of one).
fn request(m: &mut Manager, pending: &mut Pending, got: &Received) -> Answer {
    let mut bytes = Vec::new();
    let Some(kind) = received_frame_bytes(got, &mut bytes) else {
        return Answer::Reply(Message::new(0, &[]));
    };
    let frame = match pending.receive(got.badge, kind, bytes) {
        FrameStep::Request(f) => f,
        step => return Answer::Reply(step_message(step)),
    };
    let mut out = Vec::new();
    let mut cap = None;
    match decode_frame::<ManagerRequest>(MessageType::Request, &frame) {
        Ok(req) => {
            let mut h = Requests {
                m,
                caller: got.badge,
                cap: None,
            };
            let resp = Dispatch::<ModuleManager>::dispatch(&mut h, req);
            cap = h.cap;
            if encode_frame(MessageType::Response, &resp, &mut out).is_err() {
                out.clear();
            }
        }
        Err(e) => {
            // An answer the client can read beats silence.
            let _ = encode_frame(MessageType::Error, &ServerError::Decode(e), &mut out);
        }
    }
    let msg = step_message(pending.reply(got.badge, out));
    match cap {
        Some(slot) => Answer::WithCap(msg, slot),
        None => Answer::Reply(msg),
    }
}

fn step_message(step: FrameStep) -> Message {
    match step {
        FrameStep::Ack => frame_message(FrameKind::Ack, &[]),
        FrameStep::Resend => frame_message(FrameKind::Resend, &[]),
        FrameStep::Reply(kind, piece) => frame_message(kind, &piece),
        FrameStep::Request(_) | FrameStep::Reject => {
            Message::with_info(MessageInfo::default(), [0; 4])
        }
    }
}

/// Ask server `id` to shut down cleanly (bounded by a timeout) before it
/// is destroyed.
pub fn shut_down(m: &mut Manager, id: ModuleId) {
    let Some(x) = m.modules.get(&id) else {
        return;
    };
    let (Some(e), true) = (x.endpoints, x.process.is_some()) else {
        return;
    };
    if let Err(f) = crate::control::shutdown(e.manager) {
        log::warn!(target: "modmgr", "{}: no clean shutdown ({f})", x.entry.name);
    }
}

/// After the boot: every module expected `serving` answers a ping on its
/// control path within the timeout.
pub fn check_serving(m: &mut Manager) {
    let me: Cap<Thread> = Cap::from_slot(SLOT_THREAD);
    let names: Vec<(ModuleId, String)> = m
        .modules
        .values()
        .filter(|x| matches!(m.verdicts.expects(&x.entry.name), Some(Expect::Serving)))
        .map(|x| (x.id, x.entry.name.clone()))
        .collect();
    for (id, name) in names {
        // As in `shut_down`: a failed set leaves the call unbounded only
        // if the process never answers nor dies.
        let _ = me.set_timeout(CONTROL_TIMEOUT_TICKS);
        let healthy = m
            .registry
            .get_mut(id)
            .is_some_and(|p| p.start().is_ok() && p.is_healthy());
        let _ = me.set_timeout(0);
        let verdict = if healthy {
            Ok(())
        } else {
            Err("did not answer a ping on its control path".to_string())
        };
        m.verdicts.judge(&name, verdict);
    }
}
