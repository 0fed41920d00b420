//! Talking to a booted system the way a person at its serial console
//! does: type a line, wait for the answer. The script is pure data and its
//! matching is a pure function over the transcript (tested on the host);
//! [`run`] boots QEMU with the serial line on its stdin and stdout.

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::qemu::{self, BootOptions, Medium};

/// What the console prints when it waits for a command.
pub const PROMPT: &str = "helix> ";

/// One step of a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Wait for the prompt (after whatever came before).
    Prompt,
    /// Type this line (a CR is added).
    Type(String),
    /// Wait for a line that contains every one of these words, anywhere
    /// in the answer to the last line typed (lines of one answer may come
    /// in any order).
    Line(Vec<String>),
}

/// A conversation: named exchanges, each a list of steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// Its name in the test report.
    pub name: String,
    /// Its steps.
    pub steps: Vec<Step>,
}

/// How an exchange went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The exchange's name.
    pub name: String,
    /// `None` when every step was met; else the step that was not.
    pub failed: Option<String>,
}

/// Where in the transcript `step` is met, searching from `from`; the
/// position after it.
pub fn find(transcript: &str, from: usize, step: &Step) -> Option<usize> {
    let rest = transcript.get(from..)?;
    match step {
        Step::Prompt => rest.find(PROMPT).map(|i| from + i + PROMPT.len()),
        Step::Type(_) => Some(from),
        Step::Line(words) => {
            let mut at = from;
            for line in rest.split_inclusive('\n') {
                let next = at + line.len();
                if line.ends_with('\n') && words.iter().all(|w| line.contains(w.as_str())) {
                    return Some(next);
                }
                at = next;
            }
            None
        }
    }
}

/// A script from a compact text: one exchange per `name:` line, then its
/// steps: `> text` types a line, `? a | b` waits for a line holding `a` and
/// `b`, `$` waits for the prompt.
pub fn script(text: &str) -> Vec<Exchange> {
    let mut out: Vec<Exchange> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(t) = line.strip_prefix("> ") {
            if let Some(e) = out.last_mut() {
                e.steps.push(Step::Type(t.to_string()));
            }
        } else if let Some(w) = line.strip_prefix("? ") {
            if let Some(e) = out.last_mut() {
                e.steps.push(Step::Line(
                    w.split('|').map(|x| x.trim().to_string()).collect(),
                ));
            }
        } else if line == "$" {
            if let Some(e) = out.last_mut() {
                e.steps.push(Step::Prompt);
            }
        } else if let Some(name) = line.strip_suffix(':') {
            out.push(Exchange {
                name: name.to_string(),
                steps: Vec::new(),
            });
        }
    }
    out
}

/// Boot `medium`, play `exchanges` on the serial console (each step may
/// wait up to `step_timeout`), then stop QEMU. Returns each exchange's
/// outcome and the whole transcript.
pub fn run(
    medium: &Medium,
    opts: &BootOptions,
    exchanges: &[Exchange],
    step_timeout: Duration,
) -> Result<(Vec<Outcome>, String), Error> {
    let mut cmd = qemu::command(medium, opts, "stdio")?;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(|source| Error::Spawn {
        program: "qemu-system-x86_64".into(),
        source,
    })?;
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let reader = thread::spawn(move || {
        let Some(mut out) = stdout else { return };
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                return;
            }
        }
    });
    let mut transcript = String::new();
    let mut at = 0;
    let mut outcomes = Vec::new();
    let mut broken = false;
    for ex in exchanges {
        let mut failed = None;
        for step in &ex.steps {
            if broken {
                failed = Some("an earlier step failed".to_string());
                break;
            }
            if let Step::Type(text) = step {
                let written = stdin.as_mut().map(|s| {
                    // Type like a person: byte by byte with a pause, so
                    // the UART's receive FIFO never overflows.
                    for b in text.bytes().chain(std::iter::once(b'\r')) {
                        s.write_all(&[b])?;
                        s.flush()?;
                        thread::sleep(Duration::from_millis(15));
                    }
                    Ok::<(), std::io::Error>(())
                });
                if !matches!(written, Some(Ok(()))) {
                    failed = Some(format!("could not type `{text}`"));
                    broken = true;
                }
                continue;
            }
            let deadline = Instant::now() + step_timeout;
            loop {
                if let Some(next) = find(&transcript, at, step) {
                    // Lines leave the mark where it is; a prompt moves it on.
                    if *step == Step::Prompt {
                        at = next;
                    }
                    break;
                }
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    failed = Some(format!("no {step:?} within {step_timeout:?}"));
                    broken = true;
                    break;
                }
                match rx.recv_timeout(left) {
                    Ok(bytes) => {
                        transcript.push_str(&String::from_utf8_lossy(&bytes).replace('\r', ""))
                    }
                    Err(_) => {
                        failed = Some(format!("QEMU ended while waiting for {step:?}"));
                        broken = true;
                        break;
                    }
                }
            }
            if failed.is_some() {
                break;
            }
        }
        outcomes.push(Outcome {
            name: ex.name.clone(),
            failed,
        });
    }
    // QEMU has no way out of the production system but being stopped.
    let _ = child.kill();
    let _ = child.wait();
    drop(stdin);
    let _ = reader.join();
    while let Ok(bytes) = rx.try_recv() {
        transcript.push_str(&String::from_utf8_lossy(&bytes).replace('\r', ""));
    }
    Ok((outcomes, transcript))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_parse_into_exchanges() {
        let s = script("boot:\n  $\nlsmod:\n  > lsmod\n  ? kvstore | running\n  $\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].steps, [Step::Prompt]);
        assert_eq!(
            s[1].steps,
            [
                Step::Type("lsmod".into()),
                Step::Line(vec!["kvstore".into(), "running".into()]),
                Step::Prompt
            ]
        );
    }

    #[test]
    fn steps_are_found_in_order_after_the_mark() {
        let t = "boot\nhelix> lsmod\n  3 kvstore 1.0.0 running\nhelix> ";
        let p = find(t, 0, &Step::Prompt).unwrap();
        assert_eq!(&t[p..p + 5], "lsmod");
        let l = find(t, p, &Step::Line(vec!["kvstore".into(), "running".into()])).unwrap();
        assert!(t[l..].starts_with("helix> "));
        assert_eq!(
            find(t, l, &Step::Line(vec!["kvstore".into()])),
            None,
            "not again"
        );
        // A line is only a line once its newline arrived.
        assert_eq!(
            find("partial kvstore", 0, &Step::Line(vec!["kvstore".into()])),
            None
        );
        assert!(find(t, l, &Step::Prompt).is_some());
        assert_eq!(find(t, t.len(), &Step::Prompt), None);
    }
}
