//! Graph: orders of random DAGs, exact cycle paths, inverse queries, edge
//! removal, and a 100,000-module chain on a 64 KiB stack.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

use super::*;

fn name(i: u64) -> String {
    format!("m{i}")
}

/// A graph from `(id, deps by id)`, each module named `m<id>`.
fn graph(edges: &[(u64, &[u64])]) -> DependencyGraph {
    let mut g = DependencyGraph::new();
    for &(id, deps) in edges {
        let deps: Vec<Dep> = deps.iter().map(|&d| Dep::required(&name(d), "*")).collect();
        g.add_named(ModuleId(id), &name(id), deps).unwrap();
    }
    g
}

fn ids(raw: &[u64]) -> Vec<ModuleId> {
    raw.iter().copied().map(ModuleId).collect()
}

/// Is `order` the smallest-id-first topological order of `g`?
fn check_order(g: &DependencyGraph, order: &[ModuleId]) -> Result<(), TestCaseError> {
    let mut sorted = order.to_vec();
    sorted.sort_unstable();
    prop_assert_eq!(&sorted, &g.ids(), "every module exactly once");
    let mut placed = alloc::collections::BTreeSet::new();
    for &m in order {
        let ready = |x: ModuleId| g.dependencies(x).iter().all(|d| placed.contains(d));
        prop_assert!(ready(m), "{} placed before one of its dependencies", m);
        let first_ready = g
            .ids()
            .into_iter()
            .find(|&x| !placed.contains(&x) && ready(x));
        prop_assert_eq!(first_ready, Some(m), "smallest ready id first");
        placed.insert(m);
    }
    Ok(())
}

/// A random DAG: module `k` (0-based) may depend on modules `< k`; ids are
/// a random permutation so id order is not a topological order; some
/// dependencies name nobody.
fn dag() -> impl Strategy<Value = (Vec<u64>, Vec<Vec<usize>>, Vec<bool>)> {
    (1usize..40).prop_flat_map(|n| {
        let perm = Just((1..=n as u64).collect::<Vec<_>>()).prop_shuffle();
        let deps = (0..n)
            .map(|k| proptest::collection::vec(0..k.max(1), 0..k.min(4) + 1))
            .collect::<Vec<_>>();
        let missing = proptest::collection::vec(proptest::bool::weighted(0.1), n);
        (perm, deps, missing)
    })
}

fn build((perm, deps, missing): &(Vec<u64>, Vec<Vec<usize>>, Vec<bool>)) -> DependencyGraph {
    let mut g = DependencyGraph::new();
    for (k, ds) in deps.iter().enumerate() {
        let mut list: Vec<Dep> = ds
            .iter()
            .filter(|&&d| d < k)
            .map(|&d| Dep::required(&name(perm[d]), "*"))
            .collect();
        if missing[k] {
            list.push(Dep::required("nobody", ">=1.0"));
            list.push(Dep::optional("nobody-optional", "*"));
        }
        g.add_named(ModuleId(perm[k]), &name(perm[k]), list)
            .unwrap();
    }
    g
}

proptest! {
    #[test]
    fn order_respects_every_edge_of_random_dags(spec in dag()) {
        let g = build(&spec);
        let order = g.topological_sort().unwrap();
        check_order(&g, &order)?;
        prop_assert!(!g.has_cycle());
        let want: Vec<(ModuleId, String)> = spec.0.iter().zip(&spec.2)
            .filter(|(_, m)| **m)
            .map(|(&id, _)| (ModuleId(id), "nobody".to_string()))
            .collect::<alloc::collections::BTreeSet<_>>().into_iter().collect();
        prop_assert_eq!(g.missing(), want, "required absent deps, optional ones not");
    }

    #[test]
    fn dependents_and_dependencies_are_inverse(
        edges in proptest::collection::vec((1u64..12, 1u64..12), 0..40)
    ) {
        let mut g = DependencyGraph::new();
        for id in 1..12 {
            let deps: Vec<Dep> = edges.iter().filter(|e| e.0 == id)
                .map(|e| Dep::required(&name(e.1), "*")).collect();
            g.add_named(ModuleId(id), &name(id), deps).unwrap();
        }
        for a in g.ids() {
            for b in g.ids() {
                let forward = g.dependencies(a).contains(&b);
                prop_assert_eq!(forward, g.dependents(b).contains(&a));
                prop_assert_eq!(forward, edges.contains(&(a.0, b.0)));
            }
        }
    }
}

#[test]
fn ties_go_to_the_smallest_id() {
    // 5 needs 2 and 9; 7 needs nothing; 1 needs 7.
    let g = graph(&[(5, &[2, 9]), (7, &[]), (1, &[7]), (2, &[]), (9, &[])]);
    assert_eq!(g.topological_sort(), Ok(ids(&[2, 7, 1, 9, 5])));
}

#[test]
fn a_self_dependency_is_a_cycle_of_one() {
    let g = graph(&[(1, &[]), (4, &[4]), (6, &[1])]);
    let err = g.topological_sort().unwrap_err();
    assert_eq!(err.path(), &ids(&[4])[..]);
    assert_eq!(err.to_string(), "m4 -> m4");
    assert_eq!(g.find_cycle(), Some(err));
}

#[test]
fn a_cycle_of_two_starts_at_its_smallest_id() {
    // The search enters at 2 (-> 8 -> 5 -> 8); the cycle is 5 <-> 8.
    let g = graph(&[(2, &[8]), (5, &[8]), (8, &[5])]);
    let err = g.topological_sort().unwrap_err();
    assert_eq!(err.path(), &ids(&[5, 8])[..]);
    assert_eq!(err.to_string(), "m5 -> m8 -> m5");
    assert!(err.contains(ModuleId(8)) && !err.contains(ModuleId(2)));
    assert_eq!((err.name(0), err.name(2)), (Some("m5"), None));
}

#[test]
fn a_cycle_of_fifty_is_reported_exactly() {
    // Ring ids in a scattered order, with an acyclic tail hanging off it.
    let ring: Vec<u64> = (0..50).map(|k| 1 + (k * 37) % 50).collect();
    let mut g = DependencyGraph::new();
    for (k, &id) in ring.iter().enumerate() {
        let next = ring[(k + 1) % ring.len()];
        g.add_named(ModuleId(id), &name(id), [(name(next).as_str(), "*")])
            .unwrap();
    }
    for tail in 100..110u64 {
        g.add_named(
            ModuleId(tail),
            &name(tail),
            [(name(tail - 1).as_str(), "*")],
        )
        .unwrap();
    }
    g.add_named(ModuleId(99), &name(99), [(name(17).as_str(), "*")])
        .unwrap();
    let err = g.topological_sort().unwrap_err();
    let start = ring.iter().position(|&id| id == 1).unwrap();
    let mut want = ring.clone();
    want.rotate_left(start);
    assert_eq!(err.path(), &ids(&want)[..]);
    assert_eq!(err.path().len(), 50);
    assert!(err.to_string().starts_with("m1 -> m38 -> m25 -> "));
    assert!(err.to_string().ends_with(" -> m1"));
}

#[test]
fn unnamed_modules_show_as_ids() {
    let mut g = DependencyGraph::new();
    g.add_module(ModuleId(3), &[]);
    g.add_named(ModuleId(4), "b", [("b", "*")]).unwrap();
    let err = g.find_cycle().unwrap();
    assert_eq!(err.to_string(), "b -> b");
    let unnamed = CycleError::new(vec![(ModuleId(3), None), (ModuleId(4), Some("b".into()))]);
    assert_eq!(unnamed.to_string(), "#3 -> b -> #3");
}

#[test]
fn remove_module_drops_its_edges() {
    let mut g = graph(&[(1, &[]), (2, &[1]), (3, &[2])]);
    assert_eq!(g.dependents(ModuleId(2)), ids(&[3]));
    g.remove_module(ModuleId(2));
    assert!(!g.contains(ModuleId(2)));
    assert_eq!(g.dependencies(ModuleId(3)), vec![], "3 -> 2 is gone");
    assert_eq!(g.dependents(ModuleId(1)), vec![], "2 -> 1 is gone");
    assert_eq!(g.missing(), vec![(ModuleId(3), "m2".to_string())]);
    assert_eq!(g.topological_sort(), Ok(ids(&[1, 3])));
    // A module carrying the name again takes the edge back.
    g.add_named(ModuleId(7), "m2", [("m1", "*")]).unwrap();
    assert_eq!(g.dependencies(ModuleId(3)), ids(&[7]));
    assert_eq!(g.topological_sort(), Ok(ids(&[1, 7, 3])));
}

#[test]
fn names_are_unique_and_can_change() {
    let mut g = graph(&[(1, &[]), (2, &[1])]);
    assert_eq!(
        g.name_module(ModuleId(3), "m1"),
        Err(GraphError::NameTaken {
            name: "m1".into(),
            by: ModuleId(1)
        })
    );
    assert_eq!(g.name_module(ModuleId(3), ""), Err(GraphError::EmptyName));
    assert!(!g.contains(ModuleId(3)), "a refused name adds nothing");
    g.name_module(ModuleId(1), "m1").unwrap(); // same name again: no change
    g.name_module(ModuleId(1), "base").unwrap();
    assert_eq!(
        (g.carrier("m1"), g.carrier("base")),
        (None, Some(ModuleId(1)))
    );
    assert_eq!(
        g.dependencies(ModuleId(2)),
        vec![],
        "2 depends on the name m1"
    );
    g.add_module(
        ModuleId(2),
        &[helix_protocol::ModuleDependency {
            name: "base",
            version_constraint: "*",
        }],
    );
    assert_eq!(
        (g.dependencies(ModuleId(2)), g.name(ModuleId(2))),
        (ids(&[1]), Some("m2"))
    );
    assert_eq!((g.len(), g.is_empty()), (2, false));
}

#[test]
fn from_registry_follows_metadata() {
    use helix_protocol::{AbiVersion, ModuleFlags, ModuleMetadata};
    let meta = |name: &'static str, deps: Vec<ModuleDependency>| ModuleMetadata {
        name,
        version: "1.0.0",
        author: "",
        description: "",
        flags: ModuleFlags::empty(),
        dependencies: deps,
        abi_version: AbiVersion::CURRENT,
    };
    let mut r = ModuleRegistry::new();
    let dep = ModuleDependency {
        name: "hal",
        version_constraint: ">=0.4.0",
    };
    let fs = r
        .register(crate::testing::boxed(meta("fs", vec![dep])))
        .unwrap();
    let hal = r
        .register(crate::testing::boxed(meta("hal", vec![])))
        .unwrap();
    let g = DependencyGraph::from_registry(&r);
    assert_eq!(g.topological_sort(), Ok(vec![hal, fs]));
    assert_eq!(g.deps(fs), Some(&[Dep::required("hal", ">=0.4.0")][..]));
}

/// id i depends on id i+1: the search from #1 goes 100,000 deep.
fn chain(n: u64, closed: bool) -> DependencyGraph {
    let mut g = DependencyGraph::new();
    for id in 1..=n {
        let next = if id == n && closed { 1 } else { id + 1 };
        let deps: Vec<Dep> = if id < n || closed {
            vec![Dep::required(&name(next), "*")]
        } else {
            vec![]
        };
        g.add_named(ModuleId(id), &name(id), deps).unwrap();
    }
    g
}

#[test]
fn a_chain_of_100_000_sorts_on_a_64_kib_stack() {
    const N: u64 = 100_000;
    let worker = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(|| {
            let g = chain(N, false);
            let order = g.topological_sort().expect("a chain has no cycle");
            let in_order = order.iter().rev().map(|id| id.0).eq(1..=N);
            let acyclic = !g.has_cycle();
            let ring = chain(N, true).find_cycle().map(|c| c.path().len());
            (in_order, acyclic, ring)
        })
        .unwrap();
    let (in_order, acyclic, ring) = worker.join().expect("no stack overflow");
    assert!(in_order, "the last of the chain starts first");
    assert!(acyclic);
    assert_eq!(
        ring,
        Some(N as usize),
        "closing the chain is one cycle through all"
    );
}

#[derive(Clone, Debug)]
enum Op {
    AddNamed {
        id: u64,
        name: usize,
        deps: Vec<(usize, bool)>,
    },
    AddModule {
        id: u64,
        deps: Vec<usize>,
    },
    Rename {
        id: u64,
        name: usize,
    },
    Remove {
        id: u64,
    },
}

const NAMES: [&str; 7] = ["a", "b", "c", "d", "e", "f", "g"];

fn op() -> impl Strategy<Value = Op> {
    let deps = proptest::collection::vec((0..NAMES.len(), proptest::bool::weighted(0.3)), 0..4);
    prop_oneof![
        4 => (1u64..9, 0..6usize, deps).prop_map(|(id, name, deps)| Op::AddNamed { id, name, deps }),
        1 => (1u64..9, proptest::collection::vec(0..NAMES.len(), 0..3))
            .prop_map(|(id, deps)| Op::AddModule { id, deps }),
        1 => (1u64..9, 0..6usize).prop_map(|(id, name)| Op::Rename { id, name }),
        1 => (1u64..9).prop_map(|id| Op::Remove { id }),
    ]
}

/// id -> (name, deps): what the graph should answer, computed naively.
type Model = BTreeMap<u64, (Option<&'static str>, Vec<Dep>)>;

fn naive_carrier(model: &Model, name: &str) -> Option<u64> {
    model
        .iter()
        .find(|(_, m)| m.0 == Some(name))
        .map(|(&id, _)| id)
}

fn check_against(g: &DependencyGraph, model: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        g.ids(),
        model.keys().copied().map(ModuleId).collect::<Vec<_>>()
    );
    for (&id, (name, deps)) in model {
        let mut want: Vec<ModuleId> = deps
            .iter()
            .filter_map(|d| naive_carrier(model, &d.name))
            .map(ModuleId)
            .collect();
        want.sort_unstable();
        want.dedup();
        prop_assert_eq!(g.dependencies(ModuleId(id)), want);
        let users: Vec<ModuleId> = match name {
            None => vec![],
            Some(n) => model
                .iter()
                .filter(|(_, m)| m.1.iter().any(|d| d.name == *n))
                .map(|(&u, _)| ModuleId(u))
                .collect(),
        };
        prop_assert_eq!(g.dependents(ModuleId(id)), users);
        prop_assert_eq!(g.name(ModuleId(id)), *name);
    }
    let missing: Vec<(ModuleId, String)> = model
        .iter()
        .flat_map(|(&id, m)| m.1.iter().map(move |d| (id, d)))
        .filter(|(_, d)| !d.optional && naive_carrier(model, &d.name).is_none())
        .map(|(id, d)| (ModuleId(id), d.name.clone()))
        .collect();
    prop_assert_eq!(g.missing(), missing);
    match g.topological_sort() {
        Ok(order) => {
            prop_assert!(!g.has_cycle());
            for (at, &m) in order.iter().enumerate() {
                for d in g.dependencies(m) {
                    prop_assert!(
                        order[..at].contains(&d),
                        "{} before its dependency {}",
                        m,
                        d
                    );
                }
            }
        }
        Err(cycle) => {
            // A real cycle: each module depends on the next, the last on the first.
            let path = cycle.path();
            prop_assert!(!path.is_empty() && path[0] == *path.iter().min().unwrap());
            for (k, &m) in path.iter().enumerate() {
                let next = path[(k + 1) % path.len()];
                prop_assert!(g.dependencies(m).contains(&next), "{} -/-> {}", m, next);
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn edges_follow_names_through_any_sequence_of_changes(ops in proptest::collection::vec(op(), 1..40)) {
        let mut g = DependencyGraph::new();
        let mut model = Model::new();
        for op in ops {
            match op {
                Op::AddNamed { id, name, deps } => {
                    let deps: Vec<Dep> = deps
                        .into_iter()
                        .map(|(n, optional)| Dep { optional, ..Dep::required(NAMES[n], "*") })
                        .collect();
                    let got = g.add_named(ModuleId(id), NAMES[name], deps.clone());
                    match naive_carrier(&model, NAMES[name]) {
                        Some(by) if by != id => prop_assert_eq!(
                            got,
                            Err(GraphError::NameTaken { name: NAMES[name].into(), by: ModuleId(by) })
                        ),
                        _ => {
                            prop_assert_eq!(got, Ok(()));
                            model.insert(id, (Some(NAMES[name]), deps));
                        }
                    }
                }
                Op::AddModule { id, deps } => {
                    let deps: Vec<ModuleDependency> = deps
                        .into_iter()
                        .map(|n| ModuleDependency { name: NAMES[n], version_constraint: "*" })
                        .collect();
                    g.add_module(ModuleId(id), &deps);
                    model.entry(id).or_insert((None, vec![])).1 = deps.iter().map(Dep::from).collect();
                }
                Op::Rename { id, name } => {
                    let got = g.name_module(ModuleId(id), NAMES[name]);
                    match naive_carrier(&model, NAMES[name]) {
                        Some(by) if by != id => prop_assert!(got.is_err()),
                        _ => {
                            prop_assert_eq!(got, Ok(()));
                            model.entry(id).or_insert((None, vec![])).0 = Some(NAMES[name]);
                        }
                    }
                }
                Op::Remove { id } => {
                    g.remove_module(ModuleId(id));
                    model.remove(&id);
                }
            }
            check_against(&g, &model)?;
        }
    }
}
