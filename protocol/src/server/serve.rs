//! Route a module's requests to an interface handler.
#![forbid(unsafe_code)]

use core::marker::PhantomData;

use crate::error::ModuleError;
use crate::interfaces::{Dispatch, Interface};
use crate::message::{MessagePayload, MessageType, ModuleInterface, ModuleMessage};
use crate::v2::{Request, Response};

/// For a v2 module's `handle_request`: decode the request as interface
/// `I`'s, dispatch it to `handler`, and answer in the request's
/// representation (in-process or wire).
///
/// ```text
/// fn handle_request(&mut self, r: &Request) -> Result<Response, ModuleError> {
///     serve_request::<Filesystem, _>(self, r)
/// }
/// ```
pub fn serve_request<I: Interface, H: Dispatch<I> + ?Sized>(
    handler: &mut H,
    request: &Request,
) -> Result<Response, ModuleError> {
    let typed: I::Request = request.get()?;
    let response = handler.dispatch(typed);
    if request.is_in_process() {
        Ok(Response::typed(response))
    } else {
        Ok(Response::with(&response)?)
    }
}

/// For a v1 module's `handle_message`: the same, on [`ModuleMessage`]s.
pub fn serve_message<I: Interface, H: Dispatch<I> + ?Sized>(
    handler: &mut H,
    msg: ModuleMessage,
) -> Result<ModuleMessage, ModuleError> {
    if !matches!(
        msg.msg_type,
        MessageType::Request | MessageType::Notification
    ) {
        return Err(ModuleError::NotSupported);
    }
    let in_process = matches!(msg.payload, MessagePayload::Typed(_));
    let response = handler.dispatch(msg.payload.into_value::<I::Request>()?);
    if in_process {
        Ok(ModuleMessage::typed(MessageType::Response, response))
    } else {
        Ok(ModuleMessage::encode(MessageType::Response, &response)?)
    }
}

/// A handler presented as the spec's [`ModuleInterface`].
pub struct InterfaceServer<I: Interface, H> {
    handler: H,
    _interface: PhantomData<fn() -> I>,
}

impl<I: Interface, H: Dispatch<I>> InterfaceServer<I, H> {
    /// Serve interface `I` with `handler`.
    pub fn new(handler: H) -> Self {
        InterfaceServer {
            handler,
            _interface: PhantomData,
        }
    }

    /// The handler.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// The handler, mutably.
    pub fn handler_mut(&mut self) -> &mut H {
        &mut self.handler
    }
}

impl<I: Interface, H: Dispatch<I> + Send + Sync> ModuleInterface for InterfaceServer<I, H> {
    fn interface_name(&self) -> &'static str {
        I::NAME
    }

    fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
        serve_message::<I, H>(&mut self.handler, msg)
    }
}
