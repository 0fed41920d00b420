//! The malformed-file corpus on a signed HelixNative file: truncated at
//! every offset, every byte flipped (each with its exact refusal), random
//! corruption, and random corruption behind a recomputed checksum (which
//! reaches the content checks). Nothing panics, every refusal is one line,
//! and whatever loads keeps the loader's invariants.

use alloc::vec::Vec;

use proptest::prelude::*;

use super::support::{image_len, lenient, load_checked, resealed, trusting};
use crate::fixtures::native;
use crate::native::{NativeError, SIGNATURE_BLOCK_LEN};
use crate::{KeyFingerprint, LoadError, TrustError};

/// What loading the signed fixture cut to `cut` bytes must say.
fn truncation_error(cut: usize) -> LoadError {
    let image = image_len();
    let e = if cut < 4 {
        NativeError::NotHelixNative
    } else if cut < 32 {
        NativeError::TruncatedHeader { len: cut }
    } else if cut < image {
        NativeError::Truncated {
            needed: image,
            len: cut,
        }
    } else if cut == image {
        return LoadError::Trust(TrustError::Unsigned);
    } else {
        NativeError::BadTrailer { len: cut - image }
    };
    LoadError::Native(e)
}

#[test]
fn every_truncation_is_refused_with_the_expected_error() {
    let data = native::signed(5);
    assert_eq!(data.len(), image_len() + SIGNATURE_BLOCK_LEN);
    let loader = trusting(5);
    for cut in 0..data.len() {
        assert_eq!(
            load_checked(&loader, &data[..cut]),
            Err(truncation_error(cut)),
            "cut at {cut:#x}"
        );
    }
    load_checked(&loader, &data).unwrap();
    // Unsigned and allowed: every cut short of the whole file is refused.
    let unsigned = native::valid();
    for cut in 0..unsigned.len() {
        assert!(
            load_checked(&lenient(), &unsigned[..cut]).is_err(),
            "cut at {cut:#x}"
        );
    }
}

/// What flipping (xor 0xff) byte `at` of the signed fixture must give.
fn flip_error(at: usize, flipped: u8) -> Option<LoadError> {
    let image = image_len();
    let native = |e| Some(LoadError::Native(e));
    let mut valid = native::signed(5);
    valid[at] = flipped;
    match at {
        0..4 => native(NativeError::NotHelixNative),
        4..6 => native(NativeError::UnsupportedVersion(u16::from_le_bytes([
            valid[4], valid[5],
        ]))),
        6..8 => native(NativeError::BadHeaderLength(u16::from_le_bytes([
            valid[6], valid[7],
        ]))),
        // The image length: refused, how depends on where it now points.
        8..12 => None,
        _ if at < image => None, // a checksum mismatch, checked below
        _ if at < image + 4 => native(NativeError::BadSignatureMagic),
        _ if at == image + 4 => native(NativeError::UnknownSignatureAlgorithm(flipped)),
        _ if at < image + 8 => native(NativeError::ReservedNotZero { offset: at }),
        _ if at < image + 40 => {
            let mut key = [0; 32];
            key.copy_from_slice(&valid[image + 8..image + 40]);
            Some(LoadError::Trust(TrustError::UntrustedKey(
                KeyFingerprint::of(&key),
            )))
        }
        _ => Some(LoadError::Trust(TrustError::BadSignature(
            KeyFingerprint::of(&native::public_key(5)),
        ))),
    }
}

#[test]
fn every_byte_flipped_is_refused_with_the_expected_error() {
    let valid = native::signed(5);
    let loader = trusting(5);
    let image = image_len();
    let mut data = valid.clone();
    for at in 0..data.len() {
        data[at] ^= 0xff;
        let result = load_checked(&loader, &data);
        match flip_error(at, data[at]) {
            Some(expected) => assert_eq!(result, Err(expected), "byte {at:#x}"),
            None if (12..image).contains(&at) => assert!(
                matches!(
                    result,
                    Err(LoadError::Native(NativeError::ChecksumMismatch { .. }))
                ),
                "byte {at:#x}: {result:?}"
            ),
            None => assert!(
                matches!(result, Err(LoadError::Native(_))),
                "byte {at:#x}: {result:?}"
            ),
        }
        data[at] ^= 0xff;
    }
    assert_eq!(data, valid);
}

/// A corruption: bytes at offsets replaced.
fn corruption(len: usize) -> impl Strategy<Value = Vec<(usize, u8)>> {
    proptest::collection::vec((0..len, any::<u8>()), 1..16)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Random bytes replaced and the file cut: never a panic, and with
    /// the checksum untouched nothing altered loads.
    #[test]
    fn random_corruption_is_refused(
        writes in corruption(native::signed(5).len()),
        cut in 0..=native::signed(5).len(),
    ) {
        let valid = native::signed(5);
        let mut data = valid.clone();
        for (at, value) in writes {
            data[at] = value;
        }
        data.truncate(cut);
        let result = load_checked(&trusting(5), &data);
        if data != valid {
            prop_assert!(result.is_err(), "altered file loaded");
        }
    }

    /// Random corruption of the image behind a recomputed checksum (an
    /// unsigned file, unsigned allowed): the content checks see it. Never
    /// a panic; anything accepted keeps the invariants (`load_checked`).
    #[test]
    fn random_corruption_behind_a_valid_checksum_never_panics(
        writes in corruption(image_len() - 4),
    ) {
        let mut data = native::valid();
        for (at, value) in writes {
            // Keep the framing fields, so the checksum lands where it is.
            if at >= 12 {
                data[at] = value;
            }
        }
        let data = resealed(data);
        // Whatever the content says, the framing holds, so any refusal
        // comes from the content checks.
        let result = load_checked(&lenient(), &data);
        prop_assert!(
            !matches!(result, Err(LoadError::Native(NativeError::ChecksumMismatch { .. }))),
            "resealed file fails its checksum"
        );
    }
}
