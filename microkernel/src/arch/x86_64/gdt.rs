//! Per-CPU GDT and TSS: kernel code/data, user data/code (in the order
//! `sysret` needs), and a TSS whose `rsp0` is the CPU's kernel stack and
//! whose interrupt stack table gives #DF, NMI and #MC their own stacks,
//! followed by an I/O permission bitmap: [`io_load`] fills it with a
//! process's ports and turns it on, [`io_off`] points the TSS past its end
//! (every port #GPs in ring 3). All of it is this CPU's only.

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicPtr, Ordering};

use ::x86_64::VirtAddr;
use ::x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use ::x86_64::instructions::tables::load_tss;
use ::x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use ::x86_64::structures::tss::TaskStateSegment;
use spin::Once;

use super::stacks;

/// IST slot (1-based, as in the IDT) for double faults.
pub const IST_DOUBLE_FAULT: u16 = 1;
/// IST slot for NMIs.
pub const IST_NMI: u16 = 2;
/// IST slot for machine checks.
pub const IST_MACHINE_CHECK: u16 = 3;

/// Kernel code selector.
pub const KERNEL_CODE: u16 = 0x08;
/// Kernel data selector.
pub const KERNEL_DATA: u16 = 0x10;
/// User data selector (RPL 3).
pub const USER_DATA: u16 = 0x18 | 3;
/// User code selector (RPL 3).
pub const USER_CODE: u16 = 0x20 | 3;

struct Tables {
    gdt: GlobalDescriptorTable,
    code: SegmentSelector,
    data: SegmentSelector,
    tss: SegmentSelector,
}

/// Bytes of the I/O bitmap (one bit per port, 1 = denied).
pub const IO_BITMAP_BYTES: usize = 8192;
/// `iomap_base` with the bitmap on: right after the TSS.
const IO_ON: u16 = core::mem::size_of::<TaskStateSegment>() as u16;
/// `iomap_base` past the TSS limit: no bitmap, every port denied.
const IO_OFF: u16 = 0xdfff;

/// A TSS and its I/O bitmap (plus the 0xff byte the CPU wants after it).
#[repr(C)]
struct CpuTss {
    tss: TaskStateSegment,
    iomap: [u8; IO_BITMAP_BYTES + 1],
}

/// One CPU's TSS, written only by that CPU (through [`io_load`] and
/// [`io_off`]) and read by its processor.
struct TssCell(UnsafeCell<CpuTss>);

// SAFETY: each CPU touches only its own cell (found through its index in
// `TSS_OF`); the BSP's static one is shared with nobody else.
unsafe impl Sync for TssCell {}

static BSP_TSS: Once<TssCell> = Once::new();
static BSP_GDT: Once<Tables> = Once::new();
/// Each CPU's TSS cell.
static TSS_OF: [AtomicPtr<TssCell>; 16] = [const { AtomicPtr::new(core::ptr::null_mut()) }; 16];

/// The kernel code selector.
pub fn kernel_code_selector() -> u16 {
    KERNEL_CODE
}

fn build(cell: &'static TssCell) -> Tables {
    // SAFETY: the cell was just made and no CPU uses it yet; this shared
    // borrow ends with the descriptor (which only records addresses).
    let t: &'static CpuTss = unsafe { &*cell.0.get() };
    let desc = Descriptor::tss_segment_with_iomap(&t.tss, &t.iomap)
        .unwrap_or_else(|_| Descriptor::tss_segment(&t.tss));
    let mut gdt = GlobalDescriptorTable::new();
    let code = gdt.append(Descriptor::kernel_code_segment());
    let data = gdt.append(Descriptor::kernel_data_segment());
    let udata = gdt.append(Descriptor::user_data_segment());
    let ucode = gdt.append(Descriptor::user_code_segment());
    let tss = gdt.append(desc);
    debug_assert_eq!(
        (code.0, data.0, udata.0, ucode.0),
        (KERNEL_CODE, KERNEL_DATA, USER_DATA, USER_CODE)
    );
    Tables {
        gdt,
        code,
        data,
        tss,
    }
}

fn tss_with(ist: [u64; 3], rsp0: u64) -> TssCell {
    let mut tss = TaskStateSegment::new();
    for (i, top) in ist.into_iter().enumerate() {
        tss.interrupt_stack_table[i] = VirtAddr::new(top);
    }
    tss.privilege_stack_table[0] = VirtAddr::new(rsp0);
    tss.iomap_base = IO_ON;
    TssCell(UnsafeCell::new(CpuTss {
        tss,
        iomap: [0xff; IO_BITMAP_BYTES + 1],
    }))
}

fn this_cpu_tss() -> *mut CpuTss {
    let cell = TSS_OF
        .get(super::percpu::index())
        .map_or(core::ptr::null_mut(), |p| p.load(Ordering::Relaxed));
    if cell.is_null() {
        core::ptr::null_mut()
    } else {
        // SAFETY: a non-null entry points at a leaked or static cell.
        unsafe { (*cell).0.get() }
    }
}

/// Fill this CPU's I/O bitmap with `bitmap` (1 = denied) and turn it on.
pub fn io_load(bitmap: &[u8; IO_BITMAP_BYTES]) {
    let t = this_cpu_tss();
    if t.is_null() {
        return;
    }
    // SAFETY: `t` is this CPU's own TSS (see `TssCell`): no other code
    // writes it, and the processor only reads it on I/O instructions and
    // ring changes, none of which happen during these plain writes.
    let map = unsafe { core::ptr::addr_of_mut!((*t).iomap) } as *mut u8;
    // SAFETY: `map` is the bitmap's first byte, `IO_BITMAP_BYTES + 1`
    // bytes long, not overlapping `bitmap` (a process's heap copy).
    unsafe { core::ptr::copy_nonoverlapping(bitmap.as_ptr(), map, IO_BITMAP_BYTES) };
    io_set(true);
}

/// Turn this CPU's I/O bitmap on (its bits as last loaded) or off.
pub fn io_set(on: bool) {
    let t = this_cpu_tss();
    if t.is_null() {
        return;
    }
    // SAFETY: as in `io_load`: this CPU's TSS.
    let base = unsafe { core::ptr::addr_of_mut!((*t).tss.iomap_base) };
    // SAFETY: one 16-bit field of it (the TSS is packed: unaligned write).
    unsafe { base.write_unaligned(if on { IO_ON } else { IO_OFF }) };
}

/// Turn this CPU's I/O bitmap off: every port #GPs in ring 3.
pub fn io_off() {
    io_set(false);
}

/// A heap stack for an AP's IST slot (no guard page).
fn heap_stack() -> u64 {
    let s: &'static mut [u8] =
        Box::leak(alloc::vec![0u8; stacks::IST_STACK_SIZE].into_boxed_slice());
    (s.as_ptr() as u64 + s.len() as u64) & !15
}

/// Build and load this CPU's GDT and TSS (BSP: `cpu` 0, static tables and
/// guarded IST stacks; APs: heap tables), with `rsp0` as the stack for
/// interrupts from ring 3, and reload every segment register.
pub fn init(cpu: usize, rsp0: u64) {
    let (t, cell): (&'static Tables, &'static TssCell) = if cpu == 0 {
        let tss = BSP_TSS.call_once(|| {
            tss_with(
                [
                    stacks::DOUBLE_FAULT.top(),
                    stacks::NMI.top(),
                    stacks::MACHINE_CHECK.top(),
                ],
                rsp0,
            )
        });
        (BSP_GDT.call_once(|| build(tss)), tss)
    } else {
        let tss: &'static TssCell = Box::leak(Box::new(tss_with(
            [heap_stack(), heap_stack(), heap_stack()],
            rsp0,
        )));
        (Box::leak(Box::new(build(tss))), tss)
    };
    if let Some(p) = TSS_OF.get(cpu) {
        p.store(cell as *const TssCell as *mut TssCell, Ordering::Relaxed);
    }
    t.gdt.load();
    // SAFETY: `code` indexes the 64-bit ring-0 code descriptor of the
    // 'static GDT just loaded.
    unsafe { CS::set_reg(t.code) };
    // SAFETY: `data` indexes that GDT's ring-0 data descriptor.
    unsafe { SS::set_reg(t.data) };
    // SAFETY: as for SS.
    unsafe { DS::set_reg(t.data) };
    // SAFETY: as for SS.
    unsafe { ES::set_reg(t.data) };
    // SAFETY: `tss` indexes an available TSS descriptor for a 'static TSS.
    unsafe { load_tss(t.tss) };
}
