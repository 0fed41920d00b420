//! Decoding what the firmware leaves behind: SMBIOS entry points, the CMOS
//! clock, the MADT's processor list.

use alloc::vec::Vec;

/// Physical addresses of the SMBIOS entry points found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SmbiosEntries {
    /// 32-bit (`_SM_`) entry point.
    pub entry32: Option<u64>,
    /// 64-bit (`_SM3_`) entry point.
    pub entry64: Option<u64>,
}

fn checksum_ok(bytes: &[u8]) -> bool {
    bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b)) == 0
}

/// Scans `area` (the BIOS segment at physical `base`, 16-byte steps) for
/// SMBIOS anchors with valid checksums.
pub fn find_smbios(area: &[u8], base: u64) -> SmbiosEntries {
    let mut found = SmbiosEntries::default();
    for off in (0..area.len()).step_by(16) {
        let rest = &area[off..];
        if found.entry32.is_none() && rest.starts_with(b"_SM_") && rest.len() > 5 {
            let len = usize::from(rest[5]);
            if (0x1f..=rest.len()).contains(&len) && checksum_ok(&rest[..len]) {
                found.entry32 = Some(base + off as u64);
            }
        }
        if found.entry64.is_none() && rest.starts_with(b"_SM3_") && rest.len() > 6 {
            let len = usize::from(rest[6]);
            if (0x18..=rest.len()).contains(&len) && checksum_ok(&rest[..len]) {
                found.entry64 = Some(base + off as u64);
            }
        }
    }
    found
}

/// Raw CMOS RTC registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtcRegisters {
    /// Register 0x00.
    pub seconds: u8,
    /// Register 0x02.
    pub minutes: u8,
    /// Register 0x04 (bit 7 = PM in 12-hour mode).
    pub hours: u8,
    /// Register 0x07.
    pub day: u8,
    /// Register 0x08.
    pub month: u8,
    /// Register 0x09 (two digits).
    pub year: u8,
    /// Century register (0x32), when the FADT names one.
    pub century: Option<u8>,
    /// Status register B: bit 1 = 24-hour, bit 2 = binary.
    pub status_b: u8,
}

/// The RTC reading as a UNIX timestamp (`None` if the registers are nonsense).
pub fn rtc_to_unix(r: RtcRegisters) -> Option<i64> {
    let binary = r.status_b & 0x04 != 0;
    let h24 = r.status_b & 0x02 != 0;
    let dec = |v: u8| -> Option<i64> {
        if binary {
            Some(i64::from(v))
        } else {
            let (hi, lo) = (v >> 4, v & 0x0f);
            (hi < 10 && lo < 10).then(|| i64::from(hi * 10 + lo))
        }
    };
    let pm = !h24 && r.hours & 0x80 != 0;
    let mut hour = dec(r.hours & 0x7f)?;
    if !h24 {
        hour %= 12;
        if pm {
            hour += 12;
        }
    }
    let year2 = dec(r.year)?;
    let year = match r.century.map(dec) {
        Some(Some(c)) if c >= 19 => c * 100 + year2,
        _ => 2000 + year2,
    };
    let (month, day) = (dec(r.month)?, dec(r.day)?);
    let (min, sec) = (dec(r.minutes)?, dec(r.seconds)?);
    let valid =
        (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && min < 60 && sec < 61;
    valid.then(|| days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A processor as the MADT lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MadtCpu {
    /// ACPI processor UID.
    pub processor_uid: u32,
    /// Local APIC (or x2APIC) id.
    pub apic_id: u32,
    /// Flags: bit 0 enabled, bit 1 online-capable.
    pub flags: u32,
}

/// The processors to report: enabled ones, each APIC id once, ids above
/// 254 only when x2APIC mode is on; the BSP first.
pub fn select_cpus(madt: &[MadtCpu], bsp_apic_id: u32, x2apic: bool) -> Vec<MadtCpu> {
    let mut out: Vec<MadtCpu> = Vec::new();
    for c in madt {
        let usable = c.flags & 1 != 0 && (x2apic || c.apic_id < 255);
        if usable && !out.iter().any(|o| o.apic_id == c.apic_id) {
            out.push(*c);
        }
    }
    if let Some(i) = out.iter().position(|c| c.apic_id == bsp_apic_id) {
        let bsp = out.remove(i);
        out.insert(0, bsp);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smbios_anchors() {
        let mut area = vec![0u8; 0x100];
        let mut e32 = [0u8; 0x1f];
        e32[..4].copy_from_slice(b"_SM_");
        e32[5] = 0x1f;
        e32[6] = 0x77;
        let sum = e32.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        e32[4] = 0u8.wrapping_sub(sum);
        area[0x40..0x40 + 0x1f].copy_from_slice(&e32);
        let mut e64 = [0u8; 0x18];
        e64[..5].copy_from_slice(b"_SM3_");
        e64[6] = 0x18;
        let sum = e64.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        e64[5] = 0u8.wrapping_sub(sum);
        area[0x80..0x98].copy_from_slice(&e64);
        area[0x10..0x14].copy_from_slice(b"_SM_");
        let found = find_smbios(&area, 0xf0000);
        assert_eq!(
            found,
            SmbiosEntries {
                entry32: Some(0xf0040),
                entry64: Some(0xf0080)
            }
        );
        area[0x41] ^= 1;
        assert_eq!(find_smbios(&area, 0xf0000).entry32, None, "bad checksum");
    }

    #[test]
    fn rtc_decoding() {
        let bcd = RtcRegisters {
            seconds: 0x56,
            minutes: 0x34,
            hours: 0x12,
            day: 0x25,
            month: 0x11,
            year: 0x24,
            century: Some(0x20),
            status_b: 0x02,
        };
        assert_eq!(rtc_to_unix(bcd), Some(1_732_538_096));
        let pm = RtcRegisters {
            hours: 0x80 | 0x12,
            status_b: 0,
            ..bcd
        };
        assert_eq!(rtc_to_unix(pm), Some(1_732_538_096), "12 PM is noon");
        let am = RtcRegisters {
            hours: 0x12,
            status_b: 0,
            ..bcd
        };
        assert_eq!(
            rtc_to_unix(am),
            Some(1_732_538_096 - 12 * 3600),
            "12 AM is midnight"
        );
        let binary = RtcRegisters {
            seconds: 56,
            minutes: 34,
            hours: 12,
            day: 25,
            month: 11,
            year: 24,
            century: None,
            status_b: 0x06,
        };
        assert_eq!(rtc_to_unix(binary), Some(1_732_538_096));
        assert_eq!(rtc_to_unix(RtcRegisters { month: 0x13, ..bcd }), None);
        assert_eq!(
            rtc_to_unix(RtcRegisters {
                seconds: 0x5a,
                ..bcd
            }),
            None
        );
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn cpu_selection() {
        let madt = [
            MadtCpu {
                processor_uid: 0,
                apic_id: 1,
                flags: 1,
            },
            MadtCpu {
                processor_uid: 1,
                apic_id: 0,
                flags: 1,
            },
            MadtCpu {
                processor_uid: 2,
                apic_id: 2,
                flags: 2,
            },
            MadtCpu {
                processor_uid: 3,
                apic_id: 300,
                flags: 1,
            },
            MadtCpu {
                processor_uid: 4,
                apic_id: 1,
                flags: 1,
            },
        ];
        let cpus = select_cpus(&madt, 0, false);
        let ids: Vec<u32> = cpus.iter().map(|c| c.apic_id).collect();
        assert_eq!(ids, vec![0, 1]);
        let ids: Vec<u32> = select_cpus(&madt, 0, true)
            .iter()
            .map(|c| c.apic_id)
            .collect();
        assert_eq!(ids, vec![0, 1, 300]);
    }
}
