use super::*;

fn file(name: &str) -> Expect {
    Expect::LoaderError(name.into())
}

#[test]
fn one_loader_error_naming_the_file_passes() {
    let lines = [
        "[loader] helix-loader 0.1",
        "helix-loader: error: /boot/helix/kernel.elf: not an ELF file",
    ];
    assert_eq!(check(&file("kernel.elf"), BootEnd::Failure, &lines), Ok(()));
}

#[test]
fn error_naming_another_file_fails() {
    let lines = ["helix-loader: error: limine.cfg: line 3: bad"];
    assert!(matches!(
        check(&file("kernel.elf"), BootEnd::Failure, &lines),
        Err(Mismatch::WrongFile(_))
    ));
    // A kernel error is not a loader error.
    let lines = ["helix: error: kernel.elf: whatever"];
    assert!(matches!(
        check(&file("kernel.elf"), BootEnd::Failure, &lines),
        Err(Mismatch::WrongFile(_))
    ));
}

#[test]
fn zero_or_two_error_lines_fail() {
    assert_eq!(
        check(&file("limine.cfg"), BootEnd::Failure, &["[loader] hi"]),
        Err(Mismatch::ErrorLines(0))
    );
    let two = [
        "helix-loader: error: limine.cfg: line 3: bad",
        "helix-loader: error: limine.cfg: line 4: bad",
    ];
    assert_eq!(
        check(&file("limine.cfg"), BootEnd::Failure, &two),
        Err(Mismatch::ErrorLines(2))
    );
}

#[test]
fn the_boot_must_end_with_failure() {
    let lines = ["helix-loader: error: limine.cfg: line 3: bad"];
    assert_eq!(
        check(&file("limine.cfg"), BootEnd::Silent, &lines),
        Err(Mismatch::Hang(BootEnd::Silent))
    );
    assert_eq!(
        check(&file("limine.cfg"), BootEnd::Reset, &lines),
        Err(Mismatch::WrongEnd(BootEnd::Reset))
    );
    assert_eq!(
        check(&file("limine.cfg"), BootEnd::Success, &lines),
        Err(Mismatch::WrongEnd(BootEnd::Success))
    );
}

#[test]
fn a_panic_is_not_a_clean_error() {
    let lines = [
        "helix: PANIC at src/main.rs:3: oops",
        "helix: error: x: base revision",
    ];
    assert!(matches!(
        check(&Expect::BaseRevision, BootEnd::Failure, &lines),
        Err(Mismatch::Panic(_))
    ));
}

#[test]
fn base_revision_error_must_say_so() {
    let ok = [
        "helix: kernel entered",
        "helix: error: limine: unsupported base revision 99",
    ];
    assert_eq!(check(&Expect::BaseRevision, BootEnd::Failure, &ok), Ok(()));
    let other = ["helix: error: memory: no usable memory"];
    assert!(matches!(
        check(&Expect::BaseRevision, BootEnd::Failure, &other),
        Err(Mismatch::NotBaseRevision(_))
    ));
}

#[test]
fn kernel_error_must_come_from_the_kernel_and_say_so() {
    let want = Expect::KernelError("cpu 1".into());
    let ok = ["helix: error: kernel: cpu 1 (LAPIC id 1) did not acknowledge"];
    assert_eq!(check(&want, BootEnd::Failure, &ok), Ok(()));
    let other = ["helix: error: kernel: cpu 2 (LAPIC id 2) did not acknowledge"];
    assert!(matches!(
        check(&want, BootEnd::Failure, &other),
        Err(Mismatch::WrongKernelError(_))
    ));
    let not_kernel = ["helix: error: /boot/helix/kernel.elf: cpu 1"];
    assert!(matches!(
        check(&want, BootEnd::Failure, &not_kernel),
        Err(Mismatch::WrongKernelError(_))
    ));
}

fn tag(revision: u64) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&BASE_REVISION_MAGIC[0].to_le_bytes());
    t.extend_from_slice(&BASE_REVISION_MAGIC[1].to_le_bytes());
    t.extend_from_slice(&revision.to_le_bytes());
    t
}

#[test]
fn base_revision_patch_sets_the_word_after_the_magic() -> Result<(), Error> {
    let mut elf = noise(1000);
    elf.splice(333..333, tag(3));
    let before = elf.clone();
    patch_base_revision(&mut elf, 99)?;
    assert_eq!(elf[333 + 16..333 + 24], 99u64.to_le_bytes());
    // Nothing else changed.
    assert_eq!(elf[..333 + 16], before[..333 + 16]);
    assert_eq!(elf[333 + 24..], before[333 + 24..]);
    Ok(())
}

#[test]
fn base_revision_patch_needs_exactly_one_tag() {
    let mut none = noise(500);
    assert!(matches!(
        patch_base_revision(&mut none, 99),
        Err(Error::BaseRevisionTag { found: 0 })
    ));
    let mut two = [tag(3), noise(40), tag(3)].concat();
    assert!(matches!(
        patch_base_revision(&mut two, 99),
        Err(Error::BaseRevisionTag { found: 2 })
    ));
}

#[test]
fn scenarios_break_what_they_claim() -> Result<(), Error> {
    let mut kernel = noise(4096);
    kernel[..4].copy_from_slice(b"\x7fELF");
    kernel.splice(1000..1000, tag(3));
    let good = Staged {
        config: "timeout: 0\n\n/Helix\n    protocol: limine\n    path: boot():/boot/helix/kernel.elf\n    cmdline: log=info\n".into(),
        files: vec![("boot/helix/kernel.elf".into(), kernel)],
    };
    let all = all(&good)?;
    let get = |n: &str| all.iter().find(|s| s.name == n).map(|s| &s.staged);
    let missing = get("missing_module")
        .map(|s| s.config.clone())
        .unwrap_or_default();
    assert!(
        missing.contains("module_path: boot():/boot/helix/missing.bin"),
        "{missing}"
    );
    assert_eq!(
        get("truncated_kernel").map(|s| s.files[0].1.len()),
        Some(100)
    );
    assert!(get("non_elf_kernel").is_some_and(|s| !s.files[0].1.starts_with(b"\x7fELF")));
    let malformed = get("malformed_cfg_line")
        .map(|s| s.config.clone())
        .unwrap_or_default();
    assert!(malformed.contains("    protocol limine\n"));
    assert!(helix_bootcfg::parse(&malformed).is_err());
    let drill = get("unanswered_tlb_shootdown_is_fatal")
        .map(|s| s.config.clone())
        .unwrap_or_default();
    assert!(
        drill.contains("cmdline: log=info kfatal=tlb_shootdown_unanswered\n"),
        "{drill}"
    );
    let acpi = get("unmappable_acpi_table_is_fatal")
        .map(|s| s.config.clone())
        .unwrap_or_default();
    assert!(
        acpi.contains("cmdline: log=info kfatal=acpi_unmappable\n"),
        "{acpi}"
    );
    assert_eq!(all.len(), 7);
    Ok(())
}
