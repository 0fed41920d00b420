//! Turning one value into a field: what each key and each cap kind accepts.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::cap::{CapClass, CapKind};
use crate::error::{ErrorKind, NameOf};
use crate::key::{Key, SectionKind};
use crate::limits::{IRQ_LINES, MAX_ARGS_LEN, PAGE_SIZE};
use crate::model::{ModuleEntry, SystemSettings};
use crate::policy::{RestartPolicy, StartMode};
use crate::value;

fn bad(key: Key, value: &str) -> ErrorKind {
    ErrorKind::BadValue {
        key,
        value: String::from(value),
    }
}

/// A module, cap or interface name, checked.
pub(crate) fn checked_name(of: NameOf, s: &str) -> Result<String, ErrorKind> {
    if value::is_name(s) {
        Ok(String::from(s))
    } else {
        Err(ErrorKind::BadName {
            of,
            name: String::from(s),
        })
    }
}

/// `parsed`, or the error that `v` is no value of `key`.
fn need<T>(parsed: Option<T>, key: Key, v: &str) -> Result<T, ErrorKind> {
    parsed.ok_or_else(|| bad(key, v))
}

/// A [`value::number`] that fits `T`.
fn int<T: TryFrom<u64>>(key: Key, v: &str) -> Result<T, ErrorKind> {
    need(value::number(v).and_then(|n| T::try_from(n).ok()), key, v)
}

fn not_here(key: Key, section: SectionKind) -> ErrorKind {
    ErrorKind::UnknownKey {
        key: key.to_string(),
        section,
    }
}

/// Set `key` of the `[system]` section to `v` (nonempty).
pub(crate) fn system_key(s: &mut SystemSettings, key: Key, v: &str) -> Result<(), ErrorKind> {
    match key {
        Key::Console => s.console = Some(checked_name(NameOf::Module, v)?),
        Key::Binaries => {
            let files: Vec<String> = v.split(',').map(|f| String::from(f.trim())).collect();
            let ok = files.iter().all(|f| value::is_binary(f))
                && files
                    .iter()
                    .enumerate()
                    .all(|(i, f)| !files[..i].contains(f));
            s.binaries = need(ok.then_some(files), key, v)?;
        }
        _ => return Err(not_here(key, SectionKind::System)),
    }
    Ok(())
}

/// Set `key` of a module entry to `v` (nonempty).
pub(crate) fn module_key(m: &mut ModuleEntry, key: Key, v: &str) -> Result<(), ErrorKind> {
    match key {
        Key::Console | Key::Binaries => return Err(not_here(key, SectionKind::Module)),
        Key::Binary => m.binary = need(value::is_binary(v).then(|| String::from(v)), key, v)?,
        Key::Args => {
            let words = value::words(v);
            m.args = need((words.len() <= MAX_ARGS_LEN).then_some(words), key, v)?;
        }
        Key::Start => m.start = need(StartMode::from_word(v), key, v)?,
        Key::Priority => m.priority = int(key, v)?,
        Key::Cpus => m.cpus = Some(need(value::cpus(v), key, v)?),
        Key::Memory => {
            m.memory = need(
                value::size(v).filter(|&n| n != 0 && n.is_multiple_of(PAGE_SIZE)),
                key,
                v,
            )?;
        }
        Key::Restart => m.restart = need(RestartPolicy::from_word(v), key, v)?,
        Key::RestartBudget => m.budget = need(value::budget(v), key, v)?,
        Key::Checkpoint => m.checkpoint_every = int(key, v)?,
        Key::Expect => m.expect = Some(need(value::expect(v), key, v)?),
    }
    Ok(())
}

/// The cap a `cap NAME = v` line grants (`v` nonempty).
pub(crate) fn cap_kind(v: &str) -> Result<CapKind, ErrorKind> {
    let (word, rest) = value::first_word(v);
    let class =
        CapClass::from_word(word).ok_or_else(|| ErrorKind::UnknownCapKind(String::from(word)))?;
    let bad = || ErrorKind::BadCap {
        class,
        value: String::from(v),
    };
    Ok(match class {
        CapClass::Client => {
            let (interface, constraint) = value::first_word(rest);
            if interface.is_empty() {
                return Err(bad());
            }
            let interface = checked_name(NameOf::Interface, interface)?;
            if constraint.is_empty() {
                return Err(ErrorKind::EmptyConstraint { interface });
            }
            CapKind::Client {
                interface,
                constraint: String::from(constraint),
            }
        }
        CapClass::IoPorts => {
            let (first, last) = value::range(rest).ok_or_else(bad)?;
            CapKind::IoPorts {
                first: u16::try_from(first).map_err(|_| bad())?,
                last: u16::try_from(last).map_err(|_| bad())?,
            }
        }
        CapClass::Irq => CapKind::Irq(
            value::number(rest)
                .filter(|&n| n < u64::from(IRQ_LINES))
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(bad)?,
        ),
        CapClass::Modmgr if rest.is_empty() => CapKind::Modmgr,
        CapClass::Modmgr => return Err(bad()),
        CapClass::Untyped => {
            CapKind::Untyped(value::size(rest).filter(|&n| n != 0).ok_or_else(bad)?)
        }
    })
}
