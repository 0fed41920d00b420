//! A program the system tests expect the manager to refuse: it the other half of the cycle.
//! If it ever runs, it exits with status 1 (the test fails).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::ModuleContext;

helix_protocol::helix_program! {
    name: "cycle-b",
    version: "1.0.0",
    author: "Helix",
    description: "System test: the other half of the cycle",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [("cycle-a", "*")],
}

fn run(_ctx: &ModuleContext) -> u64 {
    1
}

helix_protocol::program_main!("cycle-b", run);
