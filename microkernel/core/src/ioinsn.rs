//! Decoding the port of a ring-3 `in`/`out`/`ins`/`outs` instruction that
//! raised #GP, so the kernel can tell whether an IoPorts cap grants it.

/// The port access an instruction makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortAccess {
    /// First port.
    pub port: u16,
    /// Bytes (1, 2 or 4).
    pub width: u8,
}

/// Most bytes an x86 instruction has.
pub const MAX_INSN: usize = 15;

/// The port access of the instruction starting at `code[0]`, with `dx`
/// the value of the DX register; `None` when it is not a port instruction
/// (or runs past `code`).
pub fn decode(code: &[u8], dx: u16) -> Option<PortAccess> {
    let mut wide16 = false;
    for (i, &b) in code.iter().enumerate().take(MAX_INSN) {
        match b {
            0x66 => wide16 = true,
            // Other legacy prefixes (lock, rep, segment, address size) and
            // REX do not change the port or width.
            0xf0 | 0xf2 | 0xf3 | 0x2e | 0x36 | 0x3e | 0x26 | 0x64 | 0x65 | 0x67 | 0x40..=0x4f => {}
            _ => {
                let wide = if wide16 { 2 } else { 4 };
                let imm = || code.get(i + 1).map(|&p| u16::from(p));
                let (port, width) = match b {
                    0xe4 | 0xe6 => (imm()?, 1),
                    0xe5 | 0xe7 => (imm()?, wide),
                    0xec | 0xee | 0x6c | 0x6e => (dx, 1),
                    0xed | 0xef | 0x6d | 0x6f => (dx, wide),
                    _ => return None,
                };
                return Some(PortAccess { port, width });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pa(port: u16, width: u8) -> Option<PortAccess> {
        Some(PortAccess { port, width })
    }

    #[test]
    fn immediate_and_dx_forms() {
        assert_eq!(decode(&[0xe4, 0x71], 0), pa(0x71, 1));
        assert_eq!(decode(&[0xe7, 0x80], 0), pa(0x80, 4));
        assert_eq!(decode(&[0x66, 0xe5, 0x80], 0), pa(0x80, 2));
        assert_eq!(decode(&[0xec], 0x3f8), pa(0x3f8, 1));
        assert_eq!(decode(&[0x66, 0xef], 0xcf8), pa(0xcf8, 2));
        assert_eq!(decode(&[0xed], 0xcfc), pa(0xcfc, 4));
        assert_eq!(decode(&[0xf3, 0x6c], 0x1f0), pa(0x1f0, 1));
        assert_eq!(decode(&[0x48, 0xee], 0x60), pa(0x60, 1));
    }

    #[test]
    fn other_instructions_and_truncation() {
        assert_eq!(decode(&[0xf4], 0), None);
        assert_eq!(decode(&[0xe4], 0), None);
        assert_eq!(decode(&[], 0), None);
        assert_eq!(decode(&[0x66; 20], 0), None);
        assert_eq!(decode(&[0x0f, 0x01, 0xf8], 0), None);
    }
}
