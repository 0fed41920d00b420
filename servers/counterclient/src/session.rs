//! The checked session against any transport, and what can go wrong.

use core::fmt;

use helix_counter::{CounterClient, CounterError};
use helix_protocol::client::{CallError, Transport};
use helix_protocol::runtime::LookupError;

/// The client adds `1..=LAST`.
pub const LAST: u64 = 100;
/// The total a correct counter reaches: `1 + 2 + ... + LAST`.
pub const TOTAL: u64 = LAST * (LAST + 1) / 2;

/// One check of the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// `reset()` at the start.
    Reset,
    /// `get()` right after the reset: 0.
    Zero,
    /// `add(n)`: the running total `1 + ... + n`.
    Add(u64),
    /// `get()` at the end: [`TOTAL`].
    Total,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Reset => f.write_str("reset"),
            Check::Zero => f.write_str("get after reset"),
            Check::Add(n) => write!(f, "add({n})"),
            Check::Total => f.write_str("final get"),
        }
    }
}

/// Why the run failed.
#[derive(Debug, PartialEq)]
pub enum Failure {
    /// No free CSpace slot for the looked-up cap.
    NoFreeSlot,
    /// The name service found no `counter ^1.0` provider.
    Lookup(LookupError),
    /// A call failed.
    Call(Check, CallError<CounterError>),
    /// A call answered another total than a correct counter.
    Wrong {
        /// The check.
        check: Check,
        /// The total the server answered.
        got: u64,
        /// The total it should have answered.
        want: u64,
    },
}

impl Failure {
    /// The exit status naming the failed check: 1 no free slot, 2 lookup,
    /// 3 reset, 4 get after reset, 5 final get, `100 + n` for `add(n)`.
    pub fn status(&self) -> u64 {
        let check = match self {
            Failure::NoFreeSlot => return 1,
            Failure::Lookup(_) => return 2,
            Failure::Call(check, _) | Failure::Wrong { check, .. } => check,
        };
        match check {
            Check::Reset => 3,
            Check::Zero => 4,
            Check::Total => 5,
            Check::Add(n) => 100 + n,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NoFreeSlot => f.write_str("lookup: no free slot"),
            Failure::Lookup(e) => write!(f, "lookup counter ^1.0: {e}"),
            Failure::Call(check, e) => write!(f, "{check}: {e}"),
            Failure::Wrong { check, got, want } => write!(f, "{check}: got {got}, want {want}"),
        }
    }
}

/// `got` must be `Ok(want)`.
fn expect(
    check: Check,
    got: Result<u64, CallError<CounterError>>,
    want: u64,
) -> Result<(), Failure> {
    match got {
        Ok(got) if got == want => Ok(()),
        Ok(got) => Err(Failure::Wrong { check, got, want }),
        Err(e) => Err(Failure::Call(check, e)),
    }
}

/// Reset, check zero, add `1..=LAST` checking each new total, check the
/// final total; returns the number of calls made.
pub fn session<T: Transport>(c: &mut CounterClient<T>) -> Result<u64, Failure> {
    c.reset().map_err(|e| Failure::Call(Check::Reset, e))?;
    expect(Check::Zero, c.get(), 0)?;
    let mut want = 0;
    for n in 1..=LAST {
        want += n;
        expect(Check::Add(n), c.add(n), want)?;
    }
    expect(Check::Total, c.get(), TOTAL)?;
    Ok(LAST + 3)
}

#[cfg(test)]
mod tests;
