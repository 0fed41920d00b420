use super::*;

#[test]
fn version_is_read_from_limine_c() {
    let src = "/* x */\n#define LIMINE_VERSION \"11.4.1\"\n#define OTHER 1\n";
    assert_eq!(parse_version(src).as_deref(), Some("11.4.1"));
    assert_eq!(parse_version("#define LIMINE_VERSION\n"), None);
    assert_eq!(parse_version("#define LIMINE_VERSION \"\"\n"), None);
    assert_eq!(parse_version("int main(void) {}\n"), None);
}

#[test]
fn config_name_follows_the_version() {
    assert_eq!(config_name(7), "limine.cfg");
    assert_eq!(config_name(8), "limine.conf");
    assert_eq!(config_name(11), "limine.conf");
}

fn fake_release(files: &[&str], version: &str) -> (PathBuf, Result<LimineRelease, IsoError>) {
    let dir = std::env::temp_dir().join(format!(
        "helix-iso-test-{}-{}",
        std::process::id(),
        version.replace('.', "_")
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    for f in files {
        let text = if *f == "limine.c" {
            format!("#define LIMINE_VERSION \"{version}\"\n")
        } else {
            String::from("x")
        };
        fs::write(dir.join(f), text).unwrap();
    }
    let r = LimineRelease::open(&dir);
    (dir, r)
}

#[test]
fn release_checks_files_and_version() {
    let (dir, r) = fake_release(REQUIRED, "11.4.1");
    let r = r.unwrap();
    assert_eq!((r.major, r.version.as_str()), (11, "11.4.1"));
    fs::remove_dir_all(dir).unwrap();

    let (dir, r) = fake_release(&REQUIRED[1..], "11.4.2");
    assert!(matches!(r, Err(IsoError::MissingFile { path }) if path.ends_with("limine-bios.sys")));
    fs::remove_dir_all(dir).unwrap();

    let (dir, r) = fake_release(REQUIRED, "7.13.3");
    assert!(matches!(r, Err(IsoError::TooOld { .. })));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn layout_installs_config_under_the_versioned_name() {
    let (dir, r) = fake_release(REQUIRED, "11.0.9");
    let r = r.unwrap();
    let staged = Staged {
        config: "timeout: 0\n".into(),
        files: vec![("boot/helix/kernel.elf".into(), vec![1, 2, 3])],
    };
    let l = layout(&staged, &r);
    assert!(l.contains(&("boot/helix/kernel.elf".into(), IsoSource::Staged(0))));
    assert!(l.contains(&("boot/limine/limine.conf".into(), IsoSource::Config)));
    assert!(l.contains(&(
        "EFI/BOOT/BOOTX64.EFI".into(),
        IsoSource::Release("BOOTX64.EFI")
    )));
    assert!(!l.iter().any(|(n, _)| n.ends_with("BOOTIA32.EFI")));
    fs::remove_dir_all(dir).unwrap();
}
