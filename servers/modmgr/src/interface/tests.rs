//! Name service: spec parsing, versioned lookups, one provider per name,
//! removal by provider, repointing, the spec's in-process `register`, and
//! forwarding through a service entry.

use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec;
use helix_protocol::server::SharedLoopback;
use helix_protocol::{MessagePayload, MessageType, ModuleError, ModuleMessage};

use super::*;
use crate::testing::counter_server;

const KV: ModuleId = ModuleId(1);
const LOG: ModuleId = ModuleId(2);

fn spec(text: &str) -> core::result::Result<(String, String), SpecError> {
    InterfaceSpec::parse(text).map(|s| (s.name, s.version.to_string()))
}

#[test]
fn provided_interface_texts() {
    assert_eq!(spec("kv@1.0"), Ok(("kv".into(), "1.0.0".into())));
    assert_eq!(spec("kv@1.0.2"), Ok(("kv".into(), "1.0.2".into())));
    assert_eq!(
        spec(" block_device@2 "),
        Ok(("block_device".into(), "2.0.0".into()))
    );
    assert_eq!(spec("kv"), Ok(("kv".into(), "0.0.0".into())));
    for bad_name in ["", "@1.0", "k v@1.0"] {
        assert!(
            matches!(spec(bad_name), Err(SpecError::BadName(_))),
            "{bad_name:?}"
        );
    }
    for bad_version in ["kv@", "kv@x", "kv@1.0@2", "kv@1.2.3.4"] {
        let err = spec(bad_version).unwrap_err();
        assert!(
            matches!(err, SpecError::BadVersion { .. }),
            "{bad_version:?}"
        );
        assert!(err.to_string().starts_with(&alloc::format!(
            "`{bad_version}` has a bad interface version: "
        )));
    }
}

fn registry() -> InterfaceRegistry {
    let mut r = InterfaceRegistry::new();
    r.register_provided(&["kv@1.2", "kv-admin"], KV, 40)
        .unwrap();
    r.register_service(ServiceInterface::from_spec("log@0.3.1", LOG, 41).unwrap())
        .unwrap();
    r
}

#[test]
fn lookups_check_the_version() {
    let r = registry();
    let kv = r.lookup("kv", "^1.0").unwrap();
    assert_eq!(
        (kv.provider, kv.endpoint, kv.version.to_string()),
        (KV, 40, "1.2.0".into())
    );
    assert_eq!(
        r.lookup("kv", "^2").map(|s| s.endpoint),
        Err(LookupError::VersionMismatch {
            name: "kv".into(),
            wanted: "^2".into(),
            found: Version::new(1, 2, 0)
        })
    );
    assert_eq!(
        r.lookup("kv", "^2").unwrap_err().to_string(),
        "interface kv ^2 wanted, 1.2.0 provided"
    );
    assert_eq!(
        r.lookup("fs", "*").map(|s| s.endpoint),
        Err(LookupError::NotProvided("fs".into()))
    );
    assert!(matches!(
        r.lookup("kv", "^^1"),
        Err(LookupError::BadConstraint { .. })
    ));
    // A bare name is 0.0.0: only `*` (or an explicit 0.0.0 range) finds it.
    assert_eq!(r.lookup("kv-admin", "*").map(|s| s.endpoint), Ok(40));
    assert!(r.lookup("kv-admin", "^1").is_err());
    assert!(r.lookup("kv-admin", ">=0.1").is_err());
    assert_eq!(r.lookup("log", "~0.3").map(|s| s.provider), Ok(LOG));
    assert_eq!(r.list(), vec!["kv", "kv-admin", "log"]);
}

#[test]
fn one_provider_per_name() {
    let mut r = registry();
    let again = ServiceInterface::new("kv", Version::new(2, 0, 0), LOG, 50);
    let err = r.register_service(again).unwrap_err();
    assert_eq!(
        err,
        InterfaceError::AlreadyProvided {
            name: "kv".into(),
            by: Some(KV)
        }
    );
    assert_eq!(err.to_string(), "interface kv is already provided by #1");
    // All or nothing: `net` is not registered because `log` is taken.
    let err = r
        .register_provided(&["net@1.0", "log@1.0"], ModuleId(3), 60)
        .unwrap_err();
    assert_eq!(
        err,
        InterfaceError::AlreadyProvided {
            name: "log".into(),
            by: Some(LOG)
        }
    );
    let err = r
        .register_provided(&["net@1.0", "net@1.1"], ModuleId(3), 60)
        .unwrap_err();
    assert_eq!(
        err,
        InterfaceError::AlreadyProvided {
            name: "net".into(),
            by: Some(ModuleId(3))
        }
    );
    let err = r
        .register_provided(&["net@1.0", "bad@x"], ModuleId(3), 60)
        .unwrap_err();
    assert!(matches!(
        err,
        InterfaceError::Spec(SpecError::BadVersion { .. })
    ));
    assert!(r.service("net").is_none());
    let empty = ServiceInterface::new("", Version::new(1, 0, 0), LOG, 1);
    assert!(matches!(
        r.register_service(empty),
        Err(InterfaceError::Spec(SpecError::BadName(_)))
    ));
}

#[test]
fn unregistering_by_name_and_by_provider() {
    let mut r = registry();
    assert_eq!(r.provided_by(KV), vec!["kv", "kv-admin"]);
    assert_eq!(
        r.unregister_provider(KV),
        vec!["kv".to_string(), "kv-admin".to_string()]
    );
    assert_eq!(r.list(), vec!["log"]);
    assert_eq!(r.unregister_provider(KV), Vec::<String>::new());
    r.unregister("log").unwrap();
    assert_eq!(
        r.unregister("log"),
        Err(InterfaceError::NotRegistered("log".into()))
    );
    assert!(r.list().is_empty());
}

#[test]
fn repoint_moves_an_interface_to_the_new_provider() {
    let mut r = registry();
    let server = counter_server();
    let forwarding = r.service_mut("kv").map(|s| {
        s.set_transport(SharedLoopback::client(&server));
        s.has_transport()
    });
    assert_eq!(forwarding, Some(true));
    r.repoint("kv", ModuleId(9), 77).unwrap();
    let kv = r.lookup("kv", "^1").unwrap();
    assert_eq!(
        (kv.provider, kv.endpoint, kv.version.minor),
        (ModuleId(9), 77, 2)
    );
    assert!(
        !kv.has_transport(),
        "the old provider's transport is dropped"
    );
    assert_eq!(r.provided_by(ModuleId(9)), vec!["kv"]);
    assert_eq!(
        r.repoint("fs", KV, 1),
        Err(InterfaceError::NotRegistered("fs".into()))
    );
}

/// An in-process interface: echoes requests back as responses.
struct Echo;

impl ModuleInterface for Echo {
    fn interface_name(&self) -> &'static str {
        "echo"
    }
    fn handle_message(
        &mut self,
        msg: ModuleMessage,
    ) -> core::result::Result<ModuleMessage, ModuleError> {
        Ok(ModuleMessage::new(MessageType::Response, msg.payload))
    }
}

#[test]
fn the_spec_register_takes_in_process_handlers() {
    let mut r = registry();
    r.register("echo", Box::new(Echo)).unwrap();
    assert_eq!(r.list(), vec!["echo", "kv", "kv-admin", "log"]);
    assert_eq!(r.get("echo").map(|i| i.interface_name()), Some("echo"));
    assert_eq!(
        r.get("kv").map(|i| i.interface_name()),
        Some("kv"),
        "services are interfaces too"
    );
    let msg = ModuleMessage::new(MessageType::Request, MessagePayload::Text("hi".into()));
    let answer = r.get_mut("echo").unwrap().handle_message(msg).unwrap();
    assert_eq!(answer.payload.into_value::<String>(), Ok("hi".into()));
    assert_eq!(
        r.lookup("echo", "*").map(|s| s.endpoint),
        Err(LookupError::InProcess("echo".into()))
    );
    assert_eq!(
        r.repoint("echo", KV, 1),
        Err(InterfaceError::InProcess("echo".into()))
    );
    assert!(r.service("echo").is_none() && r.service_mut("echo").is_none());
    assert_eq!(
        r.register("echo", Box::new(Echo)),
        Err(InterfaceError::AlreadyProvided {
            name: "echo".into(),
            by: None
        })
    );
    assert_eq!(
        r.register("kv", Box::new(Echo)),
        Err(InterfaceError::NameMismatch {
            name: "kv".into(),
            interface_name: "echo"
        })
    );
    r.unregister("echo").unwrap();
    assert!(r.get("echo").is_none());
}

#[test]
fn a_service_forwards_only_with_a_transport() {
    let mut plain = ServiceInterface::new("count", Version::new(1, 0, 0), KV, 3);
    let msg = || ModuleMessage::new(MessageType::Request, MessagePayload::Bytes(vec![0; 4]));
    assert_eq!(
        plain.handle_message(msg()).map(drop),
        Err(ModuleError::NotSupported)
    );
    let server = counter_server();
    let mut forwarding = plain.with_transport(SharedLoopback::client(&server));
    let answer = forwarding.handle_message(msg()).unwrap();
    assert_eq!(answer.payload.into_value::<String>(), Ok("4".into()));
    assert_eq!(server.lock().served(), 1);
    assert!(alloc::format!("{forwarding:?}").contains("forwards: true"));
    assert_eq!(forwarding.interface_name(), "count");
}
