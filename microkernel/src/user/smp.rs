//! Several CPUs in one world: starting the APs through the Limine MP
//! response, reschedule IPIs, TLB shootdown, idling.

use alloc::boxed::Box;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use super::world::World;
use crate::arch::{TrapFrame, cpu, gdt, idt, lapic, percpu, stacks, syscall, usercopy};
use crate::boot::requests::MP;
use crate::time;

pub use crate::arch::percpu::MAX_CPUS;

static ONLINE: AtomicUsize = AtomicUsize::new(1);
static APIC_IDS: [AtomicU32; MAX_CPUS] = [const { AtomicU32::new(0) }; MAX_CPUS];
static TLB_GEN: AtomicU64 = AtomicU64::new(0);
static SEEN: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
static IN_WORLD: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

/// CPUs running (BSP + started APs).
pub fn online() -> usize {
    ONLINE.load(Ordering::SeqCst)
}

/// Record the BSP's LAPIC id.
pub fn set_bsp_apic_id(id: u32) {
    APIC_IDS[0].store(id, Ordering::SeqCst);
}

/// Bumped when every CPU must close its I/O bitmap.
static IO_GEN: AtomicU64 = AtomicU64::new(0);
static IO_SEEN: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];

/// Close every other CPU's I/O bitmap before returning (an IoPorts cap
/// went): rides on a TLB shootdown round.
pub fn io_shootdown() {
    IO_GEN.fetch_add(1, Ordering::SeqCst);
    shootdown(0);
}

/// Flush this CPU's TLB if a shootdown happened since it last looked.
pub fn ack_flush() {
    let cpu = percpu::index();
    if stalled(cpu) {
        return;
    }
    let io = IO_GEN.load(Ordering::SeqCst);
    if IO_SEEN[cpu].load(Ordering::SeqCst) < io {
        crate::arch::gdt::io_off();
        IO_SEEN[cpu].store(io, Ordering::SeqCst);
    }
    let generation = TLB_GEN.load(Ordering::SeqCst);
    if SEEN[cpu].load(Ordering::SeqCst) < generation {
        crate::arch::uspace::flush_all();
        SEEN[cpu].store(generation, Ordering::SeqCst);
    }
}

/// How long a CPU in the user world may take to acknowledge a shootdown.
/// A CPU answers from the IPI handler, from `lock()` while it waits for the
/// world, or right after leaving it; only a hung CPU takes this long.
pub const SHOOTDOWN_DEADLINE_MS: u64 = 5000;

/// Deadline actually used (the test kernel shortens it for its drill).
static DEADLINE_MS: AtomicU64 = AtomicU64::new(SHOOTDOWN_DEADLINE_MS);

/// Unmapped `vaddr`: flush it here and make every other CPU in the world
/// flush before it runs user code again. Returns only once every CPU in
/// the user world has acknowledged (so the caller may free the frames and
/// tables that were mapped); a CPU that does not answer within
/// [`SHOOTDOWN_DEADLINE_MS`] is a fatal kernel error naming it, never a
/// frame freed while still reachable.
pub fn shootdown(vaddr: u64) {
    shootdown_cpus(vaddr, u64::MAX);
}

/// As [`shootdown`], but only the CPUs in `mask` (bit n = CPU n) can hold
/// a translation that must go: the others are left alone (a CPU whose CR3
/// is another address space has none, since every CR3 load flushes the
/// non-global TLB).
pub fn shootdown_cpus(vaddr: u64, mask: u64) {
    crate::arch::uspace::flush_page(vaddr);
    let me = percpu::index();
    let generation = TLB_GEN.fetch_add(1, Ordering::SeqCst) + 1;
    SEEN[me].store(generation, Ordering::SeqCst);
    let wanted = |c: usize| c != me && mask & (1u64 << (c % 64)) != 0;
    for c in 0..online() {
        if wanted(c) && IN_WORLD[c].load(Ordering::SeqCst) {
            lapic::send_ipi(APIC_IDS[c].load(Ordering::SeqCst), lapic::TLB_VECTOR);
        } else if c != me {
            // Not concerned: counts as answered, so a later full shootdown
            // does not wait on this generation for it.
            SEEN[c].fetch_max(generation, Ordering::SeqCst);
        }
    }
    let ms = DEADLINE_MS.load(Ordering::SeqCst);
    let start = cpu::rdtsc();
    let limit = start + time::clock().map_or(1 << 40, |c| c.hz / 1000 * ms);
    let per_ms = time::clock().map_or(1 << 20, |c| c.hz / 1000).max(1);
    for c in 0..online() {
        let mut nudge = cpu::rdtsc() + per_ms;
        while wanted(c)
            && IN_WORLD[c].load(Ordering::SeqCst)
            && SEEN[c].load(Ordering::SeqCst) < generation
        {
            let now = cpu::rdtsc();
            if now > limit {
                unanswered(c, generation, ms);
            }
            if now > nudge {
                // Ask again every millisecond: the first IPI may have found
                // the CPU unable to answer yet.
                lapic::send_ipi(APIC_IDS[c].load(Ordering::SeqCst), lapic::TLB_VECTOR);
                nudge = now + per_ms;
            }
            core::hint::spin_loop();
        }
    }
}

/// A CPU never acknowledged a shootdown: its TLB may still map pages about
/// to be freed, so the kernel stops rather than free them.
fn unanswered(c: usize, generation: u64, ms: u64) -> ! {
    crate::arch::serial::emergency_write(format_args!(
        "helix: error: kernel: cpu {c} (LAPIC id {}) did not acknowledge TLB shootdown {generation} within {ms} ms; stopping instead of freeing pages it may still map\n",
        APIC_IDS[c].load(Ordering::SeqCst)
    ));
    crate::arch::port::exit_qemu(crate::arch::port::ExitCode::Failure)
}

/// Test kernel: CPU `c` ignores shootdowns until `until_tsc` (a CPU slow to
/// answer), and shootdowns give up after `deadline_ms`.
#[cfg(feature = "ktest")]
pub fn test_stall(c: usize, until_tsc: u64, deadline_ms: u64) {
    if let Some(s) = STALL.get(c) {
        s.store(until_tsc, Ordering::SeqCst);
    }
    DEADLINE_MS.store(deadline_ms, Ordering::SeqCst);
}

/// Whether shootdown generation `generation` has been acknowledged by CPU `c`.
#[cfg(feature = "ktest")]
pub fn acknowledged(c: usize, generation: u64) -> bool {
    SEEN.get(c)
        .is_some_and(|s| s.load(Ordering::SeqCst) >= generation)
}

/// The last shootdown generation started.
#[cfg(feature = "ktest")]
pub fn generation() -> u64 {
    TLB_GEN.load(Ordering::SeqCst)
}

#[cfg(feature = "ktest")]
static STALL: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];

/// Whether this CPU pretends not to see shootdowns (test kernel only).
#[cfg(feature = "ktest")]
fn stalled(cpu: usize) -> bool {
    STALL
        .get(cpu)
        .is_some_and(|s| cpu::rdtsc() < s.load(Ordering::SeqCst))
}

/// The production kernel never stalls.
#[cfg(not(feature = "ktest"))]
fn stalled(_cpu: usize) -> bool {
    false
}

/// Wait for an interrupt with interrupts on, then turn them off again.
pub fn idle_wait() {
    x86_64::instructions::interrupts::enable_and_hlt();
    x86_64::instructions::interrupts::disable();
}

/// After work on `cpu`: wake other CPUs that have a thread to run.
pub fn kick(w: &World, cpu: usize) {
    for (c, id) in APIC_IDS
        .iter()
        .enumerate()
        .take(online().min(w.m.cpus.len()))
    {
        if c == cpu {
            continue;
        }
        let Some(rq) = w.sys.sched.queue(c) else {
            continue;
        };
        if rq.is_empty() {
            continue;
        }
        let wake = match w.m.cpus[c].current {
            None => true,
            Some(t) => w
                .sys
                .sched
                .should_preempt(c, w.sys.sched.priority(t).unwrap_or(0)),
        };
        if wake || w.leave.now {
            lapic::send_ipi(id.load(Ordering::SeqCst), lapic::RESCHEDULE_VECTOR);
        }
    }
}

/// Mark this CPU inside (or outside) the user world.
pub fn set_in_world(inside: bool) {
    IN_WORLD[percpu::index()].store(inside, Ordering::SeqCst);
}

/// The first frame on a CPU entering the world: whatever `finish` picks.
pub extern "C" fn start_frame(frame: &mut TrapFrame) -> u64 {
    super::entry::finish(percpu::index(), frame)
}

/// Start every AP through the Limine MP response (both boot paths park
/// them on `goto_address`); returns the number of CPUs online.
pub fn start_aps(timer_ms: u64) -> usize {
    AP_TIMER_MS.store(timer_ms, Ordering::SeqCst);
    let Some(resp) = MP.get_response() else {
        return 1;
    };
    let bsp = resp.bsp_lapic_id();
    set_bsp_apic_id(bsp);
    let mut next = 1;
    for c in resp.cpus() {
        if c.lapic_id == bsp || next >= MAX_CPUS {
            continue;
        }
        APIC_IDS[next].store(c.lapic_id, Ordering::SeqCst);
        let before = online();
        crate::arch::ap::start(c, next, ap_main);
        let limit = cpu::rdtsc() + time::clock().map_or(1 << 32, |k| k.hz);
        while online() == before && cpu::rdtsc() < limit {
            core::hint::spin_loop();
        }
        if online() == before {
            log::warn!("cpu {next} (LAPIC id {}) did not start", c.lapic_id);
            break;
        }
        next += 1;
    }
    online()
}

static AP_TIMER_MS: AtomicU64 = AtomicU64::new(1);

/// An AP's life once started: per-CPU set-up, then the user world.
fn ap_main(index: usize) -> ! {
    cpu::enable_nx_and_wp();
    // The kernel's tables map the image, the heap and the HHDM (the
    // bootloader stack we are on lives in the HHDM).
    crate::mem::kspace::activate_kernel();
    let stack: &'static mut [u8] =
        Box::leak(alloc::vec![0u8; stacks::KERNEL_STACK_SIZE].into_boxed_slice());
    let top = (stack.as_ptr() as u64 + stack.len() as u64) & !15;
    gdt::init(index, top);
    idt::init();
    percpu::init(index, top);
    syscall::init_cpu();
    usercopy::enable_smep_smap();
    lapic::enable(false);
    lapic::start_timer(AP_TIMER_MS.load(Ordering::SeqCst));
    ONLINE.fetch_add(1, Ordering::SeqCst);
    loop {
        set_in_world(true);
        syscall::enter_user_world(start_frame);
        set_in_world(false);
    }
}

/// Send CPU `c` a reschedule IPI.
pub fn reschedule(c: usize) {
    if c < online() {
        lapic::send_ipi(APIC_IDS[c].load(Ordering::SeqCst), lapic::RESCHEDULE_VECTOR);
    }
}
