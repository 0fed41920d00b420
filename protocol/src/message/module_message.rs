//! [`ModuleMessage`]: the spec's type-erased message, and its wire mapping.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::any::Any;
use core::fmt;
use serde::{Deserialize, Serialize};

use super::frame::{self, Frame};
use super::{BYTES_TAG, DecodeError, EMPTY_TAG, EncodeError, TEXT_TAG, TypeTag, WireMessage};
use crate::error::ModuleError;

/// What a message is for. The discriminant is the frame's kind byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum MessageType {
    /// A call that expects a response.
    Request = 1,
    /// The answer to a request.
    Response = 2,
    /// A kernel or system event delivered to a module.
    Event = 3,
    /// A module-manager control message (state transfer, quiesce, health).
    Control = 4,
    /// A failure answer; the payload says why.
    Error = 5,
    /// A one-way message that gets no response.
    Notification = 6,
}

impl MessageType {
    /// Every message type, in code order.
    pub const ALL: [MessageType; 6] = [
        MessageType::Request,
        MessageType::Response,
        MessageType::Event,
        MessageType::Control,
        MessageType::Error,
        MessageType::Notification,
    ];

    /// The frame kind byte.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Decode a frame kind byte.
    #[inline]
    pub const fn from_code(code: u8) -> Option<MessageType> {
        if code >= 1 && code as usize <= Self::ALL.len() {
            Some(Self::ALL[code as usize - 1])
        } else {
            None
        }
    }
}

/// A message body.
///
/// `Typed` is the spec's in-process form: any Rust value, moved without
/// copying, but it cannot leave the address space. `Encoded` is what a typed
/// value becomes on the wire: its [`TypeTag`] and postcard bytes.
pub enum MessagePayload {
    /// No body.
    Empty,
    /// An in-process value of any type.
    Typed(Box<dyn Any + Send>),
    /// Opaque bytes.
    Bytes(Vec<u8>),
    /// UTF-8 text.
    Text(String),
    /// A [`WireMessage`] as tag + postcard bytes.
    Encoded {
        /// Type of the value.
        tag: TypeTag,
        /// Its postcard encoding.
        bytes: Vec<u8>,
    },
}

impl MessagePayload {
    /// An in-process typed payload.
    pub fn typed<T: Any + Send>(value: T) -> MessagePayload {
        MessagePayload::Typed(Box::new(value))
    }

    /// The wire form of `value`.
    pub fn encode<T: WireMessage>(value: &T) -> Result<MessagePayload, EncodeError> {
        let mut bytes = Vec::new();
        frame::encode_payload(value, &mut bytes)?;
        Ok(MessagePayload::Encoded { tag: T::TAG, bytes })
    }

    /// The tag of the value this payload carries on the wire (`None` for `Typed`).
    pub fn tag(&self) -> Option<TypeTag> {
        match self {
            MessagePayload::Empty => Some(EMPTY_TAG),
            MessagePayload::Typed(_) => None,
            MessagePayload::Bytes(_) => Some(BYTES_TAG),
            MessagePayload::Text(_) => Some(TEXT_TAG),
            MessagePayload::Encoded { tag, .. } => Some(*tag),
        }
    }

    /// Take the value out as `T`: a `Typed` payload is downcast (moved, not
    /// copied), an `Encoded` one is tag-checked and decoded, and `Empty`,
    /// `Bytes`, `Text` decode as `()`, `Vec<u8>`, `String`.
    pub fn into_value<T: WireMessage>(self) -> Result<T, DecodeError> {
        match self {
            MessagePayload::Typed(any) => any
                .downcast::<T>()
                .map(|b| *b)
                .map_err(|_| DecodeError::TypedMismatch { expected: T::TAG }),
            MessagePayload::Encoded { tag, bytes } => decode_tagged(tag, &bytes),
            other => {
                let mut bytes = Vec::new();
                let tag = other
                    .write_wire(&mut bytes)
                    .map_err(|_| DecodeError::TypedMismatch { expected: T::TAG })?;
                decode_tagged(tag, &bytes)
            }
        }
    }

    /// Like [`into_value`](Self::into_value) but by reference (a `Typed`
    /// value is cloned).
    pub fn get<T: WireMessage + Clone>(&self) -> Result<T, DecodeError> {
        match self {
            MessagePayload::Typed(any) => any
                .downcast_ref::<T>()
                .cloned()
                .ok_or(DecodeError::TypedMismatch { expected: T::TAG }),
            MessagePayload::Encoded { tag, bytes } => decode_tagged(*tag, bytes),
            other => {
                let mut bytes = Vec::new();
                let tag = other
                    .write_wire(&mut bytes)
                    .map_err(|_| DecodeError::TypedMismatch { expected: T::TAG })?;
                decode_tagged(tag, &bytes)
            }
        }
    }

    /// Append the postcard bytes of this payload to `out` and return its tag.
    /// `Typed` has no wire form: [`EncodeError::NotSerializable`].
    pub fn write_wire(&self, out: &mut Vec<u8>) -> Result<TypeTag, EncodeError> {
        match self {
            MessagePayload::Empty => Ok(EMPTY_TAG),
            MessagePayload::Typed(_) => Err(EncodeError::NotSerializable),
            MessagePayload::Bytes(b) => frame::encode_payload(b, out).map(|()| BYTES_TAG),
            MessagePayload::Text(t) => frame::encode_payload(t, out).map(|()| TEXT_TAG),
            MessagePayload::Encoded { tag, bytes } => {
                out.extend_from_slice(bytes);
                Ok(*tag)
            }
        }
    }

    /// Rebuild a payload from a frame's tag and bytes; the built-in tags come
    /// back as `Empty`, `Bytes` and `Text`.
    pub fn from_wire(tag: TypeTag, payload: &[u8]) -> Result<MessagePayload, DecodeError> {
        if EMPTY_TAG.accepts(&tag) {
            frame::decode_payload::<()>(payload).map(|()| MessagePayload::Empty)
        } else if BYTES_TAG.accepts(&tag) {
            frame::decode_payload(payload).map(MessagePayload::Bytes)
        } else if TEXT_TAG.accepts(&tag) {
            frame::decode_payload(payload).map(MessagePayload::Text)
        } else {
            Ok(MessagePayload::Encoded {
                tag,
                bytes: payload.to_vec(),
            })
        }
    }
}

fn decode_tagged<T: WireMessage>(tag: TypeTag, bytes: &[u8]) -> Result<T, DecodeError> {
    if T::TAG.accepts(&tag) {
        frame::decode_payload(bytes)
    } else {
        Err(DecodeError::WrongType {
            expected: T::TAG,
            found: tag,
        })
    }
}

impl fmt::Debug for MessagePayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessagePayload::Empty => f.write_str("Empty"),
            MessagePayload::Typed(_) => f.write_str("Typed(..)"),
            MessagePayload::Bytes(b) => f.debug_tuple("Bytes").field(b).finish(),
            MessagePayload::Text(t) => f.debug_tuple("Text").field(t).finish(),
            MessagePayload::Encoded { tag, bytes } => f
                .debug_struct("Encoded")
                .field("tag", tag)
                .field("bytes", bytes)
                .finish(),
        }
    }
}

/// The spec's message between modules: a type and a payload.
#[derive(Debug)]
pub struct ModuleMessage {
    /// What the message is for.
    pub msg_type: MessageType,
    /// The body.
    pub payload: MessagePayload,
}

impl ModuleMessage {
    /// A message of `msg_type` with `payload`.
    pub fn new(msg_type: MessageType, payload: MessagePayload) -> ModuleMessage {
        ModuleMessage { msg_type, payload }
    }

    /// An in-process typed message.
    pub fn typed<T: Any + Send>(msg_type: MessageType, value: T) -> ModuleMessage {
        ModuleMessage::new(msg_type, MessagePayload::typed(value))
    }

    /// A message whose payload is the wire form of `value`.
    pub fn encode<T: WireMessage>(
        msg_type: MessageType,
        value: &T,
    ) -> Result<ModuleMessage, EncodeError> {
        Ok(ModuleMessage::new(msg_type, MessagePayload::encode(value)?))
    }

    /// Write this message as a frame into `out` (replacing its contents).
    pub fn to_frame(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.clear();
        let mut payload = Vec::new();
        let tag = self.payload.write_wire(&mut payload)?;
        frame::encode_raw_frame(self.msg_type, tag, &payload, out)
    }

    /// Parse a frame into a message (the payload stays encoded until a
    /// receiver asks for a type).
    pub fn from_frame(bytes: &[u8]) -> Result<ModuleMessage, DecodeError> {
        let f = Frame::parse(bytes)?;
        Ok(ModuleMessage::new(
            f.kind,
            MessagePayload::from_wire(f.tag, f.payload)?,
        ))
    }
}

/// A named interface a module serves through type-erased messages.
pub trait ModuleInterface: Send + Sync {
    /// The interface name clients look up (e.g. `"filesystem"`).
    fn interface_name(&self) -> &'static str;
    /// Answer one message.
    fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn kinds_round_trip() {
        for t in MessageType::ALL {
            assert_eq!(MessageType::from_code(t.code()), Some(t));
        }
        assert_eq!(MessageType::from_code(0), None);
        assert_eq!(MessageType::from_code(7), None);
    }

    #[test]
    fn typed_payload_moves_in_process_but_not_across() {
        let msg = ModuleMessage::typed(MessageType::Request, "hello".to_string());
        let mut out = Vec::new();
        assert_eq!(msg.to_frame(&mut out), Err(EncodeError::NotSerializable));
        assert_eq!(msg.payload.get::<String>(), Ok("hello".to_string()));
        assert_eq!(
            msg.payload.get::<Vec<u8>>(),
            Err(DecodeError::TypedMismatch {
                expected: BYTES_TAG
            })
        );
        assert_eq!(msg.payload.into_value::<String>(), Ok("hello".to_string()));
    }

    #[test]
    fn builtin_payloads_survive_a_frame() {
        for payload in [
            MessagePayload::Empty,
            MessagePayload::Bytes(vec![0, 255, 7]),
            MessagePayload::Text("ünïcode".to_string()),
        ] {
            let msg = ModuleMessage::new(MessageType::Notification, payload);
            let mut out = Vec::new();
            msg.to_frame(&mut out).unwrap();
            let back = ModuleMessage::from_frame(&out).unwrap();
            assert_eq!(back.msg_type, MessageType::Notification);
            assert_eq!(format!("{:?}", back.payload), format!("{:?}", msg.payload));
        }
    }

    #[test]
    fn encoded_payload_checks_its_tag() {
        let msg = ModuleMessage::encode(MessageType::Response, &vec![1u8, 2]).unwrap();
        assert_eq!(msg.payload.get::<Vec<u8>>(), Ok(vec![1, 2]));
        assert_eq!(
            msg.payload.get::<String>(),
            Err(DecodeError::WrongType {
                expected: TEXT_TAG,
                found: BYTES_TAG
            })
        );
    }
}
