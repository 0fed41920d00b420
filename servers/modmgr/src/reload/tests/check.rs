//! `check_reload` and `abi_version` on their own: what the version rule
//! lets through, and malformed versions.

use alloc::string::String;
use helix_protocol::{AbiVersion, AbiViolation, SymbolEntry};

use super::mock::{record, symbols};
use crate::reload::{
    ReloadPlan, ReloadRefusal, VersionError, VersionRole, abi_version, check_reload,
};

fn check(old: &str, new: &str) -> Result<ReloadPlan, alloc::vec::Vec<ReloadRefusal>> {
    check_reload(&record(old), &record(new), &[])
}

#[test]
fn patch_and_minor_moves_the_rule_allows() {
    let v = AbiVersion::new;
    for (old, new) in [
        ("1.0.0", "1.0.1"),
        ("1.0.1", "1.0.0"), // a patch downgrade: patches do not change the interface
        ("1.0.0", "1.1.0"),
        ("1.0.0", "1.0.0"),
        ("1.1", "1.1.7"),
    ] {
        let plan = check(old, new).unwrap();
        assert_eq!(plan.name, "kv");
        assert_eq!(
            (plan.old_version, plan.new_version),
            (abi_version(old).unwrap(), abi_version(new).unwrap())
        );
    }
    assert_eq!(check("1.1", "1.1.7").unwrap().old_version, v(1, 1, 0));
}

#[test]
fn additions_need_a_minor_bump_and_deprecated_symbols_may_go() {
    let mut new = record("1.0.1");
    new.symbols
        .push(SymbolEntry::function("len", "fn() -> u64").unwrap());
    assert_eq!(
        check_reload(&record("1.0.0"), &new, &[]).unwrap_err(),
        [ReloadRefusal::Abi(AbiViolation::AddedWithoutMinorBump {
            name: String::from("len")
        })]
    );
    new.version = String::from("1.1.0");
    assert!(check_reload(&record("1.0.0"), &new, &[]).is_ok());

    let mut old = record("1.0.0");
    old.symbols.push(
        SymbolEntry::function("legacy", "fn()")
            .unwrap()
            .deprecated(),
    );
    assert!(check_reload(&old, &record("1.0.1"), &[]).is_ok());
}

#[test]
fn versions_read_as_abi_versions() {
    let v = AbiVersion::new;
    assert_eq!(abi_version("1.2.3"), Ok(v(1, 2, 3)));
    assert_eq!(abi_version(" 2 "), Ok(v(2, 0, 0)));
    assert_eq!(abi_version("1.1.0-rc.1+b7"), Ok(v(1, 1, 0)));
    assert_eq!(abi_version("65535.0.0"), Ok(v(u16::MAX, 0, 0)));
    assert_eq!(
        abi_version("1.65536.0"),
        Err(VersionError::TooLarge {
            component: "minor",
            value: 65536
        })
    );
    for bad in ["", "x", "1.2.3.4", "v1", "1.-2"] {
        assert!(
            matches!(abi_version(bad), Err(VersionError::Semver(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn a_bad_running_version_still_checks_the_symbols() {
    let mut old = record("1.0.0");
    old.version = String::from("70000.0.0");
    let mut new = record("1.0.1");
    new.symbols = symbols(&[("get", "fn(u64) -> u64")]);
    assert_eq!(
        check_reload(&old, &new, &[]).unwrap_err(),
        [
            ReloadRefusal::BadVersion {
                role: VersionRole::Running,
                version: String::from("70000.0.0"),
                error: VersionError::TooLarge {
                    component: "major",
                    value: 70000
                },
            },
            ReloadRefusal::Abi(AbiViolation::Removed {
                name: String::from("put")
            }),
        ]
    );
}
