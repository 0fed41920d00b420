//! The bounds every manifest value stays within.
//!
//! They are chosen so that what one module is given (name, args, named
//! caps) always fits the one-page start-info record the manager maps into
//! the process (`helix_protocol::runtime::StartInfo`).

/// Longest module, cap or interface name, in bytes.
pub const MAX_NAME_LEN: usize = 32;
/// Longest `binary` file name, in bytes.
pub const MAX_BINARY_LEN: usize = 64;
/// Longest `args` line, in bytes (after joining its words with one space).
pub const MAX_ARGS_LEN: usize = 512;
/// Most `cap` lines one module may have.
pub const MAX_CAPS: usize = 64;
/// CPUs an affinity can name: `0..MAX_CPUS` (the kernel's affinity mask is
/// one 64-bit word).
pub const MAX_CPUS: u32 = 64;
/// IRQ lines a cap can name: `0..IRQ_LINES` (vectors 32..=255).
pub const IRQ_LINES: u32 = 224;
/// A `memory` budget is a whole number of pages of this size.
pub const PAGE_SIZE: u64 = 4096;
/// Cap names the runtime gives the process itself; a manifest cap may not
/// use them.
pub const RESERVED_CAP_NAMES: &[&str] = &["report", "service", "control"];
