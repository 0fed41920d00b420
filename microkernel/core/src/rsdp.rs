//! ACPI Root System Description Pointer validation.

use core::fmt;

/// The 8-byte RSDP signature.
pub const SIGNATURE: &[u8; 8] = b"RSD PTR ";
/// Length of the ACPI 1.0 part covered by the first checksum.
pub const V1_LEN: usize = 20;
/// Length of the ACPI 2.0+ structure.
pub const V2_LEN: usize = 36;

/// Why an RSDP is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsdpError {
    /// Fewer bytes than the structure needs.
    TooShort,
    /// Signature is not `"RSD PTR "`.
    BadSignature,
    /// The first 20 bytes do not sum to 0.
    BadChecksum,
    /// The extended structure does not sum to 0.
    BadExtendedChecksum,
    /// The 2.0+ length field is smaller than 36 or larger than given.
    BadLength(u32),
}

impl fmt::Display for RsdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => write!(f, "structure too short"),
            Self::BadSignature => write!(f, "signature is not \"RSD PTR \""),
            Self::BadChecksum => write!(f, "checksum of the first 20 bytes is not 0"),
            Self::BadExtendedChecksum => write!(f, "extended checksum is not 0"),
            Self::BadLength(l) => write!(f, "bad length field {l}"),
        }
    }
}

/// What a valid RSDP says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rsdp {
    /// ACPI revision (0 = 1.0, 2 = 2.0+).
    pub revision: u8,
    /// Physical address of the RSDT.
    pub rsdt: u32,
    /// Physical address of the XSDT (revision 2+).
    pub xsdt: Option<u64>,
}

fn sum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, b| a.wrapping_add(*b))
}

/// Validate an RSDP given at least its first 20 bytes (36 for revision 2+).
pub fn parse(bytes: &[u8]) -> Result<Rsdp, RsdpError> {
    if bytes.len() < V1_LEN {
        return Err(RsdpError::TooShort);
    }
    if &bytes[..8] != SIGNATURE {
        return Err(RsdpError::BadSignature);
    }
    if sum(&bytes[..V1_LEN]) != 0 {
        return Err(RsdpError::BadChecksum);
    }
    let revision = bytes[15];
    let rsdt = u32::from_le_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    if revision < 2 {
        return Ok(Rsdp {
            revision,
            rsdt,
            xsdt: None,
        });
    }
    if bytes.len() < V2_LEN {
        return Err(RsdpError::TooShort);
    }
    let len = u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    if (len as usize) < V2_LEN || len as usize > bytes.len() {
        return Err(RsdpError::BadLength(len));
    }
    if sum(&bytes[..len as usize]) != 0 {
        return Err(RsdpError::BadExtendedChecksum);
    }
    let mut x = [0u8; 8];
    x.copy_from_slice(&bytes[24..32]);
    Ok(Rsdp {
        revision,
        rsdt,
        xsdt: Some(u64::from_le_bytes(x)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(bytes: &mut [u8], range: core::ops::Range<usize>, at: usize) {
        bytes[at] = 0;
        bytes[at] = 0u8.wrapping_sub(sum(&bytes[range]));
    }

    fn v2() -> [u8; 36] {
        let mut b = [0u8; 36];
        b[..8].copy_from_slice(SIGNATURE);
        b[9..15].copy_from_slice(b"BOCHS ");
        b[15] = 2;
        b[16..20].copy_from_slice(&0x7fe2000u32.to_le_bytes());
        b[20..24].copy_from_slice(&36u32.to_le_bytes());
        b[24..32].copy_from_slice(&0x7fe3000u64.to_le_bytes());
        fix(&mut b, 0..20, 8);
        fix(&mut b, 0..36, 32);
        b
    }

    #[test]
    fn valid_v2() {
        let r = parse(&v2()).unwrap();
        assert_eq!(
            r,
            Rsdp {
                revision: 2,
                rsdt: 0x7fe2000,
                xsdt: Some(0x7fe3000)
            }
        );
    }

    #[test]
    fn valid_v1() {
        let mut b = v2();
        b[15] = 0;
        fix(&mut b, 0..20, 8);
        assert_eq!(parse(&b[..20]).unwrap().xsdt, None);
    }

    #[test]
    fn corruption_is_caught() {
        let mut b = v2();
        b[0] = b'X';
        assert_eq!(parse(&b), Err(RsdpError::BadSignature));
        let mut b = v2();
        b[10] ^= 1;
        assert_eq!(parse(&b), Err(RsdpError::BadChecksum));
        let mut b = v2();
        b[30] ^= 1;
        assert_eq!(parse(&b), Err(RsdpError::BadExtendedChecksum));
        assert_eq!(parse(&v2()[..19]), Err(RsdpError::TooShort));
        assert_eq!(parse(&v2()[..30]), Err(RsdpError::TooShort));
    }
}
