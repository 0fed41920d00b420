//! Host tests of the loaders and the registry.

mod accept;
mod corpus;
mod module;
mod native;
mod real_elf;
mod registry;
mod reject_header;
mod reject_metadata;
mod reject_segments;
mod support;
mod synth;
