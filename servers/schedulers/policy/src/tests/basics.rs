//! CPU masks, config words, the state envelope.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::TestConfig;
use crate::{
    ConfigError, CpuMask, PolicyConfig, StateError, decode_state, encode_state, parse_bool,
    parse_u64,
};

#[test]
fn cpu_mask_bits() {
    assert_eq!(CpuMask::single(0), Some(CpuMask(1)));
    assert_eq!(CpuMask::single(63), Some(CpuMask(1 << 63)));
    assert_eq!(CpuMask::single(64), None);
    assert!(CpuMask::ALL.contains(63));
    assert!(!CpuMask::ALL.contains(64));
    assert!(!CpuMask(0b1010).contains(0));
    assert!(CpuMask(0b1010).contains(3));
    assert_eq!(CpuMask::ALL.within(4), CpuMask(0xf));
    assert_eq!(CpuMask::ALL.within(64), CpuMask::ALL);
    assert_eq!(CpuMask::ALL.within(0), CpuMask(0));
    assert!(CpuMask(0b1_0000).within(4).is_empty());
    assert_eq!(CpuMask(0b1011).iter(3).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(CpuMask::ALL.iter(200).count(), 64);
}

#[test]
fn numbers_and_switches() {
    assert_eq!(parse_u64("k", "0"), Ok(0));
    assert_eq!(parse_u64("k", "18446744073709551615"), Ok(u64::MAX));
    for bad in ["", "+1", "-1", "1x", "0x10", " 1", "18446744073709551616"] {
        assert!(
            matches!(parse_u64("k", bad), Err(ConfigError::BadValue { .. })),
            "{bad:?}"
        );
    }
    for (text, value) in [("true", true), ("on", true), ("1", true)] {
        assert_eq!(parse_bool("k", text), Ok(value));
    }
    for (text, value) in [("false", false), ("off", false), ("0", false)] {
        assert_eq!(parse_bool("k", text), Ok(value));
    }
    assert!(parse_bool("k", "yes please").is_err());
}

#[test]
fn argument_words() {
    let config = TestConfig::parse_args("interval=5  quantum=9").expect("valid");
    assert_eq!(
        config,
        TestConfig {
            quantum: 9,
            interval: 5
        }
    );
    assert_eq!(TestConfig::parse_args(""), Ok(TestConfig::default()));
    assert_eq!(config.words(), "quantum=9 interval=5");
    assert_eq!(TestConfig::parse_args(&config.words()), Ok(config));
    assert_eq!(
        TestConfig::parse_args("quantum"),
        Err(ConfigError::MissingValue("quantum".into()))
    );
    assert_eq!(
        TestConfig::parse_args("quantum=1 quantum=2"),
        Err(ConfigError::DuplicateKey("quantum".into()))
    );
    let unknown = TestConfig::parse_args("quantun=1").expect_err("typo");
    assert_eq!(
        unknown.to_string(),
        "unknown key `quantun` (expected one of: quantum, interval)"
    );
    assert_eq!(
        TestConfig::parse_args("quantum=0"),
        Err(ConfigError::Zero("quantum"))
    );
    assert_eq!(
        config.with("quantum", "0"),
        Err(ConfigError::Zero("quantum"))
    );
    assert_eq!(config.with("interval", "8").map(|c| c.interval), Ok(8));
}

#[test]
fn state_envelope() {
    type Body = (u32, String, [u8; 3]);
    let body: Body = (1, String::from("queues"), [7; 3]);
    let bytes = encode_state("fifo", 7, &body).expect("encodes");
    assert_eq!(decode_state::<Body>(&bytes, "fifo", 7), Ok(body));
    assert_eq!(
        decode_state::<Body>(&bytes, "fair", 7),
        Err(StateError::WrongPolicy {
            expected: "fair",
            found: "fifo".into()
        })
    );
    assert_eq!(
        decode_state::<Body>(&bytes, "fifo", 8),
        Err(StateError::UnsupportedVersion {
            found: 7,
            supported: 8
        })
    );
    let mut longer = bytes.clone();
    longer.extend([0, 0]);
    assert_eq!(
        decode_state::<Body>(&longer, "fifo", 7),
        Err(StateError::TrailingBytes(2))
    );
    for len in 0..bytes.len() {
        let cut = bytes.get(..len).expect("prefix");
        assert!(
            decode_state::<Body>(cut, "fifo", 7).is_err(),
            "prefix of {len} bytes"
        );
    }
}
