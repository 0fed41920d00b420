//! The line parser: sections, keys, caps, duplicates and the checks that
//! need the whole file.
//!
//! A line is, after cutting a `#` comment and trimming: empty, a header
//! `[system]` / `[module NAME]`, `cap NAME = VALUE` or `KEY = VALUE`. An
//! error on one line does not stop the parse: a bad section still has its
//! lines checked (into an entry that is then dropped), so `parse_all`
//! reports every error once.

use alloc::string::String;
use alloc::vec::Vec;

use crate::apply;
use crate::cap::CapEntry;
use crate::error::{ErrorKind, ManifestError, NameOf};
use crate::key::{Key, SectionKind};
use crate::limits::{MAX_CAPS, RESERVED_CAP_NAMES};
use crate::model::{Manifest, ModuleEntry, SystemSettings};

impl Manifest {
    /// Parse a manifest; the error is the one on the earliest line.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let (manifest, errors) = Parser::run(text);
        match errors.into_iter().next() {
            Some(first) => Err(first),
            None => Ok(manifest),
        }
    }

    /// Parse a manifest, reporting every error, ordered by line (never an
    /// empty list).
    pub fn parse_all(text: &str) -> Result<Manifest, Vec<ManifestError>> {
        let (manifest, errors) = Parser::run(text);
        if errors.is_empty() {
            Ok(manifest)
        } else {
            Err(errors)
        }
    }
}

/// The section being read.
enum Body {
    System(SystemSettings),
    Module(ModuleEntry),
}

struct Open {
    body: Body,
    /// Line of the header.
    line: usize,
    /// False for a section that is invalid or a duplicate: its lines are
    /// checked, then it is dropped.
    keep: bool,
    /// Keys set so far, with their lines.
    keys: Vec<(Key, usize)>,
    /// Cap names used so far, with their lines.
    caps: Vec<(String, usize)>,
}

#[derive(Default)]
struct Parser {
    out: Manifest,
    errors: Vec<ManifestError>,
    open: Option<Open>,
    /// Line of the first `[system]`.
    system_line: Option<usize>,
    /// Line of the kept `console` setting.
    console_line: usize,
    /// Every module header name, with its first line.
    headers: Vec<(String, usize)>,
}

/// `line` without its `#` comment.
fn strip_comment(line: &str) -> &str {
    line.split_once('#').map_or(line, |(before, _)| before)
}

impl Parser {
    /// The manifest of `text` and its errors, ordered by line.
    fn run(text: &str) -> (Manifest, Vec<ManifestError>) {
        let mut p = Parser::default();
        for (index, raw) in text.lines().enumerate() {
            p.line(index + 1, raw);
        }
        p.finish()
    }

    fn error(&mut self, line: usize, kind: ErrorKind) {
        self.errors.push(ManifestError { line, kind });
    }

    fn line(&mut self, no: usize, raw: &str) {
        let text = strip_comment(raw).trim();
        if text.is_empty() {
            return;
        }
        if let Some(rest) = text.strip_prefix('[') {
            match rest.strip_suffix(']') {
                Some(inner) => self.header(no, inner.trim()),
                None => self.error(no, ErrorKind::Syntax),
            }
            return;
        }
        let Some((lhs, rhs)) = text.split_once('=') else {
            return self.error(no, ErrorKind::Syntax);
        };
        let (lhs, rhs) = (lhs.trim(), rhs.trim());
        if lhs.is_empty() {
            return self.error(no, ErrorKind::Syntax);
        }
        let Some(open) = self.open.as_mut() else {
            return self.error(no, ErrorKind::OutsideSection);
        };
        let result = match (cap_name(lhs), &mut open.body) {
            (Some(name), Body::Module(m)) => cap(&mut open.caps, m, no, name, lhs, rhs),
            (_, body) => setting(&mut open.keys, body, no, lhs, rhs),
        };
        if let Err(kind) = result {
            self.error(no, kind);
        }
    }

    fn header(&mut self, no: usize, inner: &str) {
        self.close();
        let (body, keep) = if inner == "system" {
            let keep = match self.system_line {
                Some(first) => {
                    self.error(no, ErrorKind::DuplicateSystem { first });
                    false
                }
                None => {
                    self.system_line = Some(no);
                    true
                }
            };
            (Body::System(SystemSettings::default()), keep)
        } else if let Some(name) = module_header(inner) {
            let keep = self.module_name(no, name);
            let mut entry = ModuleEntry::new(name, "");
            entry.line = no;
            (Body::Module(entry), keep)
        } else {
            self.error(no, ErrorKind::UnknownSection(String::from(inner)));
            // Check its lines as a module's, so they still get reported.
            (Body::Module(ModuleEntry::new("", "")), false)
        };
        self.open = Some(Open {
            body,
            line: no,
            keep,
            keys: Vec::new(),
            caps: Vec::new(),
        });
    }

    /// Check a module header's name; true when the section is kept.
    fn module_name(&mut self, no: usize, name: &str) -> bool {
        if let Err(kind) = apply::checked_name(NameOf::Module, name) {
            self.error(no, kind);
            return false;
        }
        if let Some(&(_, first)) = self.headers.iter().find(|(n, _)| n == name) {
            let name = String::from(name);
            self.error(no, ErrorKind::DuplicateModule { name, first });
            return false;
        }
        self.headers.push((String::from(name), no));
        true
    }

    /// End the open section: check what it must have, keep it if valid.
    fn close(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let set = |key| open.keys.iter().find(|(k, _)| *k == key).map(|&(_, l)| l);
        match open.body {
            Body::System(settings) if open.keep => {
                self.console_line = set(Key::Console).unwrap_or(0);
                self.out.system = settings;
            }
            Body::System(_) => {}
            Body::Module(entry) => {
                if set(Key::Binary).is_none() && !entry.name.is_empty() {
                    let module = entry.name.clone();
                    self.error(open.line, ErrorKind::MissingBinary { module });
                } else if open.keep {
                    self.out.modules.push(entry);
                }
            }
        }
    }

    fn finish(mut self) -> (Manifest, Vec<ManifestError>) {
        self.close();
        if let Some(name) = &self.out.system.console
            && !self.headers.iter().any(|(n, _)| n == name)
        {
            let kind = ErrorKind::UnknownModule {
                key: Key::Console,
                name: name.clone(),
            };
            self.error(self.console_line, kind);
        }
        self.errors.sort_by_key(|e| e.line);
        (self.out, self.errors)
    }
}

/// The name in a module header `module NAME` (`""` for a bare `module`).
fn module_header(inner: &str) -> Option<&str> {
    let rest = inner.strip_prefix("module")?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

/// The name in a cap line's left side `cap NAME` (`""` for a bare `cap`).
fn cap_name(lhs: &str) -> Option<&str> {
    let rest = lhs.strip_prefix("cap")?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

/// A `KEY = VALUE` line.
fn setting(
    keys: &mut Vec<(Key, usize)>,
    body: &mut Body,
    no: usize,
    lhs: &str,
    rhs: &str,
) -> Result<(), ErrorKind> {
    let section = match body {
        Body::System(_) => SectionKind::System,
        Body::Module(_) => SectionKind::Module,
    };
    let key = Key::from_word(lhs)
        .filter(|k| k.section() == section)
        .ok_or_else(|| ErrorKind::UnknownKey {
            key: String::from(lhs),
            section,
        })?;
    if let Some(&(_, first)) = keys.iter().find(|(k, _)| *k == key) {
        return Err(ErrorKind::DuplicateKey { key, first });
    }
    keys.push((key, no));
    if rhs.is_empty() {
        return Err(ErrorKind::EmptyValue(String::from(lhs)));
    }
    match body {
        Body::System(s) => apply::system_key(s, key, rhs),
        Body::Module(m) => apply::module_key(m, key, rhs),
    }
}

/// A `cap NAME = VALUE` line of a module.
fn cap(
    caps: &mut Vec<(String, usize)>,
    m: &mut ModuleEntry,
    no: usize,
    name: &str,
    lhs: &str,
    rhs: &str,
) -> Result<(), ErrorKind> {
    let name = apply::checked_name(NameOf::Cap, name)?;
    if RESERVED_CAP_NAMES.contains(&name.as_str()) {
        return Err(ErrorKind::ReservedCapName(name));
    }
    if let Some(&(_, first)) = caps.iter().find(|(n, _)| *n == name) {
        return Err(ErrorKind::DuplicateCap { name, first });
    }
    if caps.len() >= MAX_CAPS {
        return Err(ErrorKind::TooManyCaps);
    }
    caps.push((name.clone(), no));
    if rhs.is_empty() {
        return Err(ErrorKind::EmptyValue(String::from(lhs)));
    }
    let kind = apply::cap_kind(rhs)?;
    m.caps.push(CapEntry {
        name,
        line: no,
        kind,
    });
    Ok(())
}
