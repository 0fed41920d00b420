//! The module manager from a program's side, the way a person at the
//! console uses it: lookups through the name service, `insmod` of a server
//! at run time and a call to it, and every refusal with its reason: a
//! duplicate name, a corrupt binary, a missing binary, `rmmod` of a module
//! another one needs, `rmmod` of an ESSENTIAL module. Exit status 0 when
//! every check held, else the number of the first that did not.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::string::String;

use helix_protocol::ModuleContext;
use helix_protocol::client::CallError;
use helix_protocol::interfaces::modmgr::{ManagerClient, ManagerError, ModuleStatus};
use helix_protocol::runtime::prelude::log;
use helix_protocol::runtime::{IpcTransport, LookupError, lookup, reserve_slot};
use helix_sys::Cap;
use helix_sysmods::EchoClient;

helix_protocol::helix_program! {
    name: "mgrtest",
    version: "1.0.0",
    author: "Helix",
    description: "System test: drives the module manager's interface",
    flags: helix_protocol::ModuleFlags::USERSPACE,
    dependencies: [("kvholder", "^1.0"), ("kvstore", "^1.0")],
}

type Mgr = ManagerClient<IpcTransport>;

/// `Err(n)` names the failed check.
fn check(n: u64, what: &str, ok: bool) -> Result<(), u64> {
    if ok {
        log::info!(target: "mgrtest", "check {n} ok: {what}");
        Ok(())
    } else {
        log::error!(target: "mgrtest", "check {n} FAILED: {what}");
        Err(n)
    }
}

fn refused_with(r: &Result<u64, CallError<ManagerError>>, text: &str) -> bool {
    match r {
        Err(CallError::Remote(ManagerError::Refused(why))) => {
            log::info!(target: "mgrtest", "refused: {why}");
            why.contains(text)
        }
        other => {
            log::warn!(target: "mgrtest", "expected a refusal, got {other:?}");
            false
        }
    }
}

fn checks(mgr: &mut Mgr) -> Result<(), u64> {
    // The name service: a cap to the kv store, versioned.
    let slot = reserve_slot().ok_or(1u64)?;
    let kv = lookup("kv", "^1.0", slot);
    check(1, "lookup kv ^1.0 gives a cap", kv.is_ok())?;
    let bad = reserve_slot().ok_or(2u64)?;
    check(
        2,
        "lookup kv ^2.0 is refused",
        matches!(lookup("kv", "^2.0", bad), Err(LookupError::Refused(_))),
    )?;
    let mods = mgr.lsmod().map_err(|_| 3u64)?;
    check(
        3,
        "lsmod lists kvstore running and the refused modules",
        mods.iter()
            .any(|m| m.name == "kvstore" && m.status == ModuleStatus::Running)
            && mods
                .iter()
                .any(|m| m.name == "cycle-a" && matches!(m.status, ModuleStatus::Refused(_))),
    )?;
    // insmod: refusals, then a real server.
    check(
        4,
        "insmod of a running module's binary is refused (duplicate name)",
        refused_with(&mgr.insmod("kvstore.elf".into(), String::new()), "kvstore"),
    )?;
    check(
        5,
        "insmod of a corrupt binary is refused",
        refused_with(
            &mgr.insmod("corrupt.elf".into(), String::new()),
            "corrupt.elf",
        ),
    )?;
    check(
        6,
        "insmod of a missing binary is not found",
        matches!(
            mgr.insmod("nothere.elf".into(), String::new()),
            Err(CallError::Remote(ManagerError::NotFound(_)))
        ),
    )?;
    let id = mgr.insmod("echo.elf".into(), String::new());
    check(7, "insmod echo.elf starts it", id.is_ok())?;
    let slot = reserve_slot().ok_or(8u64)?;
    let echo = lookup("echo", "^1.0", slot).map_err(|_| 8u64)?;
    let mut client = EchoClient::new(IpcTransport::new(echo.0));
    check(
        9,
        "the inserted server answers",
        client.echo("hello".into()).is_ok_and(|t| t == "hello"),
    )?;
    // rmmod: refusals, then a real removal.
    check(
        10,
        "rmmod of a module another needs is refused, naming it",
        matches!(
            mgr.rmmod("kvstore".into()),
            Err(CallError::Remote(ManagerError::InUse { dependents, .. })) if dependents.iter().any(|d| d == "kvholder")
        ),
    )?;
    check(
        11,
        "rmmod of an ESSENTIAL module is refused",
        matches!(
            mgr.rmmod("modmgr".into()),
            Err(CallError::Remote(ManagerError::Essential(_)))
        ),
    )?;
    check(
        12,
        "rmmod echo removes it",
        mgr.rmmod("echo".into()).is_ok(),
    )?;
    let gone = reserve_slot().ok_or(13u64)?;
    check(
        13,
        "after rmmod echo is no longer provided",
        matches!(lookup("echo", "*", gone), Err(LookupError::Refused(_))),
    )?;
    check(
        14,
        "its old cap no longer reaches a server",
        client.echo("again".into()).is_err(),
    )?;
    Ok(())
}

fn run(ctx: &ModuleContext) -> u64 {
    let Some(cap) = ctx.cap("mgr") else {
        return 100;
    };
    let mut mgr = ManagerClient::new(IpcTransport::new(Cap::from_slot(cap.slot)));
    match checks(&mut mgr) {
        Ok(()) => 0,
        Err(n) => n,
    }
}

helix_protocol::program_main!("mgrtest", run);
