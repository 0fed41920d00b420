//! Proxy: metadata from the record (interned), the lifecycle over a
//! control loopback, a hot reload through the registry, message
//! forwarding, and error mapping.

use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use helix_abi::SysError;
use helix_protocol::client::{CallError, TransportError};
use helix_protocol::metadata::RecordDependency;
use helix_protocol::server::{ServerError, ServerMode, SharedLoopback};
use helix_protocol::{AbiVersion, MessagePayload, MessageType, ModuleFlags, SymbolTable};

use super::*;
use crate::forward::{server_error, transport_error};
use crate::registry::ModuleRegistry;
use crate::testing::{Counter, counter_server};

fn record() -> ModuleRecord {
    ModuleRecord {
        abi: AbiVersion::new(1, 2, 0),
        flags: ModuleFlags::HOT_RELOADABLE | ModuleFlags::USERSPACE,
        name: "counter".into(),
        version: "1.0.0".into(),
        author: "helix".into(),
        description: "Counts bytes".into(),
        dependencies: vec![RecordDependency {
            name: "log".into(),
            version_constraint: "^1.0".into(),
        }],
        provides: vec!["count@1.0".into()],
        symbols: SymbolTable::default(),
    }
}

type Proxy = ServerProxy<SharedLoopback<Counter>>;

fn proxy_of(
    server: &alloc::sync::Arc<Mutex<helix_protocol::server::ServerCore<Counter>>>,
) -> Proxy {
    ServerProxy::new(&record(), SharedLoopback::control(server))
}

fn bytes(n: usize) -> ModuleMessage {
    ModuleMessage::new(MessageType::Request, MessagePayload::Bytes(vec![7; n]))
}

fn text_of(
    answer: Result<ModuleMessage, ModuleError>,
) -> Result<(MessageType, String), ModuleError> {
    let answer = answer?;
    let text = answer.payload.into_value::<String>()?;
    Ok((answer.msg_type, text))
}

#[test]
fn metadata_comes_from_the_record_with_interned_strings() {
    let p = proxy_of(&counter_server());
    let meta = p.metadata();
    assert_eq!(
        (meta.name, meta.version, meta.author, meta.description),
        ("counter", "1.0.0", "helix", "Counts bytes")
    );
    assert_eq!(
        (meta.flags, meta.abi_version),
        (record().flags, AbiVersion::new(1, 2, 0))
    );
    assert_eq!(
        meta.dependencies,
        vec![ModuleDependency {
            name: "log",
            version_constraint: "^1.0"
        }]
    );
    assert_eq!(p.provides(), &["count@1.0".to_string()][..]);
    // A hundred reloads of the same binary: the same leaked strings each time.
    for _ in 0..100 {
        let again = metadata_from_record(&record());
        assert!(core::ptr::eq(again.name, meta.name));
        assert!(core::ptr::eq(again.version, meta.version));
        assert!(core::ptr::eq(again.author, meta.author));
        assert!(core::ptr::eq(again.description, meta.description));
        assert!(core::ptr::eq(
            again.dependencies[0].name,
            meta.dependencies[0].name
        ));
        let (a, b) = (
            again.dependencies[0].version_constraint,
            meta.dependencies[0].version_constraint,
        );
        assert!(core::ptr::eq(a, b));
    }
}

#[test]
fn the_lifecycle_is_the_control_protocol() {
    let server = counter_server();
    let mut p = proxy_of(&server);
    p.init(&ModuleContext::new(1)).unwrap();
    p.start().unwrap();
    assert_eq!(
        text_of(p.handle_message(bytes(3))),
        Ok((MessageType::Response, "3".into()))
    );
    assert!(p.is_healthy());
    let state = p.get_state().expect("counter has state");
    assert_eq!(state.decode::<u64>(1), Ok(3));
    assert_eq!(p.control(|c| c.ping()), Ok(1), "one request served");

    p.stop().unwrap();
    assert_eq!(server.lock().mode(), ServerMode::Quiesced);
    assert!(!p.is_healthy(), "a quiesced counter is stopped");
    assert_eq!(
        text_of(p.handle_message(bytes(1))),
        Err(ModuleError::InvalidState)
    );
    assert_eq!(p.control(|c| c.save_state()).map(|s| s.is_some()), Ok(true));

    p.cleanup().unwrap();
    assert_eq!(server.lock().mode(), ServerMode::Stopped);
    assert!(server.lock().module().cleaned);
    assert!(!p.is_healthy());
    assert_eq!(p.get_state(), None);
    assert_eq!(
        p.init(&ModuleContext::new(1)),
        Err(ModuleError::InvalidState)
    );
    assert_eq!(
        p.control(|c| c.ping()),
        Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Stopped
        )))
    );
}

#[test]
fn a_hot_reload_through_the_registry_keeps_id_and_state() {
    let (old_server, new_server) = (counter_server(), counter_server());
    let mut registry = ModuleRegistry::new();
    let id = registry.register(Box::new(proxy_of(&old_server))).unwrap();
    let module = registry.get_mut(id).unwrap();
    assert!(module.handle_message(bytes(5)).is_ok());
    module.stop().unwrap();
    let state = registry.get(id).and_then(|m| m.get_state()).unwrap();

    let mut new = proxy_of(&new_server);
    new.restore_state(state).unwrap();
    let mut old = registry.replace(id, Box::new(new)).unwrap();
    old.cleanup().unwrap();
    assert_eq!(old_server.lock().mode(), ServerMode::Stopped);

    let module = registry.get_mut(id).unwrap();
    assert_eq!(
        text_of(module.handle_message(bytes(2))),
        Ok((MessageType::Response, "7".into()))
    );
    assert_eq!(registry.find_by_name("counter"), Some(id));
}

#[test]
fn forwarding_rules() {
    let server = counter_server();
    let mut p = proxy_of(&server);
    let refuse = ModuleMessage::new(MessageType::Request, MessagePayload::Text("refuse".into()));
    assert_eq!(
        text_of(p.handle_message(refuse)),
        Ok((MessageType::Error, "no thanks".into()))
    );
    let empty = ModuleMessage::new(MessageType::Request, MessagePayload::Empty);
    assert_eq!(
        text_of(p.handle_message(empty)),
        Err(ModuleError::InvalidArgument),
        "the module's own error"
    );
    let event = ModuleMessage::new(MessageType::Event, MessagePayload::Bytes(vec![1]));
    assert_eq!(
        text_of(p.handle_message(event)),
        Ok((MessageType::Response, "1".into()))
    );
    let served = server.lock().served();
    for (kind, err) in [
        (MessageType::Control, ModuleError::PermissionDenied),
        (MessageType::Notification, ModuleError::NotSupported),
        (MessageType::Response, ModuleError::InvalidArgument),
        (MessageType::Error, ModuleError::InvalidArgument),
    ] {
        let msg = ModuleMessage::new(kind, MessagePayload::Empty);
        assert_eq!(p.handle_message(msg).map(drop), Err(err), "{kind:?}");
    }
    assert_eq!(server.lock().served(), served, "nothing refused was sent");
    let typed = ModuleMessage::typed(MessageType::Request, 5u8);
    assert!(matches!(
        p.handle_message(typed),
        Err(ModuleError::Encode(_))
    ));
}

/// A transport whose every call fails the same way, or answers nothing.
struct Broken(Option<TransportError>);

impl Transport for Broken {
    fn call(&mut self, _: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        reply.clear();
        self.0.map_or(Ok(()), Err)
    }
}

#[test]
fn a_server_that_is_gone_is_not_found() {
    let mut p = ServerProxy::new(&record(), Broken(Some(TransportError::Disconnected)));
    assert_eq!(p.init(&ModuleContext::new(1)), Err(ModuleError::NotFound));
    assert_eq!(p.stop(), Err(ModuleError::NotFound));
    assert!(!p.is_healthy());
    assert_eq!(p.get_state(), None);
    assert_eq!(
        p.handle_message(bytes(1)).map(drop),
        Err(ModuleError::NotFound)
    );
    assert_eq!(
        p.control(|c| c.health()),
        Err(CallError::Transport(TransportError::Disconnected))
    );
    let mut silent = ServerProxy::new(&record(), Broken(None));
    assert_eq!(
        silent.handle_message(bytes(1)).map(drop),
        Err(ModuleError::InvalidState)
    );
    assert!(!silent.is_healthy(), "an empty reply is no answer");
    assert!(matches!(silent.into_transport(), Broken(None)));
}

#[test]
fn error_mapping() {
    let sys = |e| transport_error(TransportError::Sys(e));
    assert_eq!(sys(SysError::NoRights), ModuleError::PermissionDenied);
    assert_eq!(sys(SysError::OutOfMemory), ModuleError::OutOfMemory);
    assert_eq!(sys(SysError::TimedOut), ModuleError::Busy);
    assert_eq!(sys(SysError::InvalidCap), ModuleError::NotFound);
    assert_eq!(
        transport_error(TransportError::MessageTooLong),
        ModuleError::InvalidArgument
    );
    assert_eq!(
        server_error(ServerError::Module(ModuleError::Custom(7))),
        ModuleError::Custom(7)
    );
    assert_eq!(
        server_error(ServerError::NotPermitted),
        ModuleError::PermissionDenied
    );
    assert_eq!(
        server_error(ServerError::WrongMode(ServerMode::Quiesced)),
        ModuleError::InvalidState
    );
}

#[test]
fn a_proxy_is_a_send_sync_static_module() {
    fn boxable<M: Module + Send + Sync + 'static>(m: M) -> Box<dyn Module> {
        Box::new(m)
    }
    let boxed = boxable(proxy_of(&counter_server()));
    assert_eq!(boxed.metadata().name, "counter");
}
