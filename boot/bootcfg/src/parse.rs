//! Line parser for the Limine 8+ configuration syntax.
//!
//! Accepted lines: blank, `# comment`, `${NAME}=value` macro definitions,
//! `/Entry` headers (more slashes = deeper, an optional `+` after them means
//! expanded) and `key: value` options. `${NAME}` in a value is replaced by its
//! definition; the result must not need copying, so a macro may only make up
//! a whole value.

use alloc::vec::Vec;
use core::fmt;

use crate::model::{BootPath, Config, Entry, ModuleSpec, Setting};

/// What is wrong with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A line that is none of: blank, comment, macro, entry header, `key: value`.
    NotKeyValue,
    /// An option key that is empty.
    EmptyKey,
    /// An entry header with no name after the slashes.
    EmptyEntryName,
    /// `path`/`module_path` that is not `resource(arg):/path`.
    BadPath,
    /// `module_cmdline` with no `module_path` before it in the entry.
    ModuleCmdlineWithoutModule,
    /// An entry option (`protocol`, `path`, ...) before any entry header.
    EntryOptionOutsideEntry,
    /// `${NAME}` that was never defined, or a macro used inside a longer value.
    UndefinedMacro,
    /// The same single-valued option twice in one entry.
    Duplicate,
}

/// A parse failure: the 1-based line and what is wrong with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// The problem.
    pub kind: ParseErrorKind,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseErrorKind::NotKeyValue => "expected `key: value`, `/Entry`, `# comment` or blank",
            ParseErrorKind::EmptyKey => "empty option name",
            ParseErrorKind::EmptyEntryName => "entry header without a name",
            ParseErrorKind::BadPath => "path must look like `boot():/dir/file`",
            ParseErrorKind::ModuleCmdlineWithoutModule => "module_cmdline before any module_path",
            ParseErrorKind::EntryOptionOutsideEntry => {
                "entry option before the first `/Entry` line"
            }
            ParseErrorKind::UndefinedMacro => "undefined ${MACRO} (or macro inside a longer value)",
            ParseErrorKind::Duplicate => "option given twice in one entry",
        })
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

/// Options that only make sense inside an entry.
const ENTRY_KEYS: &[&str] = &[
    "protocol",
    "path",
    "kernel_path",
    "cmdline",
    "kernel_cmdline",
    "module_path",
    "module_cmdline",
];

/// Parse a whole configuration file.
pub fn parse(text: &str) -> Result<Config<'_>, ParseError> {
    let mut config = Config::default();
    let mut macros: Vec<(&str, &str)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let err = |kind| ParseError { line, kind };
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(def) = trimmed.strip_prefix("${") {
            let (name, value) = def
                .split_once("}=")
                .ok_or(err(ParseErrorKind::NotKeyValue))?;
            macros.push((name.trim(), value.trim()));
            continue;
        }
        if trimmed.starts_with('/') {
            let depth = trimmed.bytes().take_while(|&b| b == b'/').count();
            let name = trimmed[depth..].trim_start_matches('+').trim();
            if name.is_empty() {
                return Err(err(ParseErrorKind::EmptyEntryName));
            }
            config.entries.push(Entry {
                name,
                depth,
                protocol: "",
                path: None,
                cmdline: "",
                modules: Vec::new(),
                other: Vec::new(),
                line,
            });
            continue;
        }
        let (key, value) = trimmed
            .split_once(':')
            .ok_or(err(ParseErrorKind::NotKeyValue))?;
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(err(if key.is_empty() {
                ParseErrorKind::EmptyKey
            } else {
                ParseErrorKind::NotKeyValue
            }));
        }
        let value = expand(value.trim(), &macros).ok_or(err(ParseErrorKind::UndefinedMacro))?;
        let is_entry_key = ENTRY_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
        let Some(entry) = config.entries.last_mut() else {
            if is_entry_key {
                return Err(err(ParseErrorKind::EntryOptionOutsideEntry));
            }
            config.globals.push(Setting { key, value, line });
            continue;
        };
        apply(entry, key, value, line).map_err(err)?;
    }
    Ok(config)
}

fn apply<'a>(
    entry: &mut Entry<'a>,
    key: &'a str,
    value: &'a str,
    line: usize,
) -> Result<(), ParseErrorKind> {
    let is = |k: &str| key.eq_ignore_ascii_case(k);
    if is("protocol") {
        if !entry.protocol.is_empty() {
            return Err(ParseErrorKind::Duplicate);
        }
        entry.protocol = value;
    } else if is("path") || is("kernel_path") {
        if entry.path.is_some() {
            return Err(ParseErrorKind::Duplicate);
        }
        entry.path = Some(parse_path(value)?);
    } else if is("cmdline") || is("kernel_cmdline") {
        entry.cmdline = value;
    } else if is("module_path") {
        entry.modules.push(ModuleSpec {
            path: parse_path(value)?,
            cmdline: "",
            line,
        });
    } else if is("module_cmdline") {
        let module = entry
            .modules
            .last_mut()
            .ok_or(ParseErrorKind::ModuleCmdlineWithoutModule)?;
        module.cmdline = value;
    } else {
        entry.other.push(Setting { key, value, line });
    }
    Ok(())
}

/// Replace a value that is exactly `${NAME}` by its definition.
fn expand<'a>(value: &'a str, macros: &[(&'a str, &'a str)]) -> Option<&'a str> {
    if !value.contains("${") {
        return Some(value);
    }
    let name = value.strip_prefix("${")?.strip_suffix('}')?;
    macros
        .iter()
        .rev()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

/// Parse `resource(argument):/path[#hash]`.
pub(crate) fn parse_path(value: &str) -> Result<BootPath<'_>, ParseErrorKind> {
    let open = value.find('(').ok_or(ParseErrorKind::BadPath)?;
    let close = value.find("):").ok_or(ParseErrorKind::BadPath)?;
    if close < open {
        return Err(ParseErrorKind::BadPath);
    }
    let resource = &value[..open];
    let argument = &value[open + 1..close];
    let rest = &value[close + 2..];
    let (path, hash) = match rest.split_once('#') {
        Some((p, h)) => (p, Some(h)),
        None => (rest, None),
    };
    let valid_resource =
        !resource.is_empty() && resource.bytes().all(|b| b.is_ascii_alphanumeric());
    if !valid_resource || !path.starts_with('/') || path.len() < 2 {
        return Err(ParseErrorKind::BadPath);
    }
    Ok(BootPath {
        resource,
        argument,
        path,
        hash,
    })
}

#[cfg(test)]
mod tests;
