//! Staging: turn the top-level `limine.cfg` into the set of files a boot
//! needs (kernel, generated manifest and pattern, module files from the
//! tree) plus the config to install, all in memory, then write them to
//! `build/root/`. The bundle and the ISO builder both start from a [`Staged`].

use std::fs;
use std::path::{Path, PathBuf};

use helix_abi::boot::MANIFEST_CMDLINE;
use helix_bootcfg::{BootPath, Config, ModuleSpec};

use crate::error::Error;

/// Module cmdline of the generated test pattern.
pub const PATTERN_CMDLINE: &str = "pattern";
/// Size of the generated pattern (several pages, not page-aligned).
pub const PATTERN_LEN: usize = 300_000;
const PATTERN_SEED: u64 = 0x4845_4c49_585f_5054; // "HELIX_PT"

/// Directories (relative to the workspace root) searched, in order, for a
/// module's file name. Built server binaries go here as one more line.
pub const SOURCE_DIRS: &[&str] = &["manifests", "test/modules", crate::build::MODULES_DIR];

/// A staged boot: the config text and every file it names, by member name
/// (`boot():/x/y` becomes `x/y`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staged {
    /// The rendered `limine.cfg`.
    pub config: String,
    /// Member name and contents, kernel first, then modules in config order.
    pub files: Vec<(String, Vec<u8>)>,
}

/// What to stage.
pub struct StageInput<'a> {
    /// Workspace root (module sources are found relative to it).
    pub workspace: &'a Path,
    /// The config file's path (for error messages).
    pub cfg_path: &'a Path,
    /// The config text.
    pub cfg_text: &'a str,
    /// The kernel ELF's bytes.
    pub kernel: &'a [u8],
    /// Words appended to the entry's cmdline (`ktest`, `ktest.skip=a,b`).
    pub extra_cmdline: &'a [String],
    /// Which entry to stage (its name); `None`: the default entry.
    pub entry: Option<&'a str>,
}

/// The entry `make run` and `make iso` boot: the system as a user has it.
pub const SYSTEM_ENTRY: &str = "Helix";
/// The entry of the in-kernel test suite.
pub const KERNEL_TESTS_ENTRY: &str = "Helix kernel tests";
/// The entry of the system tests (the module manager runs a test manifest).
pub const SYSTEM_TESTS_ENTRY: &str = "Helix system tests";
/// The hot-reload benchmark (`make bench`).
pub const RELOAD_BENCH_ENTRY: &str = "Helix reload benchmark";
/// File-name suffix of boot manifests (the module manager's).
pub const BOOT_MANIFEST_SUFFIX: &str = ".manifest";

/// Where a module's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    /// Generated checksum manifest of the other modules.
    Manifest,
    /// Generated test pattern.
    Pattern,
    /// A file in the tree.
    File(PathBuf),
}

/// Pick the source of one module from its cmdline and file name.
fn module_source(workspace: &Path, cmdline: &str, module: &str) -> Result<Source, Error> {
    match cmdline {
        MANIFEST_CMDLINE => return Ok(Source::Manifest),
        PATTERN_CMDLINE => return Ok(Source::Pattern),
        _ => {}
    }
    let name = Path::new(module).file_name().unwrap_or_default();
    let candidates: Vec<PathBuf> = SOURCE_DIRS
        .iter()
        .map(|d| workspace.join(d).join(name))
        .collect();
    match candidates.iter().find(|p| p.is_file()) {
        Some(p) => Ok(Source::File(p.clone())),
        None => Err(Error::MissingModuleSource {
            module: module.to_string(),
            looked_in: candidates,
        }),
    }
}

/// The bundle member name of a `boot():` path: no leading slash, no empty,
/// `.` or `..` component.
pub fn member_name(path: &BootPath<'_>) -> Result<String, Error> {
    let bad = || Error::BadMemberPath {
        path: path.path.to_string(),
    };
    if path.resource != "boot" {
        return Err(bad());
    }
    let rel = path.path.strip_prefix('/').ok_or_else(bad)?;
    if rel
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(bad());
    }
    Ok(rel.to_string())
}

/// The manifest text: one `<path> <size> <crc32>` line per module.
pub fn manifest(modules: &[(&str, &[u8])]) -> String {
    modules
        .iter()
        .map(|(path, data)| format!("{path} {} {:08x}\n", data.len(), crc32fast::hash(data)))
        .collect()
}

/// The deterministic test pattern (xorshift64 with a fixed seed).
pub fn pattern() -> Vec<u8> {
    let mut x = PATTERN_SEED;
    let mut out = Vec::with_capacity(PATTERN_LEN + 8);
    while out.len() < PATTERN_LEN {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(PATTERN_LEN);
    out
}

/// `cmdline` with `words` appended, separated by single spaces.
pub fn append_cmdline(cmdline: &str, words: &[String]) -> String {
    let mut all: Vec<&str> = cmdline.split_whitespace().collect();
    all.extend(words.iter().map(String::as_str));
    all.join(" ")
}

fn config_error(path: &Path, message: String) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        message,
    }
}

fn entry_index(cfg: &Config<'_>, name: Option<&str>) -> Option<usize> {
    match name {
        Some(n) => cfg
            .entries
            .iter()
            .position(|e| e.is_bootable() && e.name == n),
        None => {
            let entry = cfg.default_entry()?;
            cfg.entries.iter().position(|e| std::ptr::eq(e, entry))
        }
    }
}

/// The boot paths of the binaries the entry's boot manifest names that
/// the entry does not list itself (`boot():/boot/helix/<binary>`, next to
/// the manifest), so adding a server needs no `limine.cfg` line.
pub fn manifest_binaries(
    workspace: &Path,
    entry: &helix_bootcfg::Entry<'_>,
) -> Result<Vec<String>, Error> {
    let Some(spec) = entry
        .modules
        .iter()
        .find(|m| m.path.path.ends_with(BOOT_MANIFEST_SUFFIX))
    else {
        return Ok(Vec::new());
    };
    let source = module_source(workspace, spec.cmdline, spec.path.path)?;
    let Source::File(file) = source else {
        return Ok(Vec::new());
    };
    let text = fs::read_to_string(&file).map_err(|e| Error::io("read", &file, e))?;
    let manifest = helix_manifest::Manifest::parse(&text).map_err(|e| Error::Config {
        path: file.clone(),
        message: e.to_string(),
    })?;
    let dir = spec.path.path.rsplit_once('/').map_or("", |(d, _)| d);
    let listed: Vec<&str> = entry
        .modules
        .iter()
        .filter_map(|m| m.path.path.rsplit('/').next())
        .collect();
    let mut out = Vec::new();
    for b in manifest.binaries() {
        if listed.contains(&b) {
            continue;
        }
        // A binary nobody built stays out of the boot: the manager then
        // refuses its module with the reason (and starts the rest).
        let path = format!("{dir}/{b}");
        if module_source(workspace, "", &path).is_err() {
            eprintln!(
                "runner: {}: no file `{b}` to stage; its module will be refused",
                file.display()
            );
            continue;
        }
        out.push(path);
    }
    Ok(out)
}

/// Stage one entry of the config (the default when `input.entry` is
/// `None`): the staged config holds that entry alone, with the binaries
/// its boot manifest names added as modules.
pub fn stage(input: &StageInput<'_>) -> Result<Staged, Error> {
    let cfg = helix_bootcfg::parse(input.cfg_text)
        .map_err(|e| config_error(input.cfg_path, e.to_string()))?;
    let no_entry = || Error::NoBootEntry {
        path: input.cfg_path.to_path_buf(),
    };
    let index = entry_index(&cfg, input.entry).ok_or_else(no_entry)?;
    let kernel_path = cfg.entries[index].path.ok_or_else(no_entry)?;
    let extra = manifest_binaries(input.workspace, &cfg.entries[index])?;
    let mut entry = cfg.entries[index].clone();
    for path in &extra {
        entry.modules.push(ModuleSpec {
            path: BootPath {
                resource: "boot",
                argument: "",
                path,
                hash: None,
            },
            cmdline: path.rsplit('/').next().unwrap_or(path),
            line: 0,
        });
    }

    // Module bytes in config order; `None` marks the manifest, which is
    // generated once every other module is known.
    let mut modules: Vec<(&str, String, Option<Vec<u8>>)> = Vec::new();
    for module in &entry.modules {
        let member = member_name(&module.path)?;
        let data = match module_source(input.workspace, module.cmdline, module.path.path)? {
            Source::Manifest => None,
            Source::Pattern => Some(pattern()),
            Source::File(p) => Some(fs::read(&p).map_err(|e| Error::io("read", p, e))?),
        };
        modules.push((module.path.path, member, data));
    }
    let others: Vec<(&str, &[u8])> = modules
        .iter()
        .filter_map(|(path, _, data)| data.as_deref().map(|d| (*path, d)))
        .collect();
    let manifest_text = manifest(&others);
    let mut files = vec![(member_name(&kernel_path)?, input.kernel.to_vec())];
    files.extend(modules.into_iter().map(|(_, member, data)| {
        (
            member,
            data.unwrap_or_else(|| manifest_text.clone().into_bytes()),
        )
    }));

    let cmdline = append_cmdline(entry.cmdline, input.extra_cmdline);
    entry.cmdline = &cmdline;
    let out = Config {
        globals: cfg
            .globals
            .iter()
            .filter(|g| !g.key.eq_ignore_ascii_case("default_entry"))
            .copied()
            .collect(),
        entries: vec![entry],
    };
    Ok(Staged {
        config: helix_bootcfg::render(&out),
        files,
    })
}

/// Write a staged boot as a directory tree (`dir/limine.cfg`, `dir/x/y`),
/// replacing whatever was there.
pub fn write_root(staged: &Staged, dir: &Path) -> Result<(), Error> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| Error::io("remove", dir, e))?;
    }
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let cfg = dir.join("limine.cfg");
    fs::write(&cfg, &staged.config).map_err(|e| Error::io("write", cfg, e))?;
    for (member, data) in &staged.files {
        let path = dir.join(member);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        fs::write(&path, data).map_err(|e| Error::io("write", path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
