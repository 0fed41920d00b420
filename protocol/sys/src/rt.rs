//! The process entry: `_start` and the `entry!` macro, so servers and
//! tests stay free of `unsafe`.
//!
//! Entry contract (kernel boot threads and threads started with
//! `ThreadStart` alike): `rsp` is 16-byte aligned and the two words at
//! `[rsp]` and `[rsp + 8]` are the thread's arguments. `_start` passes them
//! to the function named with [`entry!`], which must never return (a
//! return is answered by a `ud2`, i.e. a fault to the thread's fault
//! endpoint).

/// Declare the program's entry function: `helix_sys::entry!(main);` with
/// `fn main(arg0: u64, arg1: u64) -> !`.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[allow(
            unsafe_code,
            clippy::allow_attributes,
            reason = "the one attribute the entry needs; the lint fires only in crates that deny unsafe code"
        )]
        #[unsafe(no_mangle)]
        extern "C" fn helix_user_main(arg0: u64, arg1: u64) -> ! {
            $main(arg0, arg1)
        }
    };
}

/// `_start`: load the two stack arguments and call `helix_user_main`.
#[cfg(target_os = "none")]
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        "mov rdi, [rsp]",
        "mov rsi, [rsp + 8]",
        "xor ebp, ebp",
        "call helix_user_main",
        "ud2",
    )
}

/// Write a new thread's arguments at the top of `stack` and return the
/// `rsp` to start it with (`stack` must stay alive and unused by anyone
/// else while the thread runs).
pub fn prepare_stack(stack: &mut [u64], arg0: u64, arg1: u64) -> u64 {
    let base = stack.as_ptr() as u64;
    // The highest index i with room for two words and a 16-byte aligned address.
    let Some(mut i) = stack.len().checked_sub(2) else {
        return 0;
    };
    if !(base + i as u64 * 8).is_multiple_of(16) {
        let Some(j) = i.checked_sub(1) else {
            return 0;
        };
        i = j;
    }
    stack[i] = arg0;
    stack[i + 1] = arg1;
    base + i as u64 * 8
}

/// Panic handler helper: print `msg` on the debug console and stop with a
/// `ud2` fault (which reaches the thread's fault endpoint).
pub fn abort(msg: &[u8]) -> ! {
    let _ = crate::ipc::debug_write(msg);
    loop {
        crate::arch::trap();
    }
}
