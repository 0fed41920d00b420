//! The PVH entry: Xen `PHYS32_ENTRY` note, 32-bit start, switch to long mode.
//!
//! QEMU enters `pvh_entry32` in 32-bit protected mode with paging off, flat
//! segments and `ebx` = physical address of `hvm_start_info`. The code
//! below records the TSC and `ebx`, zeroes `.bss`, builds temporary page
//! tables that map the first 4 GiB twice (identity, and at the HHDM base
//! so the hand-off code can run from the direct map), enables PAE, long mode
//! and paging, loads the Limine-layout GDT and calls `loader_main` on a
//! 64 KiB stack. Nothing in here returns.

use core::arch::global_asm;

/// Byte offset of the 64-bit code selector in [`GDT`](self) (Limine layout).
pub const CODE64_SELECTOR: u16 = 0x28;
/// Byte offset of the 64-bit data selector.
pub const DATA64_SELECTOR: u16 = 0x30;

global_asm!(
    r#"
    .section .note.Xen, "a", @note
    .balign 4
    .long 4                 /* namesz: "Xen\0" */
    .long 8                 /* descsz */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad pvh_entry32

    .section .data.gdt, "aw"
    .balign 16
    .global helix_gdt
helix_gdt:
    .quad 0                        /* 0x00 null */
    .quad 0x00009b000000ffff       /* 0x08 16-bit code, base 0, limit 0xffff */
    .quad 0x000093000000ffff       /* 0x10 16-bit data */
    .quad 0x00cf9b000000ffff       /* 0x18 32-bit code, base 0, limit 4 GiB */
    .quad 0x00cf93000000ffff       /* 0x20 32-bit data */
    .quad 0x00af9b0000000000       /* 0x28 64-bit code */
    .quad 0x00cf930000000000       /* 0x30 64-bit data */
helix_gdt_end:
    .balign 8
    .global helix_gdtr32
helix_gdtr32:
    .word helix_gdt_end - helix_gdt - 1
    .long helix_gdt

    .section .bss.boot_tables, "aw", @nobits
    .balign 4096
    .global helix_boot_pml4
helix_boot_pml4:
    .skip 4096
helix_boot_pdpt:
    .skip 4096
helix_boot_pd:
    .skip 4096 * 4

    .section .bss.boot_stack, "aw", @nobits
    .balign 16
helix_boot_stack:
    .skip 65536
helix_boot_stack_top:

    .section .bss.boot_vars, "aw", @nobits
    .balign 8
    .global helix_entry_tsc
helix_entry_tsc:
    .skip 8

    .section .text.entry32, "ax"
    .code32
    .global pvh_entry32
pvh_entry32:
    cli
    cld
    mov %ebx, %esi                  /* keep hvm_start_info across the bss wipe */
    rdtsc
    mov %eax, %ebp                  /* TSC low, high stays in edx... */
    mov %edx, %esp                  /* ...no stack yet: park it in esp */

    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl

    mov %ebp, (helix_entry_tsc)
    mov %esp, (helix_entry_tsc + 4)

    /* PML4[0] and PML4[256] -> one PDPT; PDPT[0..4] -> 4 PDs of 2 MiB pages */
    mov $helix_boot_pdpt, %eax
    or $0x3, %eax
    mov %eax, (helix_boot_pml4)
    mov %eax, (helix_boot_pml4 + 256 * 8)
    mov $helix_boot_pd, %eax
    or $0x3, %eax
    xor %ecx, %ecx
1:
    mov %eax, helix_boot_pdpt(, %ecx, 8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jb 1b
    mov $0x83, %eax                 /* present | writable | 2 MiB page */
    xor %edx, %edx                  /* bits 32+ of the physical address */
    xor %ecx, %ecx
2:
    mov %eax, helix_boot_pd(, %ecx, 8)
    mov %edx, helix_boot_pd + 4(, %ecx, 8)
    add $0x200000, %eax
    adc $0, %edx
    inc %ecx
    cmp $2048, %ecx
    jb 2b

    mov $helix_boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax              /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx           /* EFER */
    rdmsr
    or $(1 << 8), %eax              /* LME */
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | 1), %eax   /* PG | WP | PE */
    mov %eax, %cr0

    lgdt (helix_gdtr32)
    ljmp $0x28, $3f

    .code64
3:
    mov $0x30, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    lea helix_boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    mov %esi, %edi                  /* zero-extended hvm_start_info */
    call loader_main
4:
    cli
    hlt
    jmp 4b
    "#,
    options(att_syntax)
);
