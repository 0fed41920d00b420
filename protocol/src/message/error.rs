//! Encode and decode errors of the wire form.
#![forbid(unsafe_code)]

use core::fmt;
use serde::{Deserialize, Serialize};

use super::{MessageType, TypeTag};

/// Why postcard rejected a payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PayloadFault {
    /// The bytes ended inside a value.
    UnexpectedEnd,
    /// A variable-length integer was malformed or out of range.
    BadVarint,
    /// A bool was neither 0 nor 1.
    BadBool,
    /// A char was not a Unicode scalar value.
    BadChar,
    /// A string was not UTF-8.
    BadUtf8,
    /// An option tag was neither 0 nor 1.
    BadOption,
    /// An enum discriminant names no variant.
    BadEnum,
    /// Any other encoding error.
    BadEncoding,
}

impl PayloadFault {
    pub(crate) fn from_postcard(e: postcard::Error) -> PayloadFault {
        use postcard::Error as P;
        match e {
            P::DeserializeUnexpectedEnd => PayloadFault::UnexpectedEnd,
            P::DeserializeBadVarint => PayloadFault::BadVarint,
            P::DeserializeBadBool => PayloadFault::BadBool,
            P::DeserializeBadChar => PayloadFault::BadChar,
            P::DeserializeBadUtf8 => PayloadFault::BadUtf8,
            P::DeserializeBadOption => PayloadFault::BadOption,
            P::DeserializeBadEnum => PayloadFault::BadEnum,
            _ => PayloadFault::BadEncoding,
        }
    }
}

/// A frame or payload that cannot become the requested value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecodeError {
    /// Fewer bytes than the header or its declared payload length need.
    Truncated {
        /// Bytes needed.
        needed: u64,
        /// Bytes present.
        available: u64,
    },
    /// The frame does not start with the frame magic.
    BadMagic,
    /// The frame format version is not one this crate reads.
    UnsupportedVersion(u8),
    /// The frame kind byte names no [`MessageType`].
    UnknownKind(u8),
    /// The frame is of another kind than the receiver expects.
    UnexpectedKind {
        /// Kind the receiver expects.
        expected: MessageType,
        /// Kind in the frame.
        found: MessageType,
    },
    /// The frame carries a value of another type.
    WrongType {
        /// Tag of the type the receiver asked for.
        expected: TypeTag,
        /// Tag in the frame.
        found: TypeTag,
    },
    /// Bytes follow the frame's declared payload, or follow the value inside it.
    TrailingBytes(u64),
    /// The payload is not a valid encoding of the expected type.
    Malformed(PayloadFault),
    /// An in-process (`Typed`) payload holds a value of another Rust type.
    TypedMismatch {
        /// Tag of the type the receiver asked for.
        expected: TypeTag,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated { needed, available } => {
                write!(f, "truncated: need {needed} bytes, have {available}")
            }
            DecodeError::BadMagic => f.write_str("not a Helix frame (bad magic)"),
            DecodeError::UnsupportedVersion(v) => write!(f, "unsupported frame version {v}"),
            DecodeError::UnknownKind(k) => write!(f, "unknown frame kind {k}"),
            DecodeError::UnexpectedKind { expected, found } => {
                write!(f, "expected a {expected:?} frame, found {found:?}")
            }
            DecodeError::WrongType { expected, found } => {
                write!(f, "wrong type: expected {expected}, found {found}")
            }
            DecodeError::TrailingBytes(n) => write!(f, "{n} trailing bytes"),
            DecodeError::Malformed(fault) => write!(f, "malformed payload: {fault:?}"),
            DecodeError::TypedMismatch { expected } => {
                write!(f, "in-process payload is not a {expected}")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// A value that cannot be put on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncodeError {
    /// The payload exceeds the frame's 32-bit length field.
    TooLarge {
        /// Payload length in bytes.
        len: u64,
    },
    /// The serializer refused the value (e.g. a sequence of unknown length).
    Serialize,
    /// An in-process `Typed` payload has no wire form: encode the value
    /// itself (a [`WireMessage`](super::WireMessage)) instead.
    NotSerializable,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::TooLarge { len } => {
                write!(f, "payload of {len} bytes exceeds the frame limit")
            }
            EncodeError::Serialize => f.write_str("value cannot be serialized"),
            EncodeError::NotSerializable => {
                f.write_str("in-process typed payload has no wire form")
            }
        }
    }
}

impl core::error::Error for EncodeError {}
