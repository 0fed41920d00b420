//! Fatal drills (`kfatal=<name>`): each provokes one condition the kernel
//! must answer with a fatal error line and a failure exit, never by
//! carrying on. The runner's scenarios boot each drill and check the line.

use crate::arch::port::{ExitCode, exit_qemu};
use crate::kprintln;
use crate::user::smp;

/// Run drill `name`; never returns.
pub fn run(name: &str) -> ! {
    match name {
        "tlb_shootdown_unanswered" => tlb_shootdown_unanswered(),
        "acpi_unmappable" => crate::arch::acpi::drill_unmappable_table(),
        other => kprintln!("helix: drill `{other}` is unknown"),
    }
    // A drill that comes back did not end the kernel: that is the failure.
    kprintln!("helix: drill `{name}` returned instead of stopping the kernel");
    exit_qemu(ExitCode::Success)
}

/// CPU 1 never acknowledges; the shootdown must stop the kernel naming it
/// (within a 300 ms deadline) instead of returning.
fn tlb_shootdown_unanswered() {
    if smp::online() < 2 {
        kprintln!("helix: drill needs two CPUs");
        return;
    }
    smp::test_stall(1, u64::MAX, 300);
    smp::shootdown(0);
}
