//! The calling thread's IPC buffer page (at
//! `helix_abi::bootinfo::IPC_BUFFER_ADDR` for threads the kernel made):
//! message words 4.. and the cap-transfer slots (layout in
//! `helix_abi::ipc::buffer`).

use helix_abi::bootinfo::IPC_BUFFER_ADDR;
use helix_abi::ipc::buffer::LEN_WORDS;

/// Read word `i` (< `LEN_WORDS`) of the IPC buffer.
#[cfg(target_os = "none")]
pub fn get(i: usize) -> u64 {
    let p = (IPC_BUFFER_ADDR as *const u64).wrapping_add(i % LEN_WORDS);
    // SAFETY: the kernel maps a private read-write IPC buffer page at
    // IPC_BUFFER_ADDR for every thread it makes, and Rust code never holds
    // references into it; the index is reduced into the page.
    unsafe { p.read_volatile() }
}

/// Write word `i` (< `LEN_WORDS`) of the IPC buffer.
#[cfg(target_os = "none")]
pub fn set(i: usize, v: u64) {
    let p = (IPC_BUFFER_ADDR as *mut u64).wrapping_add(i % LEN_WORDS);
    // SAFETY: as in `get`.
    unsafe { p.write_volatile(v) }
}

/// Host stand-in (no IPC buffer): reads 0.
#[cfg(not(target_os = "none"))]
pub fn get(i: usize) -> u64 {
    let _ = (i, IPC_BUFFER_ADDR, LEN_WORDS);
    0
}

/// Host stand-in: ignored.
#[cfg(not(target_os = "none"))]
pub fn set(i: usize, v: u64) {
    let _ = (i, v);
}
