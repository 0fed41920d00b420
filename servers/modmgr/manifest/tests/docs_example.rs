//! The example in `docs/formats.md` ("Boot manifest") parses to what the
//! text around it says.

use helix_manifest::*;

const FORMATS: &str = include_str!("../../../../docs/formats.md");

/// The first fenced block after the "### Example" heading of the
/// "## Boot manifest" section.
fn example() -> &'static str {
    let section = FORMATS
        .split("## Boot manifest")
        .nth(1)
        .expect("docs/formats.md has a Boot manifest section");
    let after = section.split("### Example").nth(1).expect("an example");
    after
        .split("```")
        .nth(1)
        .expect("a fenced block")
        .trim_start_matches('\n')
}

#[test]
fn the_documented_example_parses() {
    let m = Manifest::parse(example()).unwrap_or_else(|e| panic!("{e}\n{}", example()));
    assert_eq!(m.system.console.as_deref(), Some("console"));
    assert_eq!(m.binaries(), ["console.elf", "kvstore.elf", "kvclient.elf"]);
    let client = m.module("kvclient").expect("kvclient");
    assert_eq!(client.start, StartMode::Manual);
    assert_eq!(client.expect, Some(Expect::Exit(0)));
    let req: Vec<_> = client.interfaces_required().collect();
    assert_eq!(
        req,
        [Requirement {
            cap: "kv",
            interface: "kv",
            constraint: "^1.0"
        }]
    );
    let store = m.module("kvstore").expect("kvstore");
    assert_eq!(
        (store.priority, store.memory, store.checkpoint_every),
        (120, 2 << 20, 100)
    );
}
