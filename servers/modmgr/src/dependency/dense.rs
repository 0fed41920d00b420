//! The graph as dense indices, and the two walks over it: the boot order
//! (Kahn's algorithm, smallest id first among the ready modules) and cycle
//! search (three-colour depth-first search). Both are iterative, with
//! explicit worklists on the heap, so a chain of any length fits in any
//! stack.
#![forbid(unsafe_code)]

use alloc::collections::BinaryHeap;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Reverse;

use crate::registry::ModuleId;

/// A dependency edge from a module to the module that carries the name it
/// depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    /// Index of the module depended on.
    pub to: usize,
    /// False for an optional dependency.
    pub required: bool,
}

/// Modules as indices `0..n` in increasing id order, with their edges in
/// one flat array (compressed rows: module `i`'s edges are
/// `edges[start[i]..start[i + 1]]`).
#[derive(Debug, Default)]
pub(crate) struct Dense {
    /// `ids[i]` is the module of index `i`; sorted.
    pub ids: Vec<ModuleId>,
    start: Vec<usize>,
    edges: Vec<Edge>,
}

/// Reverse edges in compressed rows (see [`Dense::users`]).
pub(crate) struct Users {
    start: Vec<usize>,
    list: Vec<usize>,
}

impl Users {
    /// The users of module `i`.
    pub fn of(&self, i: usize) -> &[usize] {
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&from), Some(&to)) => self.list.get(from..to).unwrap_or_default(),
            _ => &[],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Colour {
    /// Not reached yet.
    White,
    /// On the current path.
    Gray,
    /// Finished: everything it reaches has been searched.
    Black,
}

impl Dense {
    /// The view of modules `ids` (sorted) whose edges are
    /// `edges[start[i]..start[i + 1]]`; `start` has one entry more than
    /// `ids` (missing entries mean no edges).
    pub fn new(ids: Vec<ModuleId>, mut start: Vec<usize>, edges: Vec<Edge>) -> Dense {
        start.resize(ids.len() + 1, edges.len());
        Dense { ids, start, edges }
    }

    /// How many modules there are.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// A mask keeping every module.
    pub fn all(&self) -> Vec<bool> {
        vec![true; self.ids.len()]
    }

    /// The edges of module `i`.
    pub fn out(&self, i: usize) -> &[Edge] {
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&from), Some(&to)) => self.edges.get(from..to).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Every edge as (from, edge).
    pub fn all_edges(&self) -> impl Iterator<Item = (usize, &Edge)> {
        (0..self.len()).flat_map(move |from| self.out(from).iter().map(move |e| (from, e)))
    }

    /// The kept modules in dependency order: each after everything it
    /// depends on, and among those ready at a step the smallest id first.
    /// Edges to modules not kept are ignored. Modules on or behind a cycle
    /// are left out, so a result shorter than the kept count means a cycle.
    pub fn order(&self, keep: &[bool]) -> Vec<usize> {
        let kept = |i: usize| keep.get(i).copied().unwrap_or(false);
        let n = self.len();
        let mut waiting = vec![0usize; n];
        for (from, e) in self.all_edges() {
            if kept(from) && kept(e.to) {
                waiting[from] += 1;
            }
        }
        let users = self.users(|from, e| kept(from) && kept(e.to));
        let mut ready: BinaryHeap<Reverse<usize>> = (0..n)
            .filter(|&i| kept(i) && waiting[i] == 0)
            .map(Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(done)) = ready.pop() {
            order.push(done);
            for &user in users.of(done) {
                waiting[user] -= 1;
                if waiting[user] == 0 {
                    ready.push(Reverse(user));
                }
            }
        }
        order
    }

    /// For each module, the modules with an edge to it that `follow`
    /// accepts (`follow(from, edge)`), in index order.
    pub fn users(&self, follow: impl Fn(usize, &Edge) -> bool) -> Users {
        let n = self.len();
        let mut start = vec![0usize; n + 1];
        for (from, e) in self.all_edges() {
            if follow(from, e)
                && let Some(count) = start.get_mut(e.to + 1)
            {
                *count += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0usize; start[n]];
        for (from, e) in self.all_edges() {
            if follow(from, e)
                && let Some(at) = fill.get_mut(e.to)
            {
                list[*at] = from;
                *at += 1;
            }
        }
        Users { start, list }
    }

    /// Cycles among the kept modules, by one three-colour depth-first
    /// search from each white module in index order, following edges in
    /// list order: reaching a gray module closes a cycle, the path from it
    /// to the top of the stack. A back edge from a module already on a
    /// reported cycle is not reported again, so every cycle of the graph
    /// passes through some reported module. With `first_only` the search
    /// stops at the first cycle.
    pub fn cycles(&self, keep: &[bool], first_only: bool) -> Vec<Vec<usize>> {
        let kept = |i: usize| keep.get(i).copied().unwrap_or(false);
        let n = self.ids.len();
        let mut colour = vec![Colour::White; n];
        let mut on_cycle = vec![false; n];
        let mut found = Vec::new();
        // (module, next edge to follow)
        let mut stack: Vec<(usize, usize)> = Vec::new();
        for root in 0..n {
            if !kept(root) || colour[root] != Colour::White {
                continue;
            }
            colour[root] = Colour::Gray;
            stack.push((root, 0));
            while let Some(top) = stack.last_mut() {
                let (u, next) = *top;
                let Some(edge) = self.out(u).get(next) else {
                    colour[u] = Colour::Black;
                    stack.pop();
                    continue;
                };
                top.1 += 1;
                let v = edge.to;
                if !kept(v) {
                    continue;
                }
                match colour[v] {
                    Colour::White => {
                        colour[v] = Colour::Gray;
                        stack.push((v, 0));
                    }
                    Colour::Gray if !on_cycle[u] => {
                        let from = stack.iter().rposition(|&(w, _)| w == v).unwrap_or(0);
                        let cycle: Vec<usize> = stack[from..].iter().map(|&(w, _)| w).collect();
                        for &w in &cycle {
                            on_cycle[w] = true;
                        }
                        found.push(cycle);
                        if first_only {
                            return found;
                        }
                    }
                    Colour::Gray | Colour::Black => {}
                }
            }
        }
        found
    }
}
