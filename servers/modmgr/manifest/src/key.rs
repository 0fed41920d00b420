//! The keys a section may set, and how each value is written.

use crate::word_enum::word_enum;

word_enum! {
    /// A `KEY = VALUE` key (`cap` lines are not keys: a module may have many).
    pub enum Key {
        /// `[system]`: the module that serves the console.
        Console = "console",
        /// `[system]`: more boot modules to stage, for `insmod` and
        /// `reload` (binaries no module entry names).
        Binaries = "binaries",
        /// The boot module file the manager loads (required).
        Binary = "binary",
        /// One line of words given to the module.
        Args = "args",
        /// `boot` or `manual`.
        Start = "start",
        /// Thread priority, 0..=255 (255 highest).
        Priority = "priority",
        /// CPU affinity.
        Cpus = "cpus",
        /// Heap budget in bytes.
        Memory = "memory",
        /// `never`, `on-failure` or `always`.
        Restart = "restart",
        /// Restarts allowed per time window.
        RestartBudget = "restart-budget",
        /// Save state every N requests.
        Checkpoint = "checkpoint",
        /// Test verdict the module should reach.
        Expect = "expect",
    }
}

word_enum! {
    /// The kinds of section.
    pub enum SectionKind {
        /// `[system]`.
        System = "system",
        /// `[module NAME]`.
        Module = "module",
    }
}

impl Key {
    /// The section the key belongs to.
    pub const fn section(self) -> SectionKind {
        match self {
            Key::Console | Key::Binaries => SectionKind::System,
            Key::Binary
            | Key::Args
            | Key::Start
            | Key::Priority
            | Key::Cpus
            | Key::Memory
            | Key::Restart
            | Key::RestartBudget
            | Key::Checkpoint
            | Key::Expect => SectionKind::Module,
        }
    }

    /// The keys of `section`, in declaration order.
    pub fn of(section: SectionKind) -> impl Iterator<Item = Key> {
        Key::ALL
            .iter()
            .copied()
            .filter(move |k| k.section() == section)
    }

    /// What a value of this key looks like (for error messages).
    pub const fn syntax(self) -> &'static str {
        match self {
            Key::Console => "the name of a module this manifest defines",
            Key::Binaries => "file names (as for `binary`), separated by commas",
            Key::Binary => {
                "a file name: 1 to 64 characters of A-Z a-z 0-9 `.` `_` `-`, not starting with `.`"
            }
            Key::Args => "words, at most 512 bytes",
            Key::Start => "`boot` or `manual`",
            Key::Priority => "a number 0..=255 (decimal or 0x hex)",
            Key::Cpus => "CPU numbers 0..=63 or ranges A-B, comma-separated, each CPU once",
            Key::Memory => "a nonzero multiple of 4K bytes, suffix K, M or G (powers of 1024)",
            Key::Restart => "`never`, `on-failure` or `always`",
            Key::RestartBudget => {
                "RESTARTS/WINDOW with WINDOW a nonzero number of `s` or `ms`, e.g. `3/10s`"
            }
            Key::Checkpoint => "a number of requests 0..=4294967295 (0 = only on request)",
            Key::Expect => "`serving`, `exit N`, `refused` or `failed`",
        }
    }
}
