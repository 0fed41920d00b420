//! The syscall boundary: decoding raw registers into validated invocations
//! (the seL4 decode half) and the rules for user pointers.

mod calls;
mod decode;
mod methods;
mod uptr;

#[cfg(test)]
mod tests;

pub use calls::{
    AddressSpaceCall, CapCall, FrameCall, IoPortsCall, IrqControlCall, IrqHandlerCall, ObjectCall,
    ThreadCall, UntypedCall,
};
pub use decode::{DEBUG_WRITE_MAX, Invocation, MsgRegs, SyscallRegs, decode};
pub use uptr::{
    USER_BASE, USER_TOP, UptrError, UserSlice, is_canonical, user_page, user_range, user_stack,
};
