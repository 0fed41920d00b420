//! The conventions of a process the module manager (or a kernel test
//! playing it) starts for the `helix-protocol` runtime: the CSpace slots
//! its caps are in, the labels of its reports, and the badge that marks
//! the manager's control messages. Defined once here; the runtime
//! re-exports them and the kernel's tests import them.

/// CSpace slots of a runtime process.
pub mod slots {
    /// Own AddressSpace.
    pub const ASPACE: u32 = 0;
    /// Own Thread (suspended on exit).
    pub const THREAD: u32 = 1;
    /// Send-only endpoint of the root server (module manager): exit and
    /// panic reports go here.
    pub const REPORT: u32 = 2;
    /// The memory budget (Untyped) the heap grows from, when given.
    pub const MEMORY: u32 = 3;
    /// The service endpoint: a server receives on it, a client calls it.
    pub const SERVICE: u32 = 4;
    /// The control endpoint (module manager's requests), when apart from
    /// the service endpoint.
    pub const CONTROL: u32 = 5;
    /// First slot of the caps the boot manifest names.
    pub const FIRST_NAMED: u32 = 8;
    /// First slot the process may fill itself.
    pub const FREE_FIRST: u32 = 64;
    /// Free slots of a 256-slot CSpace (processes the kernel's tests start).
    pub const FREE_COUNT: u32 = 192;
}

/// Report labels on [`slots::REPORT`] (words: `[module id, detail..]`).
pub mod labels {
    /// Clean exit (a program returned 0, a server was shut down).
    pub const OK: u64 = 0;
    /// A program's non-zero status is `FAILED`; detail = its status.
    pub const FAILED: u64 = 1;
    /// The server loop ended: `init` failed.
    pub const INIT_FAILED: u64 = 2;
    /// The server loop ended: `start` failed.
    pub const START_FAILED: u64 = 3;
    /// The server loop ended on an IPC error; detail = the `SysError` code
    /// (0 when the error was not the kernel's).
    pub const TRANSPORT: u64 = 4;
    /// The process panicked (text on the debug console).
    pub const PANIC: u64 = 0x50_414e; // "PAN"
}

/// Badge of the module manager's cap to a server's endpoint: frames that
/// arrive with it take the server's control path; every other badge
/// (including none) is a client.
pub const MANAGER_BADGE: u64 = 0x4d47_5200; // "MGR"

const _: () = assert!(
    labels::PANIC >> crate::ipc::LABEL_BITS == 0,
    "labels fit a message"
);
const _: () = assert!(MANAGER_BADGE != 0, "badge 0 means unbadged");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_and_labels_are_distinct() {
        let s = [slots::ASPACE, slots::THREAD, slots::REPORT, slots::SERVICE];
        let l = [
            labels::OK,
            labels::FAILED,
            labels::INIT_FAILED,
            labels::START_FAILED,
            labels::TRANSPORT,
            labels::PANIC,
        ];
        for (i, a) in s.iter().enumerate() {
            assert!(!s[i + 1..].contains(a), "slot {a} used twice");
        }
        for (i, a) in l.iter().enumerate() {
            assert!(!l[i + 1..].contains(a), "label {a:#x} used twice");
        }
    }
}
