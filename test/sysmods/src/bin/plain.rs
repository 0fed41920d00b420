//! plain 1.0.0: a server without HOT_RELOADABLE (system tests: its reload
//! is refused).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

helix_sysmods::plain_module!("1.0.0");
