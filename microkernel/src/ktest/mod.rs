//! In-kernel test harness (stable Rust, Asterinas-style): each case is a
//! `static` placed in the `.ktest_array` linker section by [`ktest!`]; the
//! linker script keeps the section and brackets it with `__ktest_start` /
//! `__ktest_end`. The runner speaks the `helix-ktest` line protocol.

pub mod bench;
pub mod drills;
mod failure;
pub mod remote;
mod runner;

pub use failure::Failure;
pub use runner::{on_fatal, run};

/// One registered test case.
#[repr(C)]
pub struct Case {
    /// Case name (the function name).
    pub name: &'static str,
    /// The test.
    pub run: fn() -> Result<(), Failure>,
}

/// Register test functions: `ktest!(a, b, c);` with each
/// `fn a() -> Result<(), Failure>`.
#[macro_export]
macro_rules! ktest {
    ($($f:ident),+ $(,)?) => {
        $(
            const _: () = {
                #[used]
                #[unsafe(link_section = ".ktest_array")]
                static CASE: $crate::ktest::Case = $crate::ktest::Case {
                    name: stringify!($f),
                    run: $f,
                };
            };
        )+
    };
}

/// Fail the case unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $what:literal) => {
        if !$cond {
            return Err($crate::ktest::Failure::Check {
                what: $what,
                line: line!(),
            });
        }
    };
}

/// Fail the case unless `left == right` (both convertible to `u64`).
#[macro_export]
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $what:literal) => {{
        let (l, r) = ($left as u64, $right as u64);
        if l != r {
            return Err($crate::ktest::Failure::NotEqual {
                what: $what,
                left: l,
                right: r,
                line: line!(),
            });
        }
    }};
}
