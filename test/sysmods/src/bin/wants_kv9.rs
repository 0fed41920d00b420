//! A program the system tests expect the manager to refuse: it wants a kvstore version that does not exist.
//! If it ever runs, it exits with status 1 (the test fails).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::ModuleContext;

helix_protocol::helix_program! {
    name: "wants-kv9",
    version: "1.0.0",
    author: "Helix",
    description: "System test: wants a kvstore version that does not exist",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [("kvstore", "^9.0")],
}

fn run(_ctx: &ModuleContext) -> u64 {
    1
}

helix_protocol::program_main!("wants-kv9", run);
