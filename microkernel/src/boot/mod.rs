//! Boot glue: the Limine requests, the checked [`BootInfo`] built from the
//! answers, module verification, and the boot sequence itself.

mod info;
pub mod modules;
pub mod requests;
mod start;

pub use info::{BootInfo, boot_info, collect, kernel_path};
pub use start::start;
