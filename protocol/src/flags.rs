//! [`ModuleFlags`]: what a module is and how it may be treated.
#![forbid(unsafe_code)]

bitflags::bitflags! {
    /// Capability flags of a module (spec bit values; they are ABI: the
    /// metadata section stores them raw).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct ModuleFlags: u32 {
        /// Cannot be unloaded.
        const ESSENTIAL = 1 << 0;
        /// Supports live replacement.
        const HOT_RELOADABLE = 1 << 1;
        /// Runs in user mode (every Helix server does).
        const USERSPACE = 1 << 2;
        /// Hardware driver.
        const DRIVER = 1 << 3;
        /// Filesystem implementation.
        const FILESYSTEM = 1 << 4;
        /// Scheduling algorithm.
        const SCHEDULER = 1 << 5;
        /// Memory allocator.
        const ALLOCATOR = 1 << 6;
        /// Security module.
        const SECURITY = 1 << 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_the_spec_values() {
        let expect = [
            (ModuleFlags::ESSENTIAL, 1),
            (ModuleFlags::HOT_RELOADABLE, 2),
            (ModuleFlags::USERSPACE, 4),
            (ModuleFlags::DRIVER, 8),
            (ModuleFlags::FILESYSTEM, 16),
            (ModuleFlags::SCHEDULER, 32),
            (ModuleFlags::ALLOCATOR, 64),
            (ModuleFlags::SECURITY, 128),
        ];
        for (flag, bits) in expect {
            assert_eq!(flag.bits(), bits);
        }
        const BOTH: ModuleFlags = ModuleFlags::SCHEDULER.union(ModuleFlags::HOT_RELOADABLE);
        assert_eq!(BOTH.bits(), 34);
        assert_eq!(ModuleFlags::from_bits(1 << 8), None);
    }
}
