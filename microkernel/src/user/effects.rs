//! Carrying out what `System::execute` asks for: wake-ups, register
//! results, hardware work (maps, ports, IRQ unmask), frame memory. Message
//! transfers are queued and done after `execute` returns, because moving
//! caps needs `System` again ([`super::World::apply_transfers`]).

use alloc::vec::Vec;

use helix_abi::{CapRights, SysError};
use helix_kernel_objects::fault::FaultAnswer;
use helix_kernel_objects::ipc::Transfer;
use helix_kernel_objects::system::{Effects, Hardware, MapOutcome, MapRequest};
use helix_kernel_objects::table::{ObjRef, ThreadId};

use super::machine::{BudgetFrames, Machine, Mapping, user_frame};
use super::smp as tlb;
use crate::arch::{irq, port, usercopy};
use crate::mem::frames;

/// Transfers of one call, in order: up to four inline (no allocation on
/// the IPC path), more in a vector.
#[derive(Debug, Default)]
pub struct Transfers {
    inline: [Option<Transfer>; 4],
    n: usize,
    more: Vec<Transfer>,
}

impl Transfers {
    fn push(&mut self, t: Transfer) {
        if self.n < self.inline.len() {
            self.inline[self.n] = Some(t);
            self.n += 1;
        } else {
            self.more.push(t);
        }
    }

    /// Every transfer, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Transfer> {
        self.inline.iter().flatten().chain(self.more.iter())
    }
}

/// The effects of one `execute` (or `fault`, `irq`, `expire`) call.
pub struct Fx<'a> {
    /// Machine state.
    pub m: &'a mut Machine,
    /// The process whose syscall this is (its tables are loaded).
    pub space: Option<ObjRef>,
    /// Transfers to do afterwards, in order.
    pub transfers: Transfers,
    /// A hardware step failed: the syscall returns this instead.
    pub error: Option<SysError>,
    /// `rdi` result from a port read.
    pub port_value: Option<u64>,
    /// The caller yielded.
    pub yielded: bool,
}

impl<'a> Fx<'a> {
    /// Effects on `m` for a syscall of `caller`.
    pub fn new(m: &'a mut Machine, space: Option<ObjRef>) -> Fx<'a> {
        Fx {
            m,
            space,
            transfers: Transfers::default(),
            error: None,
            port_value: None,
            yielded: false,
        }
    }

    fn debug_write(&mut self, addr: u64, len: u64) -> Result<(), SysError> {
        let mut buf = [0u8; 256];
        let n = (len as usize).min(buf.len());
        let space = self.space.ok_or(SysError::InvalidState)?;
        let t = &self.m.space(space).ok_or(SysError::BadAddress)?.tables;
        usercopy::read_current(t, addr, &mut buf[..n])?;
        defang(&mut buf[..n], self.m.root != Some(space));
        let text = core::str::from_utf8(&buf[..n]).unwrap_or("(not UTF-8)");
        crate::kprint!("{text}");
        Ok(())
    }

    fn map_pages(&mut self, req: MapRequest, table_budget: u64) -> MapOutcome {
        let MapRequest {
            aspace,
            vaddr,
            phys,
            pages,
            rights,
        } = req;
        let w = rights.contains(CapRights::WRITE);
        let x = rights.contains(CapRights::EXECUTE);
        let mut frames = BudgetFrames {
            budget: table_budget,
            made: 0,
        };
        let space = match self.m.space_mut(aspace) {
            Ok(s) => s,
            Err(e) => {
                return MapOutcome {
                    tables: 0,
                    result: Err(e),
                };
            }
        };
        let mut done = 0;
        let mut result = Ok(());
        for i in 0..pages {
            let (v, p) = (vaddr + i * 4096, phys + i * 4096);
            if let Err(e) = space.tables.map(v, p, w, x, &mut frames) {
                result = Err(match e {
                    crate::arch::paging::MapError::OutOfFrames => SysError::OutOfMemory,
                    _ => SysError::BadAddress,
                });
                break;
            }
            done += 1;
        }
        let tables = frames.made;
        if result.is_err() {
            for i in 0..done {
                space.tables.unmap(vaddr + i * 4096);
            }
            return MapOutcome { tables, result };
        }
        for i in 0..pages {
            self.m.maps.push(Mapping {
                phys: phys + i * 4096,
                aspace,
                vaddr: vaddr + i * 4096,
            });
        }
        MapOutcome { tables, result }
    }

    fn unmap(&mut self, aspace: ObjRef, vaddr: u64) {
        if let Ok(space) = self.m.space_mut(aspace)
            && space.tables.unmap(vaddr).is_some()
        {
            let pml4 = space.tables.pml4();
            self.m
                .maps
                .retain(|m| !(m.aspace == aspace && m.vaddr == vaddr));
            // Only CPUs running this address space can hold the page.
            let mask = self
                .m
                .cpus
                .iter()
                .enumerate()
                .filter(|(_, c)| c.pml4 == pml4)
                .fold(0u64, |m, (i, _)| m | (1 << (i % 64)));
            tlb::shootdown_cpus(vaddr, mask);
        }
    }
}

/// User text must not pass for the test protocol: every copy of its line
/// prefix (`HELIX-KTEST`, unless `prefix_too` is false: the root server) and
/// every control byte but newline and tab is made harmless before it
/// reaches the console.
fn defang(buf: &mut [u8], prefix_too: bool) {
    let prefix = helix_ktest::PREFIX.as_bytes();
    for b in buf.iter_mut() {
        if b.is_ascii_control() && *b != b'\n' && *b != b'\t' {
            *b = b'?';
        }
    }
    if !prefix_too {
        return;
    }
    let mut i = 0;
    while i + prefix.len() <= buf.len() {
        if &buf[i..i + prefix.len()] == prefix {
            buf[i..i + prefix.len()].make_ascii_lowercase();
        }
        i += 1;
    }
}

impl Effects for Fx<'_> {
    fn wake(&mut self, thread: ThreadId, result: Result<(), SysError>) {
        if let Some(t) = self.m.tcb_mut(thread)
            && t.in_syscall
        {
            t.in_syscall = false;
            t.ctx.rax = match result {
                Ok(()) => 0,
                Err(e) => e.raw(),
            };
        }
    }

    fn transfer(&mut self, t: Transfer) {
        self.transfers.push(t);
    }

    fn signal_bits(&mut self, thread: ThreadId, bits: u64) {
        if let Some(t) = self.m.tcb_mut(thread) {
            t.ctx.rdi = bits;
        }
    }

    fn hardware(&mut self, action: Hardware) {
        let r = match action {
            Hardware::DebugWrite(s) => self.debug_write(s.addr, s.len),
            Hardware::Unmap { aspace, vaddr } => {
                self.unmap(aspace, vaddr);
                Ok(())
            }
            Hardware::Start { thread, rip, rsp } => {
                self.m.set_tcb(thread, user_frame(rip, rsp));
                Ok(())
            }
            Hardware::FaultAnswer { thread, answer } => {
                if let (FaultAnswer::Restart { rip }, Some(t)) = (answer, self.m.tcb_mut(thread)) {
                    t.ctx.rip = rip;
                }
                Ok(())
            }
            Hardware::PortIn { port, width } => {
                self.port_value = Some(port::read(port, width));
                Ok(())
            }
            Hardware::PortOut { port, width, value } => {
                port::write(port, width, value);
                Ok(())
            }
            Hardware::IrqUnmask(line) => {
                irq::unmask(line);
                Ok(())
            }
            Hardware::Reschedule => {
                self.yielded = true;
                Ok(())
            }
            Hardware::ThreadGone(t) => {
                self.m.drop_tcb(t);
                Ok(())
            }
            Hardware::AddressSpaceGone(a) => {
                self.m.drop_space(a);
                Ok(())
            }
            Hardware::IoPortsRevoked => {
                self.m.io_revoke_all();
                Ok(())
            }
        };
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }

    fn map(&mut self, req: MapRequest, table_budget: u64) -> MapOutcome {
        self.map_pages(req, table_budget)
    }

    fn alloc_frames(&mut self, pages: u64) -> Result<u64, SysError> {
        frames::allocate_contiguous_zeroed(pages).ok_or(SysError::OutOfMemory)
    }

    fn free_frames(&mut self, phys: u64, pages: u64) {
        let end = phys + pages * 4096;
        let gone: Vec<Mapping> = self
            .m
            .maps
            .iter()
            .filter(|m| m.phys >= phys && m.phys < end)
            .copied()
            .collect();
        for g in gone {
            self.unmap(g.aspace, g.vaddr);
        }
        for i in 0..pages {
            // Boot-module frames are not the allocator's: it says so.
            let _ = frames::deallocate(phys + i * 4096);
        }
    }
}
