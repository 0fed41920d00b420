//! Server core: typed clients over loopback, the hot-reload control
//! protocol, and the server loop.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::client::{CallError, ControlClient, Transport, TransportError};
use crate::interfaces::filesystem::*;
use crate::message::{DecodeError, MessageType, encode_frame};
use crate::prelude_for_tests::*;

/// An in-memory filesystem: a v1 module whose messages go to its handler.
#[derive(Default)]
struct MemFs {
    files: BTreeMap<String, Vec<u8>>,
    open: BTreeMap<u32, (String, usize)>,
    next_fd: u32,
    running: bool,
    cleaned: bool,
    meta: Option<ModuleMetadata>,
}

impl FilesystemHandler for MemFs {
    fn open(&mut self, path: String, mode: OpenMode) -> Result<Fd, FsError> {
        if !path.starts_with('/') {
            return Err(FsError::InvalidPath);
        }
        if mode.create && (mode.truncate || !self.files.contains_key(&path)) {
            self.files.insert(path.clone(), Vec::new());
        } else if !self.files.contains_key(&path) {
            return Err(FsError::NotFound);
        }
        self.next_fd += 1;
        self.open.insert(self.next_fd, (path, 0));
        Ok(Fd(self.next_fd))
    }
    fn close(&mut self, fd: Fd) -> Result<(), FsError> {
        self.open.remove(&fd.0).map(|_| ()).ok_or(FsError::BadFd)
    }
    fn read(&mut self, fd: Fd, len: u32) -> Result<Vec<u8>, FsError> {
        let (path, pos) = self.open.get_mut(&fd.0).ok_or(FsError::BadFd)?;
        let data = &self.files[path.as_str()];
        let end = data.len().min(*pos + len as usize);
        let out = data[*pos..end].to_vec();
        *pos = end;
        Ok(out)
    }
    fn write(&mut self, fd: Fd, data: Vec<u8>) -> Result<u32, FsError> {
        let (path, pos) = self.open.get_mut(&fd.0).ok_or(FsError::BadFd)?;
        let file = self.files.get_mut(path.as_str()).ok_or(FsError::NotFound)?;
        file.truncate(*pos);
        file.extend_from_slice(&data);
        *pos += data.len();
        Ok(data.len() as u32)
    }
    fn stat(&mut self, path: String) -> Result<FileStat, FsError> {
        let data = self.files.get(&path).ok_or(FsError::NotFound)?;
        Ok(FileStat {
            size: data.len() as u64,
            kind: FileKind::File,
            modified_ns: 0,
        })
    }
}

impl Module for MemFs {
    fn metadata(&self) -> &ModuleMetadata {
        self.meta.as_ref().expect("set by new()")
    }
    fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> {
        Ok(())
    }
    fn start(&mut self) -> Result<(), ModuleError> {
        self.running = true;
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ModuleError> {
        self.running = false;
        Ok(())
    }
    fn cleanup(&mut self) -> Result<(), ModuleError> {
        self.cleaned = true;
        Ok(())
    }
    fn is_healthy(&self) -> bool {
        self.running
    }
    fn get_state(&self) -> Option<ModuleState> {
        ModuleState::encode(1, &self.files).ok()
    }
    fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
        self.files = state.decode(1)?;
        Ok(())
    }
    fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
        serve_message::<Filesystem, _>(self, msg)
    }
}

fn memfs() -> MemFs {
    let meta = ModuleMetadata {
        name: "memfs",
        version: "1.0.0",
        author: "",
        description: "",
        flags: ModuleFlags::FILESYSTEM,
        dependencies: Vec::new(),
        abi_version: AbiVersion::CURRENT,
    };
    let mut fs = MemFs {
        meta: Some(meta),
        ..MemFs::default()
    };
    fs.init(&ModuleContext::new(1)).unwrap();
    fs.start().unwrap();
    fs
}

#[test]
fn typed_filesystem_client_over_loopback() {
    let mut core = ServerCore::new(memfs());
    let mut fs = FilesystemClient::new(&mut core);
    let fd = fs
        .open(String::from("/hello.txt"), OpenMode::CREATE)
        .unwrap();
    assert_eq!(fs.write(fd, b"hello, world".to_vec()), Ok(12));
    fs.close(fd).unwrap();
    assert_eq!(fs.close(fd), Err(CallError::Remote(FsError::BadFd)));
    let fd = fs.open(String::from("/hello.txt"), OpenMode::READ).unwrap();
    assert_eq!(fs.read(fd, 5).unwrap(), b"hello");
    assert_eq!(fs.read(fd, 100).unwrap(), b", world");
    assert_eq!(fs.read(fd, 100).unwrap(), b"");
    assert_eq!(fs.stat(String::from("/hello.txt")).unwrap().size, 12);
    assert_eq!(
        fs.open(String::from("/nope"), OpenMode::READ),
        Err(CallError::Remote(FsError::NotFound))
    );
    assert_eq!(
        fs.open(String::from("rel"), OpenMode::READ),
        Err(CallError::Remote(FsError::InvalidPath))
    );
    drop(fs);
    assert_eq!(core.served(), 11);
}

#[test]
fn in_process_interface_server() {
    let mut server = InterfaceServer::<Filesystem, _>::new(memfs());
    assert_eq!(
        crate::message::ModuleInterface::interface_name(&server),
        "filesystem"
    );
    let msg = ModuleMessage::typed(
        MessageType::Request,
        FilesystemRequest::Stat {
            path: String::from("/x"),
        },
    );
    let reply = crate::message::ModuleInterface::handle_message(&mut server, msg).unwrap();
    assert_eq!(
        reply.payload.into_value::<FilesystemResponse>(),
        Ok(FilesystemResponse::Stat(Err(FsError::NotFound)))
    );
    assert_eq!(server.handler().next_fd, 0);
}

#[test]
fn bad_frames_get_error_frames() {
    let mut core = ServerCore::new(memfs());
    let reply = core.handle_frame(b"garbage!");
    let err = crate::message::decode_frame::<ServerError>(MessageType::Error, &reply).unwrap();
    assert!(matches!(
        err,
        ServerError::Decode(DecodeError::Truncated { .. })
    ));
    // A frame of a type the module does not serve.
    let mut frame = Vec::new();
    encode_frame(MessageType::Request, &String::from("hi"), &mut frame).unwrap();
    let err =
        crate::message::decode_frame::<ServerError>(MessageType::Error, &core.handle_frame(&frame))
            .unwrap();
    assert!(matches!(
        err,
        ServerError::Module(ModuleError::Decode(DecodeError::WrongType { .. }))
    ));
    // A response sent to a server.
    encode_frame(MessageType::Response, &(), &mut frame).unwrap();
    let err =
        crate::message::decode_frame::<ServerError>(MessageType::Error, &core.handle_frame(&frame))
            .unwrap();
    assert!(matches!(
        err,
        ServerError::Decode(DecodeError::UnexpectedKind { .. })
    ));
    // Notifications are one-way.
    let req = FilesystemRequest::Open {
        path: String::from("/n"),
        mode: OpenMode::CREATE,
    };
    encode_frame(MessageType::Notification, &req, &mut frame).unwrap();
    assert!(core.handle_frame(&frame).is_empty());
    assert!(core.module().files.contains_key("/n"));
}

#[test]
fn control_frames_only_on_the_manager_path() {
    let mut core = ServerCore::new(memfs());
    let err = ControlClient::new(&mut core).quiesce().unwrap_err();
    assert_eq!(err, CallError::Server(ServerError::NotPermitted));
    assert_eq!(core.mode(), ServerMode::Serving);
}

#[test]
fn loopbacks_take_the_path_they_name() {
    let mut core = ServerCore::new(memfs());
    let refused = ControlClient::new(Loopback::client(&mut core)).ping();
    assert_eq!(refused, Err(CallError::Server(ServerError::NotPermitted)));
    assert_eq!(
        ControlClient::new(Loopback::control(&mut core)).ping(),
        Ok(0)
    );
    // Requests are served on both paths.
    let mut fs = FilesystemClient::new(Loopback::client(&mut core));
    assert_eq!(
        fs.stat(String::from("/none")),
        Err(CallError::Remote(FsError::NotFound))
    );
    let mut fs = FilesystemClient::new(Loopback::control(&mut core));
    assert_eq!(
        fs.stat(String::from("/none")),
        Err(CallError::Remote(FsError::NotFound))
    );
    assert_eq!(core.served(), 2);
}

#[test]
fn shared_loopbacks_reach_one_server_from_a_static_transport() {
    fn owned_and_thread_safe<T: Transport + Send + Sync + 'static>(t: T) -> T {
        t
    }
    let core = SharedLoopback::share(ServerCore::new(memfs()));
    let client = owned_and_thread_safe(SharedLoopback::client(&core));
    let manager = owned_and_thread_safe(SharedLoopback::control(&core));
    assert_eq!(
        (client.origin(), manager.origin()),
        (Origin::Client, Origin::Manager)
    );
    let mut fs = FilesystemClient::new(client.clone());
    fs.open(String::from("/a"), OpenMode::CREATE).unwrap();
    let mut ctl = ControlClient::new(manager);
    assert_eq!(ctl.ping(), Ok(1), "the manager sees the client's request");
    assert_eq!(
        ControlClient::new(client).quiesce(),
        Err(CallError::Server(ServerError::NotPermitted))
    );
    ctl.quiesce().unwrap();
    assert_eq!(core.lock().mode(), ServerMode::Quiesced);
}

#[test]
fn hot_reload_protocol() {
    let mut old = ServerCore::new(memfs());
    FilesystemClient::new(&mut old)
        .open(String::from("/keep"), OpenMode::CREATE)
        .unwrap();
    let mut ctl = ControlClient::new(Loopback::control(&mut old));
    assert_eq!(ctl.ping(), Ok(1));
    assert_eq!(ctl.health(), Ok(true));
    assert!(ctl.get_state().unwrap().is_some(), "snapshot while serving");
    assert_eq!(
        ctl.save_state(),
        Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Serving
        ))),
        "final state only when quiesced"
    );
    ctl.quiesce().unwrap();
    ctl.quiesce().unwrap(); // idempotent
    assert_eq!(ctl.health(), Ok(false), "module was stopped");
    let state = ctl.save_state().unwrap().unwrap();
    drop(ctl);
    assert_eq!(old.mode(), ServerMode::Quiesced);
    assert!(!old.accepts_clients());
    let refused = FilesystemClient::new(&mut old).stat(String::from("/keep"));
    assert_eq!(
        refused,
        Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Quiesced
        )))
    );

    // The new instance takes the state before serving anyone.
    let mut new = ServerCore::new(memfs());
    ControlClient::new(Loopback::control(&mut new))
        .restore_state(state.clone())
        .unwrap();
    assert_eq!(
        FilesystemClient::new(&mut new)
            .stat(String::from("/keep"))
            .unwrap()
            .size,
        0
    );
    // Once it has served, state can only be restored after a quiesce.
    let late = ControlClient::new(Loopback::control(&mut new)).restore_state(state.clone());
    assert_eq!(
        late,
        Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Serving
        )))
    );
    // Bad state is the module's error, reported as such.
    let mut ctl = ControlClient::new(Loopback::control(&mut new));
    ctl.quiesce().unwrap();
    let bad = ctl.restore_state(ModuleState::new(9, vec![]));
    assert_eq!(
        bad,
        Err(CallError::Server(ServerError::Module(
            ModuleError::StateCorrupt
        )))
    );

    // Rollback path: the old server resumes.
    let mut ctl = ControlClient::new(Loopback::control(&mut old));
    ctl.resume().unwrap();
    assert_eq!(
        ctl.resume(),
        Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Serving
        )))
    );
    ctl.shutdown().unwrap();
    assert_eq!(
        ctl.ping(),
        Err(CallError::Server(ServerError::WrongMode(
            ServerMode::Stopped
        )))
    );
    drop(ctl);
    assert!(old.module().cleaned && !old.module().running);
}

/// Frames scripted in, replies recorded.
struct Script {
    incoming: VecDeque<(Origin, Vec<u8>)>,
    replies: Vec<Vec<u8>>,
    accepting: Vec<bool>,
}

impl Script {
    fn next(&mut self, frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        let (origin, bytes) = self
            .incoming
            .pop_front()
            .ok_or(TransportError::Disconnected)?;
        *frame = bytes;
        Ok(origin)
    }
}

impl ServerChannel for Script {
    fn recv(&mut self, frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        self.next(frame)
    }
    fn reply_recv(&mut self, reply: &[u8], frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        self.replies.push(reply.to_vec());
        self.next(frame)
    }
    fn reply(&mut self, reply: &[u8]) -> Result<(), TransportError> {
        self.replies.push(reply.to_vec());
        Ok(())
    }
    fn set_accepting_clients(&mut self, accepting: bool) {
        self.accepting.push(accepting);
    }
}

fn frame_of<T: WireMessage>(kind: MessageType, value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    encode_frame(kind, value, &mut out).unwrap();
    out
}

#[test]
fn server_loop_runs_until_shutdown() {
    let open = FilesystemRequest::Open {
        path: String::from("/a"),
        mode: OpenMode::CREATE,
    };
    let mut script = Script {
        incoming: VecDeque::from([
            (Origin::Client, frame_of(MessageType::Request, &open)),
            (
                Origin::Client,
                frame_of(
                    MessageType::Notification,
                    &FilesystemRequest::Close { fd: Fd(1) },
                ),
            ),
            (
                Origin::Client,
                frame_of(MessageType::Control, &ControlRequest::Shutdown),
            ),
            (
                Origin::Manager,
                frame_of(MessageType::Control, &ControlRequest::Quiesce),
            ),
            (
                Origin::Manager,
                frame_of(MessageType::Control, &ControlRequest::Shutdown),
            ),
            (Origin::Client, frame_of(MessageType::Request, &open)), // never read
        ]),
        replies: Vec::new(),
        accepting: Vec::new(),
    };
    let mut core = ServerCore::new(memfs());
    assert_eq!(serve_loop(&mut core, &mut script), LoopExit::Shutdown);
    // open answered; the notification got no reply; the client's control
    // frame was refused; quiesce and shutdown answered.
    assert_eq!(script.replies.len(), 4);
    let opened = crate::message::decode_frame::<FilesystemResponse>(
        MessageType::Response,
        &script.replies[0],
    );
    assert_eq!(opened, Ok(FilesystemResponse::Open(Ok(Fd(1)))));
    let refused =
        crate::message::decode_frame::<ServerError>(MessageType::Error, &script.replies[1]);
    assert_eq!(refused, Ok(ServerError::NotPermitted));
    assert_eq!(script.accepting, [true, true, true, false, false]);
    assert_eq!(script.incoming.len(), 1);
    assert!(
        core.module().open.is_empty(),
        "the notification closed the file"
    );
}

#[test]
fn run_module_reports_init_and_transport_failures() {
    struct FailsInit;
    impl Module for FailsInit {
        fn metadata(&self) -> &ModuleMetadata {
            unreachable!("not asked")
        }
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> {
            Err(ModuleError::DependencyMissing)
        }
        fn start(&mut self) -> Result<(), ModuleError> {
            Ok(())
        }
        fn stop(&mut self) -> Result<(), ModuleError> {
            Ok(())
        }
        fn cleanup(&mut self) -> Result<(), ModuleError> {
            Ok(())
        }
        fn is_healthy(&self) -> bool {
            false
        }
    }
    let empty = || Script {
        incoming: VecDeque::new(),
        replies: Vec::new(),
        accepting: Vec::new(),
    };
    let ctx = ModuleContext::new(5);
    assert_eq!(
        run_module(FailsInit, &ctx, empty()),
        LoopExit::InitFailed(ModuleError::DependencyMissing)
    );
    assert_eq!(
        run_module(memfs(), &ctx, empty()),
        LoopExit::Transport(TransportError::Disconnected)
    );
}
