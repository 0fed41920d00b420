//! Time-stamp-counter arithmetic: its frequency from CPUID or a PIT
//! calibration, and tick-to-time conversion.

/// The PIT's input clock in Hz.
pub const PIT_HZ: u64 = 1_193_182;

/// TSC frequency from CPUID leaf 0x15 (`eax` denominator, `ebx` numerator,
/// `ecx` crystal Hz) or, failing that, leaf 0x16 (`eax` base MHz). `None`
/// when neither leaf reports enough; the caller then calibrates.
pub fn hz_from_cpuid(leaf15: Option<(u32, u32, u32)>, leaf16_eax: Option<u32>) -> Option<u64> {
    if let Some((den, num, crystal)) = leaf15
        && den != 0
        && num != 0
        && crystal != 0
    {
        return Some(crystal as u64 * num as u64 / den as u64);
    }
    match leaf16_eax {
        Some(mhz) if mhz & 0xffff != 0 => Some((mhz & 0xffff) as u64 * 1_000_000),
        _ => None,
    }
}

/// TSC frequency from a calibration: `tsc_ticks` elapsed while the PIT
/// counted `pit_ticks` at [`PIT_HZ`]. `None` if `pit_ticks` is 0.
pub fn hz_from_pit(tsc_ticks: u64, pit_ticks: u64) -> Option<u64> {
    if pit_ticks == 0 {
        return None;
    }
    Some((tsc_ticks as u128 * PIT_HZ as u128 / pit_ticks as u128) as u64)
}

/// A TSC with a known frequency and a start value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// Ticks per second.
    pub hz: u64,
    /// TSC value at time zero.
    pub start: u64,
}

impl Clock {
    /// Milliseconds from `start` to `now` (0 if `now` is earlier or hz is 0).
    pub fn ms(&self, now: u64) -> u64 {
        self.us(now) / 1000
    }

    /// Microseconds from `start` to `now` (0 if `now` is earlier or hz is 0).
    pub fn us(&self, now: u64) -> u64 {
        if self.hz == 0 {
            return 0;
        }
        let ticks = now.saturating_sub(self.start) as u128;
        (ticks * 1_000_000 / self.hz as u128) as u64
    }

    /// TSC ticks in `us` microseconds.
    pub fn ticks_for_us(&self, us: u64) -> u64 {
        (us as u128 * self.hz as u128 / 1_000_000) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpuid_leaf_15_wins() {
        // 24 MHz crystal, ratio 100/1 -> 2.4 GHz.
        assert_eq!(
            hz_from_cpuid(Some((1, 100, 24_000_000)), Some(3000)),
            Some(2_400_000_000)
        );
    }

    #[test]
    fn cpuid_leaf_16_fallback() {
        assert_eq!(
            hz_from_cpuid(Some((1, 100, 0)), Some(3000)),
            Some(3_000_000_000)
        );
        assert_eq!(hz_from_cpuid(None, Some(0)), None);
        assert_eq!(hz_from_cpuid(Some((0, 0, 0)), None), None);
    }

    #[test]
    fn pit_calibration() {
        // 10 ms of PIT ticks while the TSC ran 20_000_000 ticks -> 2 GHz.
        assert_eq!(hz_from_pit(20_000_000, PIT_HZ / 100), Some(2_000_137_457));
        assert_eq!(hz_from_pit(1, 0), None);
    }

    #[test]
    fn clock_converts() {
        let c = Clock {
            hz: 2_000_000_000,
            start: 1000,
        };
        assert_eq!(c.ms(1000 + 2_000_000_000), 1000);
        assert_eq!(c.us(1000 + 2_000), 1);
        assert_eq!(c.ms(0), 0);
        assert_eq!(c.ticks_for_us(1000), 2_000_000);
        assert_eq!(Clock { hz: 0, start: 0 }.ms(5), 0);
    }
}
