//! The hostile process: `n` syscalls with random numbers, random slots and
//! random pointers (kernel addresses, unmapped, misaligned, non-canonical,
//! null, and a few real ones). The kernel must answer each with an error
//! or valid behaviour; the report carries the count and how many failed.

use helix_sys::raw_syscall;

use crate::report;

/// Slot of the report endpoint in the hostile process (outside the range
/// random slots are drawn from, so no random `Send` blocks on it).
pub const REPORT_SLOT: u32 = 200;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const POINTERS: [u64; 12] = [
    0,
    0xffff_8000_0000_0000,
    0xffff_ffff_8000_0000,
    0x0000_8000_0000_0000,
    0x1234_5678_9abc_def1,
    0xdead_0000,
    0x40_0001,
    0x7fff_fff0_0000,
    0x7fff_fff0_0003,
    0xffff_ffff_ffff_fff8,
    0x1000,
    0x40_0000,
];

fn arg(r: &mut Rng) -> u64 {
    match r.next() % 6 {
        0 => r.next() % 40,
        1 => POINTERS[(r.next() % POINTERS.len() as u64) as usize],
        2 => r.next(),
        3 => r.next() % 0x70,
        4 => u64::from(u32::MAX) + (r.next() % 3),
        _ => 0,
    }
}

/// Make `n` random syscalls, then report `[n, errors, oks]`.
pub fn run(n: u64) -> ! {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut errors, mut oks) = (0u64, 0u64);
    for _ in 0..n {
        let nr = r.next() % 16;
        let mut a = [
            arg(&mut r),
            arg(&mut r),
            arg(&mut r),
            arg(&mut r),
            arg(&mut r),
            arg(&mut r),
        ];
        if nr == 0 {
            // DebugWrite only ever with bad pointers: no garbage on the console.
            a[0] = POINTERS[(r.next() % 6) as usize];
        }
        if a[0] == u64::from(REPORT_SLOT) {
            a[0] = 0;
        }
        let (rax, _) = raw_syscall(nr, a);
        if rax == 0 {
            oks += 1;
        } else {
            errors += 1;
        }
    }
    let ep: helix_sys::Cap<helix_sys::Endpoint> = helix_sys::Cap::from_slot(REPORT_SLOT);
    let _ = ep.send(&helix_sys::Message::new(0, &[n, errors, oks]));
    report(1, &[])
}
