//! Host tests of the server: the typed client against a `ServerCore`
//! loopback, and a hot reload through the control protocol.

use helix_protocol::runtime::prelude::vec;

use helix_kvstore::{KvClient, KvError};
use helix_protocol::client::{CallError, ControlClient};
use helix_protocol::server::{Loopback, ServerCore};
use helix_protocol::{Module, ModuleContext};

use super::KvStore;

fn started() -> ServerCore<KvStore> {
    let mut m = KvStore::default();
    m.init(&ModuleContext::new(1).with_args("")).unwrap();
    m.start().unwrap();
    ServerCore::new(m)
}

#[test]
fn typed_calls_reach_the_store() {
    let mut kv = KvClient::new(started());
    assert_eq!(kv.put("a".into(), vec![1]), Ok(None));
    assert_eq!(kv.put("a".into(), vec![2]), Ok(Some(vec![1])));
    assert_eq!(kv.get("a".into()), Ok(vec![2]));
    assert_eq!(kv.len(), Ok(1));
    assert_eq!(kv.delete("a".into()), Ok(vec![2]));
    assert_eq!(
        kv.get("a".into()),
        Err(CallError::Remote(KvError::NotFound))
    );
    assert_eq!(
        kv.delete("a".into()),
        Err(CallError::Remote(KvError::NotFound))
    );
    assert_eq!(kv.len(), Ok(0));
}

#[test]
fn state_survives_a_hot_reload() {
    let mut old = started();
    let mut kv = KvClient::new(&mut old);
    kv.put("k".into(), vec![9; 3]).unwrap();
    kv.put("j".into(), vec![]).unwrap();
    let mut ctl = ControlClient::new(Loopback::control(&mut old));
    ctl.quiesce().unwrap();
    let state = ctl.save_state().unwrap().expect("kvstore has state");
    let mut new = started();
    ControlClient::new(Loopback::control(&mut new))
        .restore_state(state)
        .unwrap();
    let mut kv = KvClient::new(new);
    assert_eq!(kv.get("k".into()), Ok(vec![9; 3]));
    assert_eq!(kv.len(), Ok(2));
}
