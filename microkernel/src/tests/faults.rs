//! Provoked exceptions, each caught with the right vector, RIP and address.

use core::hint::black_box;

use helix_kernel_core::PAGE_SIZE;
use helix_kernel_core::exception::{Expectation, pf, vector};

use crate::arch::catch::{CatchError, catch};
use crate::arch::{probe, stacks};
use crate::ktest::{Failure, remote};
use crate::user::smp;
use crate::{ensure_eq, ktest};

/// Run `f` under a catch point and compare the fault with `e`.
fn expect(e: Expectation, f: impl FnOnce()) -> Result<(), Failure> {
    let fault = catch(e.vector, f).map_err(|err| Failure::from_catch(err, e.vector))?;
    e.check(&fault)?;
    Ok(())
}

/// A canonical lower-half address the kernel never maps.
const UNMAPPED: u64 = 0x0000_7ead_beef_f008;
/// A non-canonical address (bit 47 clear, bits 63..48 not a sign extension).
const NON_CANONICAL: u64 = 0x8000_0000_0000_0000;

fn breakpoint_is_caught() -> Result<(), Failure> {
    // #BP is a trap: the saved RIP is the instruction after `int3`.
    expect(
        Expectation::vector(vector::BREAKPOINT).at_rip(probe::int3_resume()),
        probe::breakpoint,
    )
}

/// Catch a breakpoint on this CPU; 0 when it landed right.
fn own_breakpoint() -> u64 {
    match catch(vector::BREAKPOINT, probe::breakpoint) {
        Ok(f) if f.rip == probe::int3_resume() => 0,
        Ok(_) => 1,
        Err(CatchError::Nested) => 2,
        Err(CatchError::NoFault) => 3,
    }
}

/// Catch points are per CPU: while the BSP's point is armed, CPU 1 arms
/// its own and catches its own breakpoint; then the BSP catches its own.
/// (With one shared point CPU 1 found it armed and got `Nested`, or worse
/// landed on the BSP's saved stack.)
fn catch_points_are_per_cpu() -> Result<(), Failure> {
    if smp::online() < 2 {
        return Err(Failure::Missing("a second CPU (run with -smp 2 or more)"));
    }
    let mut remote = None;
    let fault = catch(vector::BREAKPOINT, || {
        remote = remote::run_on(1, own_breakpoint, 2000);
        probe::breakpoint();
    })
    .map_err(|e| Failure::from_catch(e, vector::BREAKPOINT))?;
    ensure_eq!(
        fault.rip,
        probe::int3_resume(),
        "cpu 0 caught its own breakpoint"
    );
    ensure_eq!(
        remote.unwrap_or(99),
        0,
        "cpu 1 caught its own breakpoint while cpu 0 was armed"
    );
    Ok(())
}

fn page_fault_reports_cr2() -> Result<(), Failure> {
    expect(
        Expectation::vector(vector::PAGE_FAULT)
            .at_rip(probe::read_insn())
            .cr2_is(UNMAPPED)
            .with_error_code(0), // not present, read, supervisor
        || {
            // SAFETY: inside a catch point expecting this #PF.
            black_box(unsafe { probe::read(UNMAPPED) });
        },
    )
}

fn page_fault_on_write_to_text() -> Result<(), Failure> {
    let target = probe::read_insn();
    // SAFETY: the kernel text is mapped and readable.
    let byte = unsafe { probe::read(target) } as u8;
    expect(
        Expectation::vector(vector::PAGE_FAULT)
            .at_rip(probe::write_insn())
            .cr2_is(target)
            .with_error_code(pf::PRESENT | pf::WRITE),
        // SAFETY: inside a catch point expecting this #PF; even if the
        // write went through it would store the byte that is already there.
        || unsafe { probe::write(target, byte) },
    )
}

/// One `ret` instruction in a non-executable page.
static RET_IN_RODATA: u8 = 0xc3;

fn page_fault_on_fetch_from_nx() -> Result<(), Failure> {
    let target = &raw const RET_IN_RODATA as u64;
    expect(
        Expectation::vector(vector::PAGE_FAULT)
            .at_rip(target)
            .cr2_is(target)
            .with_error_code(pf::PRESENT | pf::FETCH),
        // SAFETY: inside a catch point expecting this #PF; if NX failed the
        // byte is a `ret`, so the call would return normally.
        || unsafe { probe::call(target) },
    )
}

fn divide_error_is_caught() -> Result<(), Failure> {
    expect(
        Expectation::vector(vector::DIVIDE).at_rip(probe::divide_insn()),
        || {
            black_box(probe::divide(1, black_box(0)));
        },
    )
}

fn invalid_opcode_is_caught() -> Result<(), Failure> {
    expect(
        Expectation::vector(vector::INVALID_OPCODE).at_rip(probe::ud2_insn()),
        probe::invalid_opcode,
    )
}

fn general_protection_on_non_canonical() -> Result<(), Failure> {
    expect(
        Expectation::vector(vector::GENERAL_PROTECTION)
            .at_rip(probe::read_insn())
            .with_error_code(0),
        || {
            // SAFETY: inside a catch point expecting this #GP.
            black_box(unsafe { probe::read(NON_CANONICAL) });
        },
    )
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 16]);
    if depth == u64::MAX {
        return 0;
    }
    recurse(depth + 1).wrapping_add(frame[(depth % 16) as usize])
}

extern "C" fn overflow(_: u64) {
    black_box(recurse(0));
}

fn double_fault_on_stack_overflow() -> Result<(), Failure> {
    // The recursion runs off the bottom of a small stack into its unmapped
    // guard page. The #PF cannot push its frame on that stack, so it
    // escalates to #DF, which runs on its own IST stack and recovers here.
    let stack = &stacks::OVERFLOW_TEST;
    let guard = stack.guard();
    expect(
        Expectation::vector(vector::DOUBLE_FAULT)
            .cr2_in(guard..guard + PAGE_SIZE)
            .with_error_code(0),
        // SAFETY: the overflow stack is used by this test alone and its top
        // is 4 KiB aligned; the closure runs under a catch point for #DF.
        || unsafe { probe::run_on_stack(stack.top(), overflow, 0) },
    )?;
    // After recovery the kernel still works, including a second catch.
    breakpoint_is_caught()
}

fn catch_without_fault_reports_it() -> Result<(), Failure> {
    match catch(vector::BREAKPOINT, || {
        black_box(1 + 1);
    }) {
        Err(crate::arch::catch::CatchError::NoFault) => Ok(()),
        Ok(_) => Err(Failure::Check {
            what: "a closure without a fault was reported as caught",
            line: line!(),
        }),
        Err(e) => Err(Failure::from_catch(e, vector::BREAKPOINT)),
    }
}

ktest!(
    catch_points_are_per_cpu,
    breakpoint_is_caught,
    page_fault_reports_cr2,
    page_fault_on_write_to_text,
    page_fault_on_fetch_from_nx,
    divide_error_is_caught,
    invalid_opcode_is_caught,
    general_protection_on_non_canonical,
    double_fault_on_stack_overflow,
    catch_without_fault_reports_it,
);
