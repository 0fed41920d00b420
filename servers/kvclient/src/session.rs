//! The checked session and the flood, against any transport.

use alloc::string::String;
use alloc::vec::Vec;
use alloc::{format, vec};
use core::fmt;

use helix_kvstore::{KvClient, KvError};
use helix_protocol::client::{CallError, ControlError, Transport};

/// Keys the checked session puts.
pub const KEYS: u64 = 16;

/// What went wrong, at which step.
#[derive(Debug)]
pub enum Failure {
    /// A call failed.
    Call(&'static str, CallError<KvError>),
    /// A call answered something else than expected.
    Wrong(&'static str, String),
    /// A control call (hot reload) failed.
    Control(&'static str, ControlError),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Call(step, e) => write!(f, "{step}: {e}"),
            Failure::Wrong(step, what) => write!(f, "{step}: {what}"),
            Failure::Control(step, e) => write!(f, "{step}: {e}"),
        }
    }
}

pub fn check<T: PartialEq + fmt::Debug>(
    step: &'static str,
    got: Result<T, CallError<KvError>>,
    want: T,
) -> Result<(), Failure> {
    match got {
        Ok(v) if v == want => Ok(()),
        Ok(v) => Err(Failure::Wrong(step, format!("{v:?}, want {want:?}"))),
        Err(e) => Err(Failure::Call(step, e)),
    }
}

/// Who else uses the store during the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Nobody: `len` must be exactly the session's keys.
    Alone,
    /// Other clients may add keys meanwhile (`shared=1`): `len` must be at
    /// least the session's keys.
    Shared,
}

/// `len` as `sharing` allows: exactly `want`, or at least `want`.
fn check_len<T: Transport>(
    step: &'static str,
    kv: &mut KvClient<T>,
    want: u64,
    sharing: Sharing,
) -> Result<(), Failure> {
    match (kv.len(), sharing) {
        (Ok(n), Sharing::Shared) if n >= want => Ok(()),
        (Ok(n), Sharing::Shared) => Err(Failure::Wrong(step, format!("{n}, want at least {want}"))),
        (got, Sharing::Alone) => check(step, got, want),
        (Err(e), Sharing::Shared) => Err(Failure::Call(step, e)),
    }
}

/// The scripted session; returns the number of calls made.
pub fn session<T: Transport>(
    kv: &mut KvClient<T>,
    keys: u64,
    sharing: Sharing,
) -> Result<u64, Failure> {
    let mut ops = 0;
    for i in 0..keys {
        check("put", kv.put(format!("key{i}"), vec![i as u8; 8]), None)?;
        ops += 1;
    }
    check_len("len", kv, keys, sharing)?;
    check(
        "replace",
        kv.put("key0".into(), b"new".to_vec()),
        Some(vec![0; 8]),
    )?;
    check("get", kv.get("key0".into()), b"new".to_vec())?;
    check("delete", kv.delete("key0".into()), b"new".to_vec())?;
    let missing = kv.get("key0".into());
    if !matches!(missing, Err(CallError::Remote(KvError::NotFound))) {
        return Err(Failure::Wrong("get deleted", format!("{missing:?}")));
    }
    check_len("len after delete", kv, keys - 1, sharing)?;
    // A value longer than one message travels in pieces, both ways.
    let big: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
    check("long put", kv.put("big".into(), big.clone()), None)?;
    check("long get", kv.get("big".into()), big)?;
    check(
        "long delete",
        kv.delete("big".into()),
        (0..5000u32).map(|i| (i * 7) as u8).collect(),
    )?;
    Ok(ops + 9)
}

/// Fill the store with 512-byte values until a call fails: a store with a
/// fixed heap runs out of memory, panics, and never answers (its runtime
/// reports the panic to the root server). Returns the failure if a call
/// does come back.
pub fn flood<T: Transport>(kv: &mut KvClient<T>) -> Failure {
    for i in 0..100_000u32 {
        if let Err(e) = kv.put(format!("flood{i}"), vec![0x5a; 512]) {
            return Failure::Call("flood", e);
        }
    }
    Failure::Wrong("flood", String::from("100000 values stored"))
}
