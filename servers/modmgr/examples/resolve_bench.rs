//! Boot-plan cost for 10,000 modules with random dependencies: the
//! `DependencyResolver` (semver checks + order) and
//! `DependencyGraph::topological_sort` against `petgraph::algo::toposort` on
//! the same DAG (petgraph's adjacency-list `Graph`, and its `GraphMap`).
//!
//! Run: `cargo run --release -p helix-modmgr --example resolve_bench`
//! (host wall clock, best of interleaved rounds). Every order is checked to
//! be a valid topological order before anything is printed; output lines
//! are `BENCH <name> <value> <unit>`.

use std::fmt;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use helix_modmgr::{Candidate, Dep, DependencyGraph, DependencyResolver, ModuleId};
use petgraph::Directed;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::graphmap::GraphMap;
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

const MODULES: usize = 10_000;
const MAX_DEPS: u64 = 4;
const ROUNDS: usize = 11;
const SEED: [u8; 32] = *b"helix modmgr resolve bench seed!";
const CONSTRAINTS: [&str; 5] = [">=1.0.0", "^1", "*", ">=1.0, <2.0", "~1"];

/// The benchmark DAG: module `k` depends on up to four modules `< k`;
/// `ids[k]` is its id, a random permutation of `1..=MODULES`, so id order
/// is not a dependency order.
struct Dag {
    ids: Vec<u64>,
    deps: Vec<Vec<usize>>,
}

fn dag() -> Dag {
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &SEED);
    let mut below = |n: usize| (rng.next_u64() % n as u64) as usize;
    let mut ids: Vec<u64> = (1..=MODULES as u64).collect();
    for i in (1..ids.len()).rev() {
        ids.swap(i, below(i + 1));
    }
    let deps = (0..MODULES)
        .map(|k| {
            if k == 0 {
                return Vec::new();
            }
            let count = below(MAX_DEPS as usize + 1);
            let mut ds: Vec<usize> = (0..count).map(|_| below(k)).collect();
            ds.sort_unstable();
            ds.dedup();
            ds
        })
        .collect();
    Dag { ids, deps }
}

/// A dependency listed after the module that needs it.
struct InvalidOrder {
    sorter: &'static str,
    detail: String,
}

impl fmt::Display for InvalidOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: not a topological order: {}",
            self.sorter, self.detail
        )
    }
}

/// Is `order` (module ids) a topological order of `dag`?
fn check(sorter: &'static str, dag: &Dag, order: &[u64]) -> Result<(), InvalidOrder> {
    let fail = |detail: String| InvalidOrder { sorter, detail };
    let mut position = vec![usize::MAX; MODULES + 1];
    for (at, &id) in order.iter().enumerate() {
        let slot = position
            .get_mut(id as usize)
            .ok_or_else(|| fail(format!("unknown id {id}")))?;
        if *slot != usize::MAX {
            return Err(fail(format!("#{id} twice")));
        }
        *slot = at;
    }
    if order.len() != MODULES {
        return Err(fail(format!("{} of {MODULES} modules", order.len())));
    }
    for (k, ds) in dag.deps.iter().enumerate() {
        for &d in ds {
            let (module, dep) = (dag.ids[k], dag.ids[d]);
            if position[dep as usize] > position[module as usize] {
                return Err(fail(format!("#{dep} after #{module}, which needs it")));
            }
        }
    }
    Ok(())
}

/// Microseconds of one run of `op`.
fn time<R>(op: &mut impl FnMut() -> R) -> f64 {
    let start = Instant::now();
    black_box(op());
    start.elapsed().as_secs_f64() * 1e6
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resolve_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), InvalidOrder> {
    let dag = dag();
    let name = |k: usize| format!("m{k}");

    let mut resolver = DependencyResolver::new();
    let mut graph = DependencyGraph::new();
    let mut pg: DiGraph<u64, ()> = DiGraph::with_capacity(MODULES, MODULES * 2);
    let mut pgm: GraphMap<u64, (), Directed, std::hash::RandomState> = GraphMap::new();
    let nodes: Vec<NodeIndex> = dag.ids.iter().map(|&id| pg.add_node(id)).collect();
    for (k, ds) in dag.deps.iter().enumerate() {
        let id = ModuleId(dag.ids[k]);
        let deps: Vec<Dep> = ds
            .iter()
            .enumerate()
            .map(|(j, &d)| Dep::required(&name(d), CONSTRAINTS[(k + j) % CONSTRAINTS.len()]))
            .collect();
        let mut candidate = Candidate::new(id, &name(k), &format!("1.{}.0", k % 10));
        candidate.deps = deps.clone();
        resolver.add(candidate);
        if let Err(e) = graph.add_named(id, &name(k), deps) {
            return Err(InvalidOrder {
                sorter: "setup",
                detail: e.to_string(),
            });
        }
        pgm.add_node(dag.ids[k]);
        for &d in ds {
            // Edge dependency -> module: toposort puts the dependency first.
            pg.add_edge(nodes[d], nodes[k], ());
            pgm.add_edge(dag.ids[d], dag.ids[k], ());
        }
    }
    let edges = pg.edge_count();

    // Correctness first.
    let plan = resolver.resolve();
    if !plan.refused.is_empty() {
        let detail = plan
            .refused
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(InvalidOrder {
            sorter: "DependencyResolver",
            detail,
        });
    }
    let ids = |order: Vec<ModuleId>| order.into_iter().map(|m| m.0).collect::<Vec<_>>();
    check("DependencyResolver", &dag, &ids(plan.order))?;
    let sorted = graph.topological_sort().map_err(|e| InvalidOrder {
        sorter: "topological_sort",
        detail: e.to_string(),
    })?;
    check("topological_sort", &dag, &ids(sorted))?;
    let cycle = |sorter| InvalidOrder {
        sorter,
        detail: "cycle reported".into(),
    };
    let pg_order = petgraph::algo::toposort(&pg, None).map_err(|_| cycle("petgraph Graph"))?;
    check(
        "petgraph Graph",
        &dag,
        &pg_order.iter().map(|&n| pg[n]).collect::<Vec<_>>(),
    )?;
    let pgm_order = petgraph::algo::toposort(&pgm, None).map_err(|_| cycle("petgraph GraphMap"))?;
    check("petgraph GraphMap", &dag, &pgm_order)?;

    // Interleaved rounds so every contender sees the same machine load.
    let mut best = [f64::MAX; 4];
    for _ in 0..ROUNDS {
        let runs = [
            time(&mut || resolver.resolve()),
            time(&mut || graph.topological_sort()),
            time(&mut || petgraph::algo::toposort(&pg, None)),
            time(&mut || petgraph::algo::toposort(&pgm, None)),
        ];
        for (b, r) in best.iter_mut().zip(runs) {
            *b = b.min(r);
        }
    }
    let [resolve, topo, pg_graph, pg_map] = best;
    println!("BENCH modules {MODULES} count");
    println!("BENCH dependency_edges {edges} count");
    println!("BENCH resolver_resolve {resolve:.0} us");
    println!("BENCH graph_topological_sort {topo:.0} us");
    println!("BENCH petgraph_toposort_graph {pg_graph:.0} us");
    println!("BENCH petgraph_toposort_graphmap {pg_map:.0} us");
    println!(
        "BENCH ratio_topological_sort_vs_petgraph_graph {:.2} x",
        topo / pg_graph
    );
    println!(
        "BENCH ratio_resolve_vs_petgraph_graph {:.2} x",
        resolve / pg_graph
    );
    Ok(())
}
