use super::*;

fn fig(name: &str, median: u64, min: u64) -> BenchFigure {
    BenchFigure {
        name: name.into(),
        median,
        min,
        runs: 11,
        unit: "cycles".into(),
    }
}

#[test]
fn ratio_divides_the_linux_side() {
    let h = fig("yield_context_switch", 500, 480);
    let l = fig("linux_futex_same_cpu", 4000, 3900);
    assert_eq!(ratio(&h, &l, 1), Some(0.125));
    assert_eq!(ratio(&h, &l, 2), Some(0.25));
    assert_eq!(ratio(&h, &fig("x", 0, 0), 1), None);
}

#[test]
fn every_pairing_names_a_figure_the_guests_print() {
    let helix = [
        "null_syscall",
        "ipc_call_reply_same_cpu",
        "yield_context_switch",
        "ipc_call_reply_cross_cpu",
    ];
    let linux = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/bench/linux_pingpong.c"
    ))
    .unwrap();
    for p in PAIRINGS {
        assert!(helix.contains(&p.helix), "{}", p.helix);
        let short = p.linux.strip_prefix("linux_").unwrap();
        assert!(
            linux.contains(&format!("\"{short}\"")),
            "{short} not in C source"
        );
        assert!(p.divisor >= 1);
    }
    for h in helix {
        assert!(PAIRINGS.iter().any(|p| p.helix == h), "{h} has no pairing");
    }
}

#[test]
fn comparison_shows_ratios_and_missing_figures() {
    let helix = [
        fig("null_syscall", 120, 118),
        fig("ipc_call_reply_same_cpu", 1300, 1250),
    ];
    let linux = [
        fig("linux_getppid", 337, 337),
        fig("linux_pipe_same_cpu", 13029, 13026),
        fig("linux_futex_same_cpu", 6000, 5990),
    ];
    let t = comparison(&helix, &linux);
    assert_eq!(t.len(), 3 + PAIRINGS.len());
    assert!(t[0].starts_with("Helix figure"));
    assert!(t[1].chars().all(|c| c == '-' || c == ' '));
    let row = |h: &str, l: &str| {
        t.iter()
            .find(|r| r.starts_with(h) && r.contains(l))
            .cloned()
            .unwrap_or_default()
    };
    let syscall = row("null_syscall", "linux_getppid");
    assert!(syscall.contains("120 / 118"), "{syscall}");
    assert!(syscall.contains("337 / 337"), "{syscall}");
    assert!(syscall.ends_with("0.36x"), "{syscall}");
    assert!(row("ipc_call_reply_same_cpu", "pipe").ends_with("0.10x"));
    assert!(row("ipc_call_reply_same_cpu", "futex").ends_with("0.22x"));
    let halved = row("yield_context_switch", "linux_futex_same_cpu / 2");
    assert!(halved.contains("not measured"), "{halved}");
    assert!(halved.contains("3000 / 2995"), "{halved}");
    assert!(halved.ends_with('-'), "{halved}");
    let cross = row("ipc_call_reply_cross_cpu", "linux_pipe_cross_cpu");
    assert_eq!(cross.matches("not measured").count(), 2, "{cross}");
    // Columns line up: every row has the Linux figure at the same offset.
    let at = t[0].find("compared with").unwrap();
    for r in t[2..].iter().filter(|r| !r.starts_with(TYPED_VS_RAW.helix)) {
        assert_eq!(r.find("linux_"), Some(at), "{r}");
    }
}

#[test]
fn typed_call_sits_under_the_raw_round_trip_with_its_ratio() {
    let helix = [
        fig("ipc_call_reply_same_cpu", 1000, 950),
        fig("typed_call_same_cpu", 4500, 4400),
    ];
    let t = comparison(&helix, &[]);
    let i = t
        .iter()
        .position(|r| r.starts_with("typed_call_same_cpu"))
        .unwrap();
    assert!(t[i - 1].starts_with("ipc_call_reply_same_cpu"), "{t:?}");
    assert!(!t[i + 1].starts_with("ipc_call_reply_same_cpu"), "{t:?}");
    let row = &t[i];
    assert!(row.contains("4500 / 4400"), "{row}");
    assert!(row.contains("ipc_call_reply_same_cpu (Helix)"), "{row}");
    assert!(row.contains("1000 / 950"), "{row}");
    assert!(row.ends_with("4.50x"), "{row}");
    assert_eq!(
        t[0].find("compared with"),
        row.find("ipc_call_reply_same_cpu"),
        "{row}"
    );
    // Without the typed figure the row says so and gives no ratio.
    let t = comparison(&helix[..1], &[]);
    let row = t.iter().find(|r| r.starts_with("typed_call")).unwrap();
    assert!(row.contains("not measured") && row.ends_with('-'), "{row}");
}

#[test]
fn target_line_says_met_or_not() {
    assert!(target_line(&[]).ends_with("not measured"));
    let met = target_line(&[fig("ipc_call_reply_same_cpu", 1199, 1100)]);
    assert!(met.ends_with("median 1199 -> met"), "{met}");
    let missed = target_line(&[fig("ipc_call_reply_same_cpu", 1200, 1100)]);
    assert!(missed.ends_with("NOT met"), "{missed}");
}

#[test]
fn listing_has_every_figure() {
    let l = listing(&[fig("linux_getppid", 337, 330)]);
    assert_eq!(l.len(), 3);
    assert_eq!(l[2], "linux_getppid  337     330  11    cycles");
}
