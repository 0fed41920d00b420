//! Making a module's process from its spawn plan: a budget of its own (an
//! Untyped split from the manager's), its address space, the image frames
//! filled through the frame window, stack, IPC buffer and start-info page,
//! its thread, and the caps its manifest entry grants; then it starts.
//!
//! Everything the process is made of comes from its budget, so destroying
//! it is one revoke of that Untyped (every object made from it goes, every
//! byte returns to the manager's memory).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use helix_abi::bootinfo::START_MARK;
use helix_modmgr::layout::{self, PAGE, STACK_PAGES, STACK_TOP, SpawnPlan, slots as child};
use helix_module_loader::SegmentRights;
use helix_protocol::runtime::{HeapWindow, StartInfo, StartInfoError, StartSlots};
use helix_protocol::v1::NamedCap;
use helix_sys::{
    AddressSpace, Cap, CapRights, CapType, Endpoint, Frame, SysError, Thread, Untyped, window,
};

use crate::slots::{NoSlot, Slots};

/// The manager's own caps a spawn uses.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    /// All free memory.
    pub memory: Cap<Untyped>,
    /// The manager's address space (for the frame window).
    pub aspace: Cap<AddressSpace>,
    /// The manager's endpoint (reports, faults, requests).
    pub endpoint: Cap<Endpoint>,
}

/// A running module's process, as the manager holds it.
#[derive(Clone, Copy, Debug)]
pub struct Process {
    /// The budget every object of the process comes from.
    pub budget: Cap<Untyped>,
    /// Its address space.
    pub aspace: Cap<AddressSpace>,
    /// Its thread.
    pub thread: Cap<Thread>,
}

/// How a named cap is made for the new process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// A copy of a manager cap, narrowed and badged.
    Mint {
        /// Manager slot.
        src: u32,
        /// Rights it keeps.
        rights: CapRights,
        /// Badge (0 = none).
        badge: u64,
        /// Its type (for the start-info page).
        cap_type: CapType,
    },
    /// A cap the manager made for this process alone (moved, not copied).
    Move {
        /// Manager slot (empty afterwards).
        src: u32,
        /// Its type.
        cap_type: CapType,
    },
}

impl Grant {
    fn cap_type(&self) -> CapType {
        match self {
            Grant::Mint { cap_type, .. } | Grant::Move { cap_type, .. } => *cap_type,
        }
    }
}

/// What to spawn.
#[derive(Debug)]
pub struct Spawn<'a> {
    /// Registry id.
    pub id: u64,
    /// Module name.
    pub name: &'a str,
    /// The manifest's args line.
    pub args: &'a str,
    /// The binary the plan's fills copy from.
    pub binary: &'a [u8],
    /// The layout.
    pub plan: &'a SpawnPlan,
    /// Thread priority.
    pub priority: u8,
    /// CPU affinity mask.
    pub cpus: Option<u64>,
    /// Badge of its report cap to the manager.
    pub report_badge: u64,
    /// Badge of its fault endpoint cap.
    pub fault_badge: u64,
    /// Manager slot of its service endpoint (servers).
    pub service: Option<u32>,
    /// Manager slot of its control endpoint (servers).
    pub control: Option<u32>,
    /// The manifest's named caps, in order.
    pub named: Vec<(String, Grant)>,
    /// Start quiesced: wait for the state before serving (reload, restart).
    pub quiesced: bool,
}

/// Why a process could not be made.
#[derive(Clone, Debug, PartialEq)]
pub enum SpawnError {
    /// A kernel call failed.
    Sys {
        /// What was being done.
        step: &'static str,
        /// The kernel's answer.
        error: SysError,
    },
    /// The manager's CSpace is full.
    NoSlot,
    /// The start-info page could not be written.
    StartInfo(StartInfoError),
    /// The plan's fills point outside the binary.
    BadFill,
    /// More frames or caps than the CSpace layout holds.
    TooMany(&'static str),
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::Sys { step, error } => write!(f, "{step}: {error}"),
            SpawnError::NoSlot => write!(f, "{NoSlot}"),
            SpawnError::StartInfo(e) => write!(f, "start-info page: {e}"),
            SpawnError::BadFill => f.write_str("segment bytes outside the binary"),
            SpawnError::TooMany(what) => write!(f, "too many {what} for the CSpace layout"),
        }
    }
}

impl From<NoSlot> for SpawnError {
    fn from(_: NoSlot) -> Self {
        SpawnError::NoSlot
    }
}

/// Attach the step to a kernel error.
fn at(step: &'static str) -> impl Fn(SysError) -> SpawnError {
    move |error| SpawnError::Sys { step, error }
}

/// A manager cap in `slot`, whatever its type: the cross-CSpace calls use
/// only the slot.
fn any(slot: u32) -> Cap<Endpoint> {
    Cap::from_slot(slot)
}

fn rights(r: SegmentRights) -> CapRights {
    let mut c = CapRights::NONE;
    if r.read {
        c = c.union(CapRights::READ);
    }
    if r.write {
        c = c.union(CapRights::WRITE);
    }
    if r.execute {
        c = c.union(CapRights::EXECUTE);
    }
    c
}

const RW: CapRights = CapRights::READ.union(CapRights::WRITE);

/// Make and start the process; on any failure everything made so far is
/// destroyed again and the slots are free.
pub fn spawn(env: &Env, slots: &mut Slots, s: &Spawn<'_>) -> Result<Process, SpawnError> {
    let b = slots.take()?;
    let total = s.plan.objects_budget + s.plan.heap_budget;
    let budget = env.memory.split(b, total).map_err(|e| {
        slots.give_back(b);
        at("split the budget")(e)
    })?;
    let mut taken = Vec::new();
    match build(env, slots, s, budget, &mut taken) {
        Ok(p) => Ok(p),
        Err(e) => {
            destroy_budget(budget);
            slots.give_back(b);
            for t in taken {
                slots.give_back(t);
            }
            Err(e)
        }
    }
}

/// Destroy everything made from `budget` and give its bytes back.
pub fn destroy_budget(budget: Cap<Untyped>) {
    // Revoking a budget the manager holds and then deleting it cannot fail
    // for a valid slot; if it did, the memory stays charged (a leak the
    // next `lsmod` memory figure shows), never a dangling object.
    let _ = budget.revoke();
    let _ = budget.delete();
}

/// Destroy a process made by [`spawn`] and free its manager slots.
pub fn destroy(p: Process, slots: &mut Slots) {
    let (b, a, t) = (p.budget.slot(), p.aspace.slot(), p.thread.slot());
    destroy_budget(p.budget);
    slots.give_back(a);
    slots.give_back(t);
    slots.give_back(b);
}

fn build(
    env: &Env,
    slots: &mut Slots,
    s: &Spawn<'_>,
    budget: Cap<Untyped>,
    taken: &mut Vec<u32>,
) -> Result<Process, SpawnError> {
    let mut take = |slots: &mut Slots| -> Result<u32, SpawnError> {
        let x = slots.take()?;
        taken.push(x);
        Ok(x)
    };
    let aspace: Cap<AddressSpace> = budget
        .retype(take(slots)?, u64::from(layout::CSPACE_SLOTS))
        .map_err(at("make the address space"))?;
    let tmp = slots.take()?;
    let result = fill(env, s, budget, aspace, tmp);
    slots.give_back(tmp);
    result?;
    let thread: Cap<Thread> = budget
        .retype(take(slots)?, 0)
        .map_err(at("make the thread"))?;
    aspace
        .mint_into(aspace, child::ASPACE, RW, 0)
        .map_err(at("grant its address space"))?;
    aspace
        .mint_into(thread, child::THREAD, CapRights::WRITE, 0)
        .map_err(at("grant its thread"))?;
    aspace
        .mint_into(
            env.endpoint,
            child::REPORT,
            CapRights::WRITE.union(CapRights::GRANT),
            s.report_badge,
        )
        .map_err(at("grant the report endpoint"))?;
    aspace
        .mint_into(env.endpoint, child::FAULT, CapRights::WRITE, s.fault_badge)
        .map_err(at("grant the fault endpoint"))?;
    if let Some(service) = s.service {
        aspace
            .mint_into(any(service), child::SERVICE, CapRights::READ, 0)
            .map_err(at("grant the service endpoint"))?;
    }
    if let Some(control) = s.control {
        aspace
            .mint_into(any(control), child::CONTROL, CapRights::READ, 0)
            .map_err(at("grant the control endpoint"))?;
    }
    if s.named.len() > child::MAX_NAMED as usize {
        return Err(SpawnError::TooMany("named caps"));
    }
    for (k, (_, grant)) in s.named.iter().enumerate() {
        let dst = child::FIRST_NAMED + k as u32;
        match grant {
            Grant::Mint {
                src, rights, badge, ..
            } => aspace
                .mint_into(any(*src), dst, *rights, *badge)
                .map_err(at("grant a named cap"))?,
            Grant::Move { src, .. } => aspace
                .move_into(any(*src), dst)
                .map_err(at("move a named cap"))?,
        }
    }
    thread
        .configure(aspace, Some(child::FAULT), layout::IPC_BUFFER)
        .map_err(at("configure the thread"))?;
    thread
        .set_priority(s.priority)
        .map_err(at("set the priority"))?;
    if let Some(mask) = s.cpus {
        thread.set_affinity(mask).map_err(at("set the affinity"))?;
    }
    thread
        .start(s.plan.entry, STACK_TOP - 16)
        .map_err(at("start the thread"))?;
    Ok(Process {
        budget,
        aspace,
        thread,
    })
}

/// One frame of `pages` pages from the budget, filled with `fills`
/// (offset, bytes), mapped at `vaddr` with `r`, moved into child slot
/// `dst`.
fn frame(
    env: &Env,
    budget: Cap<Untyped>,
    aspace: Cap<AddressSpace>,
    tmp: u32,
    (pages, vaddr, r, dst): (u64, u64, CapRights, u32),
    fills: &[(u64, &[u8])],
) -> Result<(), SpawnError> {
    let f: Cap<Frame> = budget.retype(tmp, pages).map_err(at("make a frame"))?;
    for (offset, bytes) in fills {
        window::write_frame(env.aspace, f, pages, *offset, bytes).map_err(at("fill a frame"))?;
    }
    aspace.map(f, vaddr, r).map_err(at("map a frame"))?;
    aspace.move_into(f, dst).map_err(at("hand over a frame"))
}

fn fill(
    env: &Env,
    s: &Spawn<'_>,
    budget: Cap<Untyped>,
    aspace: Cap<AddressSpace>,
    tmp: u32,
) -> Result<(), SpawnError> {
    let plan = s.plan;
    if plan.image.len() + 3 > child::MAX_IMAGE as usize {
        return Err(SpawnError::TooMany("image frames"));
    }
    let mut dst = child::FIRST_IMAGE;
    for f in &plan.image {
        let mut fills = Vec::with_capacity(f.fills.len());
        for x in &f.fills {
            let end = x
                .file_offset
                .checked_add(x.len)
                .ok_or(SpawnError::BadFill)?;
            let bytes = s
                .binary
                .get(x.file_offset..end)
                .ok_or(SpawnError::BadFill)?;
            fills.push((x.frame_offset, bytes));
        }
        frame(
            env,
            budget,
            aspace,
            tmp,
            (f.pages, f.vaddr, rights(f.rights), dst),
            &fills,
        )?;
        dst += 1;
    }
    // The stack, with the two start words at its top.
    let mut words = [0u8; 16];
    words[..8].copy_from_slice(&START_MARK.to_le_bytes());
    words[8..].copy_from_slice(&layout::START_INFO.to_le_bytes());
    let base = STACK_TOP - STACK_PAGES * PAGE;
    frame(
        env,
        budget,
        aspace,
        tmp,
        (STACK_PAGES, base, RW, dst),
        &[(STACK_PAGES * PAGE - 16, &words)],
    )?;
    frame(
        env,
        budget,
        aspace,
        tmp,
        (1, layout::IPC_BUFFER, RW, dst + 1),
        &[],
    )?;
    let info = start_info(s).encode().map_err(SpawnError::StartInfo)?;
    frame(
        env,
        budget,
        aspace,
        tmp,
        (1, layout::START_INFO, CapRights::READ, dst + 2),
        &[(0, &info)],
    )?;
    if plan.heap_budget > 0 {
        let heap = budget
            .split(tmp, plan.heap_budget)
            .map_err(at("split the heap budget"))?;
        aspace
            .move_into(heap, child::MEMORY)
            .map_err(at("hand over the heap budget"))?;
    }
    Ok(())
}

/// The start-info page of `s`.
fn start_info(s: &Spawn<'_>) -> StartInfo {
    StartInfo {
        module_id: s.id,
        name: String::from(s.name),
        args: String::from(s.args),
        caps: s
            .named
            .iter()
            .enumerate()
            .map(|(k, (name, g))| NamedCap {
                name: name.clone(),
                slot: child::FIRST_NAMED + k as u32,
                cap_type: g.cap_type(),
            })
            .collect(),
        slots: StartSlots {
            report: child::REPORT,
            service: s.service.map(|_| child::SERVICE),
            control: s.control.map(|_| child::CONTROL),
            memory: (s.plan.heap_budget > 0).then_some(child::MEMORY),
            aspace: child::ASPACE,
            thread: child::THREAD,
            free_first: child::FREE_FIRST,
            free_count: child::FREE_COUNT,
        },
        heap: HeapWindow {
            start: layout::HEAP_START,
            max_bytes: s.plan.heap_budget,
        },
        quiesced: s.quiesced,
    }
}
