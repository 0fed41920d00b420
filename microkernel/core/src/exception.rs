//! CPU exceptions as data: names, which push an error code, and how a test
//! states the fault it expects and compares it with the one caught.

use core::fmt;
use core::ops::Range;

/// `(mnemonic, name)` of the 32 architectural exception vectors.
const VECTORS: [(&str, &str); 32] = [
    ("#DE", "divide error"),
    ("#DB", "debug"),
    ("NMI", "non-maskable interrupt"),
    ("#BP", "breakpoint"),
    ("#OF", "overflow"),
    ("#BR", "bound range exceeded"),
    ("#UD", "invalid opcode"),
    ("#NM", "device not available"),
    ("#DF", "double fault"),
    ("CSO", "coprocessor segment overrun"),
    ("#TS", "invalid TSS"),
    ("#NP", "segment not present"),
    ("#SS", "stack-segment fault"),
    ("#GP", "general protection"),
    ("#PF", "page fault"),
    ("#15", "reserved"),
    ("#MF", "x87 floating-point error"),
    ("#AC", "alignment check"),
    ("#MC", "machine check"),
    ("#XM", "SIMD floating-point error"),
    ("#VE", "virtualization exception"),
    ("#CP", "control protection"),
    ("#22", "reserved"),
    ("#23", "reserved"),
    ("#24", "reserved"),
    ("#25", "reserved"),
    ("#26", "reserved"),
    ("#27", "reserved"),
    ("#HV", "hypervisor injection"),
    ("#VC", "VMM communication"),
    ("#SX", "security exception"),
    ("#31", "reserved"),
];

/// Well-known vectors.
pub mod vector {
    /// Divide error.
    pub const DIVIDE: u8 = 0;
    /// Non-maskable interrupt.
    pub const NMI: u8 = 2;
    /// Breakpoint (`int3`).
    pub const BREAKPOINT: u8 = 3;
    /// Invalid opcode (`ud2`).
    pub const INVALID_OPCODE: u8 = 6;
    /// Double fault.
    pub const DOUBLE_FAULT: u8 = 8;
    /// General protection.
    pub const GENERAL_PROTECTION: u8 = 13;
    /// Page fault.
    pub const PAGE_FAULT: u8 = 14;
    /// Machine check.
    pub const MACHINE_CHECK: u8 = 18;
}

/// Number of architectural exception vectors.
pub const COUNT: usize = VECTORS.len();

/// Short mnemonic (`#PF`), or `"?"` past 31.
pub fn mnemonic(v: u8) -> &'static str {
    VECTORS.get(v as usize).map_or("?", |e| e.0)
}

/// Long name (`page fault`), or `"not an exception"` past 31.
pub fn name(v: u8) -> &'static str {
    VECTORS.get(v as usize).map_or("not an exception", |e| e.1)
}

/// Whether the CPU pushes an error code for this vector.
pub const fn pushes_error_code(v: u8) -> bool {
    matches!(v, 8 | 10 | 11 | 12 | 13 | 14 | 17 | 21 | 29 | 30)
}

/// Page-fault error-code bits.
pub mod pf {
    /// The page was present (protection violation).
    pub const PRESENT: u64 = 1 << 0;
    /// The access was a write.
    pub const WRITE: u64 = 1 << 1;
    /// The access came from user mode.
    pub const USER: u64 = 1 << 2;
    /// A reserved bit was set in a paging entry.
    pub const RESERVED: u64 = 1 << 3;
    /// The access was an instruction fetch.
    pub const FETCH: u64 = 1 << 4;
}

/// What the exception handler recorded for a caught fault.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fault {
    /// Vector number.
    pub vector: u8,
    /// Error code (0 when the vector pushes none).
    pub error_code: u64,
    /// Saved RIP (the faulting instruction, or the one after for traps).
    pub rip: u64,
    /// CR2 at the time of the exception.
    pub cr2: u64,
}

/// A test's statement of the fault it provokes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// Expected vector.
    pub vector: u8,
    /// Expected saved RIP, where the test knows it.
    pub rip: Option<u64>,
    /// Range CR2 must fall in (page faults and their escalations).
    pub cr2: Option<Range<u64>>,
    /// Expected error code, where meaningful.
    pub error_code: Option<u64>,
}

impl Expectation {
    /// Expect `vector`, nothing else checked yet.
    pub const fn vector(vector: u8) -> Self {
        Self {
            vector,
            rip: None,
            cr2: None,
            error_code: None,
        }
    }

    /// Also require this saved RIP.
    pub fn at_rip(mut self, rip: u64) -> Self {
        self.rip = Some(rip);
        self
    }

    /// Also require CR2 in `range`.
    pub fn cr2_in(mut self, range: Range<u64>) -> Self {
        self.cr2 = Some(range);
        self
    }

    /// Also require CR2 to be exactly `addr`.
    pub fn cr2_is(self, addr: u64) -> Self {
        self.cr2_in(addr..addr + 1)
    }

    /// Also require this error code.
    pub fn with_error_code(mut self, code: u64) -> Self {
        self.error_code = Some(code);
        self
    }

    /// Compare a caught fault with the expectation.
    pub fn check(&self, got: &Fault) -> Result<(), Mismatch> {
        if got.vector != self.vector {
            return Err(Mismatch::Vector {
                expected: self.vector,
                got: got.vector,
            });
        }
        if let Some(rip) = self.rip.filter(|r| *r != got.rip) {
            return Err(Mismatch::Rip {
                expected: rip,
                got: got.rip,
            });
        }
        if let Some(r) = self.cr2.as_ref().filter(|r| !r.contains(&got.cr2)) {
            return Err(Mismatch::Cr2 {
                expected: r.clone(),
                got: got.cr2,
            });
        }
        if let Some(code) = self.error_code.filter(|c| *c != got.error_code) {
            return Err(Mismatch::ErrorCode {
                expected: code,
                got: got.error_code,
            });
        }
        Ok(())
    }
}

/// How a caught fault differs from the expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Wrong vector.
    Vector {
        /// Expected.
        expected: u8,
        /// Caught.
        got: u8,
    },
    /// Wrong RIP.
    Rip {
        /// Expected.
        expected: u64,
        /// Caught.
        got: u64,
    },
    /// CR2 outside the expected range.
    Cr2 {
        /// Expected range.
        expected: Range<u64>,
        /// Caught.
        got: u64,
    },
    /// Wrong error code.
    ErrorCode {
        /// Expected.
        expected: u64,
        /// Caught.
        got: u64,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Vector { expected, got } => write!(
                f,
                "expected vector {expected} ({}), caught {got} ({})",
                mnemonic(*expected),
                mnemonic(*got)
            ),
            Self::Rip { expected, got } => write!(f, "expected rip {expected:#x}, got {got:#x}"),
            Self::Cr2 { expected, got } => write!(
                f,
                "expected cr2 in {:#x}..{:#x}, got {got:#x}",
                expected.start, expected.end
            ),
            Self::ErrorCode { expected, got } => {
                write!(f, "expected error code {expected:#x}, got {got:#x}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_all_vectors() {
        assert_eq!(COUNT, 32);
        assert_eq!(mnemonic(14), "#PF");
        assert_eq!(name(8), "double fault");
        assert_eq!(mnemonic(32), "?");
        assert!(pushes_error_code(vector::PAGE_FAULT));
        assert!(pushes_error_code(vector::DOUBLE_FAULT));
        assert!(!pushes_error_code(vector::BREAKPOINT));
        assert!(!pushes_error_code(vector::INVALID_OPCODE));
    }

    #[test]
    fn expectation_checks_each_field() {
        let got = Fault {
            vector: 14,
            error_code: 2,
            rip: 0x1000,
            cr2: 0xdead000,
        };
        let e = Expectation::vector(14)
            .at_rip(0x1000)
            .cr2_is(0xdead000)
            .with_error_code(2);
        assert_eq!(e.check(&got), Ok(()));
        assert!(matches!(
            Expectation::vector(13).check(&got),
            Err(Mismatch::Vector { .. })
        ));
        assert!(matches!(
            Expectation::vector(14).at_rip(0x1001).check(&got),
            Err(Mismatch::Rip { .. })
        ));
        assert!(matches!(
            Expectation::vector(14).cr2_in(0..0x1000).check(&got),
            Err(Mismatch::Cr2 { .. })
        ));
        assert!(matches!(
            Expectation::vector(14).with_error_code(0).check(&got),
            Err(Mismatch::ErrorCode { .. })
        ));
        let text = Expectation::vector(3).check(&got).unwrap_err().to_string();
        assert_eq!(text, "expected vector 3 (#BP), caught 14 (#PF)");
    }
}
