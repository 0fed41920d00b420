//! The subcommands, glued from the other modules.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::build::{self, Artifacts, KernelKind};
use crate::cli::{Command, MediumChoice, Options, USAGE};
use crate::error::Error;
use crate::iso::{self, LimineRelease};
use crate::qemu::{self, BootOptions, Firmware, Medium};
use crate::report::{Failure, Tally};
use crate::stage::{self, StageInput, Staged};
use crate::suite::{self, BootSource, IsoSource, OfflineSource};
use crate::{bench, bundle, host_tests, scenarios};

/// CPU count of the second offline suite boot of `test`.
const SECOND_SMP: u32 = 4;

/// Paths every command uses.
pub(crate) struct Tree {
    pub(crate) root: PathBuf,
    cfg: PathBuf,
    pub(crate) out: PathBuf,
}

impl Tree {
    fn new() -> Self {
        let root = build::workspace_root();
        Tree {
            cfg: root.join("limine.cfg"),
            out: root.join("build"),
            root,
        }
    }

    pub(crate) fn rel<'p>(&self, p: &'p Path) -> &'p Path {
        p.strip_prefix(&self.root).unwrap_or(p)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|e| Error::io("read", path, e))
}

fn read_text(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|e| Error::io("read", path, e))
}

pub(crate) fn boot_options(o: &Options) -> BootOptions {
    BootOptions {
        verbose: o.verbose,
        smp: o.smp,
        timeout: o.timeout,
        silence: o.silence.min(o.timeout),
        extra: o.extra_qemu.clone(),
    }
}

/// Build, print the hash of the kernel of `kind`, and stage the default
/// entry with it.
pub(crate) fn build_and_stage(
    tree: &Tree,
    o: &Options,
    kind: KernelKind,
    entry: &str,
    words: &[String],
) -> Result<(Artifacts, Vec<u8>, Staged), Error> {
    let art = if o.no_build {
        build::artifacts(&tree.root, &o.profile)
    } else {
        build::build(&tree.root, &o.profile)?
    };
    let path = art.kernel(kind);
    let kernel = read(path)?;
    println!(
        "kernel: {} sha256 {}",
        tree.rel(path).display(),
        build::sha256_hex(&kernel)
    );
    let cfg_text = read_text(&tree.cfg)?;
    let staged = stage::stage(&StageInput {
        workspace: &tree.root,
        cfg_path: &tree.cfg,
        cfg_text: &cfg_text,
        kernel: &kernel,
        extra_cmdline: words,
        entry: Some(entry),
    })?;
    Ok((art, kernel, staged))
}

/// Run one command; `Ok(false)` means tests failed.
pub fn dispatch(o: &Options) -> Result<bool, Error> {
    let tree = Tree::new();
    match o.command {
        Command::Help => {
            print!("{USAGE}");
            Ok(true)
        }
        Command::Build => {
            let art = build::build(&tree.root, &o.profile)?;
            for p in [&art.kernel, &art.kernel_test, &art.loader] {
                println!(
                    "{} sha256 {}",
                    tree.rel(p).display(),
                    build::sha256_hex(&read(p)?)
                );
            }
            Ok(true)
        }
        Command::Stage => {
            let words: Vec<String> = o
                .ktest
                .then(|| helix_ktest::CMDLINE_TEST.to_string())
                .into_iter()
                .collect();
            let kind = if o.ktest {
                KernelKind::Test
            } else {
                KernelKind::Production
            };
            let entry = if o.ktest {
                stage::KERNEL_TESTS_ENTRY
            } else {
                stage::SYSTEM_ENTRY
            };
            let (_, _, staged) = build_and_stage(&tree, o, kind, entry, &words)?;
            let root = tree.out.join("root");
            stage::write_root(&staged, &root)?;
            let tar = tree.out.join(if o.ktest {
                "helix-test.tar"
            } else {
                "helix.tar"
            });
            bundle::write(&staged, &tar)?;
            println!(
                "staged {} and {}",
                tree.rel(&root).display(),
                tree.rel(&tar).display()
            );
            Ok(true)
        }
        Command::Run => {
            let (art, _, staged) =
                build_and_stage(&tree, o, KernelKind::Production, stage::SYSTEM_ENTRY, &[])?;
            stage::write_root(&staged, &tree.out.join("root"))?;
            let tar = tree.out.join("helix.tar");
            bundle::write(&staged, &tar)?;
            let medium = Medium::Offline {
                loader: art.loader,
                bundle: tar,
            };
            println!("Booting Helix offline (PVH loader); quit with Ctrl-A X");
            Err(qemu::exec_interactive(&medium, &boot_options(o)))
        }
        Command::Test => Ok(test(&tree, o, &[o.medium])),
        Command::Bench => bench::run(&tree, o),
        Command::Clippy => build::clippy(&tree.root).map(|()| true),
        Command::Stress => crate::stress::run(&tree, o),
        Command::TestLimine => Ok(test(
            &tree,
            &Options {
                no_host: true,
                ..o.clone()
            },
            &[MediumChoice::IsoSeaBios, MediumChoice::IsoOvmf],
        )),
        Command::Iso => {
            let release = limine_release(o)?;
            let (_, _, staged) =
                build_and_stage(&tree, o, KernelKind::Production, stage::SYSTEM_ENTRY, &[])?;
            let out = o.out.clone().unwrap_or_else(|| tree.out.join("helix.iso"));
            iso::build_iso(&staged, &release, &tree.out.join("iso"), &out).map_err(Error::Iso)?;
            println!(
                "wrote {} (Limine {}, config installed as boot/limine/{})",
                out.display(),
                release.version,
                release.config_name()
            );
            Ok(true)
        }
    }
}

/// The Limine release named by `--limine-dir`.
fn limine_release(o: &Options) -> Result<LimineRelease, Error> {
    let dir = o
        .limine_dir
        .as_deref()
        .ok_or(Error::Usage(crate::cli::UsageError::NoLimineDir))?;
    LimineRelease::open(dir).map_err(Error::Iso)
}

/// `helix-runner test`: host tests, then the kernel suite on each medium,
/// then (offline) the scenarios; prints the closing line and returns whether
/// everything passed.
fn test(tree: &Tree, o: &Options, media: &[MediumChoice]) -> bool {
    let mut tally = Tally::default();
    if !o.no_host {
        println!("[host] cargo test --color never");
        match host_tests::run(&tree.root) {
            Ok(h) => {
                println!(
                    "[host] {} passed, {} failed ({} test binaries)",
                    h.passed, h.failed, h.summaries
                );
                tally.add_counts(h.passed, h.failed);
            }
            Err(e) => tally.fail(failure("[host] cargo test", &e)),
        }
    }
    for &medium in media {
        if let Err(e) = boots(tree, o, medium, &mut tally) {
            tally.fail(failure("[kernel] suite", &e));
        }
    }
    // The SMP cases must hold on more than two CPUs too: the whole suite
    // once more offline with -smp 4 (one boot, ~2 s; scenarios not repeated).
    if media == [MediumChoice::Offline] && o.only.is_none() && o.smp != SECOND_SMP {
        println!("[kernel] the suite again with -smp {SECOND_SMP}");
        let again = Options {
            smp: SECOND_SMP,
            no_scenarios: true,
            no_build: true,
            ..o.clone()
        };
        if let Err(e) = boots(tree, &again, MediumChoice::Offline, &mut tally) {
            tally.fail(failure("[kernel] suite -smp 4", &e));
        }
    }
    if media == [MediumChoice::Offline] && o.only.is_none() {
        let again = Options {
            no_build: true,
            ..o.clone()
        };
        if let Err(e) = system_tests(tree, &again, &mut tally) {
            tally.fail(failure("[system] suite", &e));
        }
        if let Err(e) = crate::console_test::run(tree, &again, &mut tally) {
            tally.fail(failure("[console] session", &e));
        }
    }
    tally.print_failures();
    println!("{}", tally.final_line());
    tally.failed() == 0
}

/// The system tests: the production kernel, the module manager and the
/// test manifest's modules, one offline boot.
fn system_tests(tree: &Tree, o: &Options, tally: &mut Tally) -> Result<(), Error> {
    println!("[system] the module manager runs manifests/system-test.manifest");
    let (art, kernel, _) = build_and_stage(
        tree,
        o,
        KernelKind::Production,
        stage::SYSTEM_TESTS_ENTRY,
        &[],
    )?;
    let cfg_text = read_text(&tree.cfg)?;
    let mut offline = OfflineSource {
        workspace: &tree.root,
        cfg_path: &tree.cfg,
        cfg_text: &cfg_text,
        kernel: &kernel,
        loader: &art.loader,
        out: &tree.out,
        entry: stage::SYSTEM_TESTS_ENTRY,
    };
    suite::run(
        &mut suite::SystemSource(&mut offline),
        None,
        &boot_options(o),
        tally,
    )
}

fn failure(name: &str, e: &Error) -> Failure {
    Failure {
        name: name.into(),
        reason: e.to_string(),
        context: Vec::new(),
    }
}

fn boots(tree: &Tree, o: &Options, medium: MediumChoice, tally: &mut Tally) -> Result<(), Error> {
    let (art, kernel, good) =
        build_and_stage(tree, o, KernelKind::Test, stage::KERNEL_TESTS_ENTRY, &[])?;
    let opts = boot_options(o);
    let cfg_text = read_text(&tree.cfg)?;
    let mut offline = OfflineSource {
        workspace: &tree.root,
        cfg_path: &tree.cfg,
        cfg_text: &cfg_text,
        kernel: &kernel,
        loader: &art.loader,
        out: &tree.out,
        entry: stage::KERNEL_TESTS_ENTRY,
    };
    let release;
    let mut iso;
    let source: &mut dyn BootSource = match medium {
        MediumChoice::Offline => &mut offline,
        MediumChoice::IsoSeaBios | MediumChoice::IsoOvmf => {
            release = limine_release(o)?;
            let firmware = if medium == MediumChoice::IsoOvmf {
                Firmware::Ovmf
            } else {
                Firmware::SeaBios
            };
            println!(
                "[kernel] medium: Limine {} ISO, {firmware:?}",
                release.version
            );
            iso = IsoSource {
                workspace: &tree.root,
                cfg_path: &tree.cfg,
                cfg_text: &cfg_text,
                kernel: &kernel,
                release: &release,
                out: &tree.out,
                firmware,
                entry: stage::KERNEL_TESTS_ENTRY,
            };
            &mut iso
        }
    };
    suite::run(source, o.only.as_deref(), &opts, tally)?;
    if medium == MediumChoice::Offline && !o.no_scenarios && o.only.is_none() {
        scenarios::run_all(
            &good,
            &art.loader,
            &tree.out.join("scenarios"),
            &opts,
            tally,
        )?;
    }
    Ok(())
}

/// Exit code for a finished command.
pub fn exit_code(result: Result<bool, Error>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("helix-runner: error: {e}");
            ExitCode::from(2)
        }
    }
}
