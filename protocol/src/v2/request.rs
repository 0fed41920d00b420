//! [`Request`] and [`Response`] of the v2 API.
#![forbid(unsafe_code)]

use alloc::string::String;
use core::any::Any;

use crate::message::{DecodeError, EncodeError, MessagePayload, TypeTag, WireMessage};

/// A typed request from another module: in process a `Typed` value, across
/// address spaces a tagged, encoded one. Read it with [`get`](Self::get),
/// which checks the type either way.
#[derive(Debug)]
pub struct Request {
    /// The request body.
    pub payload: MessagePayload,
}

impl Request {
    /// A request with `payload`.
    pub fn new(payload: MessagePayload) -> Request {
        Request { payload }
    }

    /// A request carrying the wire form of `value`.
    pub fn encode<T: WireMessage>(value: &T) -> Result<Request, EncodeError> {
        Ok(Request {
            payload: MessagePayload::encode(value)?,
        })
    }

    /// An in-process request carrying `value`.
    pub fn typed<T: Any + Send>(value: T) -> Request {
        Request {
            payload: MessagePayload::typed(value),
        }
    }

    /// The request as `T`, or a type error.
    pub fn get<T: WireMessage + Clone>(&self) -> Result<T, DecodeError> {
        self.payload.get()
    }

    /// The wire tag of the body (`None` for an in-process value).
    pub fn tag(&self) -> Option<TypeTag> {
        self.payload.tag()
    }

    /// True when the body is an in-process value rather than bytes.
    pub fn is_in_process(&self) -> bool {
        matches!(self.payload, MessagePayload::Typed(_))
    }
}

/// The answer to a [`Request`].
#[derive(Debug)]
pub enum Response {
    /// Success, with a body (possibly `Empty`).
    Ok(MessagePayload),
    /// Refusal with a human-readable reason (the spec's `Response::err`).
    Err(String),
}

impl Response {
    /// Success without a body.
    pub fn ok() -> Response {
        Response::Ok(MessagePayload::Empty)
    }

    /// Success carrying the wire form of `value`.
    pub fn with<T: WireMessage>(value: &T) -> Result<Response, EncodeError> {
        Ok(Response::Ok(MessagePayload::encode(value)?))
    }

    /// Success carrying an in-process value.
    pub fn typed<T: Any + Send>(value: T) -> Response {
        Response::Ok(MessagePayload::typed(value))
    }

    /// A refusal: `Response::err("Not implemented")`.
    pub fn err(reason: &str) -> Response {
        Response::Err(String::from(reason))
    }

    /// True for `Ok`.
    pub fn is_ok(&self) -> bool {
        matches!(self, Response::Ok(_))
    }

    /// The success body as `T`; `None` for a refusal.
    pub fn get<T: WireMessage + Clone>(&self) -> Option<Result<T, DecodeError>> {
        match self {
            Response::Ok(p) => Some(p.get()),
            Response::Err(_) => None,
        }
    }
}
