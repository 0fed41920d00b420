//! The parameters of one hostile run: the words the kernel test maps at
//! [`crate::layout::CONFIG_VA`] for each process, and the kernel cmdline
//! words that choose the seed and the number of calls.

/// First word of a config block.
pub const MAGIC: u64 = 0x4845_4c49_5848_4f53; // "HELIXHOS"
/// Words of a config block.
pub const WORDS: usize = 8;

/// One process's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Its seed.
    pub seed: u64,
    /// Calls to make.
    pub calls: u64,
    /// Its index among the hostile processes.
    pub index: u64,
    /// How many hostile processes run.
    pub procs: u64,
    /// CPUs online.
    pub cpus: u64,
    /// The CPU mask its main thread is pinned to.
    pub own_mask: u64,
    /// Print a progress line every this many calls (0: never).
    pub progress: u64,
}

impl Config {
    /// The block as words.
    pub fn to_words(&self) -> [u64; WORDS] {
        [
            MAGIC,
            self.seed,
            self.calls,
            self.index,
            self.procs,
            self.cpus,
            self.own_mask,
            self.progress,
        ]
    }

    /// Read a block word by word (`None` without the magic word or with a
    /// CPU count outside 1..=64).
    pub fn from_words(word: impl Fn(usize) -> u64) -> Option<Config> {
        if word(0) != MAGIC {
            return None;
        }
        let c = Config {
            seed: word(1),
            calls: word(2),
            index: word(3),
            procs: word(4),
            cpus: word(5),
            own_mask: word(6),
            progress: word(7),
        };
        (1..=64).contains(&c.cpus).then_some(c)
    }

    /// Mask of every CPU online.
    pub fn all_cpus(&self) -> u64 {
        if self.cpus >= 64 {
            u64::MAX
        } else {
            (1u64 << self.cpus) - 1
        }
    }
}

/// Cmdline key of the base seed (`hostile.seed=0x1234` or decimal).
pub const CMDLINE_SEED: &str = "hostile.seed=";
/// Cmdline key of the total number of calls.
pub const CMDLINE_CALLS: &str = "hostile.calls=";

/// What the kernel cmdline asks of the hostile run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `hostile.seed=`, if given.
    pub seed: Option<u64>,
    /// `hostile.calls=`, if given.
    pub calls: Option<u64>,
}

/// A `hostile.*` word whose value does not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadWord<'a>(pub &'a str);

impl core::fmt::Display for BadWord<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "`{}`: not a number (decimal or 0x hex)", self.0)
    }
}

fn number(v: &str) -> Option<u64> {
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

impl Options {
    /// The `hostile.*` words of `cmdline` (other words are ignored; the
    /// last of a repeated word wins).
    pub fn parse(cmdline: &str) -> Result<Options, BadWord<'_>> {
        let mut o = Options::default();
        for word in cmdline.split_whitespace() {
            if let Some(v) = word.strip_prefix(CMDLINE_SEED) {
                o.seed = Some(number(v).ok_or(BadWord(word))?);
            } else if let Some(v) = word.strip_prefix(CMDLINE_CALLS) {
                o.calls = Some(number(v).ok_or(BadWord(word))?);
            }
        }
        Ok(o)
    }
}
