//! The `log` facade on the serial console: `[LEVEL target] message`.

use log::{LevelFilter, Log, Metadata, Record};

use crate::kprintln;

struct SerialLogger;

static LOGGER: SerialLogger = SerialLogger;

impl Log for SerialLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            let target = record.target();
            let target = target.strip_prefix("helix_kernel::").unwrap_or(target);
            kprintln!("[{} {}] {}", record.level(), target, record.args());
        }
    }

    fn flush(&self) {}
}

/// Install the logger with `level`.
pub fn init(level: LevelFilter) {
    // A second call (there is none) would keep the first logger.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}
