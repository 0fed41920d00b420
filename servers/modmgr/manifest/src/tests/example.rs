//! The example of the task and the model helpers.

use crate::*;

const EXAMPLE: &str = "\
# Helix boot manifest
[system]
console = console            # optional global settings; unknown keys are errors

[module console]
binary = console.elf
start = boot

[module kvstore]
binary   = kvstore.elf        # boot module file name the manager loads
args     = param=0   verbose    # one line of words given to the module
start    = manual
priority = 0x80
cpus     = 0,1, 4-6
memory   = 2M
restart  = always
restart-budget = 5/1500ms
checkpoint = 100
expect   = exit 3
cap kv   = client kv >=1.0, <2.0
cap uart = ioports 0x3f8-0x3ff
cap kbd  = ioports 0x60
cap com1 = irq 4
cap mgr  = modmgr
cap mem  = untyped 64K

[module kvclient]
binary = kvclient.elf
cap store = client kv ^1.0
cap log = client console =1.2.3

[module kvclient2]
binary = kvclient.elf
";

fn example() -> Manifest {
    Manifest::parse(EXAMPLE).expect("the example parses")
}

#[test]
fn every_field_of_the_example_is_read() {
    let m = example();
    assert_eq!(m.system.console.as_deref(), Some("console"));
    let kv = m.module("kvstore").expect("kvstore");
    assert_eq!(kv.line, 9);
    assert_eq!(kv.binary, "kvstore.elf");
    assert_eq!(kv.args, "param=0 verbose");
    assert_eq!(kv.start, StartMode::Manual);
    assert_eq!(kv.priority, 128);
    assert_eq!(kv.cpus.map(CpuSet::mask), Some(0b111_0011));
    assert_eq!(kv.memory, 2 << 20);
    assert_eq!(kv.restart, RestartPolicy::Always);
    assert_eq!(
        kv.budget,
        RestartBudget {
            restarts: 5,
            window_ms: 1500
        }
    );
    assert_eq!(kv.checkpoint_every, 100);
    assert_eq!(kv.expect, Some(Expect::Exit(3)));
    let caps: Vec<(&str, usize, &CapKind)> = kv
        .caps
        .iter()
        .map(|c| (c.name.as_str(), c.line, &c.kind))
        .collect();
    assert_eq!(
        caps,
        [
            (
                "kv",
                20,
                &CapKind::Client {
                    interface: "kv".into(),
                    constraint: ">=1.0, <2.0".into()
                }
            ),
            (
                "uart",
                21,
                &CapKind::IoPorts {
                    first: 0x3f8,
                    last: 0x3ff
                }
            ),
            (
                "kbd",
                22,
                &CapKind::IoPorts {
                    first: 0x60,
                    last: 0x60
                }
            ),
            ("com1", 23, &CapKind::Irq(4)),
            ("mgr", 24, &CapKind::Modmgr),
            ("mem", 25, &CapKind::Untyped(64 << 10)),
        ]
    );
}

#[test]
fn an_entry_without_settings_gets_the_defaults() {
    let m = example();
    let c = m.module("kvclient2").expect("kvclient2");
    let mut expected = ModuleEntry::new("kvclient2", "kvclient.elf");
    expected.line = c.line;
    assert_eq!(*c, expected);
    assert_eq!(c.start, StartMode::Boot);
    assert_eq!(c.priority, 100);
    assert_eq!(c.memory, 1 << 20);
    assert_eq!(c.restart, RestartPolicy::OnFailure);
    assert_eq!(c.budget, RestartBudget::DEFAULT);
    assert_eq!((c.cpus, c.expect, c.checkpoint_every), (None, None, 0));
}

#[test]
fn binaries_are_distinct_and_in_order_of_first_use() {
    assert_eq!(
        example().binaries(),
        ["console.elf", "kvstore.elf", "kvclient.elf"]
    );
}

#[test]
fn client_caps_are_the_required_interfaces() {
    let m = example();
    let req: Vec<Requirement<'_>> = m
        .module("kvclient")
        .expect("kvclient")
        .interfaces_required()
        .collect();
    assert_eq!(
        req,
        [
            Requirement {
                cap: "store",
                interface: "kv",
                constraint: "^1.0"
            },
            Requirement {
                cap: "log",
                interface: "console",
                constraint: "=1.2.3"
            },
        ]
    );
    let kv = m.module("kvstore").expect("kvstore");
    assert_eq!(kv.interfaces_required().count(), 1);
    assert_eq!(
        m.module("console").map(|c| c.interfaces_required().count()),
        Some(0)
    );
    assert!(m.module("nope").is_none());
    assert_eq!(kv.cap("com1").map(|c| &c.kind), Some(&CapKind::Irq(4)));
}

#[test]
fn render_leaves_defaults_out_and_reads_back() {
    let m = example();
    let text = m.render();
    let again = Manifest::parse(&text).expect("rendered text parses");
    assert_eq!(again.render(), text);
    assert_eq!(again.modules.len(), m.modules.len());
    for (a, b) in again.modules.iter().zip(&m.modules) {
        assert_eq!(
            (&a.name, &a.args, &a.caps.len()),
            (&b.name, &b.args, &b.caps.len())
        );
        assert_eq!((a.cpus, a.budget, a.expect), (b.cpus, b.budget, b.expect));
    }
    // kvclient2 has only defaults: its section is header + binary.
    let tail = text.rsplit("[module kvclient2]").next().expect("section");
    assert_eq!(tail.trim().lines().count(), 1, "{text}");
}

#[test]
fn comments_cut_values_and_blank_manifests_are_empty() {
    let m = Manifest::parse("[module a]\nbinary = a.elf#x\nargs = x # y = z\n").expect("parses");
    assert_eq!(m.modules[0].binary, "a.elf");
    assert_eq!(m.modules[0].args, "x");
    assert_eq!(Manifest::parse("\n  # only\n\t\n"), Ok(Manifest::default()));
}
