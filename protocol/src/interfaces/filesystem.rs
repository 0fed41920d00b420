//! The `filesystem` interface: open, close, read, write, stat.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::define::error_messages;

/// An open file, as numbered by the filesystem server for this client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Fd(pub u32);

/// How to open a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct OpenMode {
    /// Reads allowed.
    pub read: bool,
    /// Writes allowed.
    pub write: bool,
    /// Create the file if it does not exist.
    pub create: bool,
    /// Empty the file on open.
    pub truncate: bool,
}

impl OpenMode {
    /// Read an existing file.
    pub const READ: OpenMode = OpenMode {
        read: true,
        write: false,
        create: false,
        truncate: false,
    };
    /// Create or replace a file for writing.
    pub const CREATE: OpenMode = OpenMode {
        read: false,
        write: true,
        create: true,
        truncate: true,
    };
}

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
}

/// File attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct FileStat {
    /// Size in bytes.
    pub size: u64,
    /// File or directory.
    pub kind: FileKind,
    /// Last modification, nanoseconds since boot.
    pub modified_ns: u64,
}

/// Why a filesystem call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum FsError {
    /// No such file or directory.
    NotFound,
    /// The descriptor is not open.
    BadFd,
    /// The caller may not do this.
    PermissionDenied,
    /// The file exists already.
    AlreadyExists,
    /// The path is a directory.
    IsDirectory,
    /// A path component is not a directory.
    NotDirectory,
    /// The device is full.
    NoSpace,
    /// The path is malformed.
    InvalidPath,
    /// The block device failed.
    Io,
}

error_messages!(FsError {
    NotFound => "no such file or directory",
    BadFd => "bad file descriptor",
    PermissionDenied => "permission denied",
    AlreadyExists => "file exists",
    IsDirectory => "is a directory",
    NotDirectory => "not a directory",
    NoSpace => "no space left on device",
    InvalidPath => "invalid path",
    Io => "I/O error",
});

crate::define_interface! {
    /// The filesystem interface (`"filesystem"` v1.0).
    interface Filesystem {
        name: "filesystem",
        version: (1, 0),
        error: FsError,
        request: FilesystemRequest,
        response: FilesystemResponse,
        handler: FilesystemHandler,
        client: FilesystemClient,
        derive_extra: [#[cfg_attr(test, derive(proptest_derive::Arbitrary))]],
        methods {
            /// Open `path`; the descriptor is private to the caller.
            fn open(path: String, mode: OpenMode) -> Fd => Open;
            /// Close a descriptor.
            fn close(fd: Fd) -> () => Close;
            /// Read up to `len` bytes at the descriptor's position (empty at end of file).
            fn read(fd: Fd, len: u32) -> Vec<u8> => Read;
            /// Write `data` at the descriptor's position; returns the bytes written.
            fn write(fd: Fd, data: Vec<u8>) -> u32 => Write;
            /// Attributes of `path`.
            fn stat(path: String) -> FileStat => Stat;
        }
    }
}
