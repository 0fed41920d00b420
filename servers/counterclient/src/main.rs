//! helix-counterclient: finds the counter server, resets it, adds
//! 1..=100 through the typed `counter` client checking every new total,
//! checks the final total 5050, and prints `counterclient: ok <n> calls`
//! (or `counterclient: FAILED: <check>: ...`) on the debug console. The
//! exit status is 0, or the number of the failed check
//! ([`session::Failure::status`]).
//!
//! Design rules:
//! - No `unsafe`: the runtime in `helix-protocol` owns the entry, heap and
//!   panic handler; `helix-sys` the debug console.
//! - Every answer is checked against what a correct counter must say; the
//!   first difference ends the run and names itself in the status.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

use helix_counter::CounterClient;
use helix_protocol::ModuleContext;
use helix_sys::println;

mod find;
mod session;

/// Find the server, run the checked session, report.
fn run(ctx: &ModuleContext) -> u64 {
    let result = find::counter(ctx).and_then(|t| session::session(&mut CounterClient::new(t)));
    match result {
        Ok(calls) => {
            println!("counterclient: ok {calls} calls, total {}", session::TOTAL);
            0
        }
        Err(e) => {
            println!("counterclient: FAILED: {e}");
            e.status()
        }
    }
}

helix_protocol::helix_program! {
    name: "counterclient",
    version: "1.0.0",
    author: "Helix",
    description: "Adds 1..=100 on the counter server, checking every total",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [("counter", "^1.0")],
}

helix_protocol::program_main!("counterclient", run);
