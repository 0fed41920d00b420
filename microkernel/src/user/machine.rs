//! The hardware half of the user world: each thread's saved registers,
//! each process's page tables, and which Frame pages are mapped where
//! (so destroying a Frame unmaps it everywhere).

use alloc::vec;
use alloc::vec::Vec;

use helix_abi::SysError;
use helix_kernel_objects::table::{ObjRef, ThreadId};

use crate::arch::uspace::{TableFrames, UserTables};
use crate::arch::{TrapFrame, gdt};
use crate::mem::frames::{self, OwnedFrame};

/// Frames for page tables and process memory, from the kernel allocator.
pub struct KernelFrames;

impl TableFrames for KernelFrames {
    fn alloc(&mut self) -> Option<u64> {
        frames::allocate()
    }
    fn free(&mut self, phys: u64) {
        let _ = frames::deallocate(phys);
    }
}

/// Kernel frames for the page tables one `Map` needs, at most `budget`
/// of them (what the address space's quota can still pay for).
pub struct BudgetFrames {
    /// Tables it may still make.
    pub budget: u64,
    /// Tables it made.
    pub made: u64,
}

impl TableFrames for BudgetFrames {
    fn alloc(&mut self) -> Option<u64> {
        if self.made >= self.budget {
            return None;
        }
        let f = frames::allocate()?;
        self.made += 1;
        Some(f)
    }
    fn free(&mut self, phys: u64) {
        let _ = frames::deallocate(phys);
    }
}

/// A thread's kernel-side state.
#[derive(Clone, Copy, Debug)]
pub struct Tcb {
    /// Whose state this is (index + generation).
    pub id: ThreadId,
    /// Registers saved at its last kernel entry (what it resumes with).
    pub ctx: TrapFrame,
    /// Words of the fault message it is sending, while faulted.
    pub fault_words: [u64; 4],
    /// Blocked in a syscall whose result is still to come (a wake-up
    /// writes it into `rax`; a thread stopped between instructions keeps
    /// its registers untouched).
    pub in_syscall: bool,
}

/// A process's page tables and the frames it owns outright (image, stack,
/// IPC buffer of kernel-made processes).
#[derive(Debug)]
pub struct Space {
    /// The AddressSpace object.
    pub id: ObjRef,
    /// Its tables.
    pub tables: UserTables,
    /// Frames freed with it.
    pub owned: Vec<OwnedFrame>,
    /// Its I/O bitmap (1 = denied), made when it first uses a port.
    pub io: Option<alloc::boxed::Box<[u8; gdt::IO_BITMAP_BYTES]>>,
    /// Bumped on every change of `io`.
    pub io_version: u64,
}

/// One page of a Frame object mapped in a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Physical page.
    pub phys: u64,
    /// The process.
    pub aspace: ObjRef,
    /// Its user address there.
    pub vaddr: u64,
}

/// What each CPU is doing in the user world.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuState {
    /// The thread it runs (its registers are live on that CPU).
    pub current: Option<ThreadId>,
    /// The current thread's slice ran out or it yielded.
    pub rotate: bool,
    /// The user PML4 in its CR3 (0: the kernel's). Every CR3 load of the
    /// user world goes through [`Machine::activate`] or
    /// [`Machine::activate_kernel`], under the world lock.
    pub pml4: u64,
    /// Whose I/O bitmap (address space, version) its TSS holds.
    pub io: Option<(ObjRef, u64)>,
    /// Whether that bitmap is on (`None`: not known, write it).
    pub io_on: Option<bool>,
    /// The thread, RIP and port of the last port #GP let through (the
    /// same one again is a real fault).
    pub io_retry: Option<(ThreadId, u64, u16)>,
    /// The FS base loaded on this CPU (the running thread's IPC buffer).
    pub fs: u64,
}

/// Everything outside `System`.
pub struct Machine {
    tcbs: Vec<Option<Tcb>>,
    spaces: Vec<Option<Space>>,
    /// Frame pages mapped in processes.
    pub maps: Vec<Mapping>,
    /// Per CPU.
    pub cpus: Vec<CpuState>,
    kernel_pml4: u64,
    /// The root server's address space (it may speak the test protocol).
    pub root: Option<ObjRef>,
    /// Tables of destroyed processes that another CPU still has in CR3:
    /// freed once no CPU does (loading another CR3 flushes every
    /// non-global TLB entry and paging-structure cache; no PCID).
    zombies: Vec<Space>,
}

/// A fresh user-mode register set starting at `rip` with `rsp`.
pub fn user_frame(rip: u64, rsp: u64) -> TrapFrame {
    TrapFrame {
        r15: 0,
        r14: 0,
        r13: 0,
        r12: 0,
        r11: 0,
        r10: 0,
        r9: 0,
        r8: 0,
        rbp: 0,
        rdi: 0,
        rsi: 0,
        rdx: 0,
        rcx: 0,
        rbx: 0,
        rax: 0,
        vector: 0,
        error_code: 0,
        rip,
        cs: u64::from(gdt::USER_CODE),
        rflags: 0x202,
        rsp,
        ss: u64::from(gdt::USER_DATA),
    }
}

impl Machine {
    /// Room for `threads` threads, `spaces` processes and `cpus` CPUs.
    pub fn new(threads: usize, spaces: usize, cpus: usize, kernel_pml4: u64) -> Machine {
        Machine {
            tcbs: vec![None; threads],
            spaces: (0..spaces).map(|_| None).collect(),
            maps: Vec::new(),
            // FS base unknown until first loaded (no valid base is u64::MAX).
            cpus: vec![
                CpuState {
                    fs: u64::MAX,
                    ..CpuState::default()
                };
                cpus
            ],
            kernel_pml4,
            root: None,
            zombies: Vec::new(),
        }
    }

    /// The state of `t`, if it has any.
    pub fn tcb(&self, t: ThreadId) -> Option<&Tcb> {
        self.tcbs.get(t.index())?.as_ref().filter(|x| x.id == t)
    }

    /// Mutable state of `t`.
    pub fn tcb_mut(&mut self, t: ThreadId) -> Option<&mut Tcb> {
        self.tcbs.get_mut(t.index())?.as_mut().filter(|x| x.id == t)
    }

    /// Give `t` a fresh context.
    pub fn set_tcb(&mut self, t: ThreadId, ctx: TrapFrame) {
        if let Some(slot) = self.tcbs.get_mut(t.index()) {
            *slot = Some(Tcb {
                id: t,
                ctx,
                fault_words: [0; 4],
                in_syscall: false,
            });
        }
    }

    /// Forget `t`.
    pub fn drop_tcb(&mut self, t: ThreadId) {
        if self.tcb(t).is_some() {
            self.tcbs[t.index()] = None;
        }
        for c in &mut self.cpus {
            if c.current == Some(t) {
                c.current = None;
            }
        }
    }

    /// The tables of `aspace`, if made.
    pub fn space(&self, aspace: ObjRef) -> Option<&Space> {
        self.spaces
            .get(aspace.index())?
            .as_ref()
            .filter(|s| s.id == aspace)
    }

    /// The tables of `aspace`, made on first use.
    pub fn space_mut(&mut self, aspace: ObjRef) -> Result<&mut Space, SysError> {
        let kernel = self.kernel_pml4;
        let slot = self
            .spaces
            .get_mut(aspace.index())
            .ok_or(SysError::OutOfMemory)?;
        if slot.as_ref().is_some_and(|s| s.id != aspace)
            && let Some(old) = slot.take()
        {
            self.zombies.push(old);
            self.reap();
        }
        let slot = self
            .spaces
            .get_mut(aspace.index())
            .ok_or(SysError::OutOfMemory)?;
        if slot.is_none() {
            let tables =
                UserTables::new(kernel, &mut KernelFrames).map_err(|_| SysError::OutOfMemory)?;
            *slot = Some(Space {
                id: aspace,
                tables,
                owned: Vec::new(),
                io: None,
                io_version: 0,
            });
        }
        slot.as_mut().ok_or(SysError::OutOfMemory)
    }

    /// `aspace` is gone: free its tables and owned frames.
    pub fn drop_space(&mut self, aspace: ObjRef) {
        self.maps.retain(|m| m.aspace != aspace);
        if let Some(slot) = self.spaces.get_mut(aspace.index())
            && slot.as_ref().is_some_and(|s| s.id == aspace)
            && let Some(s) = slot.take()
        {
            // Make sure this CPU does not keep using the tables we free
            // (and keeps the caller's own tables loaded otherwise: a
            // caller that keeps running returns without a CR3 reload).
            let cpu = crate::arch::percpu::index();
            if s.tables.is_loaded() {
                self.activate_kernel(cpu);
            }
            let pml4 = s.tables.pml4();
            if self.cpus.iter().any(|c| c.pml4 == pml4) {
                // Another CPU still runs on these tables (a thread of the
                // process, until its next kernel entry): take the user
                // half out and shoot down every TLB before freeing
                // anything below the PML4, which waits until that CPU
                // loads another CR3.
                let mut s = s;
                let lower = s.tables.unhook();
                super::smp::shootdown(0);
                crate::arch::uspace::free_unhooked(lower, &mut KernelFrames);
                for f in s.owned.drain(..) {
                    f.free();
                }
                self.zombies.push(s);
            } else {
                free_space(s);
            }
        }
    }

    /// Load the tables of `aspace` on `cpu` (this CPU).
    pub fn activate(&mut self, cpu: usize, aspace: ObjRef) {
        let Some(s) = self
            .spaces
            .get(aspace.index())
            .and_then(Option::as_ref)
            .filter(|s| s.id == aspace)
        else {
            return;
        };
        s.tables.activate();
        let pml4 = s.tables.pml4();
        let io = s.io.as_deref().map(|b| (b, s.io_version));
        if let Some(c) = self.cpus.get_mut(cpu) {
            super::ioports::switch(c, aspace, io);
        }
        if let Some(c) = self.cpus.get_mut(cpu)
            && c.pml4 != pml4
        {
            c.pml4 = pml4;
            self.reap();
        }
    }

    /// Load the kernel's tables on `cpu` (this CPU).
    pub fn activate_kernel(&mut self, cpu: usize) {
        crate::mem::kspace::activate_kernel();
        if let Some(c) = self.cpus.get_mut(cpu)
            && c.pml4 != 0
        {
            c.pml4 = 0;
            self.reap();
        }
    }

    /// Free the tables of destroyed processes no CPU has in CR3 any more.
    fn reap(&mut self) {
        let mut i = 0;
        while i < self.zombies.len() {
            let pml4 = self.zombies[i].tables.pml4();
            if self.cpus.iter().any(|c| c.pml4 == pml4) {
                i += 1;
            } else {
                free_space(self.zombies.swap_remove(i));
            }
        }
    }

    /// The tables of `aspace` if made (never makes them).
    pub fn space_mut_existing(&mut self, aspace: ObjRef) -> Option<&mut Space> {
        self.spaces
            .get_mut(aspace.index())?
            .as_mut()
            .filter(|s| s.id == aspace)
    }

    /// Whether some process has an I/O bitmap.
    pub fn any_io(&self) -> bool {
        self.spaces.iter().flatten().any(|s| s.io.is_some())
    }

    /// Drop every process's I/O bitmap.
    pub fn clear_io(&mut self) {
        for s in self.spaces.iter_mut().flatten() {
            if s.io.take().is_some() {
                s.io_version += 1;
            }
        }
    }

    #[cfg(feature = "ktest")]
    /// Destroyed processes whose tables wait for a CPU to switch away.
    pub fn zombies(&self) -> usize {
        self.zombies.len()
    }

    /// Free everything (the world is being torn down).
    pub fn drop_all(&mut self) {
        crate::mem::kspace::activate_kernel();
        for c in &mut self.cpus {
            c.pml4 = 0;
        }
        for s in self.spaces.iter_mut().filter_map(Option::take) {
            free_space(s);
        }
        for s in self.zombies.drain(..) {
            free_space(s);
        }
        self.maps.clear();
        self.tcbs.iter_mut().for_each(|t| *t = None);
    }
}

fn free_space(s: Space) {
    s.tables.destroy(&mut KernelFrames);
    for f in s.owned {
        f.free();
    }
}

impl Space {
    /// Copy `data` into the frame this space owns at physical `phys`, at
    /// `offset`; false if it owns no such frame (nothing is written).
    pub fn fill_owned(&self, phys: u64, offset: usize, data: &[u8]) -> bool {
        match self.owned.iter().find(|f| f.phys() == phys & !0xfff) {
            Some(f) => {
                f.fill(offset, data);
                true
            }
            None => false,
        }
    }
}

impl Machine {
    /// The thread with a TCB at table index `i`.
    pub fn thread_at(&self, i: usize) -> Option<ThreadId> {
        self.tcbs.get(i)?.as_ref().map(|t| t.id)
    }
}
