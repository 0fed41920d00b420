//! The `kbench` boot: run the ring-3 benchmarks of helix-usertest, print
//! one `BENCH` line each (cycles from `rdtsc`; under `-icount
//! shift=0,align=off` the TSC counts guest instructions) and leave QEMU
//! with success (failure if a benchmark did not finish).

use helix_abi::CapRights;
use helix_ktest::Line;

use crate::arch::port::{ExitCode, exit_qemu};
use crate::kprintln;
use crate::ktest::Failure;
use crate::tests::servers;
use crate::tests::user_fixture::{EP, RW, Report, run, sc};
use crate::user::smp;

/// One benchmark: a client (`sc`) measured, plus an optional partner.
fn bench(client_sc: u64, partner: Option<u64>, cpus: (u64, u64)) -> Result<Report, Failure> {
    let (p, out) = run(1, 600_000, |e| {
        let ep = e.endpoint()?;
        let p = e.spawn(client_sc, 0)?;
        e.give(&p, EP, ep, CapRights::WRITE, 0)?;
        e.affinity(&p, 1 << cpus.0)?;
        if let Some(s) = partner {
            let q = e.spawn(s, 0)?;
            e.give(&q, EP, ep, RW, 0)?;
            e.affinity(&q, 1 << cpus.1)?;
        }
        Ok(p)
    })?;
    out.of(&p, "benchmark client")
}

/// A benchmark: name, measuring scenario, partner scenario, and the CPUs
/// of the two.
type Spec = (&'static str, u64, Option<u64>, (u64, u64));

/// Run every benchmark and exit QEMU.
pub fn run_all() -> ! {
    let other = (smp::online() as u64).saturating_sub(1);
    let list: [Spec; 4] = [
        ("null_syscall", sc::BENCH_NULL, None, (0, 0)),
        (
            "ipc_call_reply_same_cpu",
            sc::BENCH_CALL,
            Some(sc::PP_SERVER),
            (0, 0),
        ),
        (
            "yield_context_switch",
            sc::BENCH_YIELD,
            Some(sc::YIELD_FOREVER),
            (0, 0),
        ),
        (
            "ipc_call_reply_cross_cpu",
            sc::BENCH_CALL,
            Some(sc::PP_SERVER),
            (other, 0),
        ),
    ];
    let mut ok = true;
    let mut print = |name, r: Result<Report, Failure>| match r {
        Ok(r) if r.label == 0 => kprintln!(
            "{}",
            Line::Bench {
                name,
                median: r.words[0],
                min: r.words[1],
                runs: r.words[2],
                unit: "cycles",
            }
        ),
        Ok(r) => {
            ok = false;
            kprintln!("kbench: {name} failed with status {}", r.label);
        }
        Err(e) => {
            ok = false;
            kprintln!("kbench: {name} failed: {e}");
        }
    };
    for (name, client, partner, cpus) in list {
        if name.ends_with("cross_cpu") && other == 0 {
            kprintln!("kbench: {name} skipped (one CPU)");
            continue;
        }
        print(name, bench(client, partner, cpus));
        if name == "ipc_call_reply_same_cpu" {
            let typed = servers::typed_call_bench().map(|w| Report {
                label: 0,
                words: [w[0], w[1], w[2], 0],
            });
            print("typed_call_same_cpu", typed);
        }
    }
    exit_qemu(if ok {
        ExitCode::Success
    } else {
        ExitCode::Failure
    })
}
