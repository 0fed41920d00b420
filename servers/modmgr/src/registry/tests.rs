//! Registry: the error cases, and a property test that the two indexes
//! agree exactly with the modules after every operation. Instances of one
//! name are told apart by `abi_version.patch`.

use alloc::collections::BTreeMap;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use helix_protocol::{AbiVersion, Module, ModuleFlags, ModuleMetadata};
use proptest::prelude::*;

use super::*;

fn fake(name: &'static str, flags: ModuleFlags, serial: u16) -> Box<dyn Module> {
    crate::testing::boxed(ModuleMetadata {
        name,
        version: "1.0.0",
        author: "",
        description: "",
        flags,
        dependencies: Vec::new(),
        abi_version: AbiVersion::new(1, 0, serial),
    })
}

fn serial(m: &dyn Module) -> u16 {
    m.metadata().abi_version.patch
}

/// The indexes rebuilt from the modules must equal the stored ones.
fn assert_indexes_agree(r: &ModuleRegistry) {
    let names: BTreeMap<String, ModuleId> = r
        .modules
        .iter()
        .map(|(&id, m)| (m.metadata().name.to_string(), id))
        .collect();
    assert_eq!(r.by_name, names, "by_name");
    let mut caps: BTreeMap<ModuleFlags, Vec<ModuleId>> = BTreeMap::new();
    for (&id, m) in &r.modules {
        for bit in m.metadata().flags.iter() {
            caps.entry(bit).or_default().push(id);
        }
    }
    assert_eq!(r.by_capability, caps, "by_capability");
}

#[test]
fn ids_are_monotonic_and_never_reused() {
    let mut r = ModuleRegistry::new();
    let a = r.register(fake("a", ModuleFlags::empty(), 0)).unwrap();
    let b = r.register(fake("b", ModuleFlags::empty(), 0)).unwrap();
    assert_eq!((a, b), (ModuleId(1), ModuleId(2)));
    r.unregister(b).unwrap();
    let b2 = r.register(fake("b", ModuleFlags::empty(), 0)).unwrap();
    assert_eq!(b2, ModuleId(3), "a removed id is not handed out again");
    assert_eq!(r.get(b).map(serial), None);
    assert_eq!(b2.to_string(), "#3");
}

#[test]
fn lookups_by_name_and_capability() {
    let mut r = ModuleRegistry::new();
    let rr = ModuleFlags::SCHEDULER | ModuleFlags::HOT_RELOADABLE;
    let s = r.register(fake("rr", rr, 0)).unwrap();
    let fs = r.register(fake(
        "fs",
        ModuleFlags::FILESYSTEM | ModuleFlags::HOT_RELOADABLE,
        0,
    ));
    let fs = fs.unwrap();
    let d = r.register(fake("disk", ModuleFlags::DRIVER, 0)).unwrap();
    assert_eq!(r.find_by_name("fs"), Some(fs));
    assert_eq!(r.find_by_name("nope"), None);
    assert_eq!(
        r.find_by_capability(ModuleFlags::HOT_RELOADABLE),
        vec![s, fs]
    );
    assert_eq!(r.find_by_capability(rr), vec![s], "multi-bit: all bits");
    assert_eq!(r.find_by_capability(ModuleFlags::SECURITY), vec![]);
    assert_eq!(r.find_by_capability(ModuleFlags::empty()), vec![s, fs, d]);
    assert_eq!(r.all(), vec![s, fs, d]);
    assert_eq!(r.count(), 3);
    assert_eq!(r.get(d).map(|m| m.metadata().name), Some("disk"));
    assert!(r.get_mut(d).is_some_and(|m| m.start().is_ok()));
    assert_eq!(r.iter().map(|(id, _)| id).collect::<Vec<_>>(), r.all());
}

#[test]
fn refusals() {
    let mut r = ModuleRegistry::new();
    let e = r.register(fake("core", ModuleFlags::ESSENTIAL, 0)).unwrap();
    let dup = r
        .register(fake("core", ModuleFlags::empty(), 1))
        .map(|_| ());
    assert_eq!(
        dup,
        Err(RegistryError::DuplicateName {
            name: "core".into(),
            existing: e
        })
    );
    let err = r.unregister(e).map(|_| ()).unwrap_err();
    assert_eq!(
        err,
        RegistryError::Essential {
            id: e,
            name: "core".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "core (#1) is essential and cannot be unregistered"
    );
    let missing = ModuleId(9);
    assert_eq!(
        r.unregister(missing).map(|_| ()),
        Err(RegistryError::NotFound(missing))
    );
    assert_eq!(
        r.replace(missing, fake("x", ModuleFlags::empty(), 0))
            .map(|_| ()),
        Err(RegistryError::NotFound(missing))
    );
    let renamed = r
        .replace(e, fake("other", ModuleFlags::empty(), 0))
        .map(|_| ());
    assert_eq!(
        renamed,
        Err(RegistryError::NameChanged {
            id: e,
            registered: "core".into(),
            offered: "other".into()
        })
    );
    assert_eq!(
        r.register(fake("", ModuleFlags::empty(), 0)).map(|_| ()),
        Err(RegistryError::EmptyName)
    );
    assert_eq!(r.count(), 1, "nothing refused changed the registry");
    assert_indexes_agree(&r);
}

#[test]
fn ids_run_out_without_wrapping() {
    let mut r = ModuleRegistry::new();
    r.last_id = u64::MAX - 1;
    assert_eq!(
        r.register(fake("a", ModuleFlags::empty(), 0)),
        Ok(ModuleId(u64::MAX))
    );
    assert_eq!(
        r.register(fake("b", ModuleFlags::empty(), 0)).map(|_| ()),
        Err(RegistryError::IdsExhausted)
    );
}

#[test]
fn replace_keeps_the_id_and_moves_the_capability_index() {
    let mut r = ModuleRegistry::new();
    let id = r.register(fake(
        "sched",
        ModuleFlags::SCHEDULER | ModuleFlags::ESSENTIAL,
        1,
    ));
    let id = id.unwrap();
    let old = r.replace(
        id,
        fake("sched", ModuleFlags::SECURITY | ModuleFlags::ESSENTIAL, 2),
    );
    assert_eq!(old.map(|m| serial(&*m)), Ok(1), "the old object comes back");
    assert_eq!(r.get(id).map(serial), Some(2));
    assert_eq!(r.find_by_capability(ModuleFlags::SCHEDULER), vec![]);
    assert_eq!(r.find_by_capability(ModuleFlags::SECURITY), vec![id]);
    assert_eq!(r.find_by_name("sched"), Some(id));
    assert_indexes_agree(&r);
}

#[derive(Clone, Debug)]
enum Op {
    Register {
        name: usize,
        flags: u32,
    },
    Unregister {
        pick: usize,
    },
    Replace {
        pick: usize,
        flags: u32,
        rename: bool,
    },
}

const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..NAMES.len(), 0u32..256).prop_map(|(name, flags)| Op::Register { name, flags }),
        (0usize..16).prop_map(|pick| Op::Unregister { pick }),
        (0usize..16, 0u32..256, proptest::bool::weighted(0.2)).prop_map(|(pick, flags, rename)| {
            Op::Replace {
                pick,
                flags,
                rename,
            }
        }),
    ]
}

/// What the registry should hold: id -> (name, flags, serial).
type Model = BTreeMap<ModuleId, (&'static str, ModuleFlags, u16)>;

/// An id to act on: one of the live ones, or sometimes one never issued.
fn choose(model: &Model, pick: usize) -> ModuleId {
    let live: Vec<ModuleId> = model.keys().copied().collect();
    live.get(pick)
        .copied()
        .unwrap_or(ModuleId(1000 + pick as u64))
}

proptest! {
    #[test]
    fn indexes_agree_with_the_modules_after_every_step(ops in proptest::collection::vec(op(), 1..60)) {
        let mut r = ModuleRegistry::new();
        let mut model = Model::new();
        let mut next = 0u64;
        for (step, op) in ops.into_iter().enumerate() {
            let serial_now = step as u16;
            match op {
                Op::Register { name, flags } => {
                    let (name, flags) = (NAMES[name], ModuleFlags::from_bits_truncate(flags));
                    let taken = model.iter().find(|(_, m)| m.0 == name).map(|(&id, _)| id);
                    let got = r.register(fake(name, flags, serial_now));
                    match taken {
                        Some(existing) => prop_assert_eq!(
                            got,
                            Err(RegistryError::DuplicateName { name: name.into(), existing })
                        ),
                        None => {
                            next += 1;
                            prop_assert_eq!(&got, &Ok(ModuleId(next)));
                            model.insert(ModuleId(next), (name, flags, serial_now));
                        }
                    }
                }
                Op::Unregister { pick } => {
                    let id = choose(&model, pick);
                    let got = r.unregister(id).map(|m| serial(&*m));
                    match model.get(&id).copied() {
                        None => prop_assert_eq!(got, Err(RegistryError::NotFound(id))),
                        Some((name, flags, _)) if flags.contains(ModuleFlags::ESSENTIAL) => {
                            prop_assert_eq!(got, Err(RegistryError::Essential { id, name: name.into() }))
                        }
                        Some((_, _, s)) => {
                            prop_assert_eq!(got, Ok(s));
                            model.remove(&id);
                        }
                    }
                }
                Op::Replace { pick, flags, rename } => {
                    let id = choose(&model, pick);
                    let flags = ModuleFlags::from_bits_truncate(flags);
                    let name = match (model.get(&id), rename) {
                        (Some(m), false) => m.0,
                        (Some(m), true) => if m.0 == "a" { "b" } else { "a" },
                        (None, _) => "a",
                    };
                    let got = r.replace(id, fake(name, flags, serial_now)).map(|m| serial(&*m));
                    match model.get_mut(&id) {
                        None => prop_assert_eq!(got, Err(RegistryError::NotFound(id))),
                        Some(m) if m.0 != name => prop_assert_eq!(
                            got,
                            Err(RegistryError::NameChanged {
                                id, registered: m.0.into(), offered: name.into()
                            })
                        ),
                        Some(m) => {
                            prop_assert_eq!(got, Ok(m.2));
                            *m = (name, flags, serial_now);
                        }
                    }
                }
            }
            assert_indexes_agree(&r);
            prop_assert_eq!(r.all(), model.keys().copied().collect::<Vec<_>>());
            prop_assert_eq!(r.count(), model.len());
            for (&id, &(name, flags, s)) in &model {
                prop_assert_eq!(r.find_by_name(name), Some(id));
                prop_assert_eq!(r.get(id).map(serial), Some(s));
                prop_assert_eq!(r.get(id).map(|m| m.metadata().flags), Some(flags));
            }
            for query in [ModuleFlags::HOT_RELOADABLE, ModuleFlags::DRIVER | ModuleFlags::USERSPACE] {
                let want: Vec<ModuleId> = model
                    .iter()
                    .filter(|(_, m)| m.1.contains(query))
                    .map(|(&id, _)| id)
                    .collect();
                prop_assert_eq!(r.find_by_capability(query), want);
            }
        }
    }
}
