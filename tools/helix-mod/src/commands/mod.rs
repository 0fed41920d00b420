//! One file per group of subcommands; each returns an [`Outcome`](crate::outcome::Outcome).

mod abi_diff;
mod deps;
mod describe;
mod inspect;
mod new;
mod pack;

pub use abi_diff::abi_diff;
pub use deps::deps;
pub use describe::{described_json, described_text};
pub use inspect::inspect;
pub use new::{new_crate, render, valid_name};
pub use pack::{keygen, pack, sign, verify};
