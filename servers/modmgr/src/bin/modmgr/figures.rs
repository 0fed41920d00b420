//! Figures for `make bench`, printed in the runner's line protocol: the
//! spawn and boot figures (after the boot), and the downtime of each
//! completed hot reload by state size and the time from a crash to
//! serving again (when a program that drove them ends).

use alloc::vec::Vec;

use helix_ktest::Line;

use crate::clock;
use crate::manager::Manager;

/// State-size classes of the reload figures: (most bytes, name suffix).
const SIZES: &[(u64, &str)] = &[
    (512, "0"),
    (64 << 10, "4k"),
    (4 << 20, "1m"),
    (u64::MAX, "16m"),
];

/// A figure: median, min, number of samples, unit.
pub fn line(name: &str, median: u64, min: u64, n: usize, unit: &str) {
    let mut out = helix_sys::console::Console::new();
    // Formatting into the console cannot fail.
    let _ = core::fmt::Write::write_fmt(
        &mut out,
        format_args!(
            "{}\n",
            Line::Bench {
                name,
                median,
                min,
                runs: n as u64,
                unit,
            }
        ),
    );
    out.flush();
}

/// Median and min of `v` (sorted here), in both microseconds and TSC
/// ticks (guest instructions under `-icount shift=0`).
fn both(name: &str, mut v: Vec<u64>) {
    v.sort_unstable();
    let (Some(&min), Some(&median)) = (v.first(), v.get(v.len() / 2)) else {
        return;
    };
    line(&alloc::format!("{name}_us"), median, min, v.len(), "us");
    let (median, min) = (clock::ticks(median), clock::ticks(min));
    line(
        &alloc::format!("{name}_insns"),
        median,
        min,
        v.len(),
        "cycles",
    );
}

/// Print and forget the reload and restart samples taken so far.
pub fn flush(m: &mut Manager) {
    if !m.verdicts.active() {
        return;
    }
    let reloads = core::mem::take(&mut m.reload_downtimes);
    let mut lower = 0;
    for &(most, suffix) in SIZES {
        let v: Vec<u64> = reloads
            .iter()
            .filter(|(bytes, _)| *bytes >= lower && *bytes <= most)
            .map(|(_, us)| *us)
            .collect();
        lower = most.saturating_add(1);
        both(&alloc::format!("modmgr_reload_downtime_{suffix}"), v);
    }
    both("modmgr_crash_to_serving", core::mem::take(&mut m.heal_us));
}
