//! Events the system delivers to v2 modules.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::error::ModuleError;

/// How short of memory the system is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MemoryPressureLevel {
    /// Plenty left; caches may grow.
    Low,
    /// Trim caches opportunistically.
    Medium,
    /// Release caches now.
    High,
    /// Allocation is failing; release everything releasable.
    Critical,
}

/// A kernel or system event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Timer tick (delivered in batches to policy servers).
    Tick {
        /// Monotonic time in nanoseconds.
        timestamp_ns: u64,
    },
    /// The system or this module is shutting down.
    Shutdown,
    /// Memory is getting short.
    MemoryPressure {
        /// How short.
        level: MemoryPressureLevel,
    },
    /// A CPU came online or went offline.
    CpuHotplug {
        /// CPU index.
        cpu_id: u32,
        /// True when it came online.
        online: bool,
    },
    /// A thread was created (scheduler modules).
    ThreadCreated {
        /// Kernel thread id.
        thread_id: u64,
        /// Its priority.
        priority: u8,
    },
    /// A thread blocked.
    ThreadBlocked {
        /// Kernel thread id.
        thread_id: u64,
    },
    /// A blocked thread became ready.
    ThreadWoken {
        /// Kernel thread id.
        thread_id: u64,
    },
    /// A thread exited.
    ThreadExited {
        /// Kernel thread id.
        thread_id: u64,
    },
    /// A module this one depends on appeared or went away (e.g. during its reload).
    DependencyChanged {
        /// Module name.
        name: String,
        /// True when it is available again.
        available: bool,
    },
    /// An application-defined event.
    Custom {
        /// Event name.
        name: String,
        /// Event data.
        data: Vec<u8>,
    },
}

crate::wire_message!(Event, "helix/Event", 1, 0);

/// What a module did with an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventResponse {
    /// The module acted on the event.
    Handled,
    /// The event does not concern the module.
    Ignored,
    /// The module asks for a scheduling decision now (e.g. a quantum expired).
    Reschedule,
    /// Handling failed.
    Failed(ModuleError),
}

crate::wire_message!(EventResponse, "helix/EventResponse", 1, 0);
