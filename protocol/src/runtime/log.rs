//! `log` output through `DebugWrite`: one line per record,
//! `[LEVEL target] message`, as the kernel's own log lines look.
#![forbid(unsafe_code)]

use core::fmt::Write;

use helix_sys::console::Console;

/// The process's logger (stateless: each record is formatted into a
/// stack buffer and written out in `DebugWrite`-sized chunks).
pub struct DebugLog;

/// The one instance [`install`] registers.
pub static LOGGER: DebugLog = DebugLog;

impl log::Log for DebugLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let mut out = Console::new();
        let _ = writeln!(
            out,
            "[{} {}] {}",
            record.level(),
            record.target(),
            record.args()
        );
        out.flush();
    }

    fn flush(&self) {}
}

/// Route the `log` macros to [`LOGGER`] at `level` (later calls only
/// change the level).
pub fn install(level: log::LevelFilter) {
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}
