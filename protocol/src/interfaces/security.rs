//! The `security` interface: check, grant, revoke.
#![forbid(unsafe_code)]

use alloc::string::String;
use serde::{Deserialize, Serialize};

use super::define::error_messages;

/// A principal (a module or user) access is decided for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct SubjectId(pub u64);

/// A set of access rights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Access(pub u32);

impl Access {
    /// Read.
    pub const READ: Access = Access(1 << 0);
    /// Write.
    pub const WRITE: Access = Access(1 << 1);
    /// Execute.
    pub const EXECUTE: Access = Access(1 << 2);
    /// Change the policy of the object.
    pub const ADMIN: Access = Access(1 << 3);

    /// Both sets.
    pub const fn union(self, other: Access) -> Access {
        Access(self.0 | other.0)
    }

    /// True when every right in `other` is in `self`.
    pub const fn contains(self, other: Access) -> bool {
        self.0 & other.0 == other.0
    }
}

/// The policy's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum Verdict {
    /// Access allowed.
    Allow,
    /// Access denied.
    Deny,
}

/// Why a security call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum SecError {
    /// The caller may not change this policy.
    PermissionDenied,
    /// No such subject.
    UnknownSubject,
    /// No such object.
    UnknownObject,
    /// The access set has unknown bits.
    InvalidAccess,
}

error_messages!(SecError {
    PermissionDenied => "permission denied",
    UnknownSubject => "unknown subject",
    UnknownObject => "unknown object",
    InvalidAccess => "invalid access rights",
});

crate::define_interface! {
    /// The access-control interface (`"security"` v1.0).
    interface Security {
        name: "security",
        version: (1, 0),
        error: SecError,
        request: SecurityRequest,
        response: SecurityResponse,
        handler: SecurityHandler,
        client: SecurityClient,
        derive_extra: [#[cfg_attr(test, derive(proptest_derive::Arbitrary))]],
        methods {
            /// May `subject` use `object` with `access`?
            fn check(subject: SubjectId, object: String, access: Access) -> Verdict => Check;
            /// Give `subject` `access` to `object`.
            fn grant(subject: SubjectId, object: String, access: Access) -> () => Grant;
            /// Take `access` to `object` away from `subject`.
            fn revoke(subject: SubjectId, object: String, access: Access) -> () => Revoke;
        }
    }
}
