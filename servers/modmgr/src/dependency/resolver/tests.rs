//! Resolver: each refusal and its message, the constraint forms, optional
//! dependencies, a mixed plan, reload checks, and a property that the plan
//! partitions the candidates and respects every required edge.

use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

use super::*;

fn id(n: u64) -> ModuleId {
    ModuleId(n)
}

fn m(n: u64, name: &str) -> ModuleRef {
    ModuleRef {
        id: id(n),
        name: name.into(),
    }
}

fn resolve(candidates: Vec<Candidate>) -> Resolution {
    let mut r = DependencyResolver::new();
    for c in candidates {
        r.add(c);
    }
    r.resolve()
}

fn messages(res: &Resolution) -> Vec<String> {
    res.refused.iter().map(ToString::to_string).collect()
}

#[test]
fn unsatisfied_names_who_requires_what_and_what_was_found() {
    let res = resolve(vec![
        Candidate::new(id(1), "kvstore", "1.0.0"),
        Candidate::new(id(2), "kvclient", "0.1.0").requires("kvstore", "^2.0"),
    ]);
    assert_eq!(
        res.refused,
        vec![Refusal::Unsatisfied {
            module: m(2, "kvclient"),
            dependency: "kvstore".into(),
            constraint: "^2.0".into(),
            found: Version::new(1, 0, 0),
        }]
    );
    assert_eq!(
        messages(&res),
        ["kvclient requires kvstore ^2.0, found 1.0.0"]
    );
    assert_eq!(res.order, vec![id(1)]);
    assert!(res.is_refused(id(2)) && !res.is_refused(id(1)));
}

#[test]
fn missing_bad_constraint_and_bad_version() {
    let res = resolve(vec![
        Candidate::new(id(1), "app", "1.0.0").requires("hal", ">=0.4.0"),
        Candidate::new(id(2), "fs", "1.0.0").requires("app", ">>1"),
        Candidate::new(id(3), "odd", "one.two"),
    ]);
    let kinds: Vec<&Refusal> = res.refused.iter().collect();
    assert!(matches!(kinds[0], Refusal::Missing { module, .. } if module.id == id(1)));
    assert!(
        matches!(kinds[1], Refusal::BadConstraint { module, constraint, .. }
        if module.id == id(2) && constraint == ">>1")
    );
    assert!(
        matches!(kinds[2], Refusal::BadVersion { module, version, .. }
        if module.id == id(3) && version == "one.two")
    );
    assert_eq!(kinds.len(), 3, "fs is refused for its own constraint, once");
    let lines = messages(&res);
    assert_eq!(
        lines[0],
        "app requires hal >=0.4.0, found no module named hal"
    );
    assert!(
        lines[1].starts_with("fs requires app `>>1`, which is not a version constraint: "),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("odd has version `one.two`, which is not a semantic version: "),
        "{}",
        lines[2]
    );
    assert!(res.order.is_empty());
}

#[test]
fn cycles_refuse_their_members_and_whoever_requires_them() {
    let res = resolve(vec![
        Candidate::new(id(1), "a", "1.0.0").requires("b", "*"),
        Candidate::new(id(2), "b", "1.0.0").requires("a", "*"),
        Candidate::new(id(3), "c", "1.0.0").requires("a", "^1"),
        Candidate::new(id(4), "d", "1.0.0").requires("d", "*"),
        Candidate::new(id(5), "e", "1.0.0"),
    ]);
    assert_eq!(
        messages(&res),
        [
            "dependency cycle: a -> b -> a",
            "dependency cycle: d -> d",
            "c requires a, which cannot start",
        ]
    );
    assert_eq!(
        res.refused[2],
        Refusal::DependsOnRefused {
            module: m(3, "c"),
            dependency: "a".into()
        }
    );
    assert_eq!(res.order, vec![id(5)]);
    assert_eq!(res.refusals_of(id(2)).count(), 1);
}

#[test]
fn duplicate_and_empty_names_are_refused() {
    let res = resolve(vec![
        Candidate::new(id(1), "kv", "1.0.0"),
        Candidate::new(id(2), "kv", "2.0.0"),
        Candidate::new(id(3), "", "1.0.0"),
        Candidate::new(id(4), "user", "1.0.0").requires("kv", "^1"),
    ]);
    assert_eq!(
        messages(&res),
        [
            "kv (#2) is refused: #1 already has the name kv",
            "#3 has an empty name"
        ]
    );
    assert_eq!(res.order, vec![id(1), id(4)], "user binds to the first kv");
}

#[test]
fn constraint_forms() {
    let cases = [
        (">=0.4.0", "0.4.0", true),
        (">=0.4.0", "0.3.9", false),
        ("^1.0", "1.9.3", true),
        ("^1.0", "2.0.0", false),
        ("=2.0.0", "2.0.0", true),
        ("=2.0.0", "2.0.1", false),
        ("~1.2", "1.2.7", true),
        ("~1.2", "1.3.0", false),
        ("*", "0.0.1", true),
        (">=1.0, <2.0", "1.5.0", true),
        (">=1.0, <2.0", "2.0.0", false),
        ("^1.0", "1.1", true),
    ];
    for (constraint, version, ok) in cases {
        let res = resolve(vec![
            Candidate::new(id(1), "dep", version),
            Candidate::new(id(2), "user", "1.0.0").requires("dep", constraint),
        ]);
        assert_eq!(!res.is_refused(id(2)), ok, "{constraint} vs {version}");
    }
}

#[test]
fn optional_dependencies() {
    let res = resolve(vec![
        Candidate::new(id(1), "absent-ok", "1.0.0").optionally("ghost", "^1"),
        Candidate::new(id(2), "log", "1.0.0"),
        Candidate::new(id(3), "wrong", "1.0.0").optionally("log", "^2"),
        Candidate::new(id(4), "broken", "x"),
        Candidate::new(id(5), "tolerant", "1.0.0").optionally("broken", "*"),
        Candidate::new(id(6), "user", "1.0.0").optionally("log", "^1"),
    ]);
    assert_eq!(
        messages(&res),
        [
            "wrong requires log ^2, found 1.0.0",
            "broken has version `x`, which is not a semantic version: unexpected character 'x' while parsing major version number",
        ]
    );
    assert_eq!(
        res.order,
        vec![id(1), id(2), id(5), id(6)],
        "a present optional dep starts first"
    );
}

#[test]
fn a_broken_module_refuses_only_its_dependents() {
    // hal <- fs <- app ; hal <- net <- vpn <- browser ; net needs crypto ^2 (1.4 present).
    let res = resolve(vec![
        Candidate::new(id(7), "browser", "1.0.0")
            .requires("vpn", "*")
            .requires("fs", "*"),
        Candidate::new(id(2), "fs", "1.1.0").requires("hal", ">=0.4.0"),
        Candidate::new(id(3), "app", "1.0.0").requires("fs", "^1.0"),
        Candidate::new(id(1), "hal", "0.4.2"),
        Candidate::new(id(4), "net", "1.0.0")
            .requires("hal", "~0.4")
            .requires("crypto", "^2"),
        Candidate::new(id(5), "crypto", "1.4.0"),
        Candidate::new(id(6), "vpn", "1.0.0").requires("net", ">=1.0, <2.0"),
    ]);
    assert_eq!(
        messages(&res),
        [
            "net requires crypto ^2, found 1.4.0",
            "vpn requires net, which cannot start",
            "browser requires vpn, which cannot start",
        ]
    );
    assert_eq!(res.order, vec![id(1), id(2), id(3), id(5)]);
}

#[test]
fn replacement_must_satisfy_every_dependent() {
    let mut g = DependencyGraph::new();
    g.add_named(id(1), "kvstore", Vec::<Dep>::new()).unwrap();
    g.add_named(id(2), "kvclient", [Dep::required("kvstore", "^1.0")])
        .unwrap();
    g.add_named(id(3), "stats", [Dep::optional("kvstore", ">=1.2")])
        .unwrap();
    g.add_named(id(4), "odd", [Dep::required("kvstore", "?")])
        .unwrap();
    g.remove_module(id(4));
    let check = |g: &DependencyGraph, v: &str| DependencyResolver::check_replacement(g, id(1), v);
    assert_eq!(check(&g, "1.5.0"), vec![]);
    assert_eq!(
        check(&g, "2.0.0")
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["kvclient requires kvstore ^1.0, found 2.0.0"]
    );
    assert_eq!(
        check(&g, "1.1.0")
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["stats requires kvstore >=1.2, found 1.1.0"],
        "an optional dependent that is present counts"
    );
    assert!(
        matches!(&check(&g, "2.x")[..], [Refusal::BadVersion { module, .. }] if module.name == "kvstore")
    );
    g.add_named(id(4), "odd", [Dep::required("kvstore", "?")])
        .unwrap();
    assert!(
        matches!(&check(&g, "1.5.0")[..], [Refusal::BadConstraint { module, .. }] if module.id == id(4))
    );
    assert_eq!(
        DependencyResolver::check_replacement(&g, id(9), "1.0.0"),
        vec![]
    );
}

#[test]
fn candidates_from_metadata_and_records() {
    use helix_protocol::metadata::RecordDependency;
    use helix_protocol::{AbiVersion, ModuleDependency, ModuleFlags, SymbolTable};
    let meta = ModuleMetadata {
        name: "fs",
        version: "1.0.0",
        author: "",
        description: "",
        flags: ModuleFlags::FILESYSTEM,
        dependencies: vec![ModuleDependency {
            name: "hal",
            version_constraint: ">=0.4.0",
        }],
        abi_version: AbiVersion::CURRENT,
    };
    let c = Candidate::from_metadata(id(1), &meta);
    assert_eq!(
        c,
        Candidate::new(id(1), "fs", "1.0.0").requires("hal", ">=0.4.0")
    );
    let record = ModuleRecord {
        abi: AbiVersion::CURRENT,
        flags: ModuleFlags::empty(),
        name: "kv".into(),
        version: "2.1.0".into(),
        author: String::new(),
        description: String::new(),
        dependencies: vec![RecordDependency {
            name: "log".into(),
            version_constraint: "^1".into(),
        }],
        provides: vec![],
        symbols: SymbolTable::default(),
    };
    let c = Candidate::from_record(id(2), &record);
    assert_eq!(
        c,
        Candidate::new(id(2), "kv", "2.1.0").requires("log", "^1")
    );
    let mut r = DependencyResolver::new();
    assert!(r.is_empty());
    assert_eq!(r.add(c.clone()), None);
    assert_eq!(r.add(c.clone()), Some(c));
    assert_eq!(r.len(), 1);
}

/// Random candidates: names m0..m11, versions 1.x.0 or garbage, deps on
/// random names with random constraints, some optional.
fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
    let dep = (0u64..14, 0usize..4, proptest::bool::weighted(0.3));
    let one = (0u64..12, 0u64..4, proptest::collection::vec(dep, 0..4));
    proptest::collection::vec(one, 0..12).prop_map(|list| {
        list.into_iter()
            .enumerate()
            .map(|(k, (name, minor, deps))| {
                let version = if minor == 3 {
                    "bad".to_string()
                } else {
                    format!("1.{minor}.0")
                };
                let mut c = Candidate::new(ModuleId(k as u64 + 1), &format!("m{name}"), &version);
                for (to, constraint, optional) in deps {
                    let constraint = ["*", "^1.1", ">=1.0, <1.2", "=1.0.0"][constraint];
                    c.deps.push(Dep {
                        name: format!("m{to}"),
                        constraint: constraint.into(),
                        optional,
                    });
                }
                c
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_plan_partitions_candidates_and_respects_required_edges(cs in candidates()) {
        let res = resolve(cs.clone());
        let mut placed: Vec<ModuleId> = Vec::new();
        for &started in &res.order {
            prop_assert!(!res.is_refused(started), "{} both started and refused", started);
            let c = cs.iter().find(|c| c.id == started).unwrap();
            let carrier = |name: &str| cs.iter().find(|o| o.name == name);
            for d in &c.deps {
                match carrier(&d.name) {
                    // The first candidate with a name carries it.
                    Some(dep) if res.order.contains(&dep.id) => {
                        prop_assert!(placed.contains(&dep.id), "{} before its dependency", started);
                        let req = VersionReq::parse(&d.constraint).unwrap();
                        prop_assert!(req.matches(&parse_version(&dep.version).unwrap()));
                    }
                    _ => prop_assert!(d.optional, "{} started without {}", started, d.name),
                }
            }
            placed.push(started);
        }
        for c in &cs {
            prop_assert!(res.order.contains(&c.id) != res.is_refused(c.id), "{} in exactly one", c.id);
        }
    }
}
