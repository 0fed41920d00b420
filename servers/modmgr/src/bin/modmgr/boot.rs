//! The boot: find the manifest among the boot modules, load every binary
//! it names, plan (dependencies, constraints, interfaces), start what can
//! start in dependency order, and say for each module what happened and
//! how long it took.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use helix_manifest::{Expect, Manifest, ModuleEntry};
use helix_modmgr::boot::{self, Loaded};
use helix_module_loader::LoadedModule;

use crate::clock;
use crate::figures;
use crate::manager::{self, Manager};
use crate::verdict::Verdicts;

/// File-name suffix of the boot manifest.
const MANIFEST_SUFFIX: &str = ".manifest";

/// The manifest's text, from the first boot module whose name ends with
/// [`MANIFEST_SUFFIX`].
fn manifest_text(m: &mut Manager) -> Option<(String, String)> {
    let file = m
        .boot_files()
        .into_iter()
        .find(|f| f.ends_with(MANIFEST_SUFFIX))?;
    let bytes = m.binary(&file)?.clone();
    Some((file, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Start everything the manifest asks for.
pub fn run(m: &mut Manager) {
    let t0 = clock::now();
    let Some((file, text)) = manifest_text(m) else {
        log::error!(target: "modmgr", "no boot manifest (*{MANIFEST_SUFFIX}) among the boot modules: nothing to start");
        return;
    };
    let manifest = match Manifest::parse(&text) {
        Ok(man) => man,
        Err(e) => {
            log::error!(target: "modmgr", "{file}: {e}; nothing started");
            return;
        }
    };
    log::info!(
        target: "modmgr",
        "manifest {file}: {} modules",
        manifest.modules.len()
    );
    m.verdicts = Verdicts::new(
        manifest
            .modules
            .iter()
            .filter_map(|e| e.expect.map(|x| (e.name.clone(), x)))
            .collect(),
    );
    let entries: Vec<ModuleEntry> = manifest.modules.clone();
    let mut loaded: Vec<Loaded> = Vec::with_capacity(entries.len());
    let mut modules: Vec<Option<LoadedModule>> = Vec::with_capacity(entries.len());
    for e in &entries {
        match m.load(&e.binary) {
            Ok(lm) => {
                loaded.push(Loaded::Record(lm.record.clone()));
                modules.push(Some(lm));
            }
            Err(why) => {
                loaded.push(why.into());
                modules.push(None);
            }
        }
    }
    let plan = boot::plan(&entries, &loaded, &[manager::own_record()]);
    log::info!(
        target: "modmgr",
        "plan in {} us: start {}",
        clock::us(t0, clock::now()),
        plan.order
            .iter()
            .map(|i| entries[*i].name.as_str())
            .collect::<Vec<_>>()
            .join(" -> ")
    );
    for (i, why) in &plan.refused {
        let name = &entries[*i].name;
        log::warn!(target: "modmgr", "refused {name}: {why}");
        m.refused.push((name.clone(), why.to_string()));
        match m.verdicts.expects(name) {
            Some(Expect::Refused) => {
                log::info!(target: "modmgr", "{name}: refused as expected");
                m.verdicts.judge(name, Ok(()));
            }
            Some(_) => m
                .verdicts
                .judge(name, Err(alloc::format!("refused: {why}"))),
            None => {}
        }
    }
    for &i in &plan.manual {
        m.available.push(entries[i].clone());
    }
    for &i in &plan.order {
        let entry = entries[i].clone();
        let name = entry.name.clone();
        let Some(lm) = modules[i].take() else {
            continue;
        };
        if let Err(why) = m.start(entry, lm) {
            log::warn!(target: "modmgr", "cannot start {name}: {why}");
            m.refused.push((name.clone(), why.clone()));
            m.verdicts
                .judge(&name, Err(alloc::format!("cannot start: {why}")));
            continue;
        }
        if matches!(m.verdicts.expects(&name), Some(Expect::Refused)) {
            m.verdicts
                .judge(&name, Err("started, but was expected to be refused".into()));
        }
    }
    crate::serve::check_serving(m);
    let running = m.modules.len();
    let us = clock::us(t0, clock::now());
    log::info!(
        target: "modmgr",
        "boot: {running} modules running, {} refused, all started in {us} us ({} us since the manager started)",
        m.refused.len(),
        clock::since_start()
    );
    if m.verdicts.active() {
        // Raw TSC ticks: guest instructions under QEMU -icount shift=0.
        let mut spawns = m.spawn_ticks.clone();
        spawns.sort_unstable();
        if let (Some(&min), Some(&median)) = (spawns.first(), spawns.get(spawns.len() / 2)) {
            figures::line("modmgr_spawn_server", median, min, spawns.len(), "cycles");
        }
        let ticks = clock::now().saturating_sub(t0);
        figures::line("modmgr_boot_to_ready", ticks, ticks, running, "cycles");
    }
}
