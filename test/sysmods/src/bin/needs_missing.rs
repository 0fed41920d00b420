//! A program the system tests expect the manager to refuse: it needs a module nobody provides.
//! If it ever runs, it exits with status 1 (the test fails).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::ModuleContext;

helix_protocol::helix_program! {
    name: "needs-missing",
    version: "1.0.0",
    author: "Helix",
    description: "System test: needs a module nobody provides",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [("no-such-module", "^1.0")],
}

fn run(_ctx: &ModuleContext) -> u64 {
    1
}

helix_protocol::program_main!("needs-missing", run);
