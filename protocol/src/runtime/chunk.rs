//! Frames longer than one message, as a sequence of calls on the same
//! endpoint: a request too long for one message goes as a `First` call,
//! `Part` calls (each answered `Ack`) and a `Last` call carrying its last
//! piece; a reply too long goes back as `Part` replies, the client
//! fetching each further piece with a `Next` call until a `Whole` reply
//! ends it. The server keys what it holds by the caller's badge, so each
//! client has at most one long frame in flight in each direction, and any
//! new request from that client drops what it left behind.
//!
//! A server that gets the rest of a request whose start it does not hold
//! (a new version after a hot reload, a restarted server, or a caller it
//! dropped to stay under [`MAX_PENDING`]) answers `Resend`, and the client
//! sends the frame again from its first piece: nothing is lost or taken
//! for a request that is not one.
//!
//! Pure state machines, tested on the host; `ipc.rs` drives them with
//! kernel IPC.
#![forbid(unsafe_code)]

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::wire::MAX_FRAME;

/// The longest request a server takes from a client.
pub const MAX_LONG_FRAME: usize = 1 << 20;
/// The longest frame the chunked path carries at all: a reply, or a
/// request on the module manager's path (a module's state for a reload or
/// a restart travels this way).
pub const MAX_TRUSTED_FRAME: usize = 64 << 20;
/// Most callers a server holds a half-sent frame for; the oldest goes.
pub const MAX_PENDING: usize = 64;

/// What one message of the frame protocol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole frame in one message; as a reply, also the last piece of a
    /// long one.
    Whole,
    /// A piece of a long frame; more follow.
    Part,
    /// "Send the next piece of your reply" (client to server, empty).
    Next,
    /// "Piece taken, send more" (server to client, empty).
    Ack,
    /// The first piece of a long request; more follow.
    First,
    /// The last piece of a long request.
    Last,
    /// "I do not hold the start of this request: send it again from its
    /// first piece" (server to client, empty).
    Resend,
}

impl Kind {
    /// Upper label bits of each kind ("HX" to "H^").
    pub const fn tag(self) -> u64 {
        match self {
            Kind::Whole => 0x4858,
            Kind::Part => 0x4859,
            Kind::Next => 0x485a,
            Kind::Ack => 0x485b,
            Kind::First => 0x485c,
            Kind::Last => 0x485d,
            Kind::Resend => 0x485e,
        }
    }

    /// The kind of a label's upper bits.
    pub const fn from_tag(tag: u64) -> Option<Kind> {
        match tag {
            0x4858 => Some(Kind::Whole),
            0x4859 => Some(Kind::Part),
            0x485a => Some(Kind::Next),
            0x485b => Some(Kind::Ack),
            0x485c => Some(Kind::First),
            0x485d => Some(Kind::Last),
            0x485e => Some(Kind::Resend),
            _ => None,
        }
    }
}

/// Why a long frame could not be carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkError {
    /// Longer than [`MAX_TRUSTED_FRAME`].
    TooLong(usize),
    /// The peer answered out of turn (an `Ack` expected, something else came).
    OutOfTurn,
}

/// The pieces of `frame`, each at most [`MAX_FRAME`] bytes, with the kind
/// each goes as (`Part`, ..., `Whole`). An empty frame is one `Whole`.
pub fn pieces(frame: &[u8]) -> Result<impl Iterator<Item = (Kind, &[u8])>, ChunkError> {
    if frame.len() > MAX_TRUSTED_FRAME {
        return Err(ChunkError::TooLong(frame.len()));
    }
    let n = frame.len().div_ceil(MAX_FRAME).max(1);
    Ok((0..n).map(move |i| {
        let lo = i * MAX_FRAME;
        let hi = (lo + MAX_FRAME).min(frame.len());
        let kind = match (i, n) {
            (_, 1) => Kind::Whole,
            (0, _) => Kind::First,
            _ if i + 1 == n => Kind::Last,
            _ => Kind::Part,
        };
        (kind, &frame[lo.min(hi)..hi])
    }))
}

/// Reserve room for the whole frame `buf` begins, as its header declares
/// (at most `limit` bytes): a frame arriving in pieces is then allocated
/// once instead of doubling (a 16 MiB state would otherwise take 32).
pub fn reserve_declared(buf: &mut Vec<u8>, limit: usize) {
    if let Some(total) = crate::message::frame::declared_len(buf)
        && total <= limit
    {
        buf.reserve_exact(total.saturating_sub(buf.len()));
    }
}

/// A server's half-carried frames, by caller badge.
#[derive(Debug, Default)]
pub struct Pending {
    /// Request pieces received so far.
    requests: BTreeMap<u64, Vec<u8>>,
    /// Replies being fetched: the frame and how much of it was sent.
    replies: BTreeMap<u64, (Vec<u8>, usize)>,
    /// Badges in the order they last started something (oldest first).
    order: Vec<u64>,
}

/// What a server does with one message from a caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// A whole request: serve it.
    Request(Vec<u8>),
    /// Answer with an empty `Ack` and receive again.
    Ack,
    /// Answer with this piece of the caller's reply, as this kind.
    Reply(Kind, Vec<u8>),
    /// Not part of the protocol (or too long): answer with an empty frame.
    Reject,
    /// Answer `Resend`: the caller sends its request again from the start.
    Resend,
}

impl Pending {
    /// Nothing held.
    pub fn new() -> Pending {
        Pending::default()
    }

    fn touch(&mut self, badge: u64) {
        self.order.retain(|b| *b != badge);
        self.order.push(badge);
        while self.order.len() > MAX_PENDING {
            let old = self.order.remove(0);
            self.requests.remove(&old);
            self.replies.remove(&old);
        }
    }

    /// A new request from `badge` drops whatever it left behind (a half
    /// request, an unfetched reply).
    fn forget(&mut self, badge: u64) {
        self.replies.remove(&badge);
        self.requests.remove(&badge);
    }

    /// A message of `kind` carrying `bytes` arrived from `badge`, a client
    /// (its requests may be up to [`MAX_LONG_FRAME`] long).
    pub fn receive(&mut self, badge: u64, kind: Kind, bytes: Vec<u8>) -> Step {
        self.receive_up_to(badge, kind, bytes, MAX_LONG_FRAME)
    }

    /// The same for a caller whose requests may be up to `limit` bytes
    /// long (the module manager's: [`MAX_TRUSTED_FRAME`]). The message's
    /// bytes are taken as they are: a whole request is served, and a first
    /// piece kept, without a copy.
    pub fn receive_up_to(&mut self, badge: u64, kind: Kind, bytes: Vec<u8>, limit: usize) -> Step {
        let limit = limit.min(MAX_TRUSTED_FRAME);
        match kind {
            Kind::Whole | Kind::First => {
                self.forget(badge);
                if bytes.len() > limit {
                    return Step::Reject;
                }
                if kind == Kind::Whole {
                    return Step::Request(bytes);
                }
                let mut buf = bytes;
                reserve_declared(&mut buf, limit);
                self.requests.insert(badge, buf);
                self.touch(badge);
                Step::Ack
            }
            Kind::Part | Kind::Last => {
                // The rest of a request whose start went elsewhere (or was
                // dropped): the caller sends it again from the start.
                let Some(mut buf) = self.requests.remove(&badge) else {
                    return Step::Resend;
                };
                if buf.len() + bytes.len() > limit {
                    return Step::Reject;
                }
                buf.extend_from_slice(&bytes);
                if kind == Kind::Last {
                    return Step::Request(buf);
                }
                self.requests.insert(badge, buf);
                self.touch(badge);
                Step::Ack
            }
            Kind::Next => match self.replies.remove(&badge) {
                Some((frame, sent)) => self.piece(badge, frame, sent),
                None => Step::Reject,
            },
            Kind::Ack | Kind::Resend => Step::Reject,
        }
    }

    /// The reply to `badge`'s request: its first piece, keeping the rest.
    pub fn reply(&mut self, badge: u64, frame: Vec<u8>) -> Step {
        if frame.len() > MAX_TRUSTED_FRAME {
            return Step::Reject;
        }
        if frame.len() <= MAX_FRAME {
            return Step::Reply(Kind::Whole, frame);
        }
        self.piece(badge, frame, 0)
    }

    /// The piece of `frame` from `sent` on; the frame is kept (not copied)
    /// until its last piece went, so a long reply costs O(its length).
    fn piece(&mut self, badge: u64, frame: Vec<u8>, sent: usize) -> Step {
        let end = (sent + MAX_FRAME).min(frame.len());
        let piece = frame[sent.min(end)..end].to_vec();
        if end == frame.len() {
            return Step::Reply(Kind::Whole, piece);
        }
        self.replies.insert(badge, (frame, end));
        self.touch(badge);
        Step::Reply(Kind::Part, piece)
    }

    /// Callers with something held (for tests and logs).
    pub fn held(&self) -> usize {
        self.requests.len() + self.replies.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_long_frame_is_reserved_once_within_the_limit() {
        let mut frame = Vec::new();
        crate::message::frame::encode_frame(
            crate::message::MessageType::Request,
            &alloc::vec![1u8; 100_000],
            &mut frame,
        )
        .unwrap();
        let mut buf = frame[..MAX_FRAME].to_vec();
        reserve_declared(&mut buf, MAX_TRUSTED_FRAME);
        assert!(buf.capacity() >= frame.len());
        // Over the limit (or not a frame): nothing reserved.
        let mut small = frame[..MAX_FRAME].to_vec();
        reserve_declared(&mut small, 50_000);
        assert!(small.capacity() < 50_000);
        let mut junk = alloc::vec![0u8; MAX_FRAME];
        reserve_declared(&mut junk, MAX_TRUSTED_FRAME);
        assert!(junk.capacity() < 2 * MAX_FRAME);
    }

    /// Carry `request` from a client to `p` and `reply` back, as the IPC
    /// layer would; returns what each side reassembled.
    fn carry(p: &mut Pending, badge: u64, request: &[u8], reply: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut got = None;
        for (kind, piece) in pieces(request).unwrap() {
            match p.receive(badge, kind, Vec::from(piece)) {
                Step::Ack => assert!(matches!(kind, Kind::First | Kind::Part)),
                Step::Request(r) => got = Some(r),
                other => panic!("unexpected {other:?}"),
            }
        }
        let request_seen = got.expect("whole request");
        let mut back = Vec::new();
        let mut step = p.reply(badge, reply.to_vec());
        loop {
            match step {
                Step::Reply(Kind::Whole, b) => {
                    back.extend(b);
                    break;
                }
                Step::Reply(Kind::Part, b) => {
                    assert_eq!(b.len(), MAX_FRAME);
                    back.extend(b);
                    step = p.receive(badge, Kind::Next, Vec::new());
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        (request_seen, back)
    }

    #[test]
    fn short_frames_are_one_message() {
        let v: Vec<_> = pieces(b"abc").unwrap().collect();
        assert_eq!(v, [(Kind::Whole, &b"abc"[..])]);
        let e: Vec<_> = pieces(b"").unwrap().collect();
        assert_eq!(e, [(Kind::Whole, &b""[..])]);
        let exact = alloc::vec![7u8; MAX_FRAME];
        assert_eq!(pieces(&exact).unwrap().count(), 1);
        let more = alloc::vec![7u8; MAX_FRAME + 1];
        let kinds: Vec<_> = pieces(&more).unwrap().map(|(k, p)| (k, p.len())).collect();
        assert_eq!(kinds, [(Kind::First, MAX_FRAME), (Kind::Last, 1)]);
        let three = alloc::vec![7u8; 2 * MAX_FRAME + 1];
        let kinds: Vec<_> = pieces(&three).unwrap().map(|(k, _)| k).collect();
        assert_eq!(kinds, [Kind::First, Kind::Part, Kind::Last]);
    }

    #[test]
    fn too_long_frames_are_refused() {
        let big = alloc::vec![0u8; MAX_TRUSTED_FRAME + 1];
        assert!(matches!(pieces(&big), Err(ChunkError::TooLong(_))));
        let mut p = Pending::new();
        assert_eq!(p.reply(1, big), Step::Reject);
    }

    #[test]
    fn clients_are_held_to_the_shorter_limit() {
        let piece = alloc::vec![0u8; MAX_FRAME];
        let mut client = Pending::new();
        let mut trusted = Pending::new();
        let n = MAX_LONG_FRAME / MAX_FRAME;
        for i in 0..n {
            let kind = if i == 0 { Kind::First } else { Kind::Part };
            assert_eq!(client.receive(1, kind, piece.clone()), Step::Ack);
            assert_eq!(
                trusted.receive_up_to(1, kind, piece.clone(), MAX_TRUSTED_FRAME),
                Step::Ack
            );
        }
        assert_eq!(client.receive(1, Kind::Part, piece.clone()), Step::Reject);
        assert_eq!(
            trusted.receive_up_to(1, Kind::Part, piece.clone(), MAX_TRUSTED_FRAME),
            Step::Ack,
            "the manager's path takes more"
        );
    }

    #[test]
    fn a_long_reply_goes_in_order_without_loss() {
        let frame: Vec<u8> = (0..(5 * MAX_FRAME + 3)).map(|i| i as u8).collect();
        let mut p = Pending::new();
        let mut back = Vec::new();
        let mut step = p.reply(9, frame.clone());
        while let Step::Reply(kind, b) = step {
            back.extend(b);
            if kind == Kind::Whole {
                break;
            }
            step = p.receive(9, Kind::Next, Vec::new());
        }
        assert_eq!(back, frame);
        assert_eq!(p.held(), 0);
    }

    #[test]
    fn a_request_begun_elsewhere_is_sent_again_whole() {
        // The old server took the first piece, then a new version (fresh
        // `Pending`) gets the rest: it asks for the frame again, and the
        // whole frame then arrives intact.
        let frame: Vec<u8> = (0..(3 * MAX_FRAME + 5)).map(|i| (i * 3) as u8).collect();
        let mut parts = pieces(&frame).unwrap();
        let mut old = Pending::new();
        let (k, first) = parts.next().unwrap();
        assert_eq!(old.receive(4, k, Vec::from(first)), Step::Ack);
        let mut new = Pending::new();
        let (k, second) = parts.next().unwrap();
        assert_eq!(new.receive(4, k, Vec::from(second)), Step::Resend);
        assert_eq!(new.held(), 0, "nothing kept from the broken frame");
        drop(parts);
        let mut got = None;
        for (k, piece) in pieces(&frame).unwrap() {
            match new.receive(4, k, Vec::from(piece)) {
                Step::Ack => {}
                Step::Request(r) => got = Some(r),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(got.as_deref(), Some(&frame[..]));
        // A last piece alone is sent again too, never served as a request.
        assert_eq!(
            Pending::new().receive(4, Kind::Last, Vec::from(b"tail")),
            Step::Resend
        );
    }

    #[test]
    fn a_new_request_drops_an_unfetched_reply() {
        let mut p = Pending::new();
        let long = alloc::vec![1u8; 3 * MAX_FRAME];
        assert!(matches!(p.reply(5, long), Step::Reply(Kind::Part, _)));
        assert_eq!(p.held(), 1);
        assert!(matches!(
            p.receive(5, Kind::Whole, Vec::from(b"x")),
            Step::Request(_)
        ));
        assert_eq!(p.held(), 0);
        assert_eq!(p.receive(5, Kind::Next, Vec::new()), Step::Reject);
        assert_eq!(p.receive(5, Kind::Ack, Vec::new()), Step::Reject);
    }

    #[test]
    fn callers_are_kept_apart_and_bounded() {
        let mut p = Pending::new();
        for b in 0..(MAX_PENDING as u64 + 10) {
            assert_eq!(p.receive(b, Kind::First, Vec::from(b"piece")), Step::Ack);
        }
        assert_eq!(p.held(), MAX_PENDING, "the oldest are dropped");
        assert_eq!(
            p.receive(MAX_PENDING as u64 + 9, Kind::Last, Vec::from(b"!")),
            Step::Request(b"piece!".to_vec())
        );
        // Caller 0 was dropped: the rest of its request is sent again...
        assert_eq!(p.receive(0, Kind::Last, Vec::from(b"!")), Step::Resend);
        // ...and a Whole is a fresh request.
        assert_eq!(
            p.receive(0, Kind::Whole, Vec::from(b"new")),
            Step::Request(b"new".to_vec())
        );
    }

    #[test]
    fn tags_round_trip() {
        for k in [
            Kind::Whole,
            Kind::Part,
            Kind::Next,
            Kind::Ack,
            Kind::First,
            Kind::Last,
            Kind::Resend,
        ] {
            assert_eq!(Kind::from_tag(k.tag()), Some(k));
        }
        assert_eq!(Kind::from_tag(0), None);
    }

    proptest! {
        #[test]
        fn any_request_and_reply_round_trip(
            req in proptest::collection::vec(any::<u8>(), 0..4 * MAX_FRAME),
            rep in proptest::collection::vec(any::<u8>(), 0..4 * MAX_FRAME),
            badge in any::<u64>(),
        ) {
            let mut p = Pending::new();
            let (r, back) = carry(&mut p, badge, &req, &rep);
            prop_assert_eq!(r, req);
            prop_assert_eq!(back, rep);
            prop_assert_eq!(p.held(), 0);
        }
    }
}
