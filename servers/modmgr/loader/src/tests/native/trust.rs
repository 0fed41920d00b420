//! Signature cases: valid, altered image, altered signature, untrusted
//! key, unsigned when forbidden and when allowed, an invalid trusted key.

use alloc::format;

use ed25519_dalek::VerifyingKey;

use super::support::{image_len, lenient, load_checked, resealed, trusting};
use crate::fixtures::native;
use crate::native::{NativeFile, signature_verifies};
use crate::{HelixNativeLoader, KeyFingerprint, LoadError, NativeError, TrustError, TrustPolicy};

fn fingerprint(seed: u8) -> KeyFingerprint {
    KeyFingerprint::of(&native::public_key(seed))
}

#[test]
fn a_valid_signature_by_a_trusted_key_loads_and_names_the_key() {
    let signed = native::signed(5);
    let m = load_checked(&trusting(5), &signed).unwrap();
    assert_eq!(m.record.name, "synthetic");
    let policy = TrustPolicy::new()
        .trust("other", native::public_key(6))
        .trust("release", native::public_key(5));
    let file = NativeFile::parse(&signed).unwrap();
    assert_eq!(policy.check(&file), Ok(Some("release")));
    assert_eq!(signature_verifies(&file), Some(true));
}

#[test]
fn an_altered_image_with_a_fixed_checksum_fails_the_signature() {
    let signed = native::signed(5);
    // A byte of the code segment changed and the checksum recomputed:
    // the framing holds, the signature does not.
    let m = load_checked(&trusting(5), &signed).unwrap();
    let code = m.segments.iter().find(|s| s.rights.execute).unwrap();
    let mut altered = signed.clone();
    altered[code.file_offset] ^= 0x01;
    let altered = resealed(altered);
    assert_eq!(
        load_checked(&trusting(5), &altered),
        Err(LoadError::Trust(TrustError::BadSignature(fingerprint(5))))
    );
    assert_eq!(
        signature_verifies(&NativeFile::parse(&altered).unwrap()),
        Some(false)
    );
    // Without resealing, the checksum catches it first.
    let mut flipped = signed.clone();
    flipped[code.file_offset] ^= 0x01;
    assert!(matches!(
        load_checked(&trusting(5), &flipped),
        Err(LoadError::Native(NativeError::ChecksumMismatch { .. }))
    ));
}

#[test]
fn a_flipped_signature_byte_fails_the_signature() {
    let signed = native::signed(5);
    for at in [image_len() + 40, image_len() + 70, signed.len() - 1] {
        let mut flipped = signed.clone();
        flipped[at] ^= 0x80;
        assert_eq!(
            load_checked(&trusting(5), &flipped),
            Err(LoadError::Trust(TrustError::BadSignature(fingerprint(5)))),
            "byte {at:#x}"
        );
    }
}

#[test]
fn a_signature_by_an_untrusted_key_is_refused_with_its_fingerprint() {
    let signed = native::signed(7);
    let e = load_checked(&trusting(5), &signed).unwrap_err();
    assert_eq!(
        e,
        LoadError::Trust(TrustError::UntrustedKey(fingerprint(7)))
    );
    let text = format!("{e}");
    let hex: alloc::string::String = native::public_key(7)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(text.contains(&hex), "{text}");
    assert!(text.contains("does not trust"), "{text}");
    // Allowing unsigned modules does not make an unknown signer acceptable.
    assert_eq!(
        load_checked(&lenient(), &signed),
        Err(LoadError::Trust(TrustError::UntrustedKey(fingerprint(7))))
    );
}

#[test]
fn unsigned_is_refused_when_forbidden_and_loads_when_allowed() {
    let unsigned = native::valid();
    let e = load_checked(&trusting(5), &unsigned).unwrap_err();
    assert_eq!(e, LoadError::Trust(TrustError::Unsigned));
    assert!(format!("{e}").contains("unsigned"));
    assert_eq!(
        HelixNativeLoader::new(TrustPolicy::new()).parse(&unsigned),
        Err(LoadError::Trust(TrustError::Unsigned))
    );
    let m = load_checked(&lenient(), &unsigned).unwrap();
    assert_eq!(m.record.name, "synthetic");
    let allowing_and_trusting = HelixNativeLoader::new(TrustPolicy {
        allow_unsigned: true,
        ..TrustPolicy::new().trust("r", native::public_key(5))
    });
    assert!(allowing_and_trusting.parse(&unsigned).is_ok());
    assert!(allowing_and_trusting.parse(&native::signed(5)).is_ok());
    assert!(signature_verifies(&NativeFile::parse(&unsigned).unwrap()).is_none());
}

#[test]
fn a_stripped_signature_makes_the_file_unsigned() {
    let signed = native::signed(5);
    let stripped = &signed[..image_len()];
    assert_eq!(
        load_checked(&trusting(5), stripped),
        Err(LoadError::Trust(TrustError::Unsigned))
    );
}

#[test]
fn a_trusted_key_that_is_no_curve_point_is_reported() {
    let bad = (0..=255u8)
        .map(|b| {
            let mut k = [b; 32];
            k[31] &= 0x7f;
            k
        })
        .find(|k| VerifyingKey::from_bytes(k).is_err())
        .expect("some constant key is not a point");
    let mut signed = native::signed(5);
    let at = image_len() + 8;
    signed[at..at + 32].copy_from_slice(&bad);
    let loader = HelixNativeLoader::new(TrustPolicy::new().trust("broken", bad));
    assert_eq!(
        load_checked(&loader, &signed),
        Err(LoadError::Trust(TrustError::InvalidKey(
            KeyFingerprint::of(&bad)
        )))
    );
}
