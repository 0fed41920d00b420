use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapRights, CapType, MessageInfo, Method, SysError, Syscall};

use super::*;

fn regs(sys: Syscall, args: [u64; 6]) -> SyscallRegs {
    SyscallRegs {
        rax: sys.raw(),
        rdi: args[0],
        rsi: args[1],
        rdx: args[2],
        r10: args[3],
        r8: args[4],
        r9: args[5],
    }
}

fn invoke(cap: u64, m: Method, a: [u64; 4]) -> Result<ObjectCall, SysError> {
    match decode(&regs(
        Syscall::Invoke,
        [cap, m.raw(), a[0], a[1], a[2], a[3]],
    ))? {
        Invocation::Invoke { call, .. } => Ok(call),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pointer_rules() {
    assert_eq!(user_range(0, 8, 8, 64), Err(UptrError::Null));
    assert_eq!(user_range(0xfff, 1, 1, 64), Err(UptrError::Null));
    assert_eq!(user_range(0x1001, 8, 8, 64), Err(UptrError::Misaligned));
    assert_eq!(
        user_range(0x0000_8000_0000_0000, 1, 1, 64),
        Err(UptrError::NonCanonical)
    );
    assert_eq!(
        user_range(0xffff_8000_0000_0000, 1, 1, 64),
        Err(UptrError::KernelHalf)
    );
    assert_eq!(user_range(USER_TOP - 4, 8, 1, 64), Err(UptrError::Overflow));
    assert_eq!(user_range(0x1000, 65, 1, 64), Err(UptrError::TooLong));
    assert_eq!(user_range(0, 0, 8, 64), Ok(UserSlice { addr: 0, len: 0 }));
    assert_eq!(
        user_range(USER_TOP - 8, 8, 8, 64),
        Ok(UserSlice {
            addr: USER_TOP - 8,
            len: 8
        })
    );
    assert_eq!(user_page(0x2000), Ok(0x2000));
    assert_eq!(user_page(USER_TOP - 4096), Ok(USER_TOP - 4096));
    assert_eq!(user_page(0x2010), Err(UptrError::Misaligned));
    assert_eq!(user_stack(USER_TOP), Ok(USER_TOP));
    assert_eq!(user_stack(0x1000), Err(UptrError::Null));
    assert_eq!(user_stack(0x2008), Err(UptrError::Misaligned));
    assert!(is_canonical(0xffff_ffff_ffff_ffff) && !is_canonical(1 << 47));
    assert_eq!(SysError::from(UptrError::KernelHalf), SysError::BadAddress);
    assert_eq!(SysError::from(UptrError::TooLong), SysError::MessageTooLong);
}

#[test]
fn ipc_syscalls_decode() {
    let info = MessageInfo::new(3, 2, 0).unwrap();
    let r = decode(&regs(Syscall::NbSend, [4, info.raw(), 10, 11, 12, 13])).unwrap();
    assert_eq!(
        r,
        Invocation::Send {
            ep: 4,
            msg: MsgRegs {
                info,
                words: [10, 11, 0, 0]
            },
            blocking: false
        }
    );
    assert_eq!(
        decode(&regs(Syscall::Call, [1 << 32, 0, 0, 0, 0, 0])),
        Err(SysError::InvalidCap)
    );
    assert_eq!(
        decode(&regs(Syscall::Send, [0, 121, 0, 0, 0, 0])),
        Err(SysError::MessageTooLong)
    );
    assert_eq!(
        decode(&regs(Syscall::Recv, [0, 1, 0, 0, 0, 0])),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        decode(&regs(Syscall::Reply, [1, 0, 0, 0, 0, 0])),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        decode(&regs(Syscall::Poll, [2, 0, 0, 0, 0, 0])),
        Ok(Invocation::Wait {
            ntfn: 2,
            blocking: false
        })
    );
    assert_eq!(decode(&regs(Syscall::Yield, [0; 6])), Ok(Invocation::Yield));
    assert_eq!(
        decode(&SyscallRegs {
            rax: 99,
            ..Default::default()
        }),
        Err(SysError::InvalidSyscall)
    );
    assert_eq!(
        decode(&regs(Syscall::DebugWrite, [0x1000, 257, 0, 0, 0, 0])),
        Err(SysError::MessageTooLong)
    );
    assert_eq!(
        decode(&regs(Syscall::DebugWrite, [u64::MAX, 2, 0, 0, 0, 0])),
        Err(SysError::BadAddress)
    );
}

#[test]
fn methods_decode_and_validate() {
    assert_eq!(
        invoke(0, Method::CapMint, [1, 0x3, 9, 0]),
        Ok(ObjectCall::Cap(CapCall::Mint {
            dst: 1,
            rights: CapRights::READ.union(CapRights::WRITE),
            badge: 9
        }))
    );
    assert_eq!(
        invoke(0, Method::CapMint, [1, 0x13, 9, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::CapDelete, [1, 0, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::UntypedRetype, [CapType::Frame as u64, 3, 2, 0]),
        Ok(ObjectCall::Untyped(UntypedCall::Retype {
            kind: CapType::Frame,
            dst: 3,
            arg: 2
        }))
    );
    assert_eq!(
        invoke(0, Method::UntypedRetype, [CapType::Reply as u64, 3, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::UntypedRetype, [300, 3, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::UntypedSplit, [0, 3, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::ThreadConfigure, [1, NO_SLOT, 0x5000, 0]),
        Ok(ObjectCall::Thread(ThreadCall::Configure {
            aspace: 1,
            fault_ep: None,
            ipc_buffer: 0x5000
        }))
    );
    assert_eq!(
        invoke(0, Method::ThreadConfigure, [1, 2, 0xffff_8000_0000_0000, 0]),
        Err(SysError::BadAddress)
    );
    assert_eq!(
        invoke(0, Method::ThreadStart, [0x40_0000, 0x7fff_0000, 0, 0]),
        Ok(ObjectCall::Thread(ThreadCall::Start {
            rip: 0x40_0000,
            rsp: 0x7fff_0000
        }))
    );
    assert_eq!(
        invoke(0, Method::ThreadStart, [0, 0x7fff_0000, 0, 0]),
        Err(SysError::BadAddress)
    );
    assert_eq!(
        invoke(0, Method::ThreadSetPriority, [256, 0, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::ThreadSetAffinity, [0, 0, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceMap, [1, 0x4000, 0x4, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceMap, [1, 0x4000, 0x3, 0]),
        Ok(ObjectCall::AddressSpace(AddressSpaceCall::Map {
            frame: 1,
            vaddr: 0x4000,
            rights: CapRights::READ.union(CapRights::WRITE)
        }))
    );
    assert_eq!(
        invoke(0, Method::IrqControlGet, [224, 1, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::IoPortIn, [0xffff, 2, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::IoPortIn, [u64::MAX, 4, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::IoPortOut, [0x3f8, 1, 0x100, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::IoPortOut, [0x3f8, 1, 0x41, 0]),
        Ok(ObjectCall::IoPorts(IoPortsCall::Out {
            port: 0x3f8,
            width: 1,
            value: 0x41
        }))
    );
    assert_eq!(
        decode(&regs(Syscall::Invoke, [0, 0x7777, 0, 0, 0, 0])),
        Err(SysError::InvalidArgument)
    );
}

#[test]
fn address_space_cap_methods_decode() {
    assert_eq!(
        invoke(0, Method::AddressSpaceCapMint, [3, 4, 0x2, 9]),
        Ok(ObjectCall::AddressSpace(AddressSpaceCall::CapMint {
            src: 3,
            dst: 4,
            rights: CapRights::WRITE,
            badge: 9
        }))
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapMint, [1 << 32, 4, 0x2, 0]),
        Err(SysError::InvalidCap)
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapMint, [3, 1 << 32, 0x2, 0]),
        Err(SysError::InvalidCap)
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapMint, [3, 4, 0x20, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapMove, [3, 4, 0, 0]),
        Ok(ObjectCall::AddressSpace(AddressSpaceCall::CapMove {
            src: 3,
            dst: 4
        }))
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapMove, [3, 4, 0, 1]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapDelete, [5, 0, 0, 0]),
        Ok(ObjectCall::AddressSpace(AddressSpaceCall::CapDelete {
            slot: 5
        }))
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapIdentify, [5, 1, 0, 0]),
        Err(SysError::InvalidArgument)
    );
    assert_eq!(
        invoke(0, Method::AddressSpaceCapIdentify, [u64::MAX, 0, 0, 0]),
        Err(SysError::InvalidCap)
    );
}

/// docs/syscalls.md is the reference: it must list every syscall, method
/// and error with the number the ABI gives it.
#[test]
fn docs_cover_the_abi() {
    let doc = include_str!("../../../../docs/syscalls.md");
    for s in Syscall::ALL {
        let row = alloc::format!("| {} | `{:?}` |", s.raw(), s);
        assert!(doc.contains(&row), "docs/syscalls.md lacks the row {row}");
        let errors = alloc::format!("- `{s:?}`:");
        assert!(
            doc.contains(&errors),
            "docs/syscalls.md lacks the errors of {s:?}"
        );
    }
    for m in Method::ALL {
        let row = alloc::format!("| {:#04x} | `{:?}` |", m.raw(), m);
        assert!(doc.contains(&row), "docs/syscalls.md lacks the row {row}");
        let name = alloc::format!("`{m:?}`");
        assert!(
            doc.matches(&name).count() >= 2,
            "docs/syscalls.md lacks the errors of {m:?}"
        );
    }
    for e in SysError::ALL {
        let row = alloc::format!("| {} | `{:?}` |", e.raw(), e);
        assert!(doc.contains(&row), "docs/syscalls.md lacks the row {row}");
    }
    let limits = alloc::format!(
        "| `MessageTooLong` | more than {} words, {} caps or {} debug bytes |",
        helix_abi::ipc::MSG_MAX_WORDS,
        helix_abi::ipc::MSG_MAX_CAPS,
        DEBUG_WRITE_MAX
    );
    assert!(
        doc.contains(&limits),
        "docs/syscalls.md lacks the limits row {limits}"
    );
    assert!(doc.contains(&alloc::format!("(≤ {DEBUG_WRITE_MAX})")));
}
