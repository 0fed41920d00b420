//! Value syntax: numbers, sizes, names, CPU lists, budgets, expectations.
//!
//! Each reader returns `None` for text that is not a valid value; the
//! caller turns that into the error that names the key.

use alloc::string::String;
use alloc::vec::Vec;

use crate::limits::{MAX_BINARY_LEN, MAX_CPUS, MAX_NAME_LEN};
use crate::policy::{CpuSet, Expect, RestartBudget};

/// A number: decimal digits, or `0x`/`0X` and hex digits. No sign, no
/// separators.
pub(crate) fn number(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u64::from_str_radix(hex, 16).ok()
        }
        Some(_) => None,
        None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        None => None,
    }
}

/// A size: a [`number`] with an optional suffix `K`, `M` or `G` (powers
/// of 1024).
pub(crate) fn size(s: &str) -> Option<u64> {
    const UNITS: [(char, u64); 3] = [('K', 1 << 10), ('M', 1 << 20), ('G', 1 << 30)];
    let (digits, unit) = UNITS
        .iter()
        .find_map(|&(suffix, unit)| s.strip_suffix(suffix).map(|d| (d, unit)))
        .unwrap_or((s, 1));
    number(digits)?.checked_mul(unit)
}

/// A module, cap or interface name: 1 to [`MAX_NAME_LEN`] bytes of
/// `a-z 0-9 _ -`.
pub(crate) fn is_name(s: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A boot module file name: 1 to [`MAX_BINARY_LEN`] bytes of
/// `A-Z a-z 0-9 . _ -`, not starting with `.`.
pub(crate) fn is_binary(s: &str) -> bool {
    (1..=MAX_BINARY_LEN).contains(&s.len())
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// The words of `s` joined by single spaces.
pub(crate) fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first word of `s` and the rest with its leading whitespace removed.
pub(crate) fn first_word(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(i) => (
            s.get(..i).unwrap_or(s),
            s.get(i..).unwrap_or("").trim_start(),
        ),
        None => (s, ""),
    }
}

/// `A-B` (inclusive, `A <= B`) or a single `N` of [`number`]s, as a pair.
pub(crate) fn range(s: &str) -> Option<(u64, u64)> {
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (number(a.trim())?, number(b.trim())?),
        None => {
            let n = number(s)?;
            (n, n)
        }
    };
    (a <= b).then_some((a, b))
}

/// A comma-separated list of CPUs and CPU ranges, each CPU at most once.
pub(crate) fn cpus(s: &str) -> Option<CpuSet> {
    let mut mask = 0u64;
    for item in s.split(',') {
        let (a, b) = range(item.trim())?;
        if b >= u64::from(MAX_CPUS) {
            return None;
        }
        for cpu in a..=b {
            let bit = 1u64 << cpu;
            if mask & bit != 0 {
                return None;
            }
            mask |= bit;
        }
    }
    CpuSet::from_mask(mask)
}

/// `N/Ts` or `N/Tms`: `N` restarts (a `u32`) within a nonzero window.
pub(crate) fn budget(s: &str) -> Option<RestartBudget> {
    let (n, t) = s.split_once('/')?;
    let restarts = u32::try_from(number(n.trim())?).ok()?;
    let t = t.trim();
    let window_ms = match t.strip_suffix("ms") {
        Some(ms) => number(ms)?,
        None => number(t.strip_suffix('s')?)?.checked_mul(1000)?,
    };
    (window_ms != 0).then_some(RestartBudget {
        restarts,
        window_ms,
    })
}

/// `serving`, `exit N`, `refused` or `failed`.
pub(crate) fn expect(s: &str) -> Option<Expect> {
    let mut w = s.split_whitespace();
    let e = match (w.next()?, w.next()) {
        ("serving", None) => Expect::Serving,
        ("refused", None) => Expect::Refused,
        ("failed", None) => Expect::Failed,
        ("exit", Some(n)) => Expect::Exit(number(n)?),
        _ => return None,
    };
    w.next().is_none().then_some(e)
}
