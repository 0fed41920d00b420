//! The objects of one kernel and their lifetimes.

use alloc::vec;
use alloc::vec::Vec;
use helix_abi::{CapRights, CapType, SysError};

use super::effects::{Effects, Hardware};
use crate::cap::{Cap, CapSystem, Removed, SlotAddr};
use crate::ipc::{Ipc, IpcLimits, RecvWindow, transfer_caps};
use crate::notification::{IrqAction, IrqRouter};
use crate::quota::Quotas;
use crate::sched::Scheduler;
use crate::table::{ObjRef, Table, ThreadId};

/// Priority of a new thread.
pub const DEFAULT_PRIORITY: u8 = 100;
/// Quantum of a new thread in timer ticks.
pub const DEFAULT_QUANTUM: u32 = 10;

/// Table sizes.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Threads.
    pub threads: usize,
    /// Address spaces (and CSpaces).
    pub address_spaces: usize,
    /// Endpoints.
    pub endpoints: usize,
    /// Notifications.
    pub notifications: usize,
    /// Frames.
    pub frames: usize,
    /// Quotas (Untyped objects).
    pub quotas: usize,
    /// IrqHandlers, IoPorts and IrqControl objects.
    pub devices: usize,
    /// CPUs.
    pub cpus: usize,
}

impl Limits {
    /// Largest table, which sizes the per-object side tables.
    fn max(&self) -> usize {
        [
            self.threads,
            self.address_spaces,
            self.endpoints,
            self.notifications,
            self.frames,
            self.quotas,
            self.devices,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.threads
            + self.address_spaces
            + self.endpoints
            + self.notifications
            + self.frames
            + self.quotas
            + self.devices
    }
}

/// Whether a thread may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Made, not started.
    Inactive,
    /// Running or ready (or blocked in IPC; see `Ipc::state`).
    Active,
    /// Suspended by `ThreadSuspend` or an unhandled fault.
    Suspended,
}

/// A thread control block (the parts pure logic needs).
#[derive(Clone, Copy, Debug)]
pub struct Thread {
    /// The process it runs in.
    pub aspace: Option<ObjRef>,
    /// Fault endpoint slot in its process's CSpace.
    pub fault_ep: Option<u32>,
    /// IPC buffer page.
    pub ipc_buffer: u64,
    /// Run state.
    pub state: RunState,
    /// IPC timeout in ticks (0 = none).
    pub timeout: u64,
    /// Tick at which the current blocking IPC times out.
    pub deadline: Option<u64>,
    /// Waiting for its fault handler's answer.
    pub faulted: bool,
    /// Its blocking syscall was cancelled by a suspend.
    pub interrupted: bool,
    /// Maximum controlled priority: the highest priority or MCP it may
    /// give any thread (itself included). Boot threads 255, others 0.
    pub mcp: u8,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct AddressSpace {
    pub(crate) cspace: ObjRef,
    /// Its I/O permission bitmap is paid for (see
    /// [`System::charge_io_bitmap`]).
    pub(crate) io_bitmap_paid: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    pub(crate) phys: u64,
    pub(crate) pages: u64,
}

/// Device objects.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Device {
    IrqControl,
    IrqHandler(u64),
    IoPorts { first: u16, last: u16 },
}

/// Every object of one kernel.
#[derive(Debug)]
pub struct System {
    /// CSpaces and the derivation tree.
    pub caps: CapSystem,
    /// Endpoints, notifications, replies, IPC thread states.
    pub ipc: Ipc,
    /// Memory budgets.
    pub quotas: Quotas,
    /// Run queues.
    pub sched: Scheduler,
    /// IRQ lines.
    pub irqs: IrqRouter,
    pub(crate) threads: Table<Thread>,
    pub(crate) aspaces: Table<AddressSpace>,
    pub(crate) frames: Table<Frame>,
    pub(crate) untypeds: Table<ObjRef>,
    pub(crate) devices: Table<Device>,
    /// Quota and bytes each object was charged, per type and table index.
    charges: Vec<Option<(ObjRef, u64)>>,
    stride: usize,
    /// Objects whose last cap went, waiting to be destroyed (no recursion).
    doomed: Vec<(CapType, ObjRef)>,
    /// Current time in ticks.
    pub now: u64,
}

impl System {
    /// An empty system with tables of the given sizes.
    pub fn new(l: Limits) -> System {
        let stride = l.max();
        System {
            caps: CapSystem::new(l.address_spaces, stride),
            ipc: Ipc::new(IpcLimits {
                threads: l.threads,
                endpoints: l.endpoints,
                notifications: l.notifications,
            }),
            quotas: Quotas::with_capacity(l.quotas),
            sched: Scheduler::new(l.cpus, l.threads),
            irqs: IrqRouter::default(),
            threads: Table::with_capacity(l.threads),
            aspaces: Table::with_capacity(l.address_spaces),
            frames: Table::with_capacity(l.frames),
            untypeds: Table::with_capacity(l.quotas),
            devices: Table::with_capacity(l.devices),
            charges: vec![None; stride * 11],
            stride,
            doomed: Vec::with_capacity(l.total()),
            now: 0,
        }
    }

    /// The thread `t`.
    pub fn thread(&self, t: ThreadId) -> Result<&Thread, SysError> {
        self.threads.get(t.0).ok_or(SysError::InvalidState)
    }

    pub(crate) fn thread_mut(&mut self, t: ThreadId) -> Result<&mut Thread, SysError> {
        self.threads.get_mut(t.0).ok_or(SysError::InvalidState)
    }

    /// The CSpace of the process `t` runs in.
    pub fn cspace_of(&self, t: ThreadId) -> Result<ObjRef, SysError> {
        let aspace = self.thread(t)?.aspace.ok_or(SysError::InvalidState)?;
        Ok(self
            .aspaces
            .get(aspace)
            .ok_or(SysError::InvalidState)?
            .cspace)
    }

    /// The CSpace of the address space `aspace`.
    pub fn cspace_of_aspace(&self, aspace: ObjRef) -> Result<ObjRef, SysError> {
        Ok(self.aspaces.get(aspace).ok_or(SysError::Revoked)?.cspace)
    }

    // ---- boot ----

    /// Boot: a root address space with a CSpace of `slots` slots and the
    /// cap to it in slot 0 of its own CSpace.
    pub fn boot_address_space(&mut self, slots: usize) -> Result<ObjRef, SysError> {
        let (aspace, _) = self.new_address_space(slots)?;
        let cspace = self.cspace_of_aspace(aspace)?;
        let cap = Cap::new(aspace, CapType::AddressSpace, CapRights::ALL);
        self.caps
            .insert_original(SlotAddr::new(cspace, 0), cap, None)?;
        Ok(aspace)
    }

    /// Boot: a thread in `aspace` with its cap in `slot` of that CSpace.
    pub fn boot_thread(&mut self, aspace: ObjRef, slot: u32) -> Result<ThreadId, SysError> {
        let cspace = self.cspace_of_aspace(aspace)?;
        let t = self.new_thread()?;
        let th = self.thread_mut(t)?;
        th.aspace = Some(aspace);
        th.mcp = u8::MAX;
        let cap = Cap::new(t.0, CapType::Thread, CapRights::ALL);
        self.caps
            .insert_original(SlotAddr::new(cspace, slot), cap, None)?;
        Ok(t)
    }

    /// Boot: an original cap of a boot object in `at`: a root Untyped of
    /// `arg` bytes, IrqControl, or IoPorts for every port.
    pub fn boot_cap(&mut self, at: SlotAddr, kind: CapType, arg: u64) -> Result<(), SysError> {
        let object = match kind {
            CapType::Untyped => {
                let q = self.quotas.create_root(arg)?;
                self.untypeds.insert(q)?
            }
            CapType::IrqControl => self.devices.insert(Device::IrqControl)?,
            CapType::IoPorts => self.devices.insert(Device::IoPorts {
                first: 0,
                last: u16::MAX,
            })?,
            _ => return Err(SysError::InvalidArgument),
        };
        self.caps
            .insert_original(at, Cap::new(object, kind, CapRights::ALL), None)
    }

    /// Boot: bill `aspace` (made by the kernel, charged to no quota) to the
    /// quota of the Untyped cap at `untyped`: from then on what it costs
    /// beyond itself (page tables, its I/O bitmap) is charged there and
    /// released when it is destroyed, as for a retyped address space. Lets
    /// kernel tests run a loaded program on a budget. `InvalidState` when
    /// it is charged already.
    pub fn boot_bill(&mut self, aspace: ObjRef, untyped: SlotAddr) -> Result<(), SysError> {
        let cap = self.caps.space(untyped.space)?.lookup(
            untyped.slot,
            CapType::Untyped,
            CapRights::NONE,
        )?;
        let q = *self.untypeds.get(cap.object).ok_or(SysError::Revoked)?;
        self.aspaces.get(aspace).ok_or(SysError::Revoked)?;
        if self.charge_of(CapType::AddressSpace, aspace).is_some() {
            return Err(SysError::InvalidState);
        }
        self.set_charge(CapType::AddressSpace, aspace, Some((q, 0)));
        Ok(())
    }

    /// Boot: set a booted thread's IPC buffer page and fault endpoint slot
    /// (what `ThreadConfigure` would set, for threads the kernel makes).
    pub fn boot_configure(
        &mut self,
        t: ThreadId,
        ipc_buffer: u64,
        fault_ep: Option<u32>,
    ) -> Result<(), SysError> {
        let th = self.thread_mut(t)?;
        th.ipc_buffer = ipc_buffer;
        th.fault_ep = fault_ep;
        Ok(())
    }

    /// Boot: an original Frame cap in `at` for `pages` pages of physical
    /// memory at `phys` that the kernel hands over (boot modules), with
    /// `rights`. Nothing is charged to any quota.
    pub fn boot_frame(
        &mut self,
        at: SlotAddr,
        phys: u64,
        pages: u64,
        rights: CapRights,
    ) -> Result<(), SysError> {
        let object = self.frames.insert(Frame { phys, pages })?;
        self.caps
            .insert_original(at, Cap::new(object, CapType::Frame, rights), None)
            .inspect_err(|_| {
                self.frames.remove(object);
            })
    }

    /// Mark a booted thread runnable (it is started by the kernel itself).
    pub fn boot_start(&mut self, t: ThreadId) -> Result<(), SysError> {
        self.thread_mut(t)?.state = RunState::Active;
        self.sched.enqueue(t).map(|_| ())
    }

    // ---- object making ----

    pub(crate) fn new_thread(&mut self) -> Result<ThreadId, SysError> {
        let t = ThreadId(self.threads.insert(Thread {
            aspace: None,
            fault_ep: None,
            ipc_buffer: 0,
            state: RunState::Inactive,
            timeout: 0,
            deadline: None,
            faulted: false,
            interrupted: false,
            mcp: 0,
        })?);
        let added = self
            .ipc
            .add_thread(t)
            .and_then(|_| self.sched.add_thread(t, DEFAULT_PRIORITY, DEFAULT_QUANTUM));
        if let Err(e) = added {
            let _ = self.ipc.remove_thread(t);
            self.threads.remove(t.0);
            return Err(e);
        }
        Ok(t)
    }

    pub(crate) fn new_address_space(&mut self, slots: usize) -> Result<(ObjRef, ObjRef), SysError> {
        let cspace = self.caps.create_space(slots)?;
        match self.aspaces.insert(AddressSpace {
            cspace,
            io_bitmap_paid: false,
        }) {
            Ok(a) => Ok((a, cspace)),
            Err(e) => {
                self.caps.destroy_space(cspace, &mut |_| {})?;
                Err(e)
            }
        }
    }

    pub(crate) fn set_charge(
        &mut self,
        kind: CapType,
        object: ObjRef,
        charge: Option<(ObjRef, u64)>,
    ) {
        if let Some(c) = self
            .charges
            .get_mut(kind as usize * self.stride + object.index())
        {
            *c = charge;
        }
    }

    /// The quota `object` of type `kind` is charged to, and the bytes.
    pub(crate) fn charge_of(&self, kind: CapType, object: ObjRef) -> Option<(ObjRef, u64)> {
        self.charges
            .get(kind as usize * self.stride + object.index())
            .copied()
            .flatten()
    }

    fn take_charge(&mut self, kind: CapType, object: ObjRef) -> Option<(ObjRef, u64)> {
        self.charges
            .get_mut(kind as usize * self.stride + object.index())
            .and_then(Option::take)
    }

    // ---- destruction ----

    /// A cap was removed: if it was the last one, destroy its object (and,
    /// iteratively, whatever that destruction orphans).
    pub(crate) fn removed(&mut self, r: Removed, fx: &mut dyn Effects) {
        if r.cap.kind == CapType::IoPorts {
            fx.hardware(Hardware::IoPortsRevoked);
        }
        if r.last {
            self.doomed.push((r.cap.kind, r.cap.object));
        }
        while let Some((kind, object)) = self.doomed.pop() {
            self.destroy(kind, object, fx);
        }
    }

    pub(crate) fn destroy(&mut self, kind: CapType, object: ObjRef, fx: &mut dyn Effects) {
        let mut woken = Vec::new();
        match kind {
            CapType::Endpoint => {
                self.ipc.destroy_endpoint(object, &mut |t| woken.push(t));
            }
            CapType::Notification => {
                self.ipc
                    .destroy_notification(object, &mut |t| woken.push(t));
            }
            CapType::Thread => self.destroy_thread(ThreadId(object), fx),
            CapType::AddressSpace => {
                if let Some(a) = self.aspaces.remove(object) {
                    let doomed = &mut self.doomed;
                    let _ = self.caps.destroy_space(a.cspace, &mut |r| {
                        if r.last {
                            doomed.push((r.cap.kind, r.cap.object));
                        }
                    });
                    // Threads of the process can no longer run.
                    let bound: Vec<ThreadId> = self
                        .threads
                        .iter()
                        .filter(|(_, t)| t.aspace == Some(object))
                        .map(|(r, _)| ThreadId(r))
                        .collect();
                    for t in bound {
                        self.suspend(t, fx);
                        self.drop_held_call(t, fx);
                        if let Ok(th) = self.thread_mut(t) {
                            th.aspace = None;
                        }
                    }
                    fx.hardware(Hardware::AddressSpaceGone(object));
                }
            }
            CapType::Frame => {
                if let Some(f) = self.frames.remove(object) {
                    fx.free_frames(f.phys, f.pages);
                }
            }
            CapType::Untyped => {
                if let Some(q) = self.untypeds.remove(object) {
                    self.quotas.destroy(q);
                }
            }
            CapType::IrqHandler => {
                if let Some(Device::IrqHandler(irq)) = self.devices.remove(object) {
                    self.irqs.release(irq);
                }
            }
            CapType::IoPorts | CapType::IrqControl | CapType::Reply => {
                self.devices.remove(object);
            }
        }
        for t in woken {
            self.wake(t, Err(SysError::Revoked), fx);
        }
        if let Some((q, bytes)) = self.take_charge(kind, object) {
            self.quotas.release(q, bytes);
        }
    }

    fn destroy_thread(&mut self, t: ThreadId, fx: &mut dyn Effects) {
        if let Ok(Some(caller)) = self.ipc.remove_thread(t) {
            self.wake(caller, Err(SysError::PartnerGone), fx);
        }
        let _ = self.sched.remove_thread(t);
        if self.threads.remove(t.0).is_some() {
            fx.hardware(Hardware::ThreadGone(t));
        }
    }

    /// `t` will never run again (its process is gone, its fault handler
    /// destroyed it): the call it received and holds is dropped, and the
    /// caller waiting for the reply wakes with `PartnerGone`.
    pub(crate) fn drop_held_call(&mut self, t: ThreadId, fx: &mut dyn Effects) {
        if let Ok(Some(caller)) = self.ipc.abandon_reply(t) {
            self.wake(caller, Err(SysError::PartnerGone), fx);
        }
    }

    /// Stop `t`: cancel its IPC and take it off the run queue.
    pub(crate) fn suspend(&mut self, t: ThreadId, _fx: &mut dyn Effects) {
        let blocked = self.ipc.cancel(t).unwrap_or(false);
        let _ = self.sched.dequeue(t);
        if let Ok(th) = self.thread_mut(t) {
            th.state = RunState::Suspended;
            th.deadline = None;
            th.interrupted |= blocked;
        }
    }

    /// Make `t` runnable with `result` for its pending syscall.
    pub(crate) fn wake(&mut self, t: ThreadId, result: Result<(), SysError>, fx: &mut dyn Effects) {
        if let Ok(th) = self.thread_mut(t) {
            th.deadline = None;
            if th.state == RunState::Active {
                let _ = self.sched.enqueue(t);
            }
        }
        fx.wake(t, result);
    }

    // ---- interrupts ----

    /// IRQ `line` fired: a bound, idle line signals its notification (the
    /// first waiter wakes with the bits) and stays masked until
    /// `IrqHandlerAck`. Returns what the router decided (mask the line in
    /// every case; unmask on ack).
    pub fn irq(&mut self, line: u64, fx: &mut dyn Effects) -> IrqAction {
        let action = self.irqs.fire(line);
        if let IrqAction::Signal { notification, bits } = action
            && let Ok(Some(w)) = self.ipc.signal(notification, bits)
        {
            fx.signal_bits(w.thread, w.bits);
            self.wake(w.thread, Ok(()), fx);
        }
        action
    }

    // ---- time ----

    /// Advance the clock to `now`: blocked IPC past its deadline ends with
    /// `TimedOut`. O(threads); the kernel calls it from the timer tick.
    pub fn expire(&mut self, now: u64, fx: &mut dyn Effects) -> usize {
        self.now = now;
        let due: Vec<ThreadId> = self
            .threads
            .iter()
            .filter(|(_, t)| t.deadline.is_some_and(|d| d <= now))
            .map(|(r, _)| ThreadId(r))
            .collect();
        for &t in &due {
            let _ = self.ipc.cancel(t);
            self.wake(t, Err(SysError::TimedOut), fx);
        }
        due.len()
    }

    /// Move up to `send_slots.len()` caps from `from`'s CSpace into the
    /// window of `to` (the kernel read both from the IPC buffers); returns
    /// how many arrived.
    pub fn transfer_caps(
        &mut self,
        from: ThreadId,
        send_slots: &[u32],
        to: ThreadId,
        window: RecvWindow,
    ) -> usize {
        match (self.cspace_of(from), self.cspace_of(to)) {
            (Ok(a), Ok(b)) => transfer_caps(&mut self.caps, a, send_slots, b, window),
            _ => 0,
        }
    }
}
