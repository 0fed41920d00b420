//! The `modmgr` interface, answered from the manager's state: the
//! console's commands and the name service. Who may do what is in the
//! caller's badge: every process may look things up; only holders of the
//! manifest's `modmgr` cap may load and remove modules.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use helix_manifest::{CapKind, ModuleEntry};
use helix_modmgr::ModuleId;
use helix_modmgr::boot::{self, Loaded};
use helix_protocol::ModuleFlags;
use helix_protocol::interfaces::modmgr::{
    CheckpointReport, DependencyInfo, DepsReport, InterfaceSummary, LookupAnswer, ManagerError,
    ManagerHandler, ModuleDetails, ModuleStatus, ModuleSummary, ReloadReport, RestartReport,
    SymbolInfo,
};
use helix_sys::{Cap, CapRights, Endpoint};

use crate::manager::{LoadFailure, Managed, Manager, badge};

/// One request being answered: the manager and who asked.
pub struct Requests<'a> {
    /// The manager.
    pub m: &'a mut Manager,
    /// The caller's badge.
    pub caller: u64,
    /// A cap to send with the reply (manager slot, deleted after).
    pub cap: Option<u32>,
}

fn summary(m: &Managed, provides: Vec<String>) -> ModuleSummary {
    ModuleSummary {
        id: m.id.0,
        name: m.entry.name.clone(),
        version: m.loaded.record.version.clone(),
        flags: m.loaded.record.flags.bits(),
        status: m.status.clone(),
        provides,
        restarts: m.restarts,
        last_reload: m.last_reload.clone(),
        last_failure: m.last_failure.clone(),
    }
}

impl Requests<'_> {
    fn privileged(&self) -> Result<(), ManagerError> {
        if badge::kind(self.caller) == badge::CONTROL {
            Ok(())
        } else {
            Err(ManagerError::NotPermitted)
        }
    }

    fn find(&self, name: &str) -> Result<&Managed, ManagerError> {
        self.m
            .by_name(name)
            .ok_or_else(|| ManagerError::NotFound(name.to_string()))
    }

    fn provides(&self, id: ModuleId) -> Vec<String> {
        self.m
            .interfaces
            .provided_by(id)
            .iter()
            .filter_map(|n| self.m.interfaces.service(n))
            .map(|s| format!("{}@{}", s.name, s.version))
            .collect()
    }

    fn dependencies(&self, m: &Managed) -> Vec<DependencyInfo> {
        let mut out: Vec<DependencyInfo> = m
            .loaded
            .record
            .dependencies
            .iter()
            .map(|d| DependencyInfo {
                name: d.name.clone(),
                constraint: d.version_constraint.clone(),
                found: self
                    .m
                    .by_name(&d.name)
                    .map(|x| x.loaded.record.version.clone())
                    .or_else(|| (d.name == "modmgr").then(|| env!("CARGO_PKG_VERSION").into())),
            })
            .collect();
        for c in &m.entry.caps {
            if let CapKind::Client {
                interface,
                constraint,
            } = &c.kind
            {
                out.push(DependencyInfo {
                    name: format!("iface:{interface}"),
                    constraint: constraint.clone(),
                    found: self
                        .m
                        .interfaces
                        .service(interface)
                        .map(|s| s.version.to_string()),
                });
            }
        }
        out
    }
}

impl ManagerHandler for Requests<'_> {
    fn lsmod(&mut self) -> Result<Vec<ModuleSummary>, ManagerError> {
        let own = crate::manager::own_record();
        let mut out = alloc::vec![ModuleSummary {
            id: self.m.own_id.0,
            name: own.name,
            version: own.version,
            flags: own.flags.bits(),
            status: ModuleStatus::Running,
            provides: own.provides,
            restarts: 0,
            last_reload: None,
            last_failure: None,
        }];
        for m in self.m.modules.values() {
            out.push(summary(m, self.provides(m.id)));
        }
        for (name, why) in &self.m.refused {
            out.push(ModuleSummary {
                id: 0,
                name: name.clone(),
                version: String::new(),
                flags: 0,
                status: ModuleStatus::Refused(why.clone()),
                provides: Vec::new(),
                restarts: 0,
                last_reload: None,
                last_failure: None,
            });
        }
        for e in &self.m.available {
            out.push(ModuleSummary {
                id: 0,
                name: e.name.clone(),
                version: String::new(),
                flags: 0,
                status: ModuleStatus::Available,
                provides: Vec::new(),
                restarts: 0,
                last_reload: None,
                last_failure: None,
            });
        }
        Ok(out)
    }

    fn modinfo(&mut self, name: String) -> Result<Box<ModuleDetails>, ManagerError> {
        let m = self.find(&name)?;
        let r = &m.loaded.record;
        Ok(Box::new(ModuleDetails {
            summary: summary(m, self.provides(m.id)),
            author: r.author.clone(),
            description: r.description.clone(),
            abi_version: format!("{}.{}.{}", r.abi.major, r.abi.minor, r.abi.patch),
            binary: m.entry.binary.clone(),
            format: format!("{:?}", m.loaded.format),
            symbols: r
                .symbols
                .symbols
                .iter()
                .map(|s| SymbolInfo {
                    name: s.name.to_string(),
                    kind: format!("{:?}", s.kind),
                    signature: s.signature.to_string(),
                    deprecated: s.deprecated,
                })
                .collect(),
            dependencies: self.dependencies(m),
            args: m.entry.args.clone(),
            caps: m.entry.caps.iter().map(|c| c.name.clone()).collect(),
        }))
    }

    fn insmod(&mut self, path: String, args: String) -> Result<u64, ManagerError> {
        self.privileged()?;
        let file = path.rsplit('/').next().unwrap_or(&path).to_string();
        let loaded = match self.m.load(&file) {
            Ok(l) => l,
            Err(LoadFailure::Missing(_)) => {
                return Err(ManagerError::NotFound(format!("boot module {file}")));
            }
            Err(LoadFailure::Invalid(why)) => {
                return Err(ManagerError::Refused(format!("{file}: {why}")));
            }
        };
        let name = loaded.record.name.clone();
        let mut entry = match self.m.available.iter().position(|e| e.binary == file) {
            Some(i) => self.m.available[i].clone(),
            None => ModuleEntry::new(&name, &file),
        };
        if !args.is_empty() {
            entry.args = args;
        }
        let running: Vec<_> = core::iter::once(crate::manager::own_record())
            .chain(
                self.m
                    .modules
                    .values()
                    .filter(|m| m.status == ModuleStatus::Running)
                    .map(|m| m.loaded.record.clone()),
            )
            .collect();
        entry.start = helix_manifest::StartMode::Boot;
        let plan = boot::plan(
            core::slice::from_ref(&entry),
            &[Loaded::Record(loaded.record.clone())],
            &running,
        );
        if let Some(why) = plan.refusal(0) {
            return Err(ManagerError::Refused(why.to_string()));
        }
        let id = self.m.start(entry, loaded).map_err(ManagerError::Refused)?;
        self.m.available.retain(|e| e.binary != file);
        Ok(id.0)
    }

    fn rmmod(&mut self, name: String) -> Result<(), ManagerError> {
        self.privileged()?;
        let id = self
            .m
            .registry
            .find_by_name(&name)
            .ok_or_else(|| ManagerError::NotFound(name.clone()))?;
        let essential = self
            .m
            .registry
            .get(id)
            .is_some_and(|x| x.metadata().flags.contains(ModuleFlags::ESSENTIAL));
        if essential || id == self.m.own_id {
            return Err(ManagerError::Essential(name));
        }
        let dependents = self.m.dependents(id);
        if !dependents.is_empty() {
            return Err(ManagerError::InUse { name, dependents });
        }
        crate::serve::shut_down(self.m, id);
        self.m.remove(id).map_err(ManagerError::Refused)?;
        log::info!(target: "modmgr", "removed {name} (#{})", id.0);
        Ok(())
    }

    fn deps(&mut self, name: String) -> Result<DepsReport, ManagerError> {
        if name == "modmgr" {
            let dependents = self
                .m
                .modules
                .values()
                .filter(|x| {
                    x.loaded
                        .record
                        .dependencies
                        .iter()
                        .any(|d| d.name == "modmgr")
                })
                .map(|x| x.entry.name.clone())
                .collect();
            return Ok(DepsReport {
                dependencies: Vec::new(),
                dependents,
            });
        }
        let m = self.find(&name)?;
        Ok(DepsReport {
            dependencies: self.dependencies(m),
            dependents: self.m.dependents(m.id),
        })
    }

    fn ifaces(&mut self) -> Result<Vec<InterfaceSummary>, ManagerError> {
        let mut out: Vec<InterfaceSummary> = self
            .m
            .interfaces
            .list()
            .iter()
            .filter_map(|n| self.m.interfaces.service(n))
            .map(|s| InterfaceSummary {
                name: s.name.to_string(),
                version: s.version.to_string(),
                provider: self
                    .m
                    .modules
                    .get(&s.provider)
                    .map_or_else(|| format!("#{}", s.provider.0), |m| m.entry.name.clone()),
            })
            .collect();
        out.insert(
            0,
            InterfaceSummary {
                name: "modmgr".into(),
                version: "1.1.0".into(),
                provider: "modmgr".into(),
            },
        );
        Ok(out)
    }

    fn lookup(
        &mut self,
        interface: String,
        constraint: String,
    ) -> Result<LookupAnswer, ManagerError> {
        let service = self
            .m
            .interfaces
            .lookup(&interface, &constraint)
            .map_err(|e| ManagerError::Refused(e.to_string()))?;
        let (endpoint, provider, version) = (
            service.endpoint,
            service.provider,
            service.version.to_string(),
        );
        let slot = self
            .m
            .slots
            .take()
            .map_err(|e| ManagerError::Refused(e.to_string()))?;
        let ep: Cap<Endpoint> = Cap::from_slot(endpoint);
        if let Err(e) = ep.mint(slot, CapRights::WRITE, badge::id(self.caller).max(1)) {
            self.m.slots.give_back(slot);
            return Err(ManagerError::Refused(format!("cannot mint the cap: {e}")));
        }
        self.cap = Some(slot);
        Ok(LookupAnswer {
            provider: provider.0,
            version,
        })
    }

    fn binaries(&mut self) -> Result<Vec<String>, ManagerError> {
        Ok(self.m.boot_files())
    }

    fn reload(&mut self, name: String, path: String) -> Result<ReloadReport, ManagerError> {
        self.privileged()?;
        let id = self
            .m
            .registry
            .find_by_name(&name)
            .ok_or_else(|| ManagerError::NotFound(name.clone()))?;
        let file = path.rsplit('/').next().unwrap_or(&path).to_string();
        crate::reload::reload(self.m, id, &file)
    }

    fn restart(&mut self, name: String) -> Result<RestartReport, ManagerError> {
        self.privileged()?;
        let id = self
            .m
            .registry
            .find_by_name(&name)
            .ok_or_else(|| ManagerError::NotFound(name.clone()))?;
        if id == self.m.own_id {
            return Err(ManagerError::Essential(name));
        }
        crate::heal::manual_restart(self.m, id).map_err(|e| ManagerError::Refused(e.to_string()))
    }

    fn checkpoint(&mut self, name: String) -> Result<Option<CheckpointReport>, ManagerError> {
        self.privileged()?;
        let m = self.find(&name)?;
        let (id, endpoints) = (m.id, m.endpoints);
        let e =
            endpoints.ok_or_else(|| ManagerError::Refused(format!("{name} is not a server")))?;
        if m.process.is_none() {
            return Err(ManagerError::Refused(format!("{name} is not running")));
        }
        let state = crate::control::checkpoint(e.manager)
            .map_err(|f| ManagerError::Refused(f.to_string()))?;
        let report = state.as_ref().map(|s| CheckpointReport {
            bytes: s.bytes_u64(),
            format: s.format(),
        });
        if let Some(x) = self.m.modules.get_mut(&id) {
            x.checkpoint_served = x.served;
            x.checkpoint = state;
        }
        Ok(report)
    }
}
