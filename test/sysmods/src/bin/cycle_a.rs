//! A program the system tests expect the manager to refuse: it half of a dependency cycle.
//! If it ever runs, it exits with status 1 (the test fails).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::ModuleContext;

helix_protocol::helix_program! {
    name: "cycle-a",
    version: "1.0.0",
    author: "Helix",
    description: "System test: half of a dependency cycle",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [("cycle-b", "*")],
}

fn run(_ctx: &ModuleContext) -> u64 {
    1
}

helix_protocol::program_main!("cycle-a", run);
