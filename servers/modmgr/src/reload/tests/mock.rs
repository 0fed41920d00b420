//! [`Mock`]: a host with one old and at most one new process of the
//! module [`ID`], which records every call, fails the calls it is told to,
//! and asserts that the engine only asks what the process states allow.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;
use helix_protocol::metadata::{ModuleRecord, RecordDependency};
use helix_protocol::{AbiVersion, ModuleFlags, ModuleState, SymbolEntry, SymbolTable};

use crate::registry::ModuleId;
use crate::reload::{HostCall, HostError, HotReloadEngine, ReloadHost};

/// The module every test reloads.
pub const ID: ModuleId = ModuleId(7);

/// What a process of the module is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proc {
    /// No such process.
    Absent,
    /// Taking clients.
    Serving,
    /// Alive, taking no clients.
    Quiesced,
    /// Not running, kept for a rollback.
    Suspended,
}

/// What each call costs on the mock's clock, in microseconds.
pub fn cost(call: HostCall) -> u64 {
    match call {
        HostCall::Load => 50,
        HostCall::Quiesce => 100,
        HostCall::SaveState => 20,
        HostCall::SuspendOld => 5,
        HostCall::SpawnNew => 300,
        HostCall::RestoreNew => 40,
        HostCall::ResumeNew => 7,
        HostCall::Commit => 11,
        HostCall::DiscardNew => 13,
        HostCall::ResumeOld => 17,
        HostCall::Current | HostCall::Dependents | HostCall::NowUs => 0,
    }
}

/// The mock host.
pub struct Mock {
    calls: RefCell<Vec<HostCall>>,
    /// Calls that fail (they change nothing).
    pub fail: BTreeSet<HostCall>,
    /// The running module's record.
    pub current: ModuleRecord,
    binaries: BTreeMap<Vec<u8>, ModuleRecord>,
    /// What `dependents` answers.
    pub dependents: Vec<(String, String)>,
    /// The old (running) process.
    pub old: Proc,
    /// Its state (`None`: it keeps none).
    pub old_state: Option<ModuleState>,
    /// The new process.
    pub new: Proc,
    new_record: Option<ModuleRecord>,
    /// The state restored into the new process.
    pub new_state: Option<ModuleState>,
    clock: u64,
}

/// A `HOT_RELOADABLE` record of `kv` at `version` exporting `get` and `put`.
pub fn record(version: &str) -> ModuleRecord {
    ModuleRecord {
        abi: AbiVersion::CURRENT,
        flags: ModuleFlags::HOT_RELOADABLE | ModuleFlags::USERSPACE,
        name: "kv".into(),
        version: version.into(),
        author: "helix".into(),
        description: "a key-value store".into(),
        dependencies: vec![RecordDependency {
            name: "log".into(),
            version_constraint: "^1.0".into(),
        }],
        provides: vec!["kv@1.0".into()],
        symbols: symbols(&[("get", "fn(u64) -> u64"), ("put", "fn(u64, u64)")]),
    }
}

/// A symbol table of functions.
pub fn symbols(functions: &[(&str, &str)]) -> SymbolTable {
    functions
        .iter()
        .map(|(name, sig)| SymbolEntry::function(name, sig).unwrap())
        .collect()
}

/// A state whose data is `counter`.
pub fn counter_state(counter: u64) -> ModuleState {
    ModuleState::new(1, counter.to_le_bytes().to_vec())
}

impl Mock {
    /// `kv` 1.0.0 serving with a counter state of 42.
    pub fn new() -> Mock {
        Mock {
            calls: RefCell::new(Vec::new()),
            fail: BTreeSet::new(),
            current: record("1.0.0"),
            binaries: BTreeMap::new(),
            dependents: Vec::new(),
            old: Proc::Serving,
            old_state: Some(counter_state(42)),
            new: Proc::Absent,
            new_record: None,
            new_state: None,
            clock: 1_000,
        }
    }

    /// A binary `load` reads as `record`.
    pub fn binary(&mut self, record: ModuleRecord) -> Vec<u8> {
        let bytes =
            format!("{}@{}#{}", record.name, record.version, self.binaries.len()).into_bytes();
        self.binaries.insert(bytes.clone(), record);
        bytes
    }

    /// The calls made so far, and forget them.
    pub fn take_calls(&self) -> Vec<HostCall> {
        self.calls.take()
    }

    /// A client request served: the old process's counter goes up by one.
    pub fn serve(&mut self) {
        assert_eq!(self.old, Proc::Serving, "nobody serves");
        let state = self.old_state.as_mut().expect("a counter state");
        let n = u64::from_le_bytes(state.data.as_slice().try_into().unwrap());
        state.data = (n + 1).to_le_bytes().to_vec();
    }

    /// The old process's counter.
    pub fn counter(&self) -> u64 {
        let data = &self.old_state.as_ref().expect("a counter state").data;
        u64::from_le_bytes(data.as_slice().try_into().unwrap())
    }

    /// The old process serves, no new one exists: nothing changed for
    /// clients.
    pub fn assert_old_serves(&self) {
        assert_eq!((self.old, self.new), (Proc::Serving, Proc::Absent));
        assert!(self.new_record.is_none() && self.new_state.is_none());
    }

    fn enter(&self, id: ModuleId, call: HostCall) -> Result<(), HostError> {
        assert_eq!(id, ID, "{call} for another module");
        self.calls.borrow_mut().push(call);
        if self.fail.contains(&call) {
            return Err(HostError::new(format!("the mock fails {call}")));
        }
        Ok(())
    }

    fn enter_mut(&mut self, id: ModuleId, call: HostCall) -> Result<(), HostError> {
        self.clock += cost(call);
        self.enter(id, call)
    }
}

impl ReloadHost for Mock {
    type Snapshot = ModuleState;
    fn current(&self, id: ModuleId) -> Result<ModuleRecord, HostError> {
        self.enter(id, HostCall::Current)?;
        Ok(self.current.clone())
    }

    fn load(&mut self, binary: &[u8]) -> Result<ModuleRecord, HostError> {
        self.enter_mut(ID, HostCall::Load)?;
        self.binaries
            .get(binary)
            .cloned()
            .ok_or_else(|| HostError::new("not a module binary"))
    }

    fn dependents(&self, id: ModuleId) -> Vec<(String, String)> {
        // Infallible: a listed failure is ignored.
        self.calls.borrow_mut().push(HostCall::Dependents);
        assert_eq!(id, ID);
        self.dependents.clone()
    }

    fn quiesce(&mut self, id: ModuleId) -> Result<(), HostError> {
        self.enter_mut(id, HostCall::Quiesce)?;
        assert_eq!(self.old, Proc::Serving);
        self.old = Proc::Quiesced;
        Ok(())
    }

    fn save_state(&mut self, id: ModuleId) -> Result<Option<ModuleState>, HostError> {
        self.enter_mut(id, HostCall::SaveState)?;
        assert_eq!(
            self.old,
            Proc::Quiesced,
            "state taken from a serving process"
        );
        Ok(self.old_state.clone())
    }

    fn suspend_old(&mut self, id: ModuleId) -> Result<(), HostError> {
        self.enter_mut(id, HostCall::SuspendOld)?;
        assert_eq!(self.old, Proc::Quiesced);
        self.old = Proc::Suspended;
        Ok(())
    }

    fn spawn_new(&mut self, id: ModuleId, binary: &[u8]) -> Result<(), HostError> {
        self.enter_mut(id, HostCall::SpawnNew)?;
        assert_eq!((self.old, self.new), (Proc::Suspended, Proc::Absent));
        let record = self.binaries.get(binary).expect("the loaded binary");
        self.new_record = Some(record.clone());
        self.new = Proc::Quiesced;
        Ok(())
    }

    fn restore_new(&mut self, id: ModuleId, state: &ModuleState) -> Result<(), HostError> {
        self.enter_mut(id, HostCall::RestoreNew)?;
        assert_eq!(self.new, Proc::Quiesced);
        self.new_state = Some(state.clone());
        Ok(())
    }

    fn resume_new(&mut self, id: ModuleId) -> Result<(), HostError> {
        self.enter_mut(id, HostCall::ResumeNew)?;
        assert_eq!(self.new, Proc::Quiesced);
        self.new = Proc::Serving;
        Ok(())
    }

    fn commit(&mut self, id: ModuleId) -> Result<(), HostError> {
        self.enter_mut(id, HostCall::Commit)?;
        assert_eq!((self.old, self.new), (Proc::Suspended, Proc::Serving));
        self.current = self.new_record.take().expect("a new record");
        self.old_state = self.new_state.take();
        (self.old, self.new) = (Proc::Serving, Proc::Absent);
        Ok(())
    }

    fn discard_new(&mut self, id: ModuleId) {
        // Infallible: a listed failure is ignored.
        self.clock += cost(HostCall::DiscardNew);
        self.calls.borrow_mut().push(HostCall::DiscardNew);
        assert_eq!(id, ID);
        self.new = Proc::Absent;
        self.new_record = None;
        self.new_state = None;
    }

    fn resume_old(&mut self, id: ModuleId) -> Result<(), HostError> {
        self.enter_mut(id, HostCall::ResumeOld)?;
        assert!(
            matches!(self.old, Proc::Quiesced | Proc::Suspended),
            "resume_old of a {:?} process",
            self.old
        );
        assert_eq!(self.new, Proc::Absent, "the new process still runs");
        self.old = Proc::Serving;
        Ok(())
    }

    fn now_us(&self) -> u64 {
        self.clock
    }
}

/// An engine over a fresh mock, and a binary of `kv` at `version` with the
/// same symbols.
pub fn engine(version: &str) -> (HotReloadEngine<Mock>, Vec<u8>) {
    let mut mock = Mock::new();
    let binary = mock.binary(record(version));
    (HotReloadEngine::new(mock), binary)
}

/// The calls of a successful reload of a module with state, in order.
pub const SUCCESS: &[HostCall] = &[
    HostCall::Current,
    HostCall::Load,
    HostCall::Dependents,
    HostCall::Quiesce,
    HostCall::SaveState,
    HostCall::SuspendOld,
    HostCall::SpawnNew,
    HostCall::RestoreNew,
    HostCall::ResumeNew,
    HostCall::Commit,
];
