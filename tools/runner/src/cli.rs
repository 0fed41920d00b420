//! Command-line parsing (no I/O): `helix-runner <command> [options]`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Usage text.
pub const USAGE: &str = "\
usage: helix-runner <command> [options]

commands:
  build   build kernel and loader for x86_64-unknown-none
  stage   build, stage build/root/ and bundle build/helix.tar (--ktest: test cmdline)
  run     build, stage, bundle, boot interactively (quit with Ctrl-A X)
  test    host tests, kernel test suite and bad-input scenarios;
          the last line is `N passed, N failed`
  iso     build a hybrid BIOS+UEFI ISO with real Limine (--limine-dir, --out)
  test-limine  the kernel suite booted from a Limine ISO under SeaBIOS
          and under OVMF (--limine-dir); last line `N passed, N failed`
  bench   boot Helix with `kbench` and a Debian Linux baseline under
          -icount shift=0,align=off; print the figures and ratios
          (--only kernel: the kernel figures alone, one boot)
  clippy  clippy -D warnings on the host crates and, for x86_64-unknown-none,
          the kernel (both kernels), the loader and every user module
  stress  boot the structured hostile case alone (--seed, --calls; a
          fresh seed and 1,000,000 calls by default); replays a seed
  help    this text

options:
  --profile <name>          cargo profile for kernel and loader (default release)
  --smp <n>                 CPUs (default 2)
  --extra-qemu-args <args>  extra QEMU arguments (split on spaces)
  --timeout <s>             per-boot timeout (default 60)
  --silence <s>             per-boot limit without serial output (default 30)
  --no-host                 test: skip `cargo test`
  --no-scenarios            test: skip the bad-input boots
  --medium <m>              test: offline (default) | iso-seabios | iso-ovmf
  --limine-dir <dir>        iso, test-limine, iso media: a Limine binary release
  --out <path>              iso: the image to write (default build/helix.iso)
  --only <case>             test: run one kernel case; bench: `kernel`
  --ktest                   stage: add `ktest` to the kernel cmdline
  --no-build                use the kernel and loader already in target/ (no cargo build)
  --verbose                 test: print every serial line of every boot; the serial log of
                            each boot is saved in build/logs/ either way
  --seed <n>                stress: base seed (decimal or 0x hex)
  --calls <n>               stress: calls over all hostile processes
";

/// The subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Build kernel and loader.
    Build,
    /// Build and stage.
    Stage,
    /// Interactive boot.
    Run,
    /// The whole test run.
    Test,
    /// Build a Limine ISO.
    Iso,
    /// The kernel suite through Limine ISOs (SeaBIOS and OVMF).
    TestLimine,
    /// Benchmarks against a Linux baseline.
    Bench,
    /// Lint every crate for the target it runs on.
    Clippy,
    /// The hostile case alone, with a seed and a number of calls.
    Stress,
    /// Print usage.
    Help,
}

/// Which boot medium the kernel suite uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediumChoice {
    /// PVH loader + bundle.
    Offline,
    /// Limine ISO under SeaBIOS.
    IsoSeaBios,
    /// Limine ISO under OVMF.
    IsoOvmf,
}

/// Parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// What to do.
    pub command: Command,
    /// Cargo profile for the bare-metal build.
    pub profile: String,
    /// CPUs.
    pub smp: u32,
    /// Extra QEMU arguments.
    pub extra_qemu: Vec<String>,
    /// Per-boot timeout.
    pub timeout: Duration,
    /// Per-boot silence limit.
    pub silence: Duration,
    /// Skip host tests.
    pub no_host: bool,
    /// Skip bad-input scenarios.
    pub no_scenarios: bool,
    /// Kernel suite medium.
    pub medium: MediumChoice,
    /// Limine binary release for ISO builds.
    pub limine_dir: Option<PathBuf>,
    /// Output image of `iso`.
    pub out: Option<PathBuf>,
    /// Run only this kernel case.
    pub only: Option<String>,
    /// Stage with `ktest`.
    pub ktest: bool,
    /// Skip `cargo build` of kernel and loader.
    pub no_build: bool,
    /// Print every serial line of every boot (passing ones too).
    pub verbose: bool,
    /// `stress`: the base seed as given.
    pub seed: Option<String>,
    /// `stress`: calls over all hostile processes.
    pub calls: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            command: Command::Help,
            profile: "release".into(),
            smp: 2,
            extra_qemu: Vec::new(),
            timeout: Duration::from_secs(60),
            silence: Duration::from_secs(30),
            no_host: false,
            verbose: false,
            no_scenarios: false,
            medium: MediumChoice::Offline,
            limine_dir: None,
            out: None,
            only: None,
            ktest: false,
            no_build: false,
            seed: None,
            calls: None,
        }
    }
}

/// A command line that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsageError {
    /// No such subcommand.
    UnknownCommand(String),
    /// No such option.
    UnknownOption(String),
    /// An option without its value.
    MissingValue(&'static str),
    /// A value that is not a positive number.
    BadNumber(&'static str, String),
    /// `--medium` with an unknown name.
    BadMedium(String),
    /// An ISO command or medium without `--limine-dir`.
    NoLimineDir,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageError::UnknownCommand(c) => write!(f, "unknown command {c:?}"),
            UsageError::UnknownOption(o) => write!(f, "unknown option {o:?}"),
            UsageError::MissingValue(o) => write!(f, "{o} needs a value"),
            UsageError::BadNumber(o, v) => write!(f, "{o}: {v:?} is not a positive number"),
            UsageError::BadMedium(m) => {
                write!(
                    f,
                    "--medium {m:?}: expected offline, iso-seabios or iso-ovmf"
                )
            }
            UsageError::NoLimineDir => f.write_str(
                "ISO boots need --limine-dir <dir> (a Limine binary release; make sets it from LIMINE_DIR)",
            ),
        }
    }
}

fn number(option: &'static str, value: &str) -> Result<u64, UsageError> {
    match value.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(UsageError::BadNumber(option, value.to_string())),
    }
}

/// Parse the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, UsageError> {
    let mut args = args.into_iter();
    let command = match args.next().as_deref() {
        None | Some("help" | "--help" | "-h") => Command::Help,
        Some("build") => Command::Build,
        Some("stage") => Command::Stage,
        Some("run") => Command::Run,
        Some("test") => Command::Test,
        Some("iso") => Command::Iso,
        Some("test-limine") => Command::TestLimine,
        Some("bench") => Command::Bench,
        Some("clippy") => Command::Clippy,
        Some("stress") => Command::Stress,
        Some(other) => return Err(UsageError::UnknownCommand(other.to_string())),
    };
    let mut o = Options {
        command,
        ..Options::default()
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &'static str| args.next().ok_or(UsageError::MissingValue(name));
        match arg.as_str() {
            "--profile" => o.profile = value("--profile")?,
            "--smp" => o.smp = number("--smp", &value("--smp")?)? as u32,
            "--extra-qemu-args" => o.extra_qemu.extend(
                value("--extra-qemu-args")?
                    .split_whitespace()
                    .map(String::from),
            ),
            "--timeout" => {
                o.timeout = Duration::from_secs(number("--timeout", &value("--timeout")?)?)
            }
            "--silence" => {
                o.silence = Duration::from_secs(number("--silence", &value("--silence")?)?)
            }
            "--no-host" => o.no_host = true,
            "--no-scenarios" => o.no_scenarios = true,
            "--medium" => {
                o.medium = match value("--medium")?.as_str() {
                    "offline" => MediumChoice::Offline,
                    "iso-seabios" => MediumChoice::IsoSeaBios,
                    "iso-ovmf" => MediumChoice::IsoOvmf,
                    m => return Err(UsageError::BadMedium(m.to_string())),
                }
            }
            "--limine-dir" => o.limine_dir = Some(PathBuf::from(value("--limine-dir")?)),
            "--out" => o.out = Some(PathBuf::from(value("--out")?)),
            "--only" => o.only = Some(value("--only")?),
            "--ktest" => o.ktest = true,
            "--no-build" => o.no_build = true,
            "--verbose" => o.verbose = true,
            "--seed" => o.seed = Some(value("--seed")?),
            "--calls" => o.calls = Some(number("--calls", &value("--calls")?)?),
            other => return Err(UsageError::UnknownOption(other.to_string())),
        }
    }
    let needs_limine = o.medium != MediumChoice::Offline
        || matches!(o.command, Command::Iso | Command::TestLimine);
    if needs_limine && o.limine_dir.is_none() {
        return Err(UsageError::NoLimineDir);
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Options, UsageError> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn test_options_parse() -> Result<(), UsageError> {
        let o = p(&[
            "test",
            "--no-host",
            "--only",
            "heap",
            "--timeout",
            "9",
            "--smp",
            "4",
        ])?;
        assert_eq!(o.command, Command::Test);
        assert!(o.no_host);
        assert_eq!(o.only.as_deref(), Some("heap"));
        assert_eq!(o.timeout, Duration::from_secs(9));
        assert_eq!(o.smp, 4);
        let o = p(&["run", "--extra-qemu-args", "-s  -S"])?;
        assert_eq!(o.extra_qemu, ["-s", "-S"]);
        Ok(())
    }

    #[test]
    fn iso_boots_need_a_limine_dir() {
        for args in [
            &["test", "--medium", "iso-ovmf"][..],
            &["iso"][..],
            &["test-limine"][..],
        ] {
            assert_eq!(p(args), Err(UsageError::NoLimineDir), "{args:?}");
        }
        let o = p(&["test", "--medium", "iso-seabios", "--limine-dir", "l"]);
        assert_eq!(o.map(|o| o.medium), Ok(MediumChoice::IsoSeaBios));
        let o = p(&["iso", "--limine-dir", "l", "--out", "x.iso"]).unwrap();
        assert_eq!(o.command, Command::Iso);
        assert_eq!(o.out, Some(PathBuf::from("x.iso")));
        assert_eq!(
            p(&["test-limine", "--limine-dir", "l"]).map(|o| o.command),
            Ok(Command::TestLimine)
        );
        assert_eq!(p(&["bench"]).map(|o| o.command), Ok(Command::Bench));
    }

    #[test]
    fn bad_input_is_rejected() {
        assert_eq!(
            p(&["frobnicate"]),
            Err(UsageError::UnknownCommand("frobnicate".into()))
        );
        assert_eq!(
            p(&["test", "--bogus"]),
            Err(UsageError::UnknownOption("--bogus".into()))
        );
        assert_eq!(
            p(&["test", "--timeout"]),
            Err(UsageError::MissingValue("--timeout"))
        );
        assert_eq!(
            p(&["test", "--timeout", "0"]),
            Err(UsageError::BadNumber("--timeout", "0".into()))
        );
        assert_eq!(
            p(&["test", "--medium", "floppy"]),
            Err(UsageError::BadMedium("floppy".into()))
        );
    }
}
