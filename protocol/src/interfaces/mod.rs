//! The six standard interfaces, each defined once with
//! [`define_interface!`](crate::define_interface): scheduler, allocator,
//! filesystem, block_device, network, security; and the module manager's
//! own interface, `modmgr`.

mod define;
mod known;

pub mod allocator;
pub mod block_device;
pub mod filesystem;
pub mod modmgr;
pub mod network;
pub mod scheduler;
pub mod security;

#[cfg(test)]
mod retry_tests;
#[cfg(test)]
mod tests;

pub use define::{Dispatch, Handles, Interface, InterfaceVersion};
pub use known::tag_name;
