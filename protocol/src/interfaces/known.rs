//! Names of the tags this crate knows, for readable errors.
#![forbid(unsafe_code)]

use super::Interface;
use super::{allocator, block_device, filesystem, modmgr, network, scheduler, security};
use crate::message::{TypeTag, WireMessage};

fn names<I: Interface>() -> [(TypeTag, &'static str); 2] {
    [
        (I::Request::TAG, I::REQUEST_TYPE),
        (I::Response::TAG, I::RESPONSE_TYPE),
    ]
}

/// A readable name for `tag` if it is one of this crate's types
/// (`"filesystem/Request"`), else `None`.
pub fn tag_name(tag: &TypeTag) -> Option<&'static str> {
    let known: [[(TypeTag, &'static str); 2]; 12] = [
        names::<scheduler::Scheduler>(),
        names::<modmgr::ModuleManager>(),
        names::<allocator::Allocator>(),
        names::<filesystem::Filesystem>(),
        names::<block_device::BlockDevice>(),
        names::<network::Network>(),
        names::<security::Security>(),
        [
            (crate::message::EMPTY_TAG, "helix/empty"),
            (crate::message::BYTES_TAG, "helix/bytes"),
        ],
        [
            (crate::message::TEXT_TAG, "helix/text"),
            (crate::v1::ModuleState::TAG, "helix/ModuleState"),
        ],
        [
            (crate::v2::Event::TAG, "helix/Event"),
            (crate::v2::EventResponse::TAG, "helix/EventResponse"),
        ],
        [
            (crate::server::ControlRequest::TAG, "helix/ControlRequest"),
            (crate::server::ControlResponse::TAG, "helix/ControlResponse"),
        ],
        [
            (crate::server::ServerError::TAG, "helix/ServerError"),
            (crate::server::ServerError::TAG, "helix/ServerError"),
        ],
    ];
    known
        .iter()
        .flatten()
        .find(|(t, _)| t.name_hash == tag.name_hash)
        .map(|(_, n)| *n)
}
