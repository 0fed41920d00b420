//! Host tests: the store and its two formats (migration both ways, bad
//! state refused), the typed client against a served kvstore, and a hot
//! reload from 1.0.0 to 1.0.1 and back through the control protocol.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use helix_protocol::client::{CallError, ControlClient};
use helix_protocol::server::{Loopback, ServerCore};
use helix_protocol::{Module, ModuleContext, ModuleError, ModuleState};

use crate::{Counted, Format, KvClient, KvError, KvHandler, Store, Values};

crate::kvstore_module!(V1(Values), version: "1.0.0", description: "test store, format 1");
crate::kvstore_module!(V2(Counted), version: "1.0.1", description: "test store, format 2");

fn started<M: Module + Default>() -> ServerCore<M> {
    let mut m = M::default();
    m.init(&ModuleContext::new(1).with_args("")).unwrap();
    m.start().unwrap();
    ServerCore::new(m)
}

fn filled(format: Format) -> Store {
    let mut s = Store::new(format);
    s.put("a".into(), vec![1]).unwrap();
    s.put("a".into(), vec![2]).unwrap();
    s.put("b".into(), vec![]).unwrap();
    s
}

#[test]
fn puts_answer_what_they_replace_and_count_writes() {
    let mut s = filled(Format::Values);
    assert_eq!(s.put("a".into(), vec![3]), Ok(Some(vec![2])));
    assert_eq!(s.writes("a"), Some(3));
    assert_eq!(s.writes("b"), Some(1));
    assert_eq!(s.get("a".into()), Ok(vec![3]));
    assert_eq!(s.delete("b".into()), Ok(vec![]));
    assert_eq!(s.delete("b".into()), Err(KvError::NotFound));
    assert_eq!(s.writes("b"), None);
    assert_eq!(s.len(), Ok(1));
}

#[test]
fn format_1_is_the_map_of_values() {
    let state = filled(Format::Values).save().unwrap();
    assert_eq!(state.version, 1);
    let expected: BTreeMap<String, Vec<u8>> = [("a".into(), vec![2]), ("b".into(), vec![])]
        .into_iter()
        .collect();
    assert_eq!(state.decode::<BTreeMap<String, Vec<u8>>>(1), Ok(expected));
}

#[test]
fn format_2_keeps_the_counters() {
    let old = filled(Format::Counted);
    let state = old.save().unwrap();
    assert_eq!(state.version, 2);
    let mut new = Store::new(Format::Counted);
    assert_eq!(new.restore(&state), Ok(Format::Counted));
    assert_eq!(new, old);
    assert_eq!(new.writes("a"), Some(2));
}

#[test]
fn format_1_migrates_up_with_one_write_per_key() {
    let state = filled(Format::Values).save().unwrap();
    let mut v2 = Store::new(Format::Counted);
    assert_eq!(v2.restore(&state), Ok(Format::Values));
    assert_eq!(v2.writes("a"), Some(1));
    assert_eq!(v2.get("a".into()), Ok(vec![2]));
    assert_eq!(
        v2.save().unwrap().version,
        2,
        "1.0.1 saves in its own format"
    );
}

#[test]
fn format_2_migrates_down_dropping_the_counters() {
    let state = filled(Format::Counted).save().unwrap();
    let mut v1 = Store::new(Format::Values);
    assert_eq!(v1.restore(&state), Ok(Format::Counted));
    assert_eq!(v1.get("a".into()), Ok(vec![2]));
    assert_eq!(v1.len(), Ok(2));
    let down = v1.save().unwrap();
    assert_eq!(down.version, 1);
    assert_eq!(down, filled(Format::Values).save().unwrap());
}

#[test]
fn unknown_or_corrupt_state_is_refused_and_changes_nothing() {
    let mut s = filled(Format::Counted);
    let before = s.clone();
    let unknown = ModuleState::new(3, filled(Format::Counted).save().unwrap().data);
    assert_eq!(s.restore(&unknown), Err(ModuleError::StateCorrupt));
    let truncated = {
        let mut st = filled(Format::Values).save().unwrap();
        st.data.pop();
        st
    };
    assert_eq!(s.restore(&truncated), Err(ModuleError::StateCorrupt));
    // Format 1 bytes labelled format 2 do not decode as format 2.
    let mislabelled = ModuleState::new(2, filled(Format::Values).save().unwrap().data);
    assert_eq!(s.restore(&mislabelled), Err(ModuleError::StateCorrupt));
    assert_eq!(s, before);
}

#[test]
fn typed_calls_reach_the_store() {
    let mut kv = KvClient::new(started::<V1>());
    assert_eq!(kv.put("a".into(), vec![1]), Ok(None));
    assert_eq!(kv.put("a".into(), vec![2]), Ok(Some(vec![1])));
    assert_eq!(kv.get("a".into()), Ok(vec![2]));
    assert_eq!(kv.len(), Ok(1));
    assert_eq!(kv.delete("a".into()), Ok(vec![2]));
    assert_eq!(
        kv.get("a".into()),
        Err(CallError::Remote(KvError::NotFound))
    );
    assert_eq!(kv.len(), Ok(0));
}

/// Quiesce `old`, take its state, hand it to a started `new`.
fn reload<A: Module, B: Module + Default>(old: &mut ServerCore<A>) -> ServerCore<B> {
    let mut ctl = ControlClient::new(Loopback::control(old));
    ctl.quiesce().unwrap();
    let state = ctl.save_state().unwrap().expect("kvstore has state");
    let mut new = started::<B>();
    ControlClient::new(Loopback::control(&mut new))
        .restore_state(state)
        .unwrap();
    new
}

#[test]
fn state_survives_a_reload_up_and_back_down() {
    let mut v1 = started::<V1>();
    let mut kv = KvClient::new(&mut v1);
    kv.put("k".into(), vec![9; 3]).unwrap();
    kv.put("j".into(), vec![]).unwrap();
    let mut v2 = reload::<V1, V2>(&mut v1);
    assert_eq!(v2.module().0.writes("k"), Some(1), "migrated from format 1");
    let mut kv = KvClient::new(&mut v2);
    assert_eq!(kv.put("k".into(), vec![7]), Ok(Some(vec![9; 3])));
    assert_eq!(v2.module().0.writes("k"), Some(2));
    let back = reload::<V2, V1>(&mut v2);
    let mut kv = KvClient::new(back);
    assert_eq!(kv.get("k".into()), Ok(vec![7]));
    assert_eq!(kv.len(), Ok(2));
}

#[test]
fn the_record_names_kvstore_with_the_kv_symbols() {
    use helix_protocol::v1::DeclaredModule;
    let rec = <V2 as DeclaredModule>::RECORD;
    assert_eq!((rec.name, rec.version), ("kvstore", "1.0.1"));
    assert_eq!(rec.provides, ["kv@1.0"]);
    let names: Vec<&str> = rec.symbols.iter().map(|s| s.name).collect();
    assert_eq!(names, ["kv_put", "kv_get", "kv_delete", "kv_len"]);
}
