//! Every request and response of every interface survives the wire; wrong
//! types, truncation and garbage are rejected.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use proptest::prelude::*;

use super::allocator::*;
use super::block_device::*;
use super::filesystem::*;
use super::network::*;
use super::scheduler::*;
use super::security::*;
use super::{Interface, tag_name};
use crate::message::frame::{Frame, HEADER_LEN, decode_frame, encode_frame, encode_raw_frame};
use crate::message::{DecodeError, MessageType, WireMessage};

fn s(text: &str) -> String {
    String::from(text)
}

/// Round-trip `value` through a frame, then check that every strict prefix
/// of the frame and of the payload is rejected.
fn check_value<T: WireMessage + PartialEq + core::fmt::Debug>(kind: MessageType, value: &T) {
    let mut frame = Vec::new();
    encode_frame(kind, value, &mut frame).unwrap();
    assert_eq!(decode_frame::<T>(kind, &frame).as_ref(), Ok(value));
    for cut in 0..frame.len() {
        assert!(
            Frame::parse(&frame[..cut]).is_err(),
            "frame prefix {cut} of {value:?}"
        );
    }
    let payload = &frame[HEADER_LEN..];
    let mut short = Vec::new();
    for cut in 0..payload.len() {
        encode_raw_frame(kind, T::TAG, &payload[..cut], &mut short).unwrap();
        assert!(
            decode_frame::<T>(kind, &short).is_err(),
            "payload prefix {cut} of {value:?}"
        );
    }
}

/// Every sample round-trips, and together they cover every method.
fn check_interface<I: Interface>(requests: &[I::Request], responses: &[I::Response]) {
    for r in requests {
        check_value(MessageType::Request, r);
    }
    for r in responses {
        check_value(MessageType::Response, r);
    }
    let called: Vec<&str> = requests.iter().map(I::request_method).collect();
    let answered: Vec<&str> = responses.iter().map(I::response_method).collect();
    for m in I::METHODS {
        assert!(called.contains(m), "{}: no request sample for {m}", I::NAME);
        assert!(
            answered.contains(m),
            "{}: no response sample for {m}",
            I::NAME
        );
    }
    assert_eq!(tag_name(&I::Request::TAG), Some(I::REQUEST_TYPE));
    assert_eq!(tag_name(&I::Response::TAG), Some(I::RESPONSE_TYPE));
}

#[test]
fn scheduler_samples() {
    use SchedulerRequest as Q;
    use SchedulerResponse as A;
    let t = ThreadId(u64::MAX);
    check_interface::<Scheduler>(
        &[
            Q::AddThread {
                thread: t,
                priority: 255,
                cpu: Some(3),
            },
            Q::AddThread {
                thread: ThreadId(0),
                priority: 0,
                cpu: None,
            },
            Q::Remove { thread: t },
            Q::Next { cpu: 1 },
            Q::Yield { thread: t },
            Q::Tick {
                cpu: 0,
                now_ns: 1 << 40,
            },
        ],
        &[
            A::AddThread(Ok(())),
            A::AddThread(Err(SchedError::AlreadyQueued)),
            A::Remove(Err(SchedError::UnknownThread)),
            A::Next(Ok(Some(Decision {
                thread: t,
                quantum_ns: 10_000_000,
            }))),
            A::Next(Ok(None)),
            A::Yield(Ok(())),
            A::Tick(Ok(TickOutcome::Preempt)),
            A::Tick(Err(SchedError::InvalidCpu)),
        ],
    );
}

#[test]
fn allocator_samples() {
    use AllocatorRequest as Q;
    use AllocatorResponse as A;
    check_interface::<Allocator>(
        &[
            Q::Alloc {
                size: 4096,
                align: 4096,
            },
            Q::Dealloc {
                addr: 0xffff_8000_0000_0000,
                size: 16,
                align: 8,
            },
            Q::Realloc {
                addr: 0x1000,
                old_size: 16,
                align: 8,
                new_size: 1 << 20,
            },
            Q::Stats {},
        ],
        &[
            A::Alloc(Ok(Allocation {
                addr: 0x1000,
                size: 4096,
            })),
            A::Alloc(Err(AllocError::OutOfMemory)),
            A::Dealloc(Err(AllocError::UnknownAllocation)),
            A::Realloc(Ok(Allocation {
                addr: 0x2000,
                size: 1 << 20,
            })),
            A::Stats(Ok(AllocStats {
                total_bytes: 1 << 30,
                used_bytes: 12,
                allocations: 3,
                failures: 1,
            })),
        ],
    );
}

#[test]
fn filesystem_samples() {
    use FilesystemRequest as Q;
    use FilesystemResponse as A;
    check_interface::<Filesystem>(
        &[
            Q::Open {
                path: s("/etc/motd"),
                mode: OpenMode::READ,
            },
            Q::Open {
                path: s("/tmp/ünïcode"),
                mode: OpenMode::CREATE,
            },
            Q::Close { fd: Fd(3) },
            Q::Read {
                fd: Fd(3),
                len: 4096,
            },
            Q::Write {
                fd: Fd(4),
                data: vec![0, 1, 2, 255],
            },
            Q::Write {
                fd: Fd(4),
                data: vec![],
            },
            Q::Stat { path: s("/") },
        ],
        &[
            A::Open(Ok(Fd(3))),
            A::Open(Err(FsError::NotFound)),
            A::Close(Err(FsError::BadFd)),
            A::Read(Ok(vec![7; 300])),
            A::Write(Ok(4)),
            A::Stat(Ok(FileStat {
                size: 0,
                kind: FileKind::Directory,
                modified_ns: 99,
            })),
        ],
    );
}

#[test]
fn block_device_samples() {
    use BlockDeviceRequest as Q;
    use BlockDeviceResponse as A;
    check_interface::<BlockDevice>(
        &[
            Q::ReadBlock { lba: 0 },
            Q::WriteBlock {
                lba: u64::MAX,
                data: vec![0xaa; 512],
            },
            Q::Flush {},
        ],
        &[
            A::ReadBlock(Ok(vec![0x55; 512])),
            A::WriteBlock(Err(BlockError::ReadOnly)),
            A::Flush(Ok(())),
            A::Flush(Err(BlockError::Io)),
        ],
    );
}

#[test]
fn network_samples() {
    use NetworkRequest as Q;
    use NetworkResponse as A;
    check_interface::<Network>(
        &[
            Q::Send {
                socket: SocketId(1),
                data: b"GET / HTTP/1.0\r\n\r\n".to_vec(),
            },
            Q::Recv {
                socket: SocketId(1),
                max_len: 1500,
            },
            Q::Bind {
                addr: SocketAddr {
                    ip: [10, 0, 2, 15],
                    port: 8080,
                },
                protocol: Protocol::Tcp,
            },
            Q::Listen {
                socket: SocketId(2),
                backlog: 16,
            },
        ],
        &[
            A::Send(Ok(18)),
            A::Recv(Err(NetError::WouldBlock)),
            A::Bind(Ok(SocketId(2))),
            A::Listen(Err(NetError::BadSocket)),
        ],
    );
}

#[test]
fn security_samples() {
    use SecurityRequest as Q;
    use SecurityResponse as A;
    let rw = Access::READ.union(Access::WRITE);
    check_interface::<Security>(
        &[
            Q::Check {
                subject: SubjectId(7),
                object: s("filesystem"),
                access: rw,
            },
            Q::Grant {
                subject: SubjectId(7),
                object: s("block_device"),
                access: Access::ADMIN,
            },
            Q::Revoke {
                subject: SubjectId(0),
                object: s(""),
                access: Access::EXECUTE,
            },
        ],
        &[
            A::Check(Ok(Verdict::Allow)),
            A::Check(Ok(Verdict::Deny)),
            A::Grant(Err(SecError::PermissionDenied)),
            A::Revoke(Ok(())),
        ],
    );
    assert!(rw.contains(Access::READ) && !rw.contains(Access::ADMIN));
}

#[test]
fn tags_are_distinct() {
    let tags = [
        SchedulerRequest::TAG,
        SchedulerResponse::TAG,
        AllocatorRequest::TAG,
        AllocatorResponse::TAG,
        FilesystemRequest::TAG,
        FilesystemResponse::TAG,
        BlockDeviceRequest::TAG,
        BlockDeviceResponse::TAG,
        NetworkRequest::TAG,
        NetworkResponse::TAG,
        SecurityRequest::TAG,
        SecurityResponse::TAG,
    ];
    for (i, a) in tags.iter().enumerate() {
        for b in &tags[i + 1..] {
            assert_ne!(a.name_hash, b.name_hash);
        }
    }
}

#[test]
fn decoding_into_the_wrong_type_is_an_error() {
    let mut frame = Vec::new();
    encode_frame(
        MessageType::Request,
        &FilesystemRequest::Close { fd: Fd(1) },
        &mut frame,
    )
    .unwrap();
    // Another interface's request, and this interface's response.
    assert_eq!(
        decode_frame::<BlockDeviceRequest>(MessageType::Request, &frame),
        Err(DecodeError::WrongType {
            expected: BlockDeviceRequest::TAG,
            found: FilesystemRequest::TAG
        })
    );
    let err = decode_frame::<FilesystemResponse>(MessageType::Request, &frame).unwrap_err();
    assert_eq!(
        format!("{err}"),
        "wrong type: expected filesystem/Response v1.0, found filesystem/Request v1.0"
    );
    // A different major version of the same interface.
    let v2 = crate::message::TypeTag::new("filesystem/Request", 2, 0);
    frame[12..14].copy_from_slice(&v2.major.to_le_bytes());
    assert!(matches!(
        decode_frame::<FilesystemRequest>(MessageType::Request, &frame),
        Err(DecodeError::WrongType { .. })
    ));
}

fn prop_round_trip<T: WireMessage + PartialEq + core::fmt::Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let mut frame = Vec::new();
    encode_frame(MessageType::Response, value, &mut frame).unwrap();
    let back = decode_frame::<T>(MessageType::Response, &frame);
    prop_assert_eq!(back.as_ref(), Ok(value));
    Ok(())
}

macro_rules! round_trip_properties {
    ($( $name:ident: $ty:ty ),+ $(,)?) => {
        proptest! {
            $(
                #[test]
                fn $name(value in any::<$ty>()) {
                    prop_round_trip(&value)?;
                }
            )+
        }
    };
}

round_trip_properties! {
    prop_scheduler_request: SchedulerRequest,
    prop_scheduler_response: SchedulerResponse,
    prop_allocator_request: AllocatorRequest,
    prop_allocator_response: AllocatorResponse,
    prop_filesystem_request: FilesystemRequest,
    prop_filesystem_response: FilesystemResponse,
    prop_block_device_request: BlockDeviceRequest,
    prop_block_device_response: BlockDeviceResponse,
    prop_network_request: NetworkRequest,
    prop_network_response: NetworkResponse,
    prop_security_request: SecurityRequest,
    prop_security_response: SecurityResponse,
}

proptest! {
    /// Arbitrary bytes never panic, and are never taken for a frame unless
    /// they carry the magic, version and an exact length.
    #[test]
    fn prop_garbage_is_rejected(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let parsed = Frame::parse(&bytes);
        if bytes.len() < HEADER_LEN || bytes[0..2] != *b"HX" || bytes[2] != 1 {
            prop_assert!(parsed.is_err());
        }
        let _ = decode_frame::<FilesystemRequest>(MessageType::Request, &bytes);
    }

    /// A valid header over an arbitrary payload: decoding returns (never
    /// panics), and whatever decodes re-encodes to the same bytes.
    #[test]
    fn prop_arbitrary_payload_is_decoded_or_rejected(payload in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut frame = Vec::new();
        encode_raw_frame(MessageType::Request, FilesystemRequest::TAG, &payload, &mut frame).unwrap();
        if let Ok(value) = decode_frame::<FilesystemRequest>(MessageType::Request, &frame) {
            let mut again = Vec::new();
            encode_frame(MessageType::Request, &value, &mut again).unwrap();
            prop_assert_eq!(&again[HEADER_LEN..], &payload[..]);
        }
    }

    /// A request of one interface is never accepted as another's.
    #[test]
    fn prop_wrong_interface_is_wrong_type(value in any::<NetworkRequest>()) {
        let mut frame = Vec::new();
        encode_frame(MessageType::Request, &value, &mut frame).unwrap();
        let wrong = DecodeError::WrongType { expected: SecurityRequest::TAG, found: NetworkRequest::TAG };
        prop_assert_eq!(decode_frame::<SecurityRequest>(MessageType::Request, &frame), Err(wrong));
    }
}
