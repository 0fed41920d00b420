//! v1 lifecycle tests, through the declaration macro.
#![expect(unsafe_code, reason = "helix_module! emits #[unsafe(link_section)]")]

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::metadata::ModuleRecord;
use crate::prelude_for_tests::*;

/// Add to the counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Add(u64);
crate::wire_message!(Add, "test/Add", 1, 0);

/// The counter's total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Total(u64);
crate::wire_message!(Total, "test/Total", 1, 0);

#[derive(Default)]
struct Counter {
    count: u64,
    initialized: bool,
    running: bool,
    cleaned: bool,
}

crate::helix_module! {
    name: "counter",
    version: "1.2.0",
    author: "Helix",
    description: "Counts",
    flags: ModuleFlags::HOT_RELOADABLE.union(ModuleFlags::USERSPACE),
    dependencies: [("helix-hal", ">=0.4.0"), ("log", "^1.0")],
    provides: ["counter"],
    symbols: [("add", Function, "fn(u64) -> u64", false)],
    impl Module for Counter {
        fn init(&mut self, ctx: &ModuleContext) -> Result<(), ModuleError> {
            if let Some(start) = ctx.arg("start") {
                self.count = start.parse().map_err(|_| ModuleError::InvalidArgument)?;
            }
            self.initialized = true;
            Ok(())
        }
        fn start(&mut self) -> Result<(), ModuleError> {
            if !self.initialized {
                return Err(ModuleError::NotInitialized);
            }
            self.running = true;
            Ok(())
        }
        fn stop(&mut self) -> Result<(), ModuleError> {
            self.running = false;
            Ok(())
        }
        fn cleanup(&mut self) -> Result<(), ModuleError> {
            self.cleaned = true;
            Ok(())
        }
        fn is_healthy(&self) -> bool {
            self.running
        }
        fn get_state(&self) -> Option<ModuleState> {
            ModuleState::encode(1, &self.count).ok()
        }
        fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
            self.count = state.decode(1)?;
            Ok(())
        }
        fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
            if !self.running {
                return Err(ModuleError::InvalidState);
            }
            let Add(n) = msg.payload.into_value()?;
            self.count += n;
            Ok(ModuleMessage::encode(MessageType::Response, &Total(self.count))?)
        }
    }
}

/// A module that implements only the required methods.
#[derive(Default)]
struct Minimal;

crate::helix_module! {
    name: "minimal",
    version: "0.1.0",
    author: "",
    description: "",
    flags: ModuleFlags::empty(),
    dependencies: [],
    impl Module for Minimal {
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { Ok(()) }
        fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn is_healthy(&self) -> bool { true }
    }
}

fn add(module: &mut impl Module, n: u64) -> Result<u64, ModuleError> {
    let reply = module.handle_message(ModuleMessage::encode(MessageType::Request, &Add(n))?)?;
    Ok(reply.payload.into_value::<Total>()?.0)
}

#[test]
fn macro_generates_metadata() {
    let m = Counter::default();
    let meta = m.metadata();
    assert_eq!(meta.name, "counter");
    assert_eq!(meta.version, "1.2.0");
    assert_eq!(meta.author, "Helix");
    assert_eq!(meta.description, "Counts");
    assert_eq!(
        meta.flags,
        ModuleFlags::HOT_RELOADABLE | ModuleFlags::USERSPACE
    );
    assert_eq!(
        meta.dependencies,
        [
            ModuleDependency {
                name: "helix-hal",
                version_constraint: ">=0.4.0"
            },
            ModuleDependency {
                name: "log",
                version_constraint: "^1.0"
            }
        ]
    );
    assert_eq!(meta.abi_version, AbiVersion::CURRENT);
    // The same metadata object every time (built once).
    assert!(core::ptr::eq(meta, Counter::default().metadata()));
}

#[test]
fn macro_record_is_what_a_loader_reads() {
    const LEN: usize = <Counter as DeclaredModule>::RECORD.encoded_len();
    let bytes: [u8; LEN] = <Counter as DeclaredModule>::RECORD.encode();
    let rec = ModuleRecord::decode(&bytes).unwrap();
    assert_eq!(rec.name, "counter");
    assert_eq!(
        rec.flags,
        ModuleFlags::HOT_RELOADABLE | ModuleFlags::USERSPACE
    );
    assert_eq!(rec.provides, ["counter"]);
    assert_eq!(rec.symbols.get("add").unwrap().signature.args, ["u64"]);
    const MIN_LEN: usize = <Minimal as DeclaredModule>::RECORD.encoded_len();
    let minimal =
        ModuleRecord::decode(&<Minimal as DeclaredModule>::RECORD.encode::<MIN_LEN>()).unwrap();
    assert_eq!(minimal.name, "minimal");
    assert!(
        minimal.dependencies.is_empty()
            && minimal.provides.is_empty()
            && minimal.symbols.is_empty()
    );
}

#[test]
fn lifecycle_with_state_transfer() {
    let mut old = Counter::default();
    assert_eq!(old.start(), Err(ModuleError::NotInitialized));
    old.init(&ModuleContext::new(7).with_args("start=40 verbose"))
        .unwrap();
    assert_eq!(
        add(&mut old, 1),
        Err(ModuleError::InvalidState),
        "not started"
    );
    old.start().unwrap();
    assert!(old.is_healthy());
    assert_eq!(add(&mut old, 2), Ok(42));

    // Hot reload: old stops, state moves, new continues from it.
    old.stop().unwrap();
    assert!(!old.is_healthy());
    let state = old.get_state().unwrap();
    assert_eq!(state.version, 1);
    let mut new = Counter::default();
    new.init(&ModuleContext::new(8)).unwrap();
    new.restore_state(state).unwrap();
    new.start().unwrap();
    assert_eq!(add(&mut new, 8), Ok(50));
    old.cleanup().unwrap();
    assert!(old.cleaned);

    // State of another format version is refused.
    assert_eq!(
        new.restore_state(ModuleState::new(2, Vec::new())),
        Err(ModuleError::StateCorrupt)
    );
    assert_eq!(
        new.restore_state(ModuleState::new(1, alloc::vec![0xff])),
        Err(ModuleError::StateCorrupt)
    );
}

#[test]
fn wrong_message_type_is_a_decode_error() {
    let mut m = Counter::default();
    m.init(&ModuleContext::new(1)).unwrap();
    m.start().unwrap();
    let err = m
        .handle_message(ModuleMessage::encode(MessageType::Request, &Total(1)).unwrap())
        .unwrap_err();
    assert_eq!(
        err,
        ModuleError::Decode(DecodeError::WrongType {
            expected: Add::TAG,
            found: Total::TAG
        })
    );
    // An in-process typed payload works too, and is checked as well.
    let reply = m
        .handle_message(ModuleMessage::typed(MessageType::Request, Add(5)))
        .unwrap();
    assert_eq!(reply.payload.into_value::<Total>(), Ok(Total(5)));
    assert!(
        m.handle_message(ModuleMessage::typed(MessageType::Request, 5u32))
            .is_err()
    );
}

#[test]
fn defaults_of_the_trait() {
    let mut m = Minimal;
    assert_eq!(m.get_state(), None);
    assert_eq!(
        m.restore_state(ModuleState::default()),
        Err(ModuleError::NotSupported)
    );
    let msg = ModuleMessage::new(MessageType::Request, MessagePayload::Empty);
    assert_eq!(
        m.handle_message(msg).unwrap_err(),
        ModuleError::NotSupported
    );
}

#[test]
fn context_lookups() {
    let ctx = ModuleContext::new(3).with_args("a=1 flag b=").with_cap(
        "log",
        4,
        helix_abi::CapType::Endpoint,
    );
    assert_eq!(ctx.arg("a"), Some("1"));
    assert_eq!(ctx.arg("flag"), Some(""));
    assert_eq!(ctx.arg("b"), Some(""));
    assert_eq!(ctx.arg("c"), None);
    assert_eq!(ctx.cap("log").map(|c| c.slot), Some(4));
    assert_eq!(ctx.cap("blk"), None);
}

#[test]
fn an_event_to_a_module_that_handles_no_messages_is_not_taken() {
    use crate::client::ControlClient;
    use crate::server::{Loopback, ServerCore};
    let mut core = ServerCore::new(Minimal);
    let changed = crate::v2::Event::DependencyChanged {
        name: "kvstore".into(),
        available: true,
    };
    assert_eq!(
        ControlClient::new(Loopback::control(&mut core)).event(&changed),
        Ok(false)
    );
    // The server still answers afterwards.
    assert!(
        ControlClient::new(Loopback::control(&mut core))
            .ping()
            .is_ok()
    );
}
