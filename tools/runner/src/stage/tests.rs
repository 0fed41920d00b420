use super::*;

const CFG: &str = "timeout: 0
/Helix
    protocol: limine
    path: boot():/boot/helix/kernel.elf
    cmdline: log=info
    module_path: boot():/boot/helix/manifest.txt
    module_cmdline: helix-manifest
    module_path: boot():/boot/helix/greeting.txt
    module_cmdline: greeting
    module_path: boot():/boot/helix/pattern.bin
    module_cmdline: pattern
";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stage_with(cfg: &str, extra: &[String]) -> Result<Staged, Error> {
    let ws = workspace();
    stage(&StageInput {
        workspace: &ws,
        cfg_path: Path::new("limine.cfg"),
        cfg_text: cfg,
        kernel: b"\x7fELF-not-really",
        extra_cmdline: extra,
        entry: None,
    })
}

fn file<'s>(s: &'s Staged, member: &str) -> &'s [u8] {
    s.files
        .iter()
        .find(|(m, _)| m == member)
        .map(|(_, d)| d.as_slice())
        .unwrap_or_else(|| panic!("no member {member}"))
}

#[test]
fn manifest_lines_have_path_size_and_crc() {
    let text = manifest(&[("/boot/a.txt", b"hello"), ("/b", b"")]);
    // CRC-32 (IEEE) of "hello" is 0x3610a686; of the empty string 0.
    assert_eq!(text, "/boot/a.txt 5 3610a686\n/b 0 00000000\n");
}

#[test]
fn pattern_is_deterministic_and_not_trivial() {
    let p = pattern();
    assert_eq!(p.len(), PATTERN_LEN);
    assert_eq!(p, pattern());
    // Bytes differ across the first page boundary and are not constant.
    assert_ne!(p[4095..4101], [p[4095]; 6]);
    let zeros = p.iter().filter(|b| **b == 0).count();
    assert!(zeros < PATTERN_LEN / 100, "{zeros} zero bytes");
}

#[test]
fn cmdline_words_are_appended() {
    let words = ["ktest".to_string(), "ktest.skip=a,b".to_string()];
    assert_eq!(
        append_cmdline("log=info", &words),
        "log=info ktest ktest.skip=a,b"
    );
    assert_eq!(append_cmdline("", &words[..1]), "ktest");
    assert_eq!(append_cmdline("  a   b ", &[]), "a b");
}

#[test]
fn staging_fills_every_module_and_the_manifest() -> Result<(), Error> {
    let s = stage_with(CFG, &[])?;
    let members: Vec<&str> = s.files.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        members,
        [
            "boot/helix/kernel.elf",
            "boot/helix/manifest.txt",
            "boot/helix/greeting.txt",
            "boot/helix/pattern.bin"
        ]
    );
    assert_eq!(file(&s, "boot/helix/kernel.elf"), b"\x7fELF-not-really");
    let greeting = file(&s, "boot/helix/greeting.txt");
    assert!(!greeting.is_empty());
    let expected = manifest(&[
        ("/boot/helix/greeting.txt", greeting),
        ("/boot/helix/pattern.bin", &pattern()),
    ]);
    assert_eq!(file(&s, "boot/helix/manifest.txt"), expected.as_bytes());
    Ok(())
}

#[test]
fn staged_config_gets_the_extra_words_and_reparses() -> Result<(), Error> {
    let s = stage_with(CFG, &["ktest".into(), "ktest.skip=x,y".into()])?;
    let cfg =
        helix_bootcfg::parse(&s.config).map_err(|e| config_error(Path::new("x"), e.to_string()))?;
    let entry = cfg
        .default_entry()
        .ok_or(Error::NoBootEntry { path: "x".into() })?;
    assert_eq!(entry.cmdline, "log=info ktest ktest.skip=x,y");
    assert_eq!(entry.modules.len(), 3);
    assert_eq!(cfg.global("timeout"), Some("0"));
    Ok(())
}

#[test]
fn missing_module_source_names_module_and_places() {
    let cfg = CFG.replace("greeting.txt", "no-such-module.bin");
    match stage_with(&cfg, &[]) {
        Err(Error::MissingModuleSource { module, looked_in }) => {
            assert_eq!(module, "/boot/helix/no-such-module.bin");
            assert!(looked_in[0].ends_with("manifests/no-such-module.bin"));
            assert!(looked_in[1].ends_with("test/modules/no-such-module.bin"));
        }
        other => panic!("expected MissingModuleSource, got {other:?}"),
    }
}

#[test]
fn member_names_reject_escapes() {
    let p = |path| BootPath {
        resource: "boot",
        argument: "",
        path,
        hash: None,
    };
    assert_eq!(member_name(&p("/boot/x")).ok(), Some("boot/x".to_string()));
    assert!(member_name(&p("/boot/../etc")).is_err());
    assert!(member_name(&p("/boot//x")).is_err());
    assert!(member_name(&p("/")).is_err());
    let hdd = BootPath {
        resource: "hdd",
        ..p("/x")
    };
    assert!(member_name(&hdd).is_err());
}

#[test]
fn a_named_entry_is_staged_alone_with_its_manifest_binaries() -> Result<(), Error> {
    let cfg = format!(
        "{CFG}
/Other
    protocol: limine
    path: boot():/boot/helix/kernel.elf
    module_path: boot():/boot/helix/helix.manifest
    module_cmdline: system
"
    );
    let ws = workspace();
    let built = ws.join(crate::build::MODULES_DIR);
    let text = fs::read_to_string(ws.join("manifests/helix.manifest")).unwrap();
    let man = helix_manifest::Manifest::parse(&text).unwrap();
    let s = stage(&StageInput {
        workspace: &ws,
        cfg_path: Path::new("limine.cfg"),
        cfg_text: &cfg,
        kernel: b"k",
        extra_cmdline: &[],
        entry: Some("Other"),
    })?;
    let parsed = helix_bootcfg::parse(&s.config).unwrap();
    assert_eq!(parsed.entries.len(), 1, "only the chosen entry");
    assert_eq!(parsed.entries[0].name, "Other");
    // Built binaries are staged; one nobody built stays out (its module is
    // refused at boot with the reason).
    for b in man.binaries() {
        let member = format!("boot/helix/{b}");
        let made = built.join(b).is_file();
        assert_eq!(s.files.iter().any(|(m, _)| *m == member), made, "{member}");
        let listed = s.config.contains(&format!("boot():/{member}"));
        assert_eq!(listed, made, "{member} in the config");
    }
    Ok(())
}
