//! Base revision negotiation and what each revision changes.

use crate::addr::FOUR_GIB;
use crate::memmap::MemoryKind;

/// Highest base revision this loader implements.
pub const MAX_SUPPORTED: u64 = 3;

/// The outcome of reading the kernel's base revision tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negotiation {
    /// What the tag asked for (`None`: no tag, which means revision 0).
    pub requested: Option<u64>,
    /// The revision the kernel is loaded with.
    pub loaded: u64,
    /// Whether the requested revision is supported. If not, the tag's third
    /// word is left untouched so the kernel can tell.
    pub supported: bool,
}

/// Picks the revision to load with: the requested one when supported, else
/// the highest supported (spec: at least 3 for a loader that knows 3).
pub const fn negotiate(requested: Option<u64>) -> Negotiation {
    match requested {
        None => Negotiation {
            requested,
            loaded: 0,
            supported: true,
        },
        Some(r) if r <= MAX_SUPPORTED => Negotiation {
            requested,
            loaded: r,
            supported: true,
        },
        Some(_) => Negotiation {
            requested,
            loaded: MAX_SUPPORTED,
            supported: false,
        },
    }
}

impl Negotiation {
    /// New values for the tag's second and third words (`None` = leave).
    /// The second word always becomes the loaded revision; the third becomes
    /// 0 only when the request is honoured.
    pub const fn tag_words(&self) -> (u64, Option<u64>) {
        (self.loaded, if self.supported { Some(0) } else { None })
    }

    /// The behaviour that goes with the loaded revision.
    pub const fn policy(&self) -> Policy {
        policy(self.loaded)
    }
}

/// Revision-dependent behaviour of the loader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Identity-map `0x1000..4 GiB` and every memory map region (revision 0).
    pub identity_map: bool,
    /// Map the first 4 GiB into the HHDM unconditionally (revisions 0-2).
    pub hhdm_first_4gib: bool,
    /// Reserved and bad memory appear in the HHDM (revision 0).
    pub hhdm_reserved: bool,
    /// Only usable, bootloader-reclaimable, executable/modules and
    /// framebuffer regions are in the HHDM (revision 3).
    pub hhdm_restrictive: bool,
    /// Page 0 reported usable. The spec allows it from revision 3 on; Limine
    /// 11 still leaves page 0 out of the map, and so does this loader.
    pub page0_usable: bool,
    /// RSDP address reported physical rather than HHDM (revision 3 only).
    pub rsdp_physical: bool,
    /// SMBIOS entry points reported physical (revision 3+).
    pub smbios_physical: bool,
}

/// The policy for a supported `revision`.
pub const fn policy(revision: u64) -> Policy {
    Policy {
        identity_map: revision == 0,
        hhdm_first_4gib: revision < 3,
        hhdm_reserved: revision == 0,
        hhdm_restrictive: revision >= 3,
        page0_usable: false,
        rsdp_physical: revision == 3,
        smbios_physical: revision >= 3,
    }
}

impl Policy {
    /// Whether a region of `kind` belongs in the HHDM.
    pub const fn in_hhdm(&self, kind: MemoryKind) -> bool {
        match kind {
            MemoryKind::Usable
            | MemoryKind::BootloaderReclaimable
            | MemoryKind::ExecutableAndModules
            | MemoryKind::Framebuffer => true,
            MemoryKind::AcpiReclaimable | MemoryKind::AcpiNvs => !self.hhdm_restrictive,
            MemoryKind::Reserved | MemoryKind::BadMemory => self.hhdm_reserved,
        }
    }

    /// The span always direct-mapped regardless of the memory map.
    pub const fn unconditional_span(&self) -> Option<(u64, u64)> {
        if self.hhdm_first_4gib {
            Some((0, FOUR_GIB))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        assert_eq!(negotiate(None).loaded, 0);
        let three = negotiate(Some(3));
        assert_eq!((three.loaded, three.supported), (3, true));
        assert_eq!(three.tag_words(), (3, Some(0)));
        let one = negotiate(Some(1));
        assert_eq!(one.tag_words(), (1, Some(0)));
        let future = negotiate(Some(4));
        assert_eq!((future.loaded, future.supported), (3, false));
        assert_eq!(
            future.tag_words(),
            (3, None),
            "third word must stay untouched"
        );
    }

    #[test]
    fn revision_three_hhdm_is_restrictive() {
        let p = policy(3);
        assert!(p.in_hhdm(MemoryKind::Usable));
        assert!(p.in_hhdm(MemoryKind::BootloaderReclaimable));
        assert!(p.in_hhdm(MemoryKind::ExecutableAndModules));
        assert!(p.in_hhdm(MemoryKind::Framebuffer));
        assert!(!p.in_hhdm(MemoryKind::AcpiReclaimable));
        assert!(!p.in_hhdm(MemoryKind::Reserved));
        assert_eq!(p.unconditional_span(), None);
        assert!(p.rsdp_physical && !p.page0_usable && !p.identity_map);
    }

    #[test]
    fn older_revisions() {
        let zero = policy(0);
        assert!(zero.identity_map && zero.in_hhdm(MemoryKind::Reserved));
        assert_eq!(zero.unconditional_span(), Some((0, FOUR_GIB)));
        let two = policy(2);
        assert!(!two.identity_map && !two.in_hhdm(MemoryKind::BadMemory));
        assert!(two.in_hhdm(MemoryKind::AcpiNvs));
        assert!(!two.rsdp_physical && !two.page0_usable);
    }
}
