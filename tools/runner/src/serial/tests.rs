use super::*;

const PLAN3: &[&str] = &[
    "HELIX-KTEST PLAN 3",
    "HELIX-KTEST CASE a",
    "HELIX-KTEST CASE b",
    "HELIX-KTEST CASE c",
];

fn boot<S: AsRef<str>>(lines: &[S], end: BootEnd) -> BootReport {
    let mut acc = BootAccount::default();
    for l in lines {
        acc.feed(l.as_ref());
    }
    acc.finish(end)
}

fn with_plan<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    PLAN3.iter().chain(lines).copied().collect()
}

fn names(s: &Summary, passed: bool) -> Vec<String> {
    s.cases
        .iter()
        .filter(|c| c.passed() == passed)
        .map(|c| c.name.clone())
        .collect()
}

#[test]
fn all_pass_in_one_boot() {
    let mut ledger = Ledger::new(None);
    let lines = with_plan(&[
        "HELIX-KTEST START a",
        "HELIX-KTEST PASS a",
        "HELIX-KTEST START b",
        "HELIX-KTEST PASS b",
        "HELIX-KTEST START c",
        "HELIX-KTEST PASS c",
        "HELIX-KTEST DONE 3 0",
    ]);
    let a = ledger.absorb(boot(&lines, BootEnd::Success));
    assert_eq!(
        a,
        Absorbed {
            fresh: 3,
            ..Absorbed::default()
        }
    );
    assert!(ledger.remaining().is_empty());
    let s = ledger.finish();
    assert_eq!(s.counts(), (3, 0));
}

#[test]
fn reported_failure_keeps_reason_and_context() {
    let mut ledger = Ledger::new(None);
    let lines = with_plan(&[
        "[INFO kernel] before",
        "HELIX-KTEST START a",
        "HELIX-KTEST FAIL a frame handed out twice",
        "HELIX-KTEST START b",
        "HELIX-KTEST PASS b",
        "HELIX-KTEST START c",
        "HELIX-KTEST PASS c",
        "HELIX-KTEST DONE 2 1",
    ]);
    ledger.absorb(boot(&lines, BootEnd::Failure));
    let s = ledger.finish();
    assert_eq!(s.counts(), (2, 1));
    let a = &s.cases[0];
    assert_eq!(
        a.failure,
        Some(FailReason::Reported("frame handed out twice".into()))
    );
    assert!(a.context.iter().any(|l| l == "[INFO kernel] before"));
    assert!(s.problems.is_empty());
}

#[test]
fn started_but_unfinished_fails_and_reboot_finishes_the_rest() {
    let mut ledger = Ledger::new(None);
    let first = with_plan(&[
        "HELIX-KTEST START a",
        "HELIX-KTEST PASS a",
        "HELIX-KTEST START b",
        "helix: PANIC at x.rs:1: boom",
    ]);
    let a = ledger.absorb(boot(&first, BootEnd::Failure));
    assert_eq!(a.fresh, 2);
    assert_eq!(a.unfinished.as_deref(), Some("b"));
    assert_eq!(ledger.skip_list(), ["a", "b"]);
    assert_eq!(ledger.remaining(), ["c"]);

    let second = with_plan(&[
        "HELIX-KTEST SKIP a",
        "HELIX-KTEST SKIP b",
        "HELIX-KTEST START c",
        "HELIX-KTEST PASS c",
        "HELIX-KTEST DONE 1 0",
    ]);
    let a = ledger.absorb(boot(&second, BootEnd::Success));
    assert_eq!(a.fresh, 1);
    let s = ledger.finish();
    assert_eq!(names(&s, true), ["a", "c"]);
    let b = &s.cases[1];
    assert!(matches!(b.failure, Some(FailReason::Unfinished(_))));
    assert!(b.context.iter().any(|l| l.contains("PANIC")));
    assert_eq!(s.counts(), (2, 1));
}

#[test]
fn triple_fault_between_cases_leaves_missing_results() {
    let mut ledger = Ledger::new(None);
    let lines = with_plan(&["HELIX-KTEST START a", "HELIX-KTEST PASS a"]);
    ledger.absorb(boot(&lines, BootEnd::Reset));
    // A re-boot that dies before any case: no progress.
    let a = ledger.absorb(boot(PLAN3, BootEnd::Reset));
    assert_eq!(a.fresh, 0);
    let s = ledger.finish();
    assert_eq!(names(&s, false), ["b", "c"]);
    assert!(
        s.cases[1..]
            .iter()
            .all(|c| c.failure == Some(FailReason::Missing))
    );
    assert_eq!(s.counts(), (1, 2));
}

#[test]
fn done_that_disagrees_with_the_lines_is_a_problem() {
    let mut ledger = Ledger::new(None);
    let lines = with_plan(&[
        "HELIX-KTEST START a",
        "HELIX-KTEST PASS a",
        "HELIX-KTEST START b",
        "HELIX-KTEST PASS b",
        "HELIX-KTEST START c",
        "HELIX-KTEST PASS c",
        "HELIX-KTEST DONE 4 0",
    ]);
    let a = ledger.absorb(boot(&lines, BootEnd::Success));
    assert_eq!(
        a.problems,
        [Problem::DoneMismatch {
            reported: (4, 0),
            counted: (3, 0)
        }]
    );
    assert_eq!(ledger.finish().counts(), (3, 1));
}

#[test]
fn exit_status_must_match_done() {
    assert_eq!(exit_problem(Some((3, 0)), BootEnd::Success), None);
    assert_eq!(exit_problem(Some((2, 1)), BootEnd::Failure), None);
    assert!(exit_problem(Some((3, 0)), BootEnd::Failure).is_some());
    assert!(exit_problem(Some((2, 1)), BootEnd::Success).is_some());
    assert!(exit_problem(Some((3, 0)), BootEnd::Reset).is_some());
    assert!(exit_problem(None, BootEnd::Success).is_some());
    assert_eq!(exit_problem(None, BootEnd::Silent), None);
}

#[test]
fn garbage_and_malformed_lines() {
    let mut acc = BootAccount::default();
    assert_eq!(acc.feed("\u{fffd}\u{fffd} random noise"), None);
    assert_eq!(acc.feed("HELIX-KTESTING is not a protocol line"), None);
    assert_eq!(
        acc.feed("HELIX-KTEST PASS a b"),
        Some(Progress::Malformed("HELIX-KTEST PASS a b".into()))
    );
    assert_eq!(
        acc.feed("HELIX-KTEST PASS a\r"),
        Some(Progress::Passed("a".into()))
    );
    let r = acc.finish(BootEnd::Reset);
    assert!(matches!(
        r.problems[0],
        Problem::Malformed {
            error: helix_ktest::ParseError::TrailingFields,
            ..
        }
    ));
    assert_eq!(r.problems[1], Problem::NoPlan(BootEnd::Reset));
    // Without a plan nothing is wanted; the problems are the failures.
    let mut ledger = Ledger::new(None);
    ledger.absorb(r);
    let s = ledger.finish();
    assert_eq!(s.counts(), (0, 3)); // malformed, no plan, result for unknown case
}

#[test]
fn plan_count_must_match_case_lines() {
    let r = boot(
        &["HELIX-KTEST PLAN 2", "HELIX-KTEST CASE a"],
        BootEnd::Reset,
    );
    assert_eq!(
        r.problems,
        [Problem::PlanCount {
            announced: 2,
            listed: 1
        }]
    );
}

#[test]
fn a_rerun_of_a_skipped_case_is_a_problem() {
    let mut ledger = Ledger::new(None);
    let first = with_plan(&["HELIX-KTEST START a", "HELIX-KTEST PASS a"]);
    ledger.absorb(boot(&first, BootEnd::Reset));
    let again = with_plan(&[
        "HELIX-KTEST START a",
        "HELIX-KTEST PASS a",
        "HELIX-KTEST START b",
        "HELIX-KTEST PASS b",
    ]);
    let a = ledger.absorb(boot(&again, BootEnd::Reset));
    assert_eq!(a.fresh, 1);
    assert_eq!(a.problems, [Problem::Rerun("a".into())]);
}

#[test]
fn only_wants_one_case_and_ignores_skips() {
    let mut ledger = Ledger::new(Some("b".into()));
    let lines = with_plan(&[
        "HELIX-KTEST SKIP a",
        "HELIX-KTEST START b",
        "HELIX-KTEST PASS b",
        "HELIX-KTEST SKIP c",
        "HELIX-KTEST DONE 1 0",
    ]);
    ledger.absorb(boot(&lines, BootEnd::Success));
    assert!(ledger.remaining().is_empty());
    let s = ledger.finish();
    assert_eq!(names(&s, true), ["b"]);
    assert_eq!(s.counts(), (1, 0));
}

#[test]
fn only_naming_an_unknown_case_is_missing() {
    let mut ledger = Ledger::new(Some("zz".into()));
    ledger.absorb(boot(
        &with_plan(&["HELIX-KTEST DONE 0 0"]),
        BootEnd::Success,
    ));
    let s = ledger.finish();
    assert_eq!(s.cases.len(), 1);
    assert_eq!(s.cases[0].failure, Some(FailReason::Missing));
}

#[test]
fn tail_keeps_the_last_lines() {
    let mut acc = BootAccount::default();
    for i in 0..100 {
        acc.feed(&format!("line {i}"));
    }
    let tail = acc.tail();
    assert_eq!(tail.len(), TAIL_LINES);
    assert_eq!(tail.last().map(String::as_str), Some("line 99"));
}

#[test]
fn bench_lines_are_collected_in_order() {
    let r = boot(
        &[
            "[loader] x",
            "HELIX-KTEST BENCH null_syscall 120 110 1000 cycles",
            "HELIX-KTEST BENCH ipc_round_trip 1180 1100 1000 cycles",
        ],
        BootEnd::Success,
    );
    let names: Vec<&str> = r.benches.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["null_syscall", "ipc_round_trip"]);
    assert_eq!(
        (r.benches[1].median, r.benches[1].min, r.benches[1].runs),
        (1180, 1100, 1000)
    );
    assert_eq!(r.benches[1].unit, "cycles");
}
