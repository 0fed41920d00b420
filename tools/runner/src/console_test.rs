//! The end-to-end test of the system a user gets: boot the `Helix` entry
//! (production kernel, module manager, the system manifest) and use its
//! serial console the way a person would, reading each answer.

use std::time::Duration;

use crate::build::KernelKind;
use crate::cli::Options;
use crate::commands::{Tree, boot_options, build_and_stage};
use crate::converse::{self, Outcome};
use crate::error::Error;
use crate::qemu::Medium;
use crate::report::{self, Tally};
use crate::serial::TAIL_LINES;
use crate::{bundle, stage};

/// What a person types and what they must read back (see
/// [`converse::script`] for the notation).
pub const SCRIPT: &str = "
boot to the prompt:
  $
help:
  > help
  ? lsmod | every module
  $
lsmod:
  > lsmod
  ? modmgr | ESSENTIAL | running
  ? console | ESSENTIAL | running
  ? kvstore | 1.0.0 | HOT_RELOADABLE | kv@1.0.0 | running
  ? kvclient | exited
  ? echo | available
  $
modinfo kvstore:
  > modinfo kvstore
  ? name: | kvstore
  ? abi version:
  ? provides: | kv@1.0.0
  $
insmod echo.elf:
  > insmod echo.elf
  ? echo.elf: started as module
  $
ifaces:
  > ifaces
  ? kv | 1.0.0 | kvstore
  ? echo | 1.0.0 | echo
  $
deps kvclient:
  > deps kvclient
  ? kvstore | ^1.0
  $
rmmod of an ESSENTIAL module is refused:
  > rmmod console
  ? console is ESSENTIAL
  $
rmmod echo:
  > rmmod echo
  ? echo removed
  $
lsmod after rmmod:
  > lsmod
  ? kvstore | running
  $
reload kvstore while a client streams to it:
  > reload kvstore kvstore2.elf
  ? kvstore: 1.0.0 -> 1.0.1, state preserved | format 1 | downtime
  ? phases: Preparing | SavingState | Unloading | Loading | RestoringState
  $
lsmod shows the new version and the reload:
  > lsmod
  ? kvstore | 1.0.1 | running
  ? last reload: Completed: kvstore 1.0.0 -> 1.0.1
  ? kvstream | running
  $
checkpoint kvstore:
  > checkpoint kvstore
  ? kvstore: checkpoint of | bytes (format 2)
  $
restart kvstore with its state:
  > restart kvstore
  ? kvstore restarted from a checkpoint of | (restart 1)
  $
reload back to 1.0.0 (the state migrates down):
  > reload kvstore kvstore.elf
  ? kvstore: 1.0.1 -> 1.0.0, state preserved | format 2
  $
a reload that breaks the ABI is refused:
  > reload kvstore counter.elf
  ? reload refused: the new binary is counter, not kvstore
  $
a mistyped command is explained:
  > frobnicate
  ? unknown command `frobnicate`
  $
";

/// Each step may wait this long (the first includes the boot).
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// Boot the system and play [`SCRIPT`]; one verdict per exchange.
pub fn run(tree: &Tree, o: &Options, tally: &mut Tally) -> Result<(), Error> {
    println!("[console] the Helix entry, driven at its prompt");
    let (art, _, staged) =
        build_and_stage(tree, o, KernelKind::Production, stage::SYSTEM_ENTRY, &[])?;
    let tar = tree.out.join("helix-console.tar");
    bundle::write(&staged, &tar)?;
    let medium = Medium::Offline {
        loader: art.loader,
        bundle: tar,
    };
    let (outcomes, transcript) = converse::run(
        &medium,
        &boot_options(o),
        &converse::script(SCRIPT),
        STEP_TIMEOUT,
    )?;
    let tail: Vec<String> = transcript
        .lines()
        .rev()
        .take(TAIL_LINES)
        .map(String::from)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    for Outcome { name, failed } in outcomes {
        let name = format!("[console] {name}");
        match failed {
            None => tally.pass(&name),
            Some(why) => {
                println!("{name} ... FAILED: {why}");
                tally.fail(report::Failure {
                    name,
                    reason: why,
                    context: tail.clone(),
                });
            }
        }
    }
    Ok(())
}
