//! Per-CPU GDT and TSS: kernel code/data, user data/code (in the order
//! `sysret` needs), and a TSS whose `rsp0` is the CPU's kernel stack and
//! whose interrupt stack table gives #DF, NMI and #MC their own stacks.

use alloc::boxed::Box;

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

static BSP_TSS: Once<TaskStateSegment> = Once::new();
static BSP_GDT: Once<Tables> = Once::new();

/// The kernel code selector.
pub fn kernel_code_selector() -> u16 {
    KERNEL_CODE
}

fn build(tss: &'static TaskStateSegment) -> Tables {
    let mut gdt = GlobalDescriptorTable::new();
    let code = gdt.append(Descriptor::kernel_code_segment());
    let data = gdt.append(Descriptor::kernel_data_segment());
    let udata = gdt.append(Descriptor::user_data_segment());
    let ucode = gdt.append(Descriptor::user_code_segment());
    let tss = gdt.append(Descriptor::tss_segment(tss));
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

fn tss_with(ist: [u64; 3], rsp0: u64) -> TaskStateSegment {
    let mut tss = TaskStateSegment::new();
    for (i, top) in ist.into_iter().enumerate() {
        tss.interrupt_stack_table[i] = VirtAddr::new(top);
    }
    tss.privilege_stack_table[0] = VirtAddr::new(rsp0);
    tss
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
    let t: &'static Tables = if cpu == 0 {
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
        BSP_GDT.call_once(|| build(tss))
    } else {
        let tss = Box::leak(Box::new(tss_with(
            [heap_stack(), heap_stack(), heap_stack()],
            rsp0,
        )));
        Box::leak(Box::new(build(tss)))
    };
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
