//! Type tags: the stable identity of a type on the wire.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// FNV-1a, 64-bit: the stable hash behind every [`TypeTag`]. `const`, so a
/// tag costs nothing at run time.
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The identity of a message type on the wire: the hash of its stable name
/// (for interfaces `"<interface>/Request"` or `"<interface>/Response"`) and
/// the interface version. Two tags denote the same type when the name hash
/// and the major version agree; the minor version is informative (postcard
/// rejects enum variants a receiver does not know).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TypeTag {
    /// [`fnv1a64`] of the type's stable name.
    pub name_hash: u64,
    /// Major version: a different major is a different, incompatible type.
    pub major: u16,
    /// Minor version: additive changes only.
    pub minor: u16,
}

impl TypeTag {
    /// The tag of the type whose stable name is `name`, at `major.minor`.
    pub const fn new(name: &str, major: u16, minor: u16) -> TypeTag {
        TypeTag {
            name_hash: fnv1a64(name.as_bytes()),
            major,
            minor,
        }
    }

    /// True when a value tagged `found` may be decoded as `self`.
    #[inline]
    pub const fn accepts(&self, found: &TypeTag) -> bool {
        self.name_hash == found.name_hash && self.major == found.major
    }
}

impl fmt::Display for TypeTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match crate::interfaces::tag_name(self) {
            Some(name) => write!(f, "{name} v{}.{}", self.major, self.minor),
            None => write!(f, "#{:016x} v{}.{}", self.name_hash, self.major, self.minor),
        }
    }
}

/// A type that may cross an address space: serde-serializable, with a
/// stable [`TypeTag`]. Implement it with [`wire_message!`](crate::wire_message)
/// (or get it from [`define_interface!`](crate::define_interface)).
pub trait WireMessage: Serialize + DeserializeOwned + 'static {
    /// The type's tag, written into every frame that carries it.
    const TAG: TypeTag;
}

/// Tag of `()`, the payload of an empty message.
pub const EMPTY_TAG: TypeTag = TypeTag::new("helix/empty", 1, 0);
/// Tag of an opaque byte string.
pub const BYTES_TAG: TypeTag = TypeTag::new("helix/bytes", 1, 0);
/// Tag of a UTF-8 text.
pub const TEXT_TAG: TypeTag = TypeTag::new("helix/text", 1, 0);

impl WireMessage for () {
    const TAG: TypeTag = EMPTY_TAG;
}
impl WireMessage for Vec<u8> {
    const TAG: TypeTag = BYTES_TAG;
}
impl WireMessage for String {
    const TAG: TypeTag = TEXT_TAG;
}

/// Give a serde type a stable wire identity:
/// `wire_message!(PutRequest, "kv/Put", 1, 0);`
#[macro_export]
macro_rules! wire_message {
    ($ty:ty, $name:expr, $major:expr, $minor:expr) => {
        impl $crate::message::WireMessage for $ty {
            const TAG: $crate::message::TypeTag =
                $crate::message::TypeTag::new($name, $major, $minor);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn major_decides_minor_informs() {
        let v1_0 = TypeTag::new("x/Request", 1, 0);
        assert!(v1_0.accepts(&TypeTag::new("x/Request", 1, 3)));
        assert!(!v1_0.accepts(&TypeTag::new("x/Request", 2, 0)));
        assert!(!v1_0.accepts(&TypeTag::new("y/Request", 1, 0)));
    }
}
