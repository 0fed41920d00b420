//! `LoaderRegistry`: auto-detection, NoLoader, UnknownFormat, several
//! loaders, and the choice among loaders of one format by `can_load`.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use helix_protocol::metadata::ModuleRecord;

use super::support::load;
use super::synth::{Image, RECORD};
use crate::fixtures::native;
use crate::{
    ElfLoader, KeyFingerprint, LoadError, LoadedModule, LoaderRegistry, ModuleFormat, ModuleLoader,
    Result, TrustError, TrustPolicy,
};

/// A loader that accepts bytes by a predicate and answers with a module
/// named after itself.
struct Fake {
    format: ModuleFormat,
    name: &'static str,
    accepts: fn(&[u8]) -> bool,
}

impl Fake {
    fn new(format: ModuleFormat, name: &'static str, accepts: fn(&[u8]) -> bool) -> Fake {
        Fake {
            format,
            name,
            accepts,
        }
    }
}

fn module_named(format: ModuleFormat, name: &str) -> LoadedModule {
    let mut record = ModuleRecord::decode(&RECORD).unwrap();
    record.name = String::from(name);
    LoadedModule {
        format,
        symbols: record.symbols.clone(),
        record,
        entry: 0x40_1000,
        segments: Vec::new(),
    }
}

impl ModuleLoader for Fake {
    fn format(&self) -> ModuleFormat {
        self.format
    }
    fn can_load(&self, data: &[u8]) -> bool {
        (self.accepts)(data)
    }
    fn load(&self, _data: &[u8]) -> Result<LoadedModule> {
        Ok(module_named(self.format, self.name))
    }
    fn unload(&self, _module: &LoadedModule) -> Result<()> {
        Ok(())
    }
}

/// An ELF whose `e_machine` is AArch64 (183).
fn aarch64_elf() -> Vec<u8> {
    Image::valid_with(|i| i.machine = 183)
}

fn is_aarch64(data: &[u8]) -> bool {
    data.get(18..20) == Some(&183u16.to_le_bytes()[..])
}

const HXNM: &[u8] = b"HXNM\x01\0\0\0 not a whole HelixNative image";
const WASM: &[u8] = b"\0asm\x01\0\0\0";

#[test]
fn builtin_registry_detects_and_loads_elf() {
    let registry = LoaderRegistry::with_builtin_loaders();
    assert_eq!(registry.len(), 2);
    let data = Image::valid().bytes();
    let m = registry.load(&data).unwrap();
    assert_eq!(m, load(&data).unwrap());
    assert_eq!(m.record.name, "synthetic");
    registry.unload(&m).unwrap();
    // A malformed ELF reaches the ELF loader, which says what is wrong.
    assert_eq!(
        registry.load(&Image::valid_with(|i| i.class = 1)),
        Err(LoadError::NotElf64 { class: 1 })
    );
    assert_eq!(
        registry.load(&aarch64_elf()),
        Err(LoadError::NotX86_64 { machine: 183 })
    );
}

#[test]
fn builtin_registry_detects_helix_native_and_applies_its_policy() {
    let unsigned = native::valid();
    let signed = native::signed(3);
    // Default policy: nothing trusted, unsigned refused.
    let strict = LoaderRegistry::with_builtin_loaders();
    assert_eq!(
        strict.load(&unsigned),
        Err(LoadError::Trust(TrustError::Unsigned))
    );
    assert_eq!(
        strict.load(&signed),
        Err(LoadError::Trust(TrustError::UntrustedKey(
            KeyFingerprint::of(&native::public_key(3))
        )))
    );
    // The format is detected and the HelixNative loader explains.
    assert!(matches!(strict.load(HXNM), Err(LoadError::Native(_))));
    let trusting = LoaderRegistry::with_trust_policy(
        TrustPolicy::new().trust("release", native::public_key(3)),
    );
    let m = trusting.load(&signed).unwrap();
    assert_eq!(m.format, ModuleFormat::HelixNative);
    // The same module as the ELF it was packed from, but for the format
    // and the file offsets of the segment bytes.
    let elf = Image::valid().bytes();
    let from_elf = load(&elf).unwrap();
    assert_eq!((&m.record, m.entry), (&from_elf.record, from_elf.entry));
    for (n, e) in m.segments.iter().zip(&from_elf.segments) {
        assert_eq!(
            (n.vaddr, n.mem_size, n.rights),
            (e.vaddr, e.mem_size, e.rights)
        );
        assert_eq!(n.bytes(&signed), e.bytes(&elf));
    }
    trusting.unload(&m).unwrap();
}

#[test]
fn detected_format_without_a_loader_is_no_loader() {
    let mut registry = LoaderRegistry::new();
    registry.register(Box::new(ElfLoader::new()));
    assert_eq!(
        registry.load(HXNM),
        Err(LoadError::NoLoader(ModuleFormat::HelixNative))
    );
    let registry = LoaderRegistry::with_builtin_loaders();
    assert_eq!(
        registry.load(WASM),
        Err(LoadError::NoLoader(ModuleFormat::Wasm))
    );
    let empty = LoaderRegistry::new();
    assert!(empty.is_empty());
    assert_eq!(
        empty.load(&Image::valid().bytes()),
        Err(LoadError::NoLoader(ModuleFormat::Elf))
    );
    assert_eq!(
        alloc::format!("{}", LoadError::NoLoader(ModuleFormat::Wasm)),
        "no loader registered for WebAssembly modules"
    );
}

#[test]
fn unknown_bytes_are_unknown_format() {
    let registry = LoaderRegistry::with_builtin_loaders();
    for junk in [&b""[..], b"\x7fEL", b"#!/bin/sh\n", &[0xff; 64]] {
        assert_eq!(
            registry.load(junk),
            Err(LoadError::UnknownFormat),
            "{junk:?}"
        );
    }
    assert_eq!(
        LoaderRegistry::new().load(b"junk"),
        Err(LoadError::UnknownFormat)
    );
}

#[test]
fn several_loaders_each_get_their_format() {
    let mut registry = LoaderRegistry::new();
    registry.register(Box::new(Fake::new(ModuleFormat::Wasm, "wasm", |_| true)));
    registry.register(Box::new(ElfLoader::new()));
    registry.register(Box::new(Fake::new(
        ModuleFormat::HelixNative,
        "native",
        |_| true,
    )));
    assert_eq!(registry.len(), 3);
    assert_eq!(registry.load(HXNM).unwrap().record.name, "native");
    assert_eq!(registry.load(WASM).unwrap().record.name, "wasm");
    let elf = registry.load(&Image::valid().bytes()).unwrap();
    assert_eq!(
        (elf.format, elf.record.name.as_str()),
        (ModuleFormat::Elf, "synthetic")
    );
    assert_eq!(registry.load(b"nothing"), Err(LoadError::UnknownFormat));
    // Each module is unloaded by a loader of its format.
    registry.unload(&elf).unwrap();
    registry
        .unload(&module_named(ModuleFormat::Wasm, "wasm"))
        .unwrap();
}

#[test]
fn a_second_loader_of_a_format_is_picked_by_can_load() {
    let mut registry = LoaderRegistry::new();
    registry.register(Box::new(ElfLoader::new()));
    registry.register(Box::new(Fake::new(
        ModuleFormat::Elf,
        "aarch64",
        is_aarch64,
    )));
    let arm = registry.load(&aarch64_elf()).unwrap();
    assert_eq!(arm.record.name, "aarch64");
    assert!(
        registry
            .loader_for(&aarch64_elf())
            .unwrap()
            .can_load(&aarch64_elf())
    );
    // x86_64 still goes to the ELF loader, registered first.
    let x86 = registry.load(&Image::valid().bytes()).unwrap();
    assert_eq!(x86.record.name, "synthetic");
    // Neither takes a 32-bit ELF: the first ELF loader explains.
    assert_eq!(
        registry.load(&Image::valid_with(|i| i.class = 1)),
        Err(LoadError::NotElf64 { class: 1 })
    );
}

#[test]
fn the_first_registered_loader_that_can_load_wins() {
    let first = Box::new(Fake::new(ModuleFormat::Elf, "first", |_| true));
    let second = Box::new(Fake::new(ModuleFormat::Elf, "second", |_| true));
    let mut registry = LoaderRegistry::new();
    registry.register(Box::new(Fake::new(ModuleFormat::Elf, "never", |_| false)));
    registry.register(first);
    registry.register(second);
    let data = Image::valid().bytes();
    assert_eq!(registry.load(&data).unwrap().record.name, "first");
    // Data no loader takes goes to the first loader of the format.
    let mut registry = LoaderRegistry::new();
    let refuses = Fake::new(ModuleFormat::Elf, "refuses", |_| false);
    registry.register(Box::new(refuses));
    assert_eq!(registry.load(&data).unwrap().record.name, "refuses");
}

#[test]
fn unload_checks_the_format() {
    let elf = ElfLoader::new();
    let wasm = module_named(ModuleFormat::Wasm, "w");
    assert_eq!(
        elf.unload(&wasm),
        Err(LoadError::WrongFormat {
            loader: ModuleFormat::Elf,
            module: ModuleFormat::Wasm,
        })
    );
    assert_eq!(
        LoaderRegistry::with_builtin_loaders().unload(&wasm),
        Err(LoadError::NoLoader(ModuleFormat::Wasm))
    );
    assert_eq!(elf.format(), ModuleFormat::Elf);
    assert!(elf.can_load(&Image::valid().bytes()));
    assert!(!elf.can_load(&aarch64_elf()));
    assert!(!elf.can_load(b"\x7fELF"));
}
