//! The interrupt descriptor table: one interrupt gate per vector (all 256),
//! pointing at the assembly stubs; #DF, NMI and #MC switch to their IST
//! stacks. Every gate has DPL 0, so `int n` from ring 3 is a #GP.

use ::x86_64::VirtAddr;
use ::x86_64::instructions::tables::lidt;
use ::x86_64::structures::DescriptorTablePointer;
use helix_kernel_core::exception::vector;
use spin::Once;

use super::{gdt, stubs};

/// One 16-byte IDT gate descriptor.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    type_attr: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

/// Present, DPL 0, 64-bit interrupt gate (interrupts stay off in handlers).
const INTERRUPT_GATE: u8 = 0x8e;

impl Gate {
    fn new(handler: u64, selector: u16, ist: u16) -> Self {
        Self {
            offset_low: handler as u16,
            selector,
            ist: ist as u8,
            type_attr: INTERRUPT_GATE,
            offset_mid: (handler >> 16) as u16,
            offset_high: (handler >> 32) as u32,
            reserved: 0,
        }
    }
}

#[repr(C, align(16))]
struct Idt([Gate; VECTORS]);

/// Vectors in the table.
const VECTORS: usize = 256;

static IDT: Once<Idt> = Once::new();

/// IST slot for a vector (0 = stay on the current stack).
fn ist_for(v: u8) -> u16 {
    match v {
        vector::DOUBLE_FAULT => gdt::IST_DOUBLE_FAULT,
        vector::NMI => gdt::IST_NMI,
        vector::MACHINE_CHECK => gdt::IST_MACHINE_CHECK,
        _ => 0,
    }
}

/// Build (once) and load the IDT on this CPU. Call after [`gdt::init`].
pub fn init() {
    let cs = gdt::kernel_code_selector();
    let idt = IDT.call_once(|| {
        let mut gates = [Gate::default(); VECTORS];
        for (v, g) in gates.iter_mut().enumerate() {
            *g = Gate::new(stubs::stub_address(v), cs, ist_for(v as u8));
        }
        Idt(gates)
    });
    let ptr = DescriptorTablePointer {
        limit: (core::mem::size_of::<Idt>() - 1) as u16,
        base: VirtAddr::new(idt as *const Idt as u64),
    };
    // SAFETY: `ptr` describes a 'static, fully initialised table whose gates
    // point at the exception stubs with the kernel code selector loaded by
    // `gdt::init`.
    unsafe { lidt(&ptr) };
}
