//! Encode+decode cost of a typical request through the typed frame
//! (header + tag check + postcard) against raw postcard of the same value.
//!
//! Run: `cargo run --release -p helix-protocol --example encode_bench`
//! (host wall-clock; the in-guest `make bench` figure comes with the runtime).

use std::hint::black_box;
use std::time::Instant;

use helix_protocol::interfaces::filesystem::{Fd, FilesystemRequest};
use helix_protocol::message::MessageType;
use helix_protocol::message::frame::{decode_frame, decode_payload, encode_frame, encode_payload};

const ITERS: u32 = 1_000_000;
const ROUNDS: usize = 15;

/// Nanoseconds per iteration of one round of `op`.
fn round(op: &mut impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..ITERS {
        op();
    }
    start.elapsed().as_nanos() as f64 / f64::from(ITERS)
}

fn compare(label: &str, request: &FilesystemRequest) {
    let mut raw_buf = Vec::with_capacity(1024);
    let mut typed_buf = Vec::with_capacity(1024);
    // Raw postcard: the same serializer (appending to a reused buffer) and
    // the same strict decoder the frame uses, without header or tag.
    let mut raw_op = || {
        raw_buf.clear();
        encode_payload(black_box(request), &mut raw_buf).unwrap();
        let back: FilesystemRequest = decode_payload(black_box(&raw_buf)).unwrap();
        black_box(back);
    };
    let mut typed_op = || {
        encode_frame(MessageType::Request, black_box(request), &mut typed_buf).unwrap();
        let back: FilesystemRequest =
            decode_frame(MessageType::Request, black_box(&typed_buf)).unwrap();
        black_box(back);
    };
    // Interleave the rounds so both see the same machine load; keep the best.
    let (mut raw, mut typed) = (f64::MAX, f64::MAX);
    for _ in 0..ROUNDS {
        typed = typed.min(round(&mut typed_op));
        raw = raw.min(round(&mut raw_op));
    }
    let (raw_len, typed_len) = (raw_buf.len(), typed_buf.len());
    let overhead = (typed - raw) / raw * 100.0;
    println!(
        "{label:<26} raw postcard {raw:7.1} ns/op ({raw_len:4} B)   typed frame {typed:7.1} ns/op ({typed_len:4} B)   overhead {overhead:+6.1}%"
    );
}

fn main() {
    println!(
        "encode+decode, best of {ROUNDS} interleaved rounds x {ITERS} iterations, buffers reused"
    );
    compare(
        "filesystem read(fd, 4096)",
        &FilesystemRequest::Read {
            fd: Fd(3),
            len: 4096,
        },
    );
    compare(
        "filesystem open(path)",
        &FilesystemRequest::Open {
            path: String::from("/boot/helix/greeting.txt"),
            mode: helix_protocol::interfaces::filesystem::OpenMode::READ,
        },
    );
    compare(
        "filesystem write(512 B)",
        &FilesystemRequest::Write {
            fd: Fd(3),
            data: vec![0xa5; 512],
        },
    );
}
