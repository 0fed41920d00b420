//! The in-kernel test cases, grouped by subject. Each file registers its
//! cases with `ktest!`; the harness in `ktest/` runs them.

mod boot;
mod faults;
mod heap;
mod memory;
mod paging;
pub mod servers;
mod time;
mod user;

pub use user::fixture as user_fixture;
