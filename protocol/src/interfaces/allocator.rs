//! The `allocator` interface: alloc, dealloc, realloc, stats.
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};

use super::define::error_messages;

/// A block handed out by the allocator (addresses in the caller's space).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Allocation {
    /// Start address.
    pub addr: u64,
    /// Usable size in bytes (at least the size asked for).
    pub size: u64,
}

/// Allocator counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct AllocStats {
    /// Bytes managed.
    pub total_bytes: u64,
    /// Bytes handed out.
    pub used_bytes: u64,
    /// Live allocations.
    pub allocations: u64,
    /// Requests refused since start.
    pub failures: u64,
}

/// Why an allocator call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum AllocError {
    /// Not enough memory.
    OutOfMemory,
    /// Size zero or alignment not a power of two.
    InvalidLayout,
    /// The address was not handed out by this allocator.
    UnknownAllocation,
}

error_messages!(AllocError {
    OutOfMemory => "out of memory",
    InvalidLayout => "invalid size or alignment",
    UnknownAllocation => "unknown allocation",
});

crate::define_interface! {
    /// The memory-allocator interface (`"allocator"` v1.0).
    interface Allocator {
        name: "allocator",
        version: (1, 0),
        error: AllocError,
        request: AllocatorRequest,
        response: AllocatorResponse,
        handler: AllocatorHandler,
        client: AllocatorClient,
        derive_extra: [#[cfg_attr(test, derive(proptest_derive::Arbitrary))]],
        methods {
            /// Allocate `size` bytes aligned to `align` (a power of two).
            fn alloc(size: u64, align: u64) -> Allocation => Alloc;
            /// Free a block returned by `alloc` or `realloc`.
            fn dealloc(addr: u64, size: u64, align: u64) -> () => Dealloc;
            /// Grow or shrink a block, moving it if needed.
            fn realloc(addr: u64, old_size: u64, align: u64, new_size: u64) -> Allocation => Realloc;
            /// Current counters.
            fn stats() -> AllocStats => Stats;
        }
    }
}
