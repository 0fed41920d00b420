//! The calling thread's IPC buffer page: message words 4.. and the
//! cap-transfer slots (layout in `helix_abi::ipc::buffer`). The kernel
//! points every thread's FS base at its own buffer, so the arch layer
//! reads and writes it FS-relative and each thread of a process uses its
//! own page; indices are reduced into the used part of the page, so no
//! index reaches outside it.

use helix_abi::ipc::buffer::LEN_WORDS;

use crate::arch;

/// Read word `i` (< `LEN_WORDS`; larger indices wrap) of the IPC buffer.
pub fn get(i: usize) -> u64 {
    arch::ipc_buffer_read(i % LEN_WORDS)
}

/// Write word `i` (< `LEN_WORDS`; larger indices wrap) of the IPC buffer.
pub fn set(i: usize, v: u64) {
    arch::ipc_buffer_write(i % LEN_WORDS, v);
}

#[cfg(test)]
mod tests {
    use helix_abi::ipc::buffer::{RECV_COUNT, SEND_CAPS};

    use super::*;

    #[test]
    fn words_round_trip_and_each_thread_has_its_own_buffer() {
        set(SEND_CAPS, 7);
        set(RECV_COUNT + LEN_WORDS, 3);
        assert_eq!((get(SEND_CAPS), get(RECV_COUNT)), (7, 3), "indices wrap");
        let other = std::thread::spawn(|| {
            let before = get(SEND_CAPS);
            set(SEND_CAPS, 9);
            (before, get(SEND_CAPS))
        })
        .join()
        .unwrap();
        assert_eq!(
            other,
            (0, 9),
            "a new thread starts with a zeroed buffer of its own"
        );
        assert_eq!(get(SEND_CAPS), 7, "untouched by the other thread");
    }
}
