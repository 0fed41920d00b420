//! The figures table of `helix-runner bench` (pure): which Linux figure
//! each Helix figure is compared with, the ratios, and the text lines.
//!
//! Pairing (one row each):
//! - `null_syscall` / `linux_getppid`: a syscall that does no work.
//! - `ipc_call_reply_same_cpu` / `linux_pipe_same_cpu` and
//!   `linux_futex_same_cpu`: a request and its answer between two address
//!   spaces on one CPU (round trip, two switches).
//! - `yield_context_switch` / `linux_futex_same_cpu` ÷ 2 and
//!   `linux_sched_yield_same_cpu` ÷ 2: one switch to another thread (the
//!   Linux round trips contain two switches each).
//! - `ipc_call_reply_cross_cpu` / `linux_pipe_cross_cpu` and
//!   `linux_futex_cross_cpu`: the round trip with the partner on the other CPU.
//! - `typed_call_same_cpu` / `ipc_call_reply_same_cpu` (Helix against
//!   Helix, the row right under the raw round trip's): a typed `kv.len()`
//!   from kvclient to kvstore against the raw IPC round trip, both on one
//!   CPU; the ratio is the typed runtime's cost (typed ÷ raw).
//!
//! The ratio is Helix median ÷ (Linux median ÷ divisor): below 1 Helix is
//! cheaper. A figure that was not reported is shown as "not measured",
//! never estimated.

use crate::serial::BenchFigure;

/// One comparison row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pairing {
    /// The Helix figure (`HELIX-KTEST BENCH <name>` of the `kbench` boot).
    pub helix: &'static str,
    /// The Linux figure (from the baseline initramfs).
    pub linux: &'static str,
    /// The Linux figure is divided by this before comparing.
    pub divisor: u64,
}

/// Every comparison, in table order.
pub const PAIRINGS: &[Pairing] = &[
    Pairing {
        helix: "null_syscall",
        linux: "linux_getppid",
        divisor: 1,
    },
    Pairing {
        helix: "ipc_call_reply_same_cpu",
        linux: "linux_pipe_same_cpu",
        divisor: 1,
    },
    Pairing {
        helix: "ipc_call_reply_same_cpu",
        linux: "linux_futex_same_cpu",
        divisor: 1,
    },
    Pairing {
        helix: "yield_context_switch",
        linux: "linux_futex_same_cpu",
        divisor: 2,
    },
    Pairing {
        helix: "yield_context_switch",
        linux: "linux_sched_yield_same_cpu",
        divisor: 2,
    },
    Pairing {
        helix: "ipc_call_reply_cross_cpu",
        linux: "linux_pipe_cross_cpu",
        divisor: 1,
    },
    Pairing {
        helix: "ipc_call_reply_cross_cpu",
        linux: "linux_futex_cross_cpu",
        divisor: 1,
    },
];

/// A Helix figure compared with another Helix figure (not with Linux).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overhead {
    /// The figure with the extra layer (numerator of the ratio).
    pub helix: &'static str,
    /// The bare figure it builds on (denominator); its row comes first.
    pub raw: &'static str,
}

/// The typed runtime's round trip against the raw IPC round trip.
pub const TYPED_VS_RAW: Overhead = Overhead {
    helix: "typed_call_same_cpu",
    raw: "ipc_call_reply_same_cpu",
};

/// The Helix figure the round-trip target applies to.
pub const TARGET_FIGURE: &str = "ipc_call_reply_same_cpu";
/// Target for the same-CPU IPC round trip, in guest instructions.
pub const TARGET_ROUND_TRIP: u64 = 1_200;

/// Published reference points (not measured here).
pub const REFERENCES: &[&str] = &[
    "seL4 x86-64: about 380-600 cycles per one-way IPC (seL4 performance page), i.e. ~760-1,200 per round trip",
    "L4Re: about 590 instructions per inter-task IPC",
    "Helix target: IPC call+reply round trip under 1,200 guest instructions",
];

fn find<'a>(figures: &'a [BenchFigure], name: &str) -> Option<&'a BenchFigure> {
    figures.iter().find(|f| f.name == name)
}

/// `helix_median / (linux_median / divisor)`, when both exist and the
/// Linux side is not zero.
pub fn ratio(helix: &BenchFigure, linux: &BenchFigure, divisor: u64) -> Option<f64> {
    if linux.median == 0 || divisor == 0 {
        return None;
    }
    Some(helix.median as f64 * divisor as f64 / linux.median as f64)
}

fn cell(f: Option<&BenchFigure>, divisor: u64) -> String {
    match f {
        None => "not measured".to_string(),
        Some(f) if divisor == 1 => format!("{} / {}", f.median, f.min),
        Some(f) => format!("{} / {}", f.median / divisor, f.min / divisor),
    }
}

fn linux_label(p: &Pairing) -> String {
    if p.divisor == 1 {
        p.linux.to_string()
    } else {
        format!("{} / {}", p.linux, p.divisor)
    }
}

/// Text lines of the table (a header, a rule, one line per pairing, and
/// the [`TYPED_VS_RAW`] line right after the last line of its raw figure).
/// Columns: Helix figure, its median / min, the figure compared with, its
/// median / min (after the divisor), the ratio.
pub fn comparison(helix: &[BenchFigure], linux: &[BenchFigure]) -> Vec<String> {
    let mut rows = vec![[
        "Helix figure".to_string(),
        "median / min".to_string(),
        "compared with".to_string(),
        "median / min".to_string(),
        "ratio".to_string(),
    ]];
    let last_raw = PAIRINGS.iter().rposition(|p| p.helix == TYPED_VS_RAW.raw);
    for (i, p) in PAIRINGS.iter().enumerate() {
        let h = find(helix, p.helix);
        let l = find(linux, p.linux);
        let r = match (h, l) {
            (Some(h), Some(l)) => ratio(h, l, p.divisor).map(|r| format!("{r:.2}x")),
            _ => None,
        };
        rows.push([
            p.helix.to_string(),
            cell(h, 1),
            linux_label(p),
            cell(l, p.divisor),
            r.unwrap_or_else(|| "-".to_string()),
        ]);
        if Some(i) == last_raw {
            rows.push(overhead_row(helix, &TYPED_VS_RAW));
        }
    }
    render(&rows)
}

/// The row of a Helix-vs-Helix comparison (ratio helix ÷ raw).
fn overhead_row(helix: &[BenchFigure], o: &Overhead) -> [String; 5] {
    let (h, raw) = (find(helix, o.helix), find(helix, o.raw));
    let r = match (h, raw) {
        (Some(h), Some(raw)) => ratio(h, raw, 1).map(|r| format!("{r:.2}x")),
        _ => None,
    };
    [
        o.helix.to_string(),
        cell(h, 1),
        format!("{} (Helix)", o.raw),
        cell(raw, 1),
        r.unwrap_or_else(|| "-".to_string()),
    ]
}

/// Text lines listing every figure as it was reported.
pub fn listing(figures: &[BenchFigure]) -> Vec<String> {
    let mut rows = vec![[
        "figure".to_string(),
        "median".to_string(),
        "min".to_string(),
        "runs".to_string(),
        "unit".to_string(),
    ]];
    for f in figures {
        rows.push([
            f.name.clone(),
            f.median.to_string(),
            f.min.to_string(),
            f.runs.to_string(),
            f.unit.clone(),
        ]);
    }
    render(&rows)
}

/// The target line: whether the same-CPU round trip is under the target.
pub fn target_line(helix: &[BenchFigure]) -> String {
    match find(helix, TARGET_FIGURE) {
        None => format!(
            "target: {TARGET_FIGURE} < {TARGET_ROUND_TRIP} guest instructions: not measured"
        ),
        Some(f) => format!(
            "target: {TARGET_FIGURE} < {TARGET_ROUND_TRIP} guest instructions: median {} -> {}",
            f.median,
            if f.median < TARGET_ROUND_TRIP {
                "met"
            } else {
                "NOT met"
            }
        ),
    }
}

/// Left-aligned columns separated by two spaces, with a rule under the
/// first row.
fn render<const N: usize>(rows: &[[String; N]]) -> Vec<String> {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: &[String; N]| {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        cells.join("  ").trim_end().to_string()
    };
    let mut out = Vec::with_capacity(rows.len() + 1);
    if let Some((first, rest)) = rows.split_first() {
        out.push(line(first));
        out.push(
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("  "),
        );
        out.extend(rest.iter().map(line));
    }
    out
}

#[cfg(test)]
mod tests;
