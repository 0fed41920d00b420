//! helix-sys against the kernel's decoder: every public syscall wrapper and
//! typed cap method, run on the host (whose backend records the registers
//! it would load), must make exactly one syscall that decodes to the
//! intended invocation. Every syscall and method of the ABI must be
//! reached by some wrapper, and every `pub fn` of helix-sys must be a case
//! here or be listed as making no syscall, so a new wrapper without a case
//! fails the build's tests.

use std::collections::BTreeSet;
use std::path::Path;

use helix_abi::{CapRights, CapType, MessageInfo, Method, SysError, Syscall};
use helix_kernel_objects::syscall::{
    AddressSpaceCall, CapCall, FrameCall, Invocation, IoPortsCall, IrqControlCall, IrqHandlerCall,
    MsgRegs, ObjectCall, SyscallRegs, ThreadCall, UntypedCall, UserSlice, decode,
};
use helix_sys::{
    AddressSpace, Cap, Endpoint, Frame, IoPorts, IrqControl, IrqHandler, Message, Notification,
    Stack, Thread, Untyped, host,
};

const ASPACE: u32 = 0;
const THREAD: u32 = 1;
const UNTYPED: u32 = 2;
const IRQ_CONTROL: u32 = 3;
const IO_PORTS: u32 = 4;
const EP: u32 = 7;
const NTFN: u32 = 8;
const DST: u32 = 9;
const FRAME: u32 = 14;
const IRQ: u32 = 21;
const PAGE: u64 = 0x4000_0000;
const RW: CapRights = CapRights::READ.union(CapRights::WRITE);
static TEXT: &[u8] = b"hello, kernel";

fn ep() -> Cap<Endpoint> {
    Cap::from_slot(EP)
}
fn ntfn() -> Cap<Notification> {
    Cap::from_slot(NTFN)
}
fn untyped() -> Cap<Untyped> {
    Cap::from_slot(UNTYPED)
}
fn thread() -> Cap<Thread> {
    Cap::from_slot(THREAD)
}
fn aspace() -> Cap<AddressSpace> {
    Cap::from_slot(ASPACE)
}
fn frame() -> Cap<Frame> {
    Cap::from_slot(FRAME)
}
fn irq() -> Cap<IrqHandler> {
    Cap::from_slot(IRQ)
}
fn ports() -> Cap<IoPorts> {
    Cap::from_slot(IO_PORTS)
}

/// The message every IPC case sends: label 0x1234, three words.
fn message() -> Message {
    Message::new(0x1234, &[11, 22, 33])
}

fn msg_regs() -> MsgRegs {
    MsgRegs {
        info: MessageInfo::new(0x1234, 3, 0).unwrap(),
        words: [11, 22, 33, 0],
    }
}

fn on(cap: u32, call: ObjectCall) -> Invocation {
    Invocation::Invoke { cap, call }
}

/// One wrapper: its `file::name` in helix-sys, how to call it (the host
/// answers `InvalidSyscall`, which it must hand back), and what the
/// kernel must decode.
struct Case {
    wrapper: &'static str,
    run: fn() -> Result<(), SysError>,
    expect: fn() -> Invocation,
}

macro_rules! case {
    ($wrapper:literal, $run:expr, $expect:expr) => {
        Case {
            wrapper: $wrapper,
            run: || $run.map(|_| ()),
            expect: || $expect,
        }
    };
}

fn cases() -> Vec<Case> {
    use ObjectCall as O;
    vec![
        // ---- Cap<T>: the Cap* methods ----
        case!(
            "caps::copy_to",
            ep().copy_to(DST),
            on(EP, O::Cap(CapCall::Copy { dst: DST }))
        ),
        case!(
            "caps::mint",
            ep().mint(DST, RW, 5),
            on(
                EP,
                O::Cap(CapCall::Mint {
                    dst: DST,
                    rights: RW,
                    badge: 5
                })
            )
        ),
        case!(
            "caps::move_to",
            ep().move_to(DST),
            on(EP, O::Cap(CapCall::Move { dst: DST }))
        ),
        case!(
            "caps::delete",
            ep().delete(),
            on(EP, O::Cap(CapCall::Delete))
        ),
        case!(
            "caps::revoke",
            ep().revoke(),
            on(EP, O::Cap(CapCall::Revoke))
        ),
        case!(
            "caps::identify",
            ep().identify(),
            on(EP, O::Cap(CapCall::Identify))
        ),
        // ---- Endpoint ----
        case!(
            "caps::send",
            ep().send(&message()),
            Invocation::Send {
                ep: EP,
                msg: msg_regs(),
                blocking: true
            }
        ),
        case!(
            "caps::nb_send",
            ep().nb_send(&message()),
            Invocation::Send {
                ep: EP,
                msg: msg_regs(),
                blocking: false
            }
        ),
        case!(
            "caps::call",
            ep().call(&message()),
            Invocation::Call {
                ep: EP,
                msg: msg_regs()
            }
        ),
        case!(
            "caps::recv",
            ep().recv(),
            Invocation::Recv {
                src: EP,
                blocking: true
            }
        ),
        case!(
            "caps::nb_recv",
            ep().nb_recv(),
            Invocation::Recv {
                src: EP,
                blocking: false
            }
        ),
        case!(
            "caps::reply_recv",
            ep().reply_recv(&message()),
            Invocation::ReplyRecv {
                src: EP,
                msg: msg_regs()
            }
        ),
        // ---- Notification ----
        case!(
            "caps::signal",
            ntfn().signal(0b101),
            Invocation::Signal {
                ntfn: NTFN,
                bits: 0b101
            }
        ),
        case!(
            "caps::wait",
            ntfn().wait(),
            Invocation::Wait {
                ntfn: NTFN,
                blocking: true
            }
        ),
        case!(
            "caps::poll",
            ntfn().poll(),
            Invocation::Wait {
                ntfn: NTFN,
                blocking: false
            }
        ),
        // ---- Untyped ----
        case!(
            "caps::retype",
            untyped().retype::<Frame>(DST, 2),
            on(
                UNTYPED,
                O::Untyped(UntypedCall::Retype {
                    kind: CapType::Frame,
                    dst: DST,
                    arg: 2
                })
            )
        ),
        case!(
            "caps::split",
            untyped().split(DST, 8192),
            on(
                UNTYPED,
                O::Untyped(UntypedCall::Split {
                    dst: DST,
                    bytes: 8192
                })
            )
        ),
        case!(
            "caps::available",
            untyped().available(),
            on(UNTYPED, O::Untyped(UntypedCall::Available))
        ),
        // ---- Thread ----
        case!(
            "caps::configure",
            thread().configure(aspace(), Some(DST), 0x10_0000),
            on(
                THREAD,
                O::Thread(ThreadCall::Configure {
                    aspace: ASPACE,
                    fault_ep: Some(DST),
                    ipc_buffer: 0x10_0000
                })
            )
        ),
        case!(
            "caps::start",
            thread().start(0x40_0000, 0x7000_0000),
            on(
                THREAD,
                O::Thread(ThreadCall::Start {
                    rip: 0x40_0000,
                    rsp: 0x7000_0000
                })
            )
        ),
        case!(
            "caps::suspend",
            thread().suspend(),
            on(THREAD, O::Thread(ThreadCall::Suspend))
        ),
        case!(
            "caps::resume",
            thread().resume(),
            on(THREAD, O::Thread(ThreadCall::Resume))
        ),
        case!(
            "caps::set_priority",
            thread().set_priority(200),
            on(THREAD, O::Thread(ThreadCall::SetPriority(200)))
        ),
        case!(
            "caps::set_mcp",
            thread().set_mcp(50),
            on(THREAD, O::Thread(ThreadCall::SetMcp(50)))
        ),
        case!(
            "caps::set_affinity",
            thread().set_affinity(0b11),
            on(THREAD, O::Thread(ThreadCall::SetAffinity(0b11)))
        ),
        case!(
            "caps::set_timeout",
            thread().set_timeout(10),
            on(THREAD, O::Thread(ThreadCall::SetTimeout(10)))
        ),
        // ---- AddressSpace ----
        case!(
            "caps::map",
            aspace().map(frame(), PAGE, RW),
            on(
                ASPACE,
                O::AddressSpace(AddressSpaceCall::Map {
                    frame: FRAME,
                    vaddr: PAGE,
                    rights: RW
                })
            )
        ),
        case!(
            "caps::unmap",
            aspace().unmap(PAGE),
            on(
                ASPACE,
                O::AddressSpace(AddressSpaceCall::Unmap { vaddr: PAGE })
            )
        ),
        case!(
            "caps::mint_into",
            aspace().mint_into(ep(), DST, CapRights::WRITE, 6),
            on(
                ASPACE,
                O::AddressSpace(AddressSpaceCall::CapMint {
                    src: EP,
                    dst: DST,
                    rights: CapRights::WRITE,
                    badge: 6
                })
            )
        ),
        case!(
            "caps::copy_into",
            aspace().copy_into(ntfn(), DST),
            on(
                ASPACE,
                O::AddressSpace(AddressSpaceCall::CapMint {
                    src: NTFN,
                    dst: DST,
                    rights: CapRights::ALL,
                    badge: 0
                })
            )
        ),
        case!(
            "caps::move_into",
            aspace().move_into(untyped(), DST),
            on(
                ASPACE,
                O::AddressSpace(AddressSpaceCall::CapMove {
                    src: UNTYPED,
                    dst: DST
                })
            )
        ),
        case!(
            "caps::delete_in",
            aspace().delete_in(DST),
            on(
                ASPACE,
                O::AddressSpace(AddressSpaceCall::CapDelete { slot: DST })
            )
        ),
        case!(
            "caps::identify_in",
            aspace().identify_in(DST),
            on(
                ASPACE,
                O::AddressSpace(AddressSpaceCall::CapIdentify { slot: DST })
            )
        ),
        // ---- devices ----
        case!(
            "caps::phys_addr",
            frame().phys_addr(),
            on(FRAME, O::Frame(FrameCall::PhysAddr))
        ),
        case!(
            "caps::get",
            Cap::<IrqControl>::from_slot(IRQ_CONTROL).get(4, IRQ),
            on(
                IRQ_CONTROL,
                O::IrqControl(IrqControlCall::Get { irq: 4, dst: IRQ })
            )
        ),
        case!(
            "caps::bind",
            irq().bind(ntfn(), 0x8),
            on(
                IRQ,
                O::IrqHandler(IrqHandlerCall::Bind {
                    ntfn: NTFN,
                    bits: 0x8
                })
            )
        ),
        case!(
            "caps::ack",
            irq().ack(),
            on(IRQ, O::IrqHandler(IrqHandlerCall::Ack))
        ),
        case!(
            "caps::unbind",
            irq().unbind(),
            on(IRQ, O::IrqHandler(IrqHandlerCall::Unbind))
        ),
        case!(
            "caps::port_in",
            ports().port_in(0x3f8, 1),
            on(
                IO_PORTS,
                O::IoPorts(IoPortsCall::In {
                    port: 0x3f8,
                    width: 1
                })
            )
        ),
        case!(
            "caps::port_out",
            ports().port_out(0x3f8, 2, 0x4142),
            on(
                IO_PORTS,
                O::IoPorts(IoPortsCall::Out {
                    port: 0x3f8,
                    width: 2,
                    value: 0x4142
                })
            )
        ),
        case!(
            "caps::mint_range",
            ports().mint_range(0x70, 0x71, DST),
            on(
                IO_PORTS,
                O::IoPorts(IoPortsCall::Mint {
                    first: 0x70,
                    last: 0x71,
                    dst: DST
                })
            )
        ),
        case!(
            "thread::stop",
            Stack::<8>::new().stop(thread()),
            on(THREAD, O::Thread(ThreadCall::Suspend))
        ),
        // ---- free functions ----
        case!(
            "ipc::reply",
            helix_sys::reply(&message()),
            Invocation::Reply { msg: msg_regs() }
        ),
        case!(
            "ipc::yield_now",
            {
                helix_sys::yield_now();
                Err::<(), _>(SysError::InvalidSyscall)
            },
            Invocation::Yield
        ),
        case!(
            "ipc::debug_write",
            helix_sys::debug_write(TEXT),
            Invocation::DebugWrite(UserSlice {
                addr: TEXT.as_ptr() as u64,
                len: TEXT.len() as u64
            })
        ),
        case!(
            "ipc::raw_syscall",
            match helix_sys::raw_syscall(Syscall::Poll.raw(), [NTFN.into(), 0, 0, 0, 0, 0]) {
                (0, _) => Ok(()),
                (rax, _) => Err(SysError::from_code(rax).unwrap_or(SysError::InvalidSyscall)),
            },
            Invocation::Wait {
                ntfn: NTFN,
                blocking: false
            }
        ),
    ]
}

/// `pub fn`s of helix-sys that make no syscall (or are tested by their own
/// test below), as `file::name`.
const NO_CASE: &[&str] = &[
    // handles and messages
    "caps::from_slot",
    "caps::slot",
    "ipc::new",
    "ipc::with_info",
    // memory only
    "ipcbuf::get",
    "ipcbuf::set",
    "bootinfo::read",
    "bootinfo::from_words",
    "bootinfo::address",
    "bootinfo::module_count",
    "bootinfo::quota_bytes",
    "bootinfo::cpus",
    "bootinfo::tsc_hz",
    "bootinfo::module",
    "bootinfo::name",
    "bootinfo::read_start_page",
    "rt::prepare_stack",
    "thread::new",
    "thread::in_use",
    "console::new",
    "lib::cycles",
    // a deliberate fault, no syscall
    "fault::read_kernel_address",
    // the host backend itself
    "arch/host::last",
    "arch/host::count",
    "arch/host::answer_with",
    // their own tests below
    "window::write_frame",
    "window::read_frame",
    "thread::start",
    "console::flush",
    "rt::abort",
];

/// Run `run`, which must make exactly one syscall, and decode it.
fn one_call<T>(run: impl FnOnce() -> T) -> (T, Result<Invocation, SysError>, SyscallRegs) {
    // Forget a call an earlier test on this thread may have left (an Option, not a Result).
    let _ = host::last();
    let before = host::count();
    let out = run();
    assert_eq!(host::count(), before + 1, "exactly one syscall");
    let r = host::last().expect("a syscall was recorded");
    let regs = SyscallRegs {
        rax: r.nr,
        rdi: r.regs[0],
        rsi: r.regs[1],
        rdx: r.regs[2],
        r10: r.regs[3],
        r8: r.regs[4],
        r9: r.regs[5],
    };
    (out, decode(&regs), regs)
}

#[test]
fn every_wrapper_decodes_to_its_invocation() {
    for c in cases() {
        let (out, decoded, regs) = one_call(c.run);
        assert_eq!(
            out,
            Err(SysError::InvalidSyscall),
            "{}: the kernel's answer comes back",
            c.wrapper
        );
        assert_eq!(decoded, Ok((c.expect)()), "{}: {regs:x?}", c.wrapper);
    }
}

#[test]
fn the_wrappers_reach_every_syscall_and_method() {
    let mut syscalls = BTreeSet::new();
    let mut methods = BTreeSet::new();
    for c in cases() {
        let (_, decoded, regs) = one_call(c.run);
        syscalls.insert(regs.rax);
        if let Ok(Invocation::Invoke { call, .. }) = decoded {
            methods.insert(call.method().raw());
        }
    }
    for s in Syscall::ALL {
        assert!(
            syscalls.contains(&s.raw()),
            "no helix-sys wrapper makes {s:?}"
        );
    }
    for m in Method::ALL {
        assert!(
            methods.contains(&m.raw()),
            "no helix-sys wrapper invokes {m:?}"
        );
    }
}

/// `file::name` of every `pub fn` (and `pub const fn`) in helix-sys.
fn public_fns(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("helix-sys sources")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name");
        if path.is_dir() {
            public_fns(&path, &format!("{prefix}{stem}/"), out);
            continue;
        }
        let module = if stem == "mod" {
            prefix.trim_end_matches('/').to_string()
        } else {
            format!("{prefix}{stem}")
        };
        let text = std::fs::read_to_string(&path).expect("source");
        for line in text.lines() {
            let line = line.trim_start();
            let Some(rest) = line
                .strip_prefix("pub fn ")
                .or_else(|| line.strip_prefix("pub const fn "))
            else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(format!("{module}::{name}"));
        }
    }
}

#[test]
fn every_public_fn_of_helix_sys_has_a_case() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../protocol/sys/src");
    let mut found = BTreeSet::new();
    public_fns(&src, "", &mut found);
    assert!(
        found.contains("caps::copy_to"),
        "the scan finds the wrappers: {found:?}"
    );
    let covered: BTreeSet<String> = cases()
        .iter()
        .map(|c| c.wrapper)
        .chain(NO_CASE.iter().copied())
        .map(String::from)
        .collect();
    let missing: Vec<_> = found.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "helix-sys functions without a decoder case: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&found).collect();
    assert!(
        stale.is_empty(),
        "cases for functions helix-sys no longer has: {stale:?}"
    );
}

static STACK: Stack<64> = Stack::new();

#[test]
fn stack_start_starts_the_thread_on_that_stack() {
    let (out, decoded, _) = one_call(|| STACK.start(thread(), entry, 7));
    assert_eq!(out, Err(SysError::InvalidSyscall));
    let Ok(Invocation::Invoke {
        cap: THREAD,
        call: ObjectCall::Thread(ThreadCall::Start { rip, rsp }),
    }) = decoded
    else {
        panic!("{decoded:?}");
    };
    let base = &STACK as *const _ as u64;
    assert!(rip != 0 && rsp % 16 == 0, "{rip:#x} {rsp:#x}");
    let end = base + core::mem::size_of_val(&STACK) as u64;
    assert!(
        (base..end).contains(&rsp),
        "rsp {rsp:#x} inside the stack at {base:#x}"
    );
}

extern "C" fn entry(_: u64) -> ! {
    unreachable!("host threads never run")
}

#[test]
fn console_flush_writes_what_was_buffered() {
    use core::fmt::Write;
    let mut c = helix_sys::console::Console::new();
    let n = 12;
    write!(c, "{n}-ab").unwrap();
    let ((), decoded, _) = one_call(|| c.flush());
    let Ok(Invocation::DebugWrite(slice)) = decoded else {
        panic!("{decoded:?}");
    };
    assert_eq!(slice.len, 5);
}

#[test]
fn abort_prints_then_traps() {
    let (out, decoded, _) = one_call(|| std::panic::catch_unwind(|| helix_sys::rt::abort(TEXT)));
    assert!(out.is_err(), "the host trap panics");
    assert_eq!(
        decoded,
        Ok(Invocation::DebugWrite(UserSlice {
            addr: TEXT.as_ptr() as u64,
            len: TEXT.len() as u64
        }))
    );
}

#[test]
fn the_frame_window_maps_copies_and_unmaps_every_page() {
    use helix_sys::window::{WINDOW_ADDR, read_frame, write_frame};
    let _ok = host::answer_with(0);
    for (pages, write) in [(3u64, true), (1, false)] {
        let _ = host::last();
        let before = host::count();
        let out = if write {
            write_frame(aspace(), Cap::from_slot(9), pages, 100, &[1, 2, 3])
        } else {
            let mut buf = [0u8; 4];
            read_frame(aspace(), Cap::from_slot(9), pages, 0, &mut buf)
        };
        assert_eq!(out, Ok(()));
        assert_eq!(
            host::count(),
            before + 1 + pages,
            "one map, one unmap per page"
        );
        let r = host::last().expect("recorded");
        let regs = SyscallRegs {
            rax: r.nr,
            rdi: r.regs[0],
            rsi: r.regs[1],
            rdx: r.regs[2],
            r10: r.regs[3],
            r8: r.regs[4],
            r9: r.regs[5],
        };
        assert_eq!(
            decode(&regs),
            Ok(Invocation::Invoke {
                cap: ASPACE,
                call: ObjectCall::AddressSpace(AddressSpaceCall::Unmap {
                    vaddr: WINDOW_ADDR + (pages - 1) * 4096
                })
            })
        );
    }
}
