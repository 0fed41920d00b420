//! GDT with kernel code/data segments and a TSS whose interrupt stack
//! table gives #DF, NMI and #MC their own guarded stacks.

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

struct Tables {
    gdt: GlobalDescriptorTable,
    code: SegmentSelector,
    data: SegmentSelector,
    tss: SegmentSelector,
}

static TSS: Once<TaskStateSegment> = Once::new();
static GDT: Once<Tables> = Once::new();

/// The kernel code selector (valid after [`init`]).
pub fn kernel_code_selector() -> u16 {
    GDT.get().map_or(0, |t| t.code.0)
}

/// Build and load the GDT and TSS, and reload every segment register.
pub fn init() {
    let tss = TSS.call_once(|| {
        let mut tss = TaskStateSegment::new();
        let ist = [
            (IST_DOUBLE_FAULT, stacks::DOUBLE_FAULT.top()),
            (IST_NMI, stacks::NMI.top()),
            (IST_MACHINE_CHECK, stacks::MACHINE_CHECK.top()),
        ];
        for (slot, top) in ist {
            tss.interrupt_stack_table[usize::from(slot - 1)] = VirtAddr::new(top);
        }
        tss
    });
    let t = GDT.call_once(|| {
        let mut gdt = GlobalDescriptorTable::new();
        let code = gdt.append(Descriptor::kernel_code_segment());
        let data = gdt.append(Descriptor::kernel_data_segment());
        let tss = gdt.append(Descriptor::tss_segment(tss));
        Tables {
            gdt,
            code,
            data,
            tss,
        }
    });
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
    // SAFETY: `tss` indexes an available TSS descriptor for the 'static TSS.
    unsafe { load_tss(t.tss) };
}
