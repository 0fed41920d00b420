//! QEMU launcher: one headless boot with the serial console read line by
//! line (timestamped, with a total timeout and a silence detector), or an
//! interactive boot that hands the terminal to QEMU.

use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use helix_abi::boot::{QEMU_EXIT_FAILURE, QEMU_EXIT_SUCCESS};

use crate::error::Error;

/// The QEMU binary.
pub const QEMU: &str = "qemu-system-x86_64";
/// The kernel's first line starts with this.
pub const KERNEL_ENTERED: &str = "helix: kernel entered";
/// The offline loader's lines start with this.
pub const LOADER_PREFIX: &str = "[loader]";
/// A kernel panic line contains this.
pub const PANIC_MARK: &str = "helix: PANIC";

/// Where OVMF may live (Debian's `ovmf` package installs the first).
const OVMF_CANDIDATES: &[&str] = &[
    "/usr/share/ovmf/OVMF.fd",
    "/usr/share/OVMF/OVMF.fd",
    "/usr/share/qemu/OVMF.fd",
];

/// PC firmware for the ISO medium.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Firmware {
    /// QEMU's default BIOS.
    SeaBios,
    /// UEFI (OVMF).
    Ovmf,
}

/// What QEMU boots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Medium {
    /// PVH direct boot of the offline loader with the bundle as initrd.
    Offline {
        /// The loader ELF (`-kernel`).
        loader: PathBuf,
        /// The ustar bundle (`-initrd`).
        bundle: PathBuf,
    },
    /// A Limine ISO as CD-ROM.
    Iso {
        /// The ISO image.
        iso: PathBuf,
        /// Which firmware boots it.
        firmware: Firmware,
    },
}

impl Medium {
    /// QEMU arguments that attach this medium.
    fn args(&self) -> Result<Vec<OsString>, Error> {
        Ok(match self {
            Medium::Offline { loader, bundle } => vec![
                "-kernel".into(),
                loader.into(),
                "-initrd".into(),
                bundle.into(),
            ],
            Medium::Iso { iso, firmware } => {
                let mut a: Vec<OsString> =
                    vec!["-cdrom".into(), iso.into(), "-boot".into(), "d".into()];
                if *firmware == Firmware::Ovmf {
                    a.push("-bios".into());
                    a.push(find_ovmf()?.into());
                }
                a
            }
        })
    }
}

/// The OVMF firmware image, or an error listing where it was looked for.
pub fn find_ovmf() -> Result<PathBuf, Error> {
    OVMF_CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| Error::NoOvmf {
            looked_in: OVMF_CANDIDATES.iter().map(PathBuf::from).collect(),
        })
}

/// Machine and limits of one boot.
#[derive(Clone, Debug)]
pub struct BootOptions {
    /// Print every serial line as it arrives.
    pub verbose: bool,
    /// CPUs (`-smp`).
    pub smp: u32,
    /// Kill QEMU after this long.
    pub timeout: Duration,
    /// Kill QEMU after this long without a serial line.
    pub silence: Duration,
    /// Extra QEMU arguments, appended last.
    pub extra: Vec<String>,
}

impl Default for BootOptions {
    fn default() -> Self {
        BootOptions {
            verbose: false,
            smp: 2,
            timeout: Duration::from_secs(60),
            silence: Duration::from_secs(30),
            extra: Vec::new(),
        }
    }
}

/// How a boot ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootEnd {
    /// isa-debug-exit success (QEMU exit 33).
    Success,
    /// isa-debug-exit failure (QEMU exit 35).
    Failure,
    /// QEMU exit 0: with `-no-reboot` a reset or triple fault.
    Reset,
    /// Killed at the total timeout.
    Timeout,
    /// Killed after too long without output.
    Silent,
    /// Any other exit status (QEMU itself failed).
    Exit(i32),
    /// Ended by a signal.
    Signal,
}

impl BootEnd {
    /// Classify a QEMU exit status (`None` = killed by a signal).
    pub fn from_status(code: Option<i32>) -> BootEnd {
        match code {
            Some(QEMU_EXIT_SUCCESS) => BootEnd::Success,
            Some(QEMU_EXIT_FAILURE) => BootEnd::Failure,
            Some(0) => BootEnd::Reset,
            Some(c) => BootEnd::Exit(c),
            None => BootEnd::Signal,
        }
    }

    /// True when QEMU was killed by the runner.
    pub fn is_hang(self) -> bool {
        matches!(self, BootEnd::Timeout | BootEnd::Silent)
    }
}

impl fmt::Display for BootEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootEnd::Success => f.write_str("debug-exit success (33)"),
            BootEnd::Failure => f.write_str("debug-exit failure (35)"),
            BootEnd::Reset => f.write_str("reset or triple fault (exit 0)"),
            BootEnd::Timeout => f.write_str("hang: timeout"),
            BootEnd::Silent => f.write_str("hang: no output"),
            BootEnd::Exit(c) => write!(f, "QEMU exit status {c}"),
            BootEnd::Signal => f.write_str("QEMU killed by a signal"),
        }
    }
}

/// One serial line and when it arrived (since QEMU was spawned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedLine {
    /// Time since spawn.
    pub at: Duration,
    /// The line without its line ending.
    pub text: String,
}

/// Everything one captured boot produced.
#[derive(Debug)]
pub struct BootRun {
    /// Serial lines in order.
    pub lines: Vec<TimedLine>,
    /// How it ended.
    pub end: BootEnd,
    /// Time to the first `helix: kernel entered` line.
    pub kernel_entered: Option<Duration>,
    /// Time to the first `[loader]` line.
    pub loader_first: Option<Duration>,
    /// The first `helix: PANIC` line.
    pub panic: Option<String>,
    /// QEMU's own stderr (warnings, or why it refused to start).
    pub stderr: String,
    /// Total wall time.
    pub wall: Duration,
}

impl BootRun {
    /// The serial text lines.
    pub fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|l| l.text.as_str()).collect()
    }

    /// The last `n` serial lines.
    pub fn tail(&self, n: usize) -> Vec<String> {
        let skip = self.lines.len().saturating_sub(n);
        self.lines[skip..].iter().map(|l| l.text.clone()).collect()
    }

    /// One line with the timings, e.g. `loader 0.08 s, kernel entered 0.11 s`.
    pub fn timing(&self) -> String {
        let show = |d: Option<Duration>| match d {
            Some(d) => format!("{:.2} s", d.as_secs_f64()),
            None => "never".to_string(),
        };
        format!(
            "first [loader] line {}, kernel entered {}, total {:.2} s",
            show(self.loader_first),
            show(self.kernel_entered),
            self.wall.as_secs_f64()
        )
    }
}

/// The QEMU command line for `medium` (serial on `serial`).
pub fn command(medium: &Medium, opts: &BootOptions, serial: &str) -> Result<Command, Error> {
    let mut cmd = Command::new(QEMU);
    cmd.args(["-machine", "q35", "-cpu", "max", "-m", "512M"])
        .arg("-smp")
        .arg(opts.smp.to_string())
        .args(["-display", "none", "-no-reboot"])
        .args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])
        .args(["-serial", serial])
        .args(medium.args()?)
        .args(&opts.extra);
    Ok(cmd)
}

fn spawn_error(source: std::io::Error) -> Error {
    Error::Spawn {
        program: QEMU.to_string(),
        source,
    }
}

/// Boot headless and read the serial console; `on_line` sees each line as
/// it arrives. QEMU is killed at the timeout or after the silence limit.
pub fn boot(
    medium: &Medium,
    opts: &BootOptions,
    on_line: &mut dyn FnMut(&TimedLine),
) -> Result<BootRun, Error> {
    let mut cmd = command(medium, opts, "stdio")?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(spawn_error)?;
    let (tx, rx) = mpsc::channel::<TimedLine>();
    let stdout = child.stdout.take().map(BufReader::new);
    let reader = thread::spawn(move || {
        let Some(mut stdout) = stdout else { return };
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match stdout.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let text = clean(&String::from_utf8_lossy(&buf));
                    let line = TimedLine {
                        at: start.elapsed(),
                        text,
                    };
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let stderr = child.stderr.take();
    let err_reader = thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut e) = stderr {
            // A read error only loses QEMU's diagnostics.
            let _ = e.read_to_string(&mut text);
        }
        text
    });

    let mut run = BootRun {
        lines: Vec::new(),
        end: BootEnd::Signal,
        kernel_entered: None,
        loader_first: None,
        panic: None,
        stderr: String::new(),
        wall: Duration::ZERO,
    };
    let mut last = Instant::now();
    let killed = loop {
        let now = Instant::now();
        let total_left = opts.timeout.saturating_sub(now - start);
        let quiet_left = opts.silence.saturating_sub(now - last);
        match rx.recv_timeout(total_left.min(quiet_left)) {
            Ok(line) => {
                last = Instant::now();
                note(&mut run, &line);
                on_line(&line);
                run.lines.push(line);
            }
            Err(RecvTimeoutError::Disconnected) => break None,
            Err(RecvTimeoutError::Timeout) => {
                let end = if start.elapsed() >= opts.timeout {
                    BootEnd::Timeout
                } else {
                    BootEnd::Silent
                };
                kill(&mut child);
                break Some(end);
            }
        }
    };
    let status = child
        .wait()
        .map_err(|e| Error::io("wait for", PathBuf::from(QEMU), e))?;
    // Lines that were in the pipe when QEMU was killed.
    while let Ok(line) = rx.try_recv() {
        note(&mut run, &line);
        on_line(&line);
        run.lines.push(line);
    }
    // The reader threads end with the pipes; a panic there loses only text.
    let _ = reader.join();
    run.stderr = err_reader.join().unwrap_or_default();
    run.end = killed.unwrap_or_else(|| BootEnd::from_status(status.code()));
    run.wall = start.elapsed();
    Ok(run)
}

/// A serial line without its line ending, ANSI escape sequences (firmware
/// consoles clear the screen) and other control characters except tab.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // Parameters and intermediates, then one final byte @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else if c == '\t' || !c.is_control() {
            out.push(c);
        }
    }
    out
}

fn note(run: &mut BootRun, line: &TimedLine) {
    // `contains`: under OVMF firmware text may precede the kernel's first
    // line without a line break.
    if run.kernel_entered.is_none() && line.text.contains(KERNEL_ENTERED) {
        run.kernel_entered = Some(line.at);
    }
    if run.loader_first.is_none() && line.text.starts_with(LOADER_PREFIX) {
        run.loader_first = Some(line.at);
    }
    if run.panic.is_none() && line.text.contains(PANIC_MARK) {
        run.panic = Some(line.text.clone());
    }
}

fn kill(child: &mut Child) {
    // Fails only when QEMU already exited, which is what we want anyway.
    let _ = child.kill();
}

/// Replace this process with an interactive QEMU (serial and monitor on
/// the terminal: Ctrl-A X quits). Returns only on failure.
pub fn exec_interactive(medium: &Medium, opts: &BootOptions) -> Error {
    use std::os::unix::process::CommandExt;
    match command(medium, opts, "mon:stdio") {
        Ok(mut cmd) => spawn_error(cmd.exec()),
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_are_classified() {
        assert_eq!(BootEnd::from_status(Some(33)), BootEnd::Success);
        assert_eq!(BootEnd::from_status(Some(35)), BootEnd::Failure);
        assert_eq!(BootEnd::from_status(Some(0)), BootEnd::Reset);
        assert_eq!(BootEnd::from_status(Some(1)), BootEnd::Exit(1));
        assert_eq!(BootEnd::from_status(None), BootEnd::Signal);
        assert!(BootEnd::Silent.is_hang() && !BootEnd::Reset.is_hang());
    }

    #[test]
    fn lines_lose_escapes_and_control_characters() {
        assert_eq!(clean("helix: kernel entered\r\n"), "helix: kernel entered");
        assert_eq!(
            clean("\u{1b}[2J\u{1b}[01;01Hhelix: kernel entered\n"),
            "helix: kernel entered"
        );
        assert_eq!(clean("a\tb\u{7}c\u{1b}cd"), "a\tbcd");
    }

    #[test]
    fn media_attach_the_right_files() {
        let off = Medium::Offline {
            loader: "l.elf".into(),
            bundle: "b.tar".into(),
        };
        assert_eq!(
            off.args().unwrap_or_default(),
            ["-kernel", "l.elf", "-initrd", "b.tar"].map(OsString::from)
        );
        let iso = Medium::Iso {
            iso: "h.iso".into(),
            firmware: Firmware::SeaBios,
        };
        assert_eq!(
            iso.args().unwrap_or_default(),
            ["-cdrom", "h.iso", "-boot", "d"].map(OsString::from)
        );
    }
}
