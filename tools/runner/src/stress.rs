//! `helix-runner stress`: one boot of the test kernel running only the
//! structured hostile case, with the seed and the number of calls on the
//! kernel cmdline (`hostile.seed=`, `hostile.calls=`). It prints the
//! case's own lines (seeds, progress, the summary and the invariants) and
//! ends with `N passed, N failed`; a failing seed replays with
//! `--seed <it>`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use helix_ktest::{CMDLINE_ONLY, CMDLINE_TEST};

use crate::build::KernelKind;
use crate::bundle;
use crate::cli::Options;
use crate::commands::{Tree, boot_options, build_and_stage};
use crate::error::Error;
use crate::qemu::{self, Medium};
use crate::serial::BootAccount;

/// The kernel case a stress boot runs.
pub const CASE: &str = "hostile_processes_cannot_hurt_the_kernel";
/// Calls of a stress run unless `--calls` says otherwise.
pub const DEFAULT_CALLS: u64 = 1_000_000;
/// Calls the case makes within one time budget (300 s) per CPU.
const CALLS_PER_BUDGET: u64 = 1_000_000;

/// The cmdline words of a stress boot.
pub fn words(seed: &str, calls: u64) -> Vec<String> {
    vec![
        CMDLINE_TEST.to_string(),
        format!("{CMDLINE_ONLY}{CASE}"),
        format!("hostile.seed={seed}"),
        format!("hostile.calls={calls}"),
    ]
}

/// A fresh seed when none is given (the clock's nanoseconds).
fn fresh_seed() -> String {
    let ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    format!("{ns:#x}")
}

/// Boot once with the hostile case alone; `Ok(false)` when it failed.
pub fn run(tree: &Tree, o: &Options) -> Result<bool, Error> {
    let seed = o.seed.clone().unwrap_or_else(fresh_seed);
    let calls = o.calls.unwrap_or(DEFAULT_CALLS);
    let words = words(&seed, calls);
    let (art, _, staged) = build_and_stage(
        tree,
        o,
        KernelKind::Test,
        crate::stage::KERNEL_TESTS_ENTRY,
        &words,
    )?;
    let tar = tree.out.join("helix-stress.tar");
    bundle::write(&staged, &tar)?;
    let medium = Medium::Offline {
        loader: art.loader,
        bundle: tar,
    };
    let mut opts = boot_options(o);
    // As the case itself: a budget per million calls and per CPU.
    let budgets = calls.div_ceil(CALLS_PER_BUDGET).max(1) * u64::from(opts.smp.max(1));
    opts.timeout = opts.timeout.max(Duration::from_secs(300 * budgets + 30));
    println!(
        "[stress] seed {seed}, {calls} calls, -smp {} (timeout {} s)",
        opts.smp,
        opts.timeout.as_secs()
    );
    let mut account = BootAccount::default();
    let boot = qemu::boot(&medium, &opts, &mut |line| {
        if line.text.contains("hostile") || line.text.contains("PANIC") {
            println!("[{:7.2} s] {}", line.at.as_secs_f64(), line.text);
        }
        // Verdicts are read from the report below.
        let _ = account.feed(&line.text);
    })?;
    println!("[stress] boot ended: {}", boot.end);
    let report = account.finish(boot.end);
    let passed = report.results.iter().any(|r| r.name == CASE && r.passed());
    for r in report.results.iter().filter(|r| !r.passed()) {
        if let Some(why) = &r.failure {
            println!("[stress] {} ... FAILED: {why}", r.name);
        }
    }
    if !passed {
        println!("[stress] replay: make stress SEED={seed} CALLS={calls}");
        for l in &report.tail {
            println!("    | {l}");
        }
    }
    println!("{} passed, {} failed", u8::from(passed), u8::from(!passed));
    Ok(passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stress_words_run_the_hostile_case_with_seed_and_calls() {
        let w = words("0x2a", 77);
        assert_eq!(
            w,
            [
                "ktest",
                "ktest.only=hostile_processes_cannot_hurt_the_kernel",
                "hostile.seed=0x2a",
                "hostile.calls=77"
            ]
        );
        assert!(fresh_seed().starts_with("0x"));
    }
}
