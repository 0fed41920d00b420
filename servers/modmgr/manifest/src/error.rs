//! Parse errors: the line and what is wrong with it.

use alloc::string::String;
use core::fmt;

use crate::cap::CapClass;
use crate::key::{Key, SectionKind};
use crate::limits::{MAX_CAPS, MAX_NAME_LEN, RESERVED_CAP_NAMES};
use crate::word_enum::{join_words, word_enum};

word_enum! {
    /// What a name names.
    pub enum NameOf {
        /// A `[module NAME]` or the module a key refers to.
        Module = "module",
        /// A `cap NAME`.
        Cap = "cap",
        /// The interface of a `client` cap.
        Interface = "interface",
    }
}

/// A manifest error: the 1-based line and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// 1-based line number.
    pub line: usize,
    /// The problem.
    pub kind: ErrorKind,
}

/// What is wrong with a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The line is none of: blank, comment, section header, `KEY = VALUE`,
    /// `cap NAME = ...`.
    Syntax,
    /// A `[...]` header that is neither `[system]` nor `[module NAME]`
    /// (the text between the brackets).
    UnknownSection(String),
    /// A module, cap or interface name that is empty, too long or has a
    /// character outside `a-z 0-9 _ -`.
    BadName {
        /// What the name names.
        of: NameOf,
        /// The name as written.
        name: String,
    },
    /// A setting before the first section header.
    OutsideSection,
    /// A key the section does not have.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The section it appeared in.
        section: SectionKind,
    },
    /// `KEY =` or `cap NAME =` with nothing after the `=` (the left side).
    EmptyValue(String),
    /// A value that does not fit its key.
    BadValue {
        /// The key.
        key: Key,
        /// The value as written.
        value: String,
    },
    /// A cap value whose first word is no cap kind (that word).
    UnknownCapKind(String),
    /// A cap value that does not fit its kind.
    BadCap {
        /// The cap's kind.
        class: CapClass,
        /// The whole value as written.
        value: String,
    },
    /// `client IFACE` with no version constraint after the interface.
    EmptyConstraint {
        /// The interface.
        interface: String,
    },
    /// A cap named like one of the runtime's own caps
    /// ([`RESERVED_CAP_NAMES`](crate::RESERVED_CAP_NAMES)).
    ReservedCapName(String),
    /// More than [`MAX_CAPS`] caps in one module.
    TooManyCaps,
    /// A second `[module NAME]` with the same name.
    DuplicateModule {
        /// The name.
        name: String,
        /// Line of the first definition.
        first: usize,
    },
    /// A second `[system]` section.
    DuplicateSystem {
        /// Line of the first `[system]`.
        first: usize,
    },
    /// A key set twice in one section.
    DuplicateKey {
        /// The key.
        key: Key,
        /// Line where it was first set.
        first: usize,
    },
    /// A cap name used twice in one module.
    DuplicateCap {
        /// The name.
        name: String,
        /// Line of the first use.
        first: usize,
    },
    /// A module section without `binary` (reported at its header).
    MissingBinary {
        /// The module.
        module: String,
    },
    /// A key names a module the manifest does not define.
    UnknownModule {
        /// The key (`console`).
        key: Key,
        /// The name it gives.
        name: String,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Syntax => f.write_str(
                "expected `[system]`, `[module NAME]`, `KEY = VALUE`, `cap NAME = KIND ...`, \
                 a `# comment` or a blank line",
            ),
            ErrorKind::UnknownSection(s) => {
                write!(
                    f,
                    "unknown section `[{s}]` (expected `[system]` or `[module NAME]`)"
                )
            }
            ErrorKind::BadName { of, name } => write!(
                f,
                "invalid {of} name `{name}` (1 to {MAX_NAME_LEN} characters of a-z 0-9 `_` `-`)"
            ),
            ErrorKind::OutsideSection => {
                f.write_str("setting before the first `[system]` or `[module NAME]` header")
            }
            ErrorKind::UnknownKey { key, section } => {
                write!(f, "unknown key `{key}` (expected one of: ")?;
                join_words(f, Key::of(*section))?;
                match section {
                    SectionKind::Module => f.write_str(", cap NAME)"),
                    SectionKind::System => f.write_str(")"),
                }
            }
            ErrorKind::EmptyValue(lhs) => write!(f, "`{lhs}` has no value after `=`"),
            ErrorKind::BadValue { key, value } => {
                write!(f, "bad {key} `{value}` (expected {})", key.syntax())
            }
            ErrorKind::UnknownCapKind(word) => {
                write!(f, "unknown cap kind `{word}` (expected one of: ")?;
                join_words(f, CapClass::ALL)?;
                f.write_str(")")
            }
            ErrorKind::BadCap { class, value } => {
                write!(f, "bad {class} cap `{value}` (expected {})", class.syntax())
            }
            ErrorKind::EmptyConstraint { interface } => write!(
                f,
                "client cap to `{interface}` has no version constraint \
                 (e.g. `client {interface} ^1.0`)"
            ),
            ErrorKind::ReservedCapName(name) => {
                write!(
                    f,
                    "cap name `{name}` is reserved for the runtime (reserved: "
                )?;
                join_words(f, RESERVED_CAP_NAMES)?;
                f.write_str(")")
            }
            ErrorKind::TooManyCaps => write!(f, "more than {MAX_CAPS} caps in one module"),
            ErrorKind::DuplicateModule { name, first } => {
                write!(f, "module `{name}` defined twice (first at line {first})")
            }
            ErrorKind::DuplicateSystem { first } => {
                write!(f, "second `[system]` section (first at line {first})")
            }
            ErrorKind::DuplicateKey { key, first } => {
                write!(
                    f,
                    "`{key}` set twice in one section (first at line {first})"
                )
            }
            ErrorKind::DuplicateCap { name, first } => {
                write!(
                    f,
                    "cap `{name}` given twice in one module (first at line {first})"
                )
            }
            ErrorKind::MissingBinary { module } => {
                write!(f, "module `{module}` has no `binary` (it is required)")
            }
            ErrorKind::UnknownModule { key, name } => {
                write!(
                    f,
                    "`{key}` names module `{name}`, which this manifest does not define"
                )
            }
        }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl core::error::Error for ManifestError {}
