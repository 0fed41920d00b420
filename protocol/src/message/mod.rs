//! Messages between modules: the in-process [`ModuleMessage`] of the spec and
//! the cross-address-space wire frame (type tag + postcard bytes).
//!
//! A typed value crosses an address space only as a [`frame`]: a fixed
//! header naming the value's [`TypeTag`] followed by its postcard encoding.
//! Decoding checks the header, the length and the tag before postcard
//! reads a byte, so a wrong type is [`DecodeError::WrongType`] and garbage is
//! rejected; nothing is ever reinterpreted. Layout: `docs/formats.md`.

mod error;
pub mod frame;
mod module_message;
mod tag;

pub use error::{DecodeError, EncodeError, PayloadFault};
pub use frame::{Frame, HEADER_LEN, decode_frame, encode_frame};
pub use module_message::{MessagePayload, MessageType, ModuleInterface, ModuleMessage};
pub use tag::{BYTES_TAG, EMPTY_TAG, TEXT_TAG, TypeTag, WireMessage, fnv1a64};
