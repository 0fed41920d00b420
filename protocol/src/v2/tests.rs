//! v2 lifecycle tests, and the adapter's delegation.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use super::*;
use crate::interfaces::scheduler::{
    Decision, SchedError, Scheduler, SchedulerClient, SchedulerHandler, SchedulerRequest,
    SchedulerResponse, ThreadId, TickOutcome,
};
use crate::prelude_for_tests::*;
use crate::server::{ServerCore, ServerError, serve_request};

const INFO: ModuleInfo = ModuleInfo::new("round_robin_scheduler")
    .description("Round-robin scheduling module")
    .flags(ModuleFlags::SCHEDULER.union(ModuleFlags::HOT_RELOADABLE))
    .version("1.3.0")
    .author("Helix")
    .license("MIT OR Apache-2.0")
    .dependencies(&["helix-hal>=0.4.0", "timer"])
    .provides(&["scheduler"]);

/// A tiny round-robin policy: one FIFO, fixed quantum in ticks.
#[derive(Default)]
struct RoundRobin {
    queue: VecDeque<ThreadId>,
    quantum_ticks: u32,
    left: u32,
    running: bool,
    ticks_seen: u64,
}

impl SchedulerHandler for RoundRobin {
    fn add_thread(
        &mut self,
        thread: ThreadId,
        _priority: u8,
        _cpu: Option<u32>,
    ) -> Result<(), SchedError> {
        if self.queue.contains(&thread) {
            return Err(SchedError::AlreadyQueued);
        }
        self.queue.push_back(thread);
        Ok(())
    }
    fn remove(&mut self, thread: ThreadId) -> Result<(), SchedError> {
        let at = self
            .queue
            .iter()
            .position(|t| *t == thread)
            .ok_or(SchedError::UnknownThread)?;
        self.queue.remove(at);
        Ok(())
    }
    fn next(&mut self, cpu: u32) -> Result<Option<Decision>, SchedError> {
        if cpu != 0 {
            return Err(SchedError::InvalidCpu);
        }
        let thread = self.queue.pop_front();
        if let Some(t) = thread {
            self.queue.push_back(t);
        }
        self.left = self.quantum_ticks;
        Ok(thread.map(|thread| Decision {
            thread,
            quantum_ns: u64::from(self.quantum_ticks) * 1_000_000,
        }))
    }
    fn yield_now(&mut self, _thread: ThreadId) -> Result<(), SchedError> {
        self.left = 0;
        Ok(())
    }
    fn tick(&mut self, _cpu: u32, _now_ns: u64) -> Result<TickOutcome, SchedError> {
        self.left = self.left.saturating_sub(1);
        Ok(if self.left == 0 {
            TickOutcome::Preempt
        } else {
            TickOutcome::Continue
        })
    }
}

impl ModuleTrait for RoundRobin {
    fn info(&self) -> ModuleInfo {
        INFO
    }
    fn init(&mut self, ctx: &Context) -> Result<(), ModuleError> {
        self.quantum_ticks = ctx
            .arg("quantum")
            .map_or(Ok(10), str::parse)
            .map_err(|_| ModuleError::InvalidArgument)?;
        Ok(())
    }
    fn start(&mut self) -> Result<(), ModuleError> {
        self.running = true;
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ModuleError> {
        self.running = false;
        Ok(())
    }
    fn handle_event(&mut self, event: &Event) -> EventResponse {
        match event {
            Event::Tick { .. } => {
                self.ticks_seen += 1;
                match SchedulerHandler::tick(self, 0, 0) {
                    Ok(TickOutcome::Preempt) => EventResponse::Reschedule,
                    _ => EventResponse::Handled,
                }
            }
            Event::ThreadExited { thread_id } => match self.remove(ThreadId(*thread_id)) {
                Ok(()) => EventResponse::Handled,
                Err(_) => EventResponse::Failed(ModuleError::NotFound),
            },
            _ => EventResponse::Ignored,
        }
    }
    fn handle_request(&mut self, request: &Request) -> Result<Response, ModuleError> {
        serve_request::<Scheduler, _>(self, request)
    }
    fn is_healthy(&self) -> bool {
        self.running
    }
    fn save_state(&self) -> Option<Vec<u8>> {
        let ids: Vec<u64> = self.queue.iter().map(|t| t.0).collect();
        postcard::to_allocvec(&ids).ok()
    }
    fn restore_state(&mut self, state: &[u8]) -> Result<(), ModuleError> {
        let ids: Vec<u64> = postcard::from_bytes(state).map_err(|_| ModuleError::StateCorrupt)?;
        self.queue = ids.into_iter().map(ThreadId).collect();
        Ok(())
    }
}

/// Implements only what v2 requires.
struct Bare;

impl ModuleTrait for Bare {
    fn info(&self) -> ModuleInfo {
        ModuleInfo::new("bare")
    }
    fn init(&mut self, _ctx: &Context) -> Result<(), ModuleError> {
        Ok(())
    }
    fn start(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
}

fn started(args: &str) -> RoundRobin {
    let mut m = RoundRobin::default();
    m.init(&ModuleContext::new(1).with_args(args)).unwrap();
    m.start().unwrap();
    m
}

#[test]
fn info_is_built_in_const_context() {
    assert_eq!(INFO.name, "round_robin_scheduler");
    assert_eq!(INFO.description, "Round-robin scheduling module");
    assert_eq!(
        INFO.flags,
        ModuleFlags::SCHEDULER | ModuleFlags::HOT_RELOADABLE
    );
    assert_eq!(INFO.version, ModuleVersion::new(1, 3, 0));
    assert_eq!(INFO.version_text, "1.3.0");
    const DEFAULTS: ModuleInfo = ModuleInfo::new("x");
    assert_eq!(
        (DEFAULTS.version, DEFAULTS.flags, DEFAULTS.provides.len()),
        (ModuleVersion::new(0, 1, 0), ModuleFlags::empty(), 0)
    );
}

#[test]
fn version_parsing() {
    assert_eq!(
        ModuleVersion::parse("10.0.65535"),
        Ok(ModuleVersion::new(10, 0, 65535))
    );
    let bad = [
        ("1.2", VersionError::WrongComponentCount),
        ("1.2.3.4", VersionError::WrongComponentCount),
        ("1..3", VersionError::NotANumber),
        ("1.2.", VersionError::NotANumber),
        ("", VersionError::NotANumber),
        ("v1.2.3", VersionError::NotANumber),
        ("1.65536.0", VersionError::TooLarge),
    ];
    for (text, err) in bad {
        assert_eq!(ModuleVersion::parse(text), Err(err), "{text}");
    }
}

#[test]
fn v2_lifecycle_direct() {
    let mut m = started("quantum=2");
    assert!(m.is_healthy());
    m.add_thread(ThreadId(1), 10, None).unwrap();
    m.add_thread(ThreadId(2), 10, None).unwrap();
    assert_eq!(
        m.add_thread(ThreadId(1), 10, None),
        Err(SchedError::AlreadyQueued)
    );
    assert_eq!(m.next(0).unwrap().map(|d| d.thread), Some(ThreadId(1)));
    assert_eq!(
        m.handle_event(&Event::Tick { timestamp_ns: 1 }),
        EventResponse::Handled
    );
    assert_eq!(
        m.handle_event(&Event::Tick { timestamp_ns: 2 }),
        EventResponse::Reschedule
    );
    assert_eq!(m.handle_event(&Event::Shutdown), EventResponse::Ignored);
    let saved = m.save_state().unwrap();
    m.stop().unwrap();
    assert!(!m.is_healthy());
    let mut new = started("");
    new.restore_state(&saved).unwrap();
    assert_eq!(new.queue, [ThreadId(2), ThreadId(1)]);
    assert_eq!(
        new.restore_state(&[0xff, 0xff]),
        Err(ModuleError::StateCorrupt)
    );
}

#[test]
fn v2_defaults() {
    let mut b = Bare;
    assert!(b.is_healthy());
    assert_eq!(b.save_state(), None);
    assert_eq!(b.restore_state(&[1, 2, 3]), Ok(()));
    assert_eq!(
        b.handle_event(&Event::Tick { timestamp_ns: 0 }),
        EventResponse::Ignored
    );
    match b.handle_request(&Request::typed(5u8)).unwrap() {
        Response::Err(reason) => assert_eq!(reason, "Not implemented"),
        Response::Ok(_) => panic!("default handle_request must refuse"),
    }
}

#[test]
fn adapter_derives_metadata_from_info() {
    let a = ModuleAdapter::new(RoundRobin::default());
    let meta = a.metadata();
    assert_eq!(meta.name, "round_robin_scheduler");
    assert_eq!(meta.version, "1.3.0");
    assert_eq!(meta.author, "Helix");
    assert_eq!(meta.description, "Round-robin scheduling module");
    assert_eq!(meta.flags, INFO.flags);
    assert_eq!(meta.abi_version, AbiVersion::CURRENT);
    assert_eq!(
        meta.dependencies,
        [
            ModuleDependency {
                name: "helix-hal",
                version_constraint: ">=0.4.0"
            },
            ModuleDependency {
                name: "timer",
                version_constraint: "*"
            }
        ]
    );
}

#[test]
fn adapter_delegates_lifecycle_and_state() {
    let mut a = ModuleAdapter::new(RoundRobin::default());
    a.init(&ModuleContext::new(2).with_args("quantum=3"))
        .unwrap();
    assert_eq!(a.inner().quantum_ticks, 3);
    assert!(!a.is_healthy());
    a.start().unwrap();
    assert!(a.is_healthy());
    a.inner_mut().add_thread(ThreadId(9), 1, None).unwrap();
    let state = a.get_state().unwrap();
    assert_eq!(
        state.version, 1,
        "v2 state is tagged with the module's major version"
    );
    a.stop().unwrap();
    assert!(!a.is_healthy());
    a.cleanup().unwrap();

    let mut b = ModuleAdapter::new(RoundRobin::default());
    b.restore_state(state).unwrap();
    assert_eq!(b.into_inner().queue, [ThreadId(9)]);
    assert_eq!(ModuleAdapter::new(Bare).get_state(), None);
    assert_eq!(
        ModuleAdapter::new(Bare).restore_state(ModuleState::default()),
        Ok(())
    );
}

#[test]
fn adapter_routes_events_and_requests() {
    let mut a = ModuleAdapter::new(started("quantum=1"));
    // Events, in process and encoded.
    let reply = a
        .handle_message(ModuleMessage::typed(
            MessageType::Event,
            Event::Tick { timestamp_ns: 5 },
        ))
        .unwrap();
    assert_eq!(
        reply.payload.into_value::<EventResponse>(),
        Ok(EventResponse::Reschedule)
    );
    let ev =
        ModuleMessage::encode(MessageType::Event, &Event::ThreadExited { thread_id: 4 }).unwrap();
    let reply = a.handle_message(ev).unwrap();
    assert!(matches!(reply.payload, MessagePayload::Encoded { .. }));
    assert_eq!(
        reply.payload.into_value::<EventResponse>(),
        Ok(EventResponse::Failed(ModuleError::NotFound))
    );
    assert_eq!(a.inner().ticks_seen, 1);
    // Requests reach handle_request and the handler.
    let req = SchedulerRequest::AddThread {
        thread: ThreadId(3),
        priority: 5,
        cpu: None,
    };
    let reply = a
        .handle_message(ModuleMessage::typed(MessageType::Request, req))
        .unwrap();
    assert_eq!(reply.msg_type, MessageType::Response);
    assert_eq!(
        reply.payload.into_value::<SchedulerResponse>(),
        Ok(SchedulerResponse::AddThread(Ok(())))
    );
    // A request of another interface is a decode error, not a crash.
    let wrong = ModuleMessage::encode(MessageType::Request, &String::from("hi")).unwrap();
    assert!(matches!(
        a.handle_message(wrong),
        Err(ModuleError::Decode(DecodeError::WrongType { .. }))
    ));
    // Responses are not something a module handles.
    let resp = ModuleMessage::new(MessageType::Response, MessagePayload::Empty);
    assert_eq!(
        a.handle_message(resp).unwrap_err(),
        ModuleError::NotSupported
    );
    // Response::err becomes an Error message carrying the reason.
    let mut bare = ModuleAdapter::new(Bare);
    let reply = bare
        .handle_message(ModuleMessage::new(
            MessageType::Request,
            MessagePayload::Empty,
        ))
        .unwrap();
    assert_eq!(reply.msg_type, MessageType::Error);
    assert_eq!(
        reply.payload.into_value::<String>(),
        Ok(String::from("Not implemented"))
    );
}

#[test]
fn typed_client_through_adapter_and_server_core() {
    let mut core = ServerCore::new(ModuleAdapter::new(started("quantum=5")));
    let mut sched = SchedulerClient::new(&mut core);
    sched.add_thread(ThreadId(1), 50, None).unwrap();
    sched.add_thread(ThreadId(2), 50, Some(0)).unwrap();
    assert_eq!(
        sched.add_thread(ThreadId(2), 50, None),
        Err(crate::client::CallError::Remote(SchedError::AlreadyQueued))
    );
    assert_eq!(
        sched.next(0).unwrap(),
        Some(Decision {
            thread: ThreadId(1),
            quantum_ns: 5_000_000
        })
    );
    assert_eq!(
        sched.next(1),
        Err(crate::client::CallError::Remote(SchedError::InvalidCpu))
    );
    assert_eq!(sched.tick(0, 100), Ok(TickOutcome::Continue));
    sched.yield_now(ThreadId(1)).unwrap();
    assert_eq!(sched.tick(0, 200), Ok(TickOutcome::Preempt));
    sched.remove(ThreadId(1)).unwrap();
    assert_eq!(
        sched.remove(ThreadId(1)),
        Err(crate::client::CallError::Remote(SchedError::UnknownThread))
    );
    drop(sched);
    assert_eq!(core.served(), 10);
    assert_eq!(core.module().inner().queue, [ThreadId(2)]);

    // A v2 module that refuses: the client sees the reason.
    let mut bare = ServerCore::new(ModuleAdapter::new(Bare));
    let err = SchedulerClient::new(&mut bare).tick(0, 0).unwrap_err();
    assert_eq!(
        err,
        crate::client::CallError::Server(ServerError::Refused(String::from("Not implemented")))
    );
}

#[test]
fn the_manager_delivers_events_on_the_control_path() {
    use crate::client::ControlClient;
    use crate::server::Loopback;
    // A v2 module gets it in handle_event (a Tick it counts).
    let mut core = ServerCore::new(ModuleAdapter::new(started("quantum=1")));
    let tick = Event::Tick { timestamp_ns: 1 };
    assert_eq!(
        ControlClient::new(Loopback::control(&mut core)).event(&tick),
        Ok(true)
    );
    assert_eq!(core.module().inner().ticks_seen, 1);
    let changed = Event::DependencyChanged {
        name: "kvstore".into(),
        available: false,
    };
    assert_eq!(
        ControlClient::new(Loopback::control(&mut core)).event(&changed),
        Ok(true)
    );
}
