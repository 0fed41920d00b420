//! Preparing's refusals through the engine: each one is named, and none
//! stops anything (only `current`, `load` and `dependents` are called).

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use helix_protocol::metadata::ModuleRecord;
use helix_protocol::{AbiVersion, AbiViolation, ModuleFlags, ModuleState};

use super::mock::{ID, Mock, record, symbols};
use crate::reload::{
    HostCall, HotReloadEngine, ReloadError, ReloadRefusal, ReloadState, VersionError, VersionRole,
};

/// Reload the mock's `kv` 1.0.0 by `new` with these dependents; the
/// refusals, after checking that nothing was stopped.
fn refusals_of(new: ModuleRecord, dependents: &[(&str, &str)]) -> Vec<ReloadRefusal> {
    let mut mock = Mock::new();
    mock.dependents = dependents
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    refuse(mock, new)
}

fn refuse(mut mock: Mock, new: ModuleRecord) -> Vec<ReloadRefusal> {
    let before = mock.current.clone();
    let binary = mock.binary(new);
    let mut engine = HotReloadEngine::new(mock);
    let err = engine.reload(ID, &binary).unwrap_err();
    let mock = engine.host();
    assert_eq!(
        mock.take_calls(),
        [HostCall::Current, HostCall::Load, HostCall::Dependents],
        "a refusal stops nothing"
    );
    mock.assert_old_serves();
    assert_eq!(mock.current, before);
    assert_eq!(engine.state(), ReloadState::Idle);
    assert!(!err.rolled_back());
    assert_eq!(err.state(), ReloadState::Idle);
    let last = engine.last().unwrap();
    assert_eq!((last.module, last.end()), (ID, ReloadState::Idle));
    assert_eq!(last.outcome.as_ref().unwrap_err(), &err);
    match err {
        ReloadError::Refused { module, refusals } => {
            assert_eq!(module, ID);
            refusals
        }
        other => panic!("not a refusal: {other}"),
    }
}

fn with(version: &str, edit: impl FnOnce(&mut ModuleRecord)) -> ModuleRecord {
    let mut r = record(version);
    edit(&mut r);
    r
}

fn name(s: &str) -> String {
    String::from(s)
}

#[test]
fn a_module_that_is_not_hot_reloadable() {
    let mut mock = Mock::new();
    mock.current.flags = ModuleFlags::USERSPACE | ModuleFlags::ESSENTIAL;
    assert_eq!(
        refuse(mock, record("1.0.1")),
        [ReloadRefusal::NotHotReloadable { name: name("kv") }]
    );
}

#[test]
fn only_the_running_records_flag_counts() {
    // The new binary dropping HOT_RELOADABLE does not stop this reload.
    let (mut engine, _) = super::mock::engine("1.0.1");
    let new = with("1.0.1", |r| r.flags = ModuleFlags::USERSPACE);
    let binary = engine.host_mut().binary(new);
    assert!(engine.reload(ID, &binary).is_ok());
}

#[test]
fn a_new_binary_that_is_not_userspace() {
    let new = with("1.0.1", |r| r.flags = ModuleFlags::HOT_RELOADABLE);
    assert_eq!(
        refusals_of(new, &[]),
        [ReloadRefusal::NotUserspace { name: name("kv") }]
    );
}

#[test]
fn a_major_bump() {
    let v = AbiVersion::new;
    assert_eq!(
        refusals_of(record("2.0.0"), &[]),
        [ReloadRefusal::Abi(AbiViolation::VersionIncompatible {
            old: v(1, 0, 0),
            new: v(2, 0, 0),
        })]
    );
}

#[test]
fn a_minor_downgrade() {
    let mut mock = Mock::new();
    mock.current.version = name("1.2.0");
    let v = AbiVersion::new;
    assert_eq!(
        refuse(mock, record("1.1.0")),
        [ReloadRefusal::Abi(AbiViolation::VersionIncompatible {
            old: v(1, 2, 0),
            new: v(1, 1, 0),
        })]
    );
}

#[test]
fn a_removed_symbol() {
    let new = with("1.1.0", |r| {
        r.symbols = symbols(&[("get", "fn(u64) -> u64")])
    });
    assert_eq!(
        refusals_of(new, &[]),
        [ReloadRefusal::Abi(AbiViolation::Removed {
            name: name("put")
        })]
    );
}

#[test]
fn a_changed_signature() {
    let new = with("1.0.1", |r| {
        r.symbols = symbols(&[("get", "fn(u32) -> u64"), ("put", "fn(u64, u64)")]);
    });
    assert_eq!(
        refusals_of(new, &[]),
        [ReloadRefusal::Abi(AbiViolation::ArgTypeChanged {
            name: name("get"),
            index: 0,
            old: name("u64"),
            new: name("u32"),
        })]
    );
}

#[test]
fn a_dependents_constraint_broken() {
    let refusals = refusals_of(
        record("1.1.0"),
        &[("fs", "^1.0"), ("cache", "~1.0"), ("net", ">=1.0, <1.1")],
    );
    let broken = |dependent: &str, constraint: &str| ReloadRefusal::DependentUnsatisfied {
        dependent: name(dependent),
        constraint: name(constraint),
        found: semver::Version::new(1, 1, 0),
    };
    assert_eq!(
        refusals,
        [broken("cache", "~1.0"), broken("net", ">=1.0, <1.1")]
    );
    assert_eq!(
        refusals[0].to_string(),
        "cache requires ~1.0, the new version is 1.1.0"
    );
}

#[test]
fn a_dependents_bad_constraint() {
    let refusals = refusals_of(record("1.0.1"), &[("fs", "about 1")]);
    assert!(
        matches!(
            refusals.as_slice(),
            [ReloadRefusal::DependentBadConstraint { dependent, constraint, .. }]
                if dependent == "fs" && constraint == "about 1"
        ),
        "{refusals:?}"
    );
}

#[test]
fn a_changed_name() {
    let new = with("1.0.1", |r| r.name = name("kv2"));
    assert_eq!(
        refusals_of(new, &[]),
        [ReloadRefusal::NameChanged {
            running: name("kv"),
            offered: name("kv2"),
        }]
    );
}

#[test]
fn a_version_that_is_not_one() {
    let refusals = refusals_of(record("one"), &[("fs", "^1.0")]);
    assert!(
        matches!(
            refusals.as_slice(),
            [ReloadRefusal::BadVersion { role: VersionRole::Replacement, version, error: VersionError::Semver(_) }]
                if version == "one"
        ),
        "{refusals:?}"
    );
}

#[test]
fn every_reason_is_listed_in_order() {
    let mut mock = Mock::new();
    mock.current.flags = ModuleFlags::empty();
    mock.dependents = vec![(name("fs"), name("^1.0"))];
    let new = with("2.0.0", |r| {
        r.name = name("other");
        r.symbols = symbols(&[("get", "fn(u64, u64) -> u64")]);
    });
    let v = AbiVersion::new;
    let refusals = refuse(mock, new);
    assert_eq!(
        refusals,
        [
            ReloadRefusal::NotHotReloadable { name: name("kv") },
            ReloadRefusal::NameChanged {
                running: name("kv"),
                offered: name("other"),
            },
            ReloadRefusal::Abi(AbiViolation::VersionIncompatible {
                old: v(1, 0, 0),
                new: v(2, 0, 0),
            }),
            ReloadRefusal::Abi(AbiViolation::ArgCountChanged {
                name: name("get"),
                old: 1,
                new: 2,
            }),
            ReloadRefusal::Abi(AbiViolation::Removed { name: name("put") }),
            ReloadRefusal::DependentUnsatisfied {
                dependent: name("fs"),
                constraint: name("^1.0"),
                found: semver::Version::new(2, 0, 0),
            },
        ]
    );
    let text = ReloadError::<ModuleState>::Refused {
        module: ID,
        refusals,
    }
    .to_string();
    assert!(
        text.starts_with("hot reload of #7 refused: kv is not HOT_RELOADABLE; the new binary is other, not kv; ABI: "),
        "{text}"
    );
    assert!(text.ends_with("(nothing was stopped)"), "{text}");
}
