//! plain 1.0.1: what a reload of `plain` offers, and is refused.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

helix_sysmods::plain_module!("1.0.1");
