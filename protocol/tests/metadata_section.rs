//! The metadata record written by `helix_module!` is in the linked binary's
//! `.helix_module` section, and a loader decodes it from the file without
//! running the module. The crate forbids unsafe code, as a server crate
//! may: the macro's `#[unsafe(link_section)]` does not trip the lint.
#![forbid(unsafe_code)]

use helix_protocol::metadata::{ModuleRecord, SECTION_NAME};
use helix_protocol::{AbiVersion, Module, ModuleContext, ModuleError, ModuleFlags, helix_module};

#[derive(Default)]
struct Probe;

helix_module! {
    name: "section-probe",
    version: "2.1.0",
    author: "Helix tests",
    description: "Checks the metadata section",
    flags: ModuleFlags::DRIVER.union(ModuleFlags::USERSPACE),
    dependencies: [("helix-hal", ">=0.4.0")],
    provides: ["block_device"],
    symbols: [("read_block", Function, "fn(u64) -> Vec<u8>", false)],
    impl Module for Probe {
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { Ok(()) }
        fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn is_healthy(&self) -> bool { true }
    }
}

#[test]
fn loader_reads_the_record_from_the_elf_file() {
    let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    let elf = goblin::elf::Elf::parse(&exe).unwrap();
    let section = elf
        .section_headers
        .iter()
        .find(|sh| elf.shdr_strtab.get_at(sh.sh_name) == Some(SECTION_NAME))
        .expect("the binary has a .helix_module section");
    let start = section.sh_offset as usize;
    let bytes = &exe[start..start + section.sh_size as usize];
    let record = ModuleRecord::decode(bytes).unwrap();
    assert_eq!(record.name, "section-probe");
    assert_eq!(record.version, "2.1.0");
    assert_eq!(record.author, "Helix tests");
    assert_eq!(record.flags, ModuleFlags::DRIVER | ModuleFlags::USERSPACE);
    assert_eq!(record.abi, AbiVersion::CURRENT);
    assert_eq!(record.dependencies[0].version_constraint, ">=0.4.0");
    assert_eq!(record.provides, ["block_device"]);
    assert_eq!(
        record.symbols.get("read_block").unwrap().signature.ret,
        "Vec<u8>"
    );
    // The runtime view agrees with the file.
    assert_eq!(Probe.metadata().name, record.name);
}
