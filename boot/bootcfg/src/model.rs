//! What a parsed `limine.cfg` holds.

use alloc::vec::Vec;

/// A `resource(argument):/path` reference, e.g. `boot():/boot/helix/kernel.elf`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootPath<'a> {
    /// Resource name: `boot`, `hdd`, `odd`, `guid`, `uuid`, `fslabel`, `tftp`.
    pub resource: &'a str,
    /// Text between the parentheses (may be empty).
    pub argument: &'a str,
    /// Absolute path on that volume, starting with `/`.
    pub path: &'a str,
    /// Optional BLAKE2B hash given after `#`.
    pub hash: Option<&'a str>,
}

/// A `key: value` option kept verbatim (global or inside an entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting<'a> {
    /// The key, lower-cased by the writer of the file (compared case-insensitively).
    pub key: &'a str,
    /// The value, trimmed.
    pub value: &'a str,
    /// 1-based line number.
    pub line: usize,
}

/// One boot module of an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleSpec<'a> {
    /// Where the module file is.
    pub path: BootPath<'a>,
    /// Its command line (`module_cmdline`, empty when absent).
    pub cmdline: &'a str,
    /// 1-based line number of its `module_path`.
    pub line: usize,
}

/// One menu entry (`/Name` line and the options under it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Name after the slashes.
    pub name: &'a str,
    /// Number of leading slashes (1 = top level).
    pub depth: usize,
    /// `protocol:` value (e.g. `limine`), empty when absent.
    pub protocol: &'a str,
    /// `path:` (or legacy `kernel_path:`) value.
    pub path: Option<BootPath<'a>>,
    /// `cmdline:` (or legacy `kernel_cmdline:`) value, empty when absent.
    pub cmdline: &'a str,
    /// Modules in file order.
    pub modules: Vec<ModuleSpec<'a>>,
    /// Other options, kept verbatim for rendering.
    pub other: Vec<Setting<'a>>,
    /// 1-based line number of the entry header.
    pub line: usize,
}

/// A whole `limine.cfg`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Config<'a> {
    /// Global options before the first entry, in file order.
    pub globals: Vec<Setting<'a>>,
    /// Entries in file order (directories and bootable entries alike).
    pub entries: Vec<Entry<'a>>,
}

impl<'a> Config<'a> {
    /// The value of a global option (case-insensitive key).
    pub fn global(&self, key: &str) -> Option<&'a str> {
        self.globals
            .iter()
            .find(|o| o.key.eq_ignore_ascii_case(key))
            .map(|o| o.value)
    }

    /// The entry Limine boots without user input: `default_entry` (1-based,
    /// counting bootable entries) or the first bootable entry.
    pub fn default_entry(&self) -> Option<&Entry<'a>> {
        let index = self
            .global("default_entry")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        self.entries
            .iter()
            .filter(|e| e.is_bootable())
            .nth(index - 1)
    }
}

impl Entry<'_> {
    /// True when the entry has a protocol (directories have none).
    pub fn is_bootable(&self) -> bool {
        !self.protocol.is_empty()
    }
}
