//! helix-module-loader: module binary formats and their loaders.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;
