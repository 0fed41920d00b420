//! What a hostile process counts, and the words it reports them in.

use crate::op::Op;

/// First word of a stats block.
pub const MAGIC: u64 = 0x4853_5441_5453_0001;
/// Header words before the per-kind counts.
const HEADER: usize = 7;
/// Words of an encoded [`Stats`].
pub const WORDS: usize = HEADER + Op::COUNT;

/// Counts of one process (or of several, [`Stats::add`]ed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Calls made.
    pub calls: u64,
    /// Calls that returned success, per kind.
    pub ok: [u32; Op::COUNT],
    /// Calls that returned an error, per kind.
    pub err: [u32; Op::COUNT],
    /// Deliberately wrong calls.
    pub wrong: u64,
    /// Results that differ from what the model was sure of.
    pub mismatches: u64,
    /// The first of them ([`Mismatch::encode`]), 0 if none.
    pub first_mismatch: u64,
    /// Caps that arrived by IPC.
    pub caps_received: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            calls: 0,
            ok: [0; Op::COUNT],
            err: [0; Op::COUNT],
            wrong: 0,
            mismatches: 0,
            first_mismatch: 0,
            caps_received: 0,
        }
    }
}

/// A result the model did not expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The call's kind.
    pub op: Op,
    /// What came back (0 = success, else the error code).
    pub got: u64,
    /// What was expected (0 = success, else the error code).
    pub want: u64,
    /// The call's number in the process's stream.
    pub call: u64,
}

impl Mismatch {
    /// As one word: op | got << 8 | want << 16 | call << 32.
    pub fn encode(&self) -> u64 {
        self.op.index() as u64
            | (self.got & 0xff) << 8
            | (self.want & 0xff) << 16
            | (self.call & 0xffff_ffff) << 32
    }

    /// From [`Mismatch::encode`] (`None` for 0 or an unknown kind).
    pub fn decode(w: u64) -> Option<Mismatch> {
        if w == 0 {
            return None;
        }
        Some(Mismatch {
            op: Op::from_index((w & 0xff) as usize)?,
            got: (w >> 8) & 0xff,
            want: (w >> 16) & 0xff,
            call: w >> 32,
        })
    }
}

impl Stats {
    /// Count one call of kind `op`.
    pub fn count(&mut self, op: Op, ok: bool) {
        self.calls += 1;
        let c = if ok { &mut self.ok } else { &mut self.err };
        if let Some(n) = c.get_mut(op.index()) {
            *n = n.saturating_add(1);
        }
    }

    /// Record a mismatch (the first one is kept).
    pub fn mismatch(&mut self, m: Mismatch) {
        if self.mismatches == 0 {
            self.first_mismatch = m.encode();
        }
        self.mismatches += 1;
    }

    /// Calls that succeeded.
    pub fn oks(&self) -> u64 {
        self.ok.iter().map(|&n| u64::from(n)).sum()
    }

    /// Add `o`'s counts to these (the first mismatch stays the earlier).
    pub fn add(&mut self, o: &Stats) {
        self.calls += o.calls;
        for i in 0..Op::COUNT {
            self.ok[i] = self.ok[i].saturating_add(o.ok[i]);
            self.err[i] = self.err[i].saturating_add(o.err[i]);
        }
        self.wrong += o.wrong;
        if self.mismatches == 0 {
            self.first_mismatch = o.first_mismatch;
        }
        self.mismatches += o.mismatches;
        self.caps_received += o.caps_received;
    }

    /// As report words.
    pub fn to_words(&self) -> [u64; WORDS] {
        let mut w = [0u64; WORDS];
        w[..HEADER].copy_from_slice(&[
            MAGIC,
            self.calls,
            self.wrong,
            self.mismatches,
            self.first_mismatch,
            self.caps_received,
            0,
        ]);
        for i in 0..Op::COUNT {
            w[HEADER + i] = u64::from(self.ok[i]) << 32 | u64::from(self.err[i]);
        }
        w
    }

    /// From report words (`None` when too short or without the magic word).
    pub fn from_words(w: &[u64]) -> Option<Stats> {
        if w.len() < WORDS || w.first() != Some(&MAGIC) {
            return None;
        }
        let mut s = Stats {
            calls: w[1],
            wrong: w[2],
            mismatches: w[3],
            first_mismatch: w[4],
            caps_received: w[5],
            ..Stats::default()
        };
        for i in 0..Op::COUNT {
            s.ok[i] = (w[HEADER + i] >> 32) as u32;
            s.err[i] = w[HEADER + i] as u32;
        }
        Some(s)
    }
}
