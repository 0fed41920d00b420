//! The in-kernel test suite: boot with `ktest`, follow the protocol lines,
//! and re-boot with `ktest.skip=` for every case that already has a result
//! until each case of the plan has one (or a boot makes no progress).

use std::path::Path;

use helix_ktest::{CMDLINE_ONLY, CMDLINE_SKIP, CMDLINE_TEST};

use crate::bundle;
use crate::error::Error;
use crate::iso::{LimineRelease, build_iso};
use crate::qemu::{self, BootOptions, Firmware, Medium};
use crate::report::{Failure, Tally, print_context};
use crate::serial::{BootAccount, Ledger, Progress, TAIL_LINES};
use crate::stage::{self, StageInput};

/// Gives the medium for each boot of the suite. The offline source stages a
/// fresh bundle per boot; the ISO source builds a fresh Limine ISO per boot.
pub trait BootSource {
    /// The medium for a boot whose kernel cmdline gets `words` appended.
    fn medium(&mut self, words: &[String]) -> Result<Medium, Error>;
    /// False when the cmdline cannot change between boots (no re-boots).
    fn can_reboot(&self) -> bool {
        true
    }
    /// The words a boot adds to the kernel cmdline (the kernel suite's
    /// `ktest` words by default).
    fn words(&self, only: Option<&str>, skip: &[String]) -> Vec<String> {
        boot_words(only, skip)
    }
    /// The tag of the suite's output lines.
    fn tag(&self) -> &'static str {
        "kernel"
    }
}

/// The system tests: the module manager judges the test manifest's cases
/// and speaks the protocol, in one boot of the system-tests entry (no
/// kernel words, no re-boots: the manager sees no cmdline).
pub struct SystemSource<'a, S: BootSource>(pub &'a mut S);

impl<S: BootSource> BootSource for SystemSource<'_, S> {
    fn medium(&mut self, words: &[String]) -> Result<Medium, Error> {
        self.0.medium(words)
    }
    fn can_reboot(&self) -> bool {
        false
    }
    fn words(&self, _only: Option<&str>, _skip: &[String]) -> Vec<String> {
        Vec::new()
    }
    fn tag(&self) -> &'static str {
        "system"
    }
}

/// Offline boots: stage with the extra words into `build/root/`, bundle
/// into `build/helix-test.tar`, boot the PVH loader.
pub struct OfflineSource<'a> {
    /// Workspace root.
    pub workspace: &'a Path,
    /// The top-level `limine.cfg`.
    pub cfg_path: &'a Path,
    /// Its text.
    pub cfg_text: &'a str,
    /// Kernel ELF bytes.
    pub kernel: &'a [u8],
    /// The loader ELF.
    pub loader: &'a Path,
    /// Output directory (`build/`).
    pub out: &'a Path,
    /// The entry to boot.
    pub entry: &'a str,
}

impl BootSource for OfflineSource<'_> {
    fn medium(&mut self, words: &[String]) -> Result<Medium, Error> {
        let staged = stage::stage(&StageInput {
            workspace: self.workspace,
            cfg_path: self.cfg_path,
            cfg_text: self.cfg_text,
            kernel: self.kernel,
            extra_cmdline: words,
            entry: Some(self.entry),
        })?;
        stage::write_root(&staged, &self.out.join("root"))?;
        let bundle_path = self.out.join("helix-test.tar");
        bundle::write(&staged, &bundle_path)?;
        Ok(Medium::Offline {
            loader: self.loader.to_path_buf(),
            bundle: bundle_path,
        })
    }
}

/// Real-Limine boots: stage with the extra words, build a hybrid ISO from
/// the Limine release (`build/helix-test.iso`), boot it under `firmware`.
pub struct IsoSource<'a> {
    /// Workspace root.
    pub workspace: &'a Path,
    /// The top-level `limine.cfg`.
    pub cfg_path: &'a Path,
    /// Its text.
    pub cfg_text: &'a str,
    /// Kernel ELF bytes.
    pub kernel: &'a [u8],
    /// The checked Limine binary release.
    pub release: &'a LimineRelease,
    /// Output directory (`build/`).
    pub out: &'a Path,
    /// Which firmware boots the ISO.
    pub firmware: Firmware,
    /// The entry to boot.
    pub entry: &'a str,
}

impl BootSource for IsoSource<'_> {
    fn medium(&mut self, words: &[String]) -> Result<Medium, Error> {
        let staged = stage::stage(&StageInput {
            workspace: self.workspace,
            cfg_path: self.cfg_path,
            cfg_text: self.cfg_text,
            kernel: self.kernel,
            extra_cmdline: words,
            entry: Some(self.entry),
        })?;
        let iso = self.out.join("helix-test.iso");
        build_iso(&staged, self.release, &self.out.join("iso"), &iso).map_err(Error::Iso)?;
        Ok(Medium::Iso {
            iso,
            firmware: self.firmware,
        })
    }
}

/// Cmdline words for one boot.
pub fn boot_words(only: Option<&str>, skip: &[String]) -> Vec<String> {
    let mut words = vec![CMDLINE_TEST.to_string()];
    if let Some(o) = only {
        words.push(format!("{CMDLINE_ONLY}{o}"));
    }
    if !skip.is_empty() {
        words.push(format!("{CMDLINE_SKIP}{}", skip.join(",")));
    }
    words
}

/// Re-boot while cases lack a result, the last boot made progress, the
/// medium allows it, and fewer than `cases + 1` boots ran.
pub fn reboot_wanted(ledger: &Ledger, fresh: usize, can_reboot: bool, boots: usize) -> bool {
    let cap = ledger.plan_len().unwrap_or(0) + 1;
    can_reboot && fresh > 0 && boots < cap && !ledger.remaining().is_empty()
}

fn show(tag: &str, progress: &Progress, account: &BootAccount) {
    match progress {
        Progress::Passed(n) => println!("[{tag}] {n} ... ok"),
        Progress::Failed(n, r) => {
            println!("[{tag}] {n} ... FAILED: {r}");
            print_context("serial lines up to the failure", &account.tail());
        }
        Progress::Malformed(l) => println!("[{tag}] malformed protocol line: {l}"),
    }
}

/// Keep the serial log of a boot in `build/logs/<tag>-boot<N>.log` (a
/// failure to write it loses only the log, which the run says).
fn save_log(tag: &str, boot: usize, run: &qemu::BootRun) {
    let dir = crate::build::workspace_root().join("build/logs");
    let path = dir.join(format!("{tag}-boot{boot}.log"));
    let text: String = run.lines.iter().map(|l| format!("{}\n", l.text)).collect();
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
        println!("[{tag}] could not save {}: {e}", path.display());
    }
}

/// Run the suite, adding every case (and protocol problem) to `tally`.
pub fn run(
    source: &mut dyn BootSource,
    only: Option<&str>,
    opts: &BootOptions,
    tally: &mut Tally,
) -> Result<(), Error> {
    let tag = source.tag();
    let mut ledger = Ledger::new(only.map(String::from));
    let mut boots = 0;
    loop {
        boots += 1;
        let words = source.words(only, &ledger.skip_list());
        let medium = source.medium(&words)?;
        println!("[{tag}] boot {boots}: cmdline + {:?}", words.join(" "));
        let mut account = BootAccount::default();
        let run = qemu::boot(&medium, opts, &mut |line| {
            if opts.verbose {
                println!("  | {}", line.text);
            }
            if let Some(p) = account.feed(&line.text) {
                show(tag, &p, &account);
            }
        })?;
        save_log(&format!("{tag}-smp{}", opts.smp), boots, &run);
        println!("[{tag}] boot {boots} ended: {}; {}", run.end, run.timing());
        if let Some(p) = &run.panic {
            println!("[{tag}] panic: {p}");
        }
        if matches!(run.end, qemu::BootEnd::Exit(_)) && !run.stderr.is_empty() {
            print_context(
                "QEMU stderr",
                &run.stderr.lines().map(String::from).collect::<Vec<_>>(),
            );
        }
        let saw_done = account.saw_done();
        let report = account.finish(run.end);
        for b in &report.benches {
            println!(
                "[bench] {}: median {} {}, min {} ({} runs)",
                b.name, b.median, b.unit, b.min, b.runs
            );
        }
        let absorbed = ledger.absorb(report);
        if let Some(n) = &absorbed.unfinished {
            println!(
                "[{tag}] {n} ... FAILED: started but never finished ({})",
                run.end
            );
        }
        for p in &absorbed.problems {
            println!("[{tag}] protocol problem: {p}");
        }
        if !saw_done || absorbed.unfinished.is_some() || !absorbed.problems.is_empty() {
            print_context(
                &format!("last serial lines of boot {boots}"),
                &run.tail(TAIL_LINES),
            );
        }
        if !reboot_wanted(&ledger, absorbed.fresh, source.can_reboot(), boots) {
            break;
        }
    }
    let summary = ledger.finish();
    let (passed, failed) = summary.counts();
    println!("[{tag}] {passed} passed, {failed} failed in {boots} boot(s)");
    for case in summary.cases {
        match case.failure {
            None => tally.count_pass(),
            Some(reason) => {
                if reason == crate::serial::FailReason::Missing {
                    println!("[{tag}] {} ... FAILED: missing result", case.name);
                }
                tally.count_fail(Failure {
                    name: format!("[{tag}] {}", case.name),
                    reason: reason.to_string(),
                    context: case.context,
                });
            }
        }
    }
    for (problem, tail) in summary.problems {
        tally.count_fail(Failure {
            name: format!("[{tag}] protocol"),
            reason: problem.to_string(),
            context: tail,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_words_carry_only_and_skip() {
        assert_eq!(boot_words(None, &[]), ["ktest"]);
        assert_eq!(
            boot_words(Some("heap"), &["a".into(), "b".into()]),
            ["ktest", "ktest.only=heap", "ktest.skip=a,b"]
        );
    }

    #[test]
    fn reboots_stop_without_progress_or_work() {
        use crate::qemu::BootEnd;
        let mut acc = BootAccount::default();
        for l in [
            "HELIX-KTEST PLAN 2",
            "HELIX-KTEST CASE a",
            "HELIX-KTEST CASE b",
        ] {
            acc.feed(l);
        }
        acc.feed("HELIX-KTEST START a");
        let mut ledger = Ledger::new(None);
        let a = ledger.absorb(acc.finish(BootEnd::Reset));
        assert_eq!(a.fresh, 1);
        assert!(reboot_wanted(&ledger, a.fresh, true, 1));
        assert!(!reboot_wanted(&ledger, 0, true, 1), "no progress");
        assert!(!reboot_wanted(&ledger, a.fresh, false, 1), "fixed medium");
        assert!(!reboot_wanted(&ledger, a.fresh, true, 3), "cap = cases + 1");
        assert!(
            !reboot_wanted(&Ledger::new(None), 1, true, 1),
            "nothing planned"
        );
    }
}
