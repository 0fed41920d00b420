//! The entry macros: `server_main!` and `program_main!` expand in the
//! server crate to the `helix_user_main` that `helix-sys`'s `_start`
//! calls (the `#[unsafe(no_mangle)]` comes from this crate's macro, so a
//! server crate keeps `#![forbid(unsafe_code)]`). They need the `rt`
//! feature on the bare-metal target.
#![forbid(unsafe_code)]

/// The process entry of a server declared with
/// [`helix_module!`](crate::helix_module):
/// `helix_protocol::server_main!("kvstore", helix_module_entry);`.
/// Builds nothing on the host (a `fn main() {}` so the crate still
/// compiles and tests there).
#[macro_export]
macro_rules! server_main {
    ($name:literal, $entry:path) => {
        #[cfg(target_os = "none")]
        #[unsafe(no_mangle)]
        extern "C" fn helix_user_main(arg0: u64, arg1: u64) -> ! {
            $crate::runtime::serve($name, arg0, arg1, |ctx, channel| $entry(ctx, channel))
        }

        #[cfg(not(target_os = "none"))]
        fn main() {}
    };
}

/// The process entry of a program whose `main(&ModuleContext) -> u64`
/// returns its status: `helix_protocol::program_main!("kvclient", run);`.
#[macro_export]
macro_rules! program_main {
    ($name:literal, $main:path) => {
        #[cfg(target_os = "none")]
        #[unsafe(no_mangle)]
        extern "C" fn helix_user_main(arg0: u64, arg1: u64) -> ! {
            $crate::runtime::program($name, arg0, arg1, $main)
        }

        /// On the host there is no kernel to run under: only type-check `main`.
        #[cfg(not(target_os = "none"))]
        fn main() {
            let _: fn(&$crate::v1::ModuleContext) -> u64 = $main;
        }
    };
}
