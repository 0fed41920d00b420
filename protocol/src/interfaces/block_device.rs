//! The `block_device` interface: read_block, write_block, flush.
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::define::error_messages;

/// Why a block-device call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum BlockError {
    /// The block number is past the end of the device.
    OutOfRange,
    /// The data is not exactly one block long.
    BadBlockSize,
    /// The device is read-only.
    ReadOnly,
    /// The device reported an error.
    Io,
}

error_messages!(BlockError {
    OutOfRange => "block out of range",
    BadBlockSize => "data is not one block",
    ReadOnly => "device is read-only",
    Io => "device I/O error",
});

crate::define_interface! {
    /// The block-device interface (`"block_device"` v1.0).
    interface BlockDevice {
        name: "block_device",
        version: (1, 0),
        error: BlockError,
        request: BlockDeviceRequest,
        response: BlockDeviceResponse,
        handler: BlockDeviceHandler,
        client: BlockDeviceClient,
        derive_extra: [#[cfg_attr(test, derive(proptest_derive::Arbitrary))]],
        methods {
            /// Read block `lba` (one block of the device's block size).
            fn read_block(lba: u64) -> Vec<u8> => ReadBlock;
            /// Write exactly one block at `lba`.
            fn write_block(lba: u64, data: Vec<u8>) -> () => WriteBlock;
            /// Make every completed write durable.
            fn flush() -> () => Flush;
        }
    }
}
