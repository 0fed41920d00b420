//! Value syntax, one key at a time, at its edges.

use crate::*;

/// The entry of a one-module manifest with `lines` after `binary`.
fn entry(lines: &str) -> Result<ModuleEntry, ErrorKind> {
    let text = format!("[module m]\nbinary = m.elf\n{lines}\n");
    Manifest::parse(&text)
        .map(|mut m| m.modules.remove(0))
        .map_err(|e| e.kind)
}

fn value_of(key: &str, value: &str) -> Result<ModuleEntry, ErrorKind> {
    entry(&format!("{key} = {value}"))
}

fn cap(value: &str) -> Result<CapKind, ErrorKind> {
    entry(&format!("cap c = {value}")).map(|mut m| m.caps.remove(0).kind)
}

#[test]
fn numbers_are_decimal_or_hex_without_sign() {
    let priority = |v| value_of("priority", v).map(|m| m.priority);
    assert_eq!(priority("0"), Ok(0));
    assert_eq!(priority("255"), Ok(255));
    assert_eq!(priority("0xfF"), Ok(255));
    assert_eq!(priority("0X10"), Ok(16));
    assert_eq!(priority("007"), Ok(7));
    for bad in ["256", "+5", "-1", "0x", "1_0", "ten", "1 2", "0x1g"] {
        assert!(
            matches!(
                priority(bad),
                Err(ErrorKind::BadValue {
                    key: Key::Priority,
                    ..
                })
            ),
            "{bad}"
        );
    }
    let checkpoint = |v| value_of("checkpoint", v).map(|m| m.checkpoint_every);
    assert_eq!(checkpoint("4294967295"), Ok(u32::MAX));
    assert!(checkpoint("4294967296").is_err());
    assert!(checkpoint("99999999999999999999999").is_err());
}

#[test]
fn sizes_take_k_m_g_suffixes_and_memory_is_whole_pages() {
    let memory = |v| value_of("memory", v).map(|m| m.memory);
    assert_eq!(memory("4K"), Ok(4096));
    assert_eq!(memory("2M"), Ok(2 << 20));
    assert_eq!(memory("1G"), Ok(1 << 30));
    assert_eq!(memory("0x2000"), Ok(8192));
    assert_eq!(memory("0x10K"), Ok(16 << 10));
    for bad in ["0", "0K", "1000", "4k", "4KB", "K", "17179869184G", "2 M"] {
        assert!(memory(bad).is_err(), "{bad}");
    }
    assert_eq!(cap("untyped 1"), Ok(CapKind::Untyped(1)));
    assert_eq!(cap("untyped 64K"), Ok(CapKind::Untyped(65536)));
    for bad in ["untyped 0", "untyped", "untyped 1 2", "untyped x"] {
        assert!(
            matches!(
                cap(bad),
                Err(ErrorKind::BadCap {
                    class: CapClass::Untyped,
                    ..
                })
            ),
            "{bad}"
        );
    }
}

#[test]
fn cpu_lists_take_ranges_once_each_below_64() {
    let cpus = |v| value_of("cpus", v).map(|m| m.cpus.map(|c| c.iter().collect::<Vec<_>>()));
    assert_eq!(cpus("3"), Ok(Some(vec![3])));
    assert_eq!(cpus("5,0-2 , 63"), Ok(Some(vec![0, 1, 2, 5, 63])));
    for bad in ["64", "0,0", "0-2,1", "3-1", "1,", ",1", "a", "0-", "1-2-3"] {
        assert!(cpus(bad).is_err(), "{bad}");
    }
    let set = CpuSet::from_mask(0b101).expect("nonempty");
    assert!(set.contains(2) && !set.contains(1) && !set.contains(64));
    assert_eq!(CpuSet::from_mask(0), None);
}

#[test]
fn restart_budgets_are_count_per_window() {
    let budget = |v| value_of("restart-budget", v).map(|m| (m.budget.restarts, m.budget.window_ms));
    assert_eq!(budget("3/10s"), Ok((3, 10_000)));
    assert_eq!(budget("0/250ms"), Ok((0, 250)));
    assert_eq!(budget("7 / 2s"), Ok((7, 2000)));
    for bad in [
        "3/0s",
        "3/10",
        "3/10m",
        "3",
        "/1s",
        "3/s",
        "4294967296/1s",
        "3/1 s",
        "1/99999999999999999s",
    ] {
        assert!(budget(bad).is_err(), "{bad}");
    }
}

#[test]
fn words_of_start_restart_and_expect() {
    assert_eq!(
        value_of("start", "manual").map(|m| m.start),
        Ok(StartMode::Manual)
    );
    assert_eq!(
        value_of("restart", "never").map(|m| m.restart),
        Ok(RestartPolicy::Never)
    );
    assert_eq!(
        value_of("restart", "on-failure").map(|m| m.restart),
        Ok(RestartPolicy::OnFailure)
    );
    for (key, bad) in [
        ("start", "Boot"),
        ("restart", "sometimes"),
        ("restart", "on failure"),
    ] {
        assert!(value_of(key, bad).is_err(), "{key} = {bad}");
    }
    let expect = |v| value_of("expect", v).map(|m| m.expect);
    assert_eq!(expect("serving"), Ok(Some(Expect::Serving)));
    assert_eq!(expect("refused"), Ok(Some(Expect::Refused)));
    assert_eq!(expect("exit 0"), Ok(Some(Expect::Exit(0))));
    assert_eq!(expect("exit   0x10"), Ok(Some(Expect::Exit(16))));
    for bad in ["exit", "exit -1", "exit 1 2", "serving now", "panic"] {
        assert!(expect(bad).is_err(), "{bad}");
    }
}

#[test]
fn names_binaries_and_args_keep_their_limits() {
    let long = "a".repeat(MAX_NAME_LEN);
    let text = format!("[module {long}]\nbinary = x.elf\ncap {long} = modmgr\n");
    assert!(Manifest::parse(&text).is_ok());
    let text = format!("[module {long}b]\nbinary = x.elf\n");
    assert!(matches!(
        Manifest::parse(&text).map_err(|e| e.kind),
        Err(ErrorKind::BadName {
            of: NameOf::Module,
            ..
        })
    ));
    let binary = |v: &str| {
        Manifest::parse(&format!("[module m]\nbinary = {v}\n"))
            .map(|mut m| m.modules.remove(0).binary)
            .map_err(|e| e.kind)
    };
    assert_eq!(binary("Init_2.x-86.ELF"), Ok("Init_2.x-86.ELF".into()));
    for bad in [
        ".hidden",
        "dir/x.elf",
        "a b",
        "x+y",
        &"b".repeat(MAX_BINARY_LEN + 1),
    ] {
        assert!(binary(bad).is_err(), "{bad}");
    }
    let args = |v: &str| value_of("args", v).map(|m| m.args);
    assert_eq!(args(" a=1 \t b  c "), Ok("a=1 b c".into()));
    assert_eq!(
        args(&"x".repeat(MAX_ARGS_LEN)).map(|a| a.len()),
        Ok(MAX_ARGS_LEN)
    );
    assert!(args(&"x".repeat(MAX_ARGS_LEN + 1)).is_err());
}

#[test]
fn cap_kinds_at_their_edges() {
    assert_eq!(cap("irq 0"), Ok(CapKind::Irq(0)));
    assert_eq!(cap("irq 223"), Ok(CapKind::Irq(223)));
    assert_eq!(
        cap("ioports 0 - 0xffff"),
        Ok(CapKind::IoPorts {
            first: 0,
            last: 0xffff
        })
    );
    assert_eq!(
        cap("client block_device  >=0.4.0,  <1"),
        Ok(CapKind::Client {
            interface: "block_device".into(),
            constraint: ">=0.4.0,  <1".into()
        })
    );
    let bad = [
        ("irq 224", CapClass::Irq),
        ("irq", CapClass::Irq),
        ("irq 1 2", CapClass::Irq),
        ("ioports 0x10000", CapClass::IoPorts),
        ("ioports 0x3ff-0x3f8", CapClass::IoPorts),
        ("ioports", CapClass::IoPorts),
        ("modmgr now", CapClass::Modmgr),
        ("client", CapClass::Client),
    ];
    for (v, class) in bad {
        assert_eq!(
            cap(v),
            Err(ErrorKind::BadCap {
                class,
                value: v.into()
            }),
            "{v}"
        );
    }
}

#[test]
fn system_binaries_are_staged_once_and_checked() {
    let m = Manifest::parse(
        "[system]\nbinaries = kv2.elf, extra.elf\n[module a]\nbinary = a.elf\n[module b]\nbinary = kv2.elf\n",
    )
    .unwrap();
    assert_eq!(m.system.binaries, ["kv2.elf", "extra.elf"]);
    assert_eq!(m.binaries(), ["a.elf", "kv2.elf", "extra.elf"]);
    for bad in [
        "binaries = a.elf, a.elf",
        "binaries = .x",
        "binaries = a b",
        "binaries =",
    ] {
        let text = alloc::format!("[system]\n{bad}\n");
        assert!(Manifest::parse(&text).is_err(), "{bad}");
    }
    let e = Manifest::parse("[module a]\nbinary = a.elf\nbinaries = x.elf\n").unwrap_err();
    assert_eq!(e.line, 3, "binaries belongs to [system]");
}

#[test]
fn failed_is_an_expectation() {
    let m = Manifest::parse("[module a]\nbinary = a.elf\nexpect = failed\n").unwrap();
    assert_eq!(m.modules[0].expect, Some(Expect::Failed));
    assert!(Manifest::parse("[module a]\nbinary = a.elf\nexpect = failed 3\n").is_err());
}
