//! Properties: `render` then `parse` gives the manifest back, and no text
//! makes the parser panic or report an error out of order.

use helix_manifest::*;
use proptest::prelude::*;
use proptest::sample::select;

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9_-]{1,32}"
}

/// Words without whitespace or `#`, joined by single spaces.
fn words(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec("[^\\s#]{1,12}", 0..max_words).prop_map(|w| w.join(" "))
}

fn cap_kind() -> impl Strategy<Value = CapKind> {
    prop_oneof![
        (name(), words(4).prop_filter("nonempty", |c| !c.is_empty())).prop_map(
            |(interface, constraint)| CapKind::Client {
                interface,
                constraint
            }
        ),
        (or_edges(&[0, 0x3f8, u16::MAX], any::<u16>()), any::<u16>()).prop_map(|(a, b)| {
            CapKind::IoPorts {
                first: a.min(b),
                last: a.max(b),
            }
        }),
        (0..224u8).prop_map(CapKind::Irq),
        Just(CapKind::Modmgr),
        or_edges(
            &[1, 1023, 1024, 4096, 1 << 20, 1 << 30, u64::MAX],
            1..=u64::MAX
        )
        .prop_map(CapKind::Untyped),
    ]
}

fn expect() -> impl Strategy<Value = Expect> {
    prop_oneof![
        Just(Expect::Serving),
        Just(Expect::Refused),
        or_edges(&[0, 1, u64::MAX], any::<u64>()).prop_map(Expect::Exit),
    ]
}

/// `edge` values as often as `any` (defaults, limits, off-by-ones), so
/// the branches that leave defaults out are taken.
fn or_edges<T: Clone + core::fmt::Debug + 'static>(
    edges: &'static [T],
    any: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    prop_oneof![select(edges), any].boxed()
}

fn entry() -> impl Strategy<Value = ModuleEntry> {
    let head = (
        name(),
        "[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}",
        words(10),
        select(StartMode::ALL),
        or_edges(&[0, 1, 99, DEFAULT_PRIORITY, 101, u8::MAX], any::<u8>()),
        prop::option::of(or_edges(&[1, 3, 1 << 63, u64::MAX], 1..=u64::MAX)),
        or_edges(&[1, 255, 256, 257, 1 << 18, 1 << 20], 1u64..=1 << 40),
    );
    let tail = (
        select(RestartPolicy::ALL),
        or_edges(&[0, 1, 3, u32::MAX], any::<u32>()),
        or_edges(&[1, 999, 1000, 10_000, u64::MAX], 1..=u64::MAX),
        or_edges(&[0, 1, u32::MAX], any::<u32>()),
        prop::option::of(expect()),
        prop::collection::vec((name(), cap_kind()), 0..8),
    );
    (head, tail).prop_map(
        |(
            (name, binary, args, start, priority, cpus, pages),
            (restart, restarts, window_ms, checkpoint_every, expect, caps),
        )| {
            let mut m = ModuleEntry::new(&name, &binary);
            m.args = args;
            m.start = start;
            m.priority = priority;
            m.cpus = cpus.and_then(CpuSet::from_mask);
            m.memory = pages * PAGE_SIZE;
            m.restart = restart;
            m.budget = RestartBudget {
                restarts,
                window_ms,
            };
            m.checkpoint_every = checkpoint_every;
            m.expect = expect;
            for (name, kind) in caps {
                if m.cap(&name).is_none() && !RESERVED_CAP_NAMES.contains(&name.as_str()) {
                    m.caps.push(CapEntry {
                        name,
                        line: 0,
                        kind,
                    });
                }
            }
            m
        },
    )
}

fn manifest() -> impl Strategy<Value = Manifest> {
    (
        prop::collection::vec(entry(), 0..6),
        prop::option::of(any::<prop::sample::Index>()),
        prop::collection::btree_set("[a-z][a-z0-9_-]{0,10}\\.elf", 0..4),
    )
        .prop_map(|(entries, console, binaries)| {
            let mut m = Manifest::default();
            for e in entries {
                if m.module(&e.name).is_none() {
                    m.modules.push(e);
                }
            }
            m.system.console = console
                .filter(|_| !m.modules.is_empty())
                .map(|i| i.get(&m.modules).name.clone());
            m.system.binaries = binaries.into_iter().collect();
            m
        })
}

/// The manifest with every line number set to 0.
fn without_lines(mut m: Manifest) -> Manifest {
    for e in &mut m.modules {
        e.line = 0;
        for c in &mut e.caps {
            c.line = 0;
        }
    }
    m
}

/// A line that is often valid, often almost valid.
fn soup_line() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        select(
            &[
                "[system]",
                "[module a]",
                "[module b]",
                "[module",
                "]",
                "[",
                "binary = a.elf",
                "binary = b.elf",
                "binary",
                " = ",
                "=",
                "cap ",
                "cap x = ",
                "cap y = ",
                "client kv ^1",
                "client kv",
                "irq 4",
                "irq 300",
                "ioports 0x3f8-0x3ff",
                "ioports 9-1",
                "modmgr",
                "untyped 4K",
                "priority = 0x10",
                "cpus = 0-3,7",
                "cpus = 1,1",
                "memory = 2M",
                "memory = 3",
                "restart-budget = 3/10s",
                "restart-budget = 1/0ms",
                "expect = exit 1",
                "expect = serving",
                "console = a",
                "console = z",
                "#",
                " ",
                "\t",
                "args = x y",
                "start = manual",
                "restart = always",
                "checkpoint = 5",
                "0x",
                "K",
                ",",
                "-",
                "/",
            ][..]
        )
        .prop_map(String::from),
        "\\PC{0,6}",
    ];
    prop::collection::vec(token, 1..4).prop_map(|t| t.concat())
}

/// One edit of a text's lines.
#[derive(Clone, Debug)]
enum Edit {
    Delete(prop::sample::Index),
    Duplicate(prop::sample::Index),
    Insert(prop::sample::Index, String),
    Replace(prop::sample::Index, prop::sample::Index, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    use prop::sample::Index;
    prop_oneof![
        any::<Index>().prop_map(Edit::Delete),
        any::<Index>().prop_map(Edit::Duplicate),
        (any::<Index>(), soup_line()).prop_map(|(i, l)| Edit::Insert(i, l)),
        (any::<Index>(), any::<Index>(), any::<char>())
            .prop_map(|(i, j, c)| Edit::Replace(i, j, c)),
    ]
}

/// The canonical text of a valid manifest with a few lines edited: valid
/// sections around the broken line, so the checks after it run too.
fn near_miss() -> impl Strategy<Value = String> {
    (manifest(), prop::collection::vec(edit(), 0..4)).prop_map(|(m, edits)| {
        let mut lines: Vec<String> = m.render().lines().map(String::from).collect();
        for e in edits {
            if lines.is_empty() {
                lines.push(String::new());
            }
            match e {
                Edit::Delete(i) => {
                    lines.remove(i.index(lines.len()));
                }
                Edit::Duplicate(i) => {
                    let l = i.get(&lines).clone();
                    lines.insert(i.index(lines.len()), l);
                }
                Edit::Insert(i, l) => lines.insert(i.index(lines.len() + 1), l),
                Edit::Replace(i, j, c) => {
                    let line = i.index(lines.len());
                    let mut chars: Vec<char> = lines[line].chars().collect();
                    if chars.is_empty() {
                        chars.push(c);
                    } else {
                        let at = j.index(chars.len());
                        chars[at] = c;
                    }
                    lines[line] = chars.into_iter().collect();
                }
            }
        }
        lines.join("\n")
    })
}

/// What must hold for any text: `parse` and `parse_all` agree, errors are
/// in line order on lines the text has, and what parses renders back.
fn check_any_text(text: &str) -> Result<(), TestCaseError> {
    let lines = text.lines().count();
    match (Manifest::parse_all(text), Manifest::parse(text)) {
        (Ok(all), Ok(first)) => {
            prop_assert_eq!(&all, &first);
            let again = Manifest::parse(&all.render());
            prop_assert_eq!(again.map(without_lines), Ok(without_lines(all)));
        }
        (Err(all), Err(first)) => {
            prop_assert_eq!(all.first(), Some(&first));
            prop_assert!(all.windows(2).all(|w| w[0].line <= w[1].line));
            prop_assert!(all.iter().all(|e| (1..=lines).contains(&e.line)), "{all:?}");
            prop_assert!(all.iter().all(|e| !e.to_string().is_empty()));
        }
        (all, first) => prop_assert!(false, "disagree: {all:?} vs {first:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn render_then_parse_gives_the_manifest_back(m in manifest()) {
        let text = m.render();
        let parsed = Manifest::parse(&text);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed, text);
        let parsed = parsed.unwrap_or_default();
        prop_assert_eq!(without_lines(parsed.clone()), m);
        // With the lines of the canonical text, the round trip is exact.
        prop_assert_eq!(Manifest::parse(&parsed.render()), Ok(parsed));
    }

    #[test]
    fn random_text_never_panics(text in any::<String>()) {
        check_any_text(&text)?;
    }

    #[test]
    fn near_miss_text_never_panics(text in near_miss()) {
        check_any_text(&text)?;
    }
}
