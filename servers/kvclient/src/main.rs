//! helix-kvclient: calls the kvstore server on its service endpoint
//! through the typed `kv` client, checks every answer, and prints
//! `kvclient: ok <n> operations` (or `kvclient: FAILED: ...`) on the debug
//! console; the exit report carries the status. With `param=1` it
//! floods the store instead, until the store runs out of memory.
//!
//! Design rules:
//! - No `unsafe`: the runtime in `helix-protocol` owns the entry, heap and
//!   panic handler; `helix-sys` the syscalls.
//! - Every answer is checked against what a correct store must say; the
//!   first difference is the failure.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use alloc::{format, vec};
use core::fmt;

use helix_kvstore::{KvClient, KvError};
use helix_protocol::ModuleContext;
use helix_protocol::client::{CallError, Transport};
use helix_protocol::runtime::{IpcTransport, slots};
use helix_sys::{Cap, println};

/// Keys the checked session puts.
const KEYS: u64 = 16;

/// What went wrong, at which step.
#[derive(Debug)]
enum Failure {
    /// A call failed.
    Call(&'static str, CallError<KvError>),
    /// A call answered something else than expected.
    Wrong(&'static str, String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Call(step, e) => write!(f, "{step}: {e}"),
            Failure::Wrong(step, what) => write!(f, "{step}: {what}"),
        }
    }
}

fn check<T: PartialEq + fmt::Debug>(
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

/// The scripted session; returns the number of calls made.
fn session<T: Transport>(kv: &mut KvClient<T>, keys: u64) -> Result<u64, Failure> {
    let mut ops = 0;
    for i in 0..keys {
        check("put", kv.put(format!("key{i}"), vec![i as u8; 8]), None)?;
        ops += 1;
    }
    check("len", kv.len(), keys)?;
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
    check("len after delete", kv.len(), keys - 1)?;
    // A value too large for one message is refused before it is sent.
    let big: Vec<u8> = vec![7; 2048];
    if !matches!(kv.put("big".into(), big), Err(CallError::Transport(_))) {
        return Err(Failure::Wrong("oversized put", String::from("accepted")));
    }
    Ok(ops + 6)
}

/// Fill the store with 512-byte values until a call fails: a store with a
/// fixed heap runs out of memory, panics, and never answers (its runtime
/// reports the panic to the root server). Returns the failure if a call
/// does come back.
fn flood<T: Transport>(kv: &mut KvClient<T>) -> Failure {
    for i in 0..100_000u32 {
        if let Err(e) = kv.put(format!("flood{i}"), vec![0x5a; 512]) {
            return Failure::Call("flood", e);
        }
    }
    Failure::Wrong("flood", String::from("100000 values stored"))
}

/// `param=0`: the checked session; `param=1`: [`flood`].
fn run(ctx: &ModuleContext) -> u64 {
    let mut kv = KvClient::new(IpcTransport::new(Cap::from_slot(slots::SERVICE)));
    let result = match ctx.arg("param") {
        Some("1") => Err(flood(&mut kv)),
        _ => session(&mut kv, KEYS),
    };
    match result {
        Ok(n) => {
            println!("kvclient: ok {n} operations");
            0
        }
        Err(e) => {
            println!("kvclient: FAILED: {e}");
            1
        }
    }
}

helix_protocol::program_main!("kvclient", run);
