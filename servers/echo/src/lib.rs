//! helix-echo: the `echo` interface (this library, for servers and
//! clients) and an example server for it (`src/main.rs`) that the console
//! can `insmod` at run time.
//!
//! Design rules:
//! - The interface is declared once with `define_interface!`.
//! - No `unsafe`: the runtime owns entry, heap and panic handler.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod echo;

pub use echo::{Echo, EchoClient, EchoError, EchoHandler, EchoServer};
