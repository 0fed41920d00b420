//! A string interner for the `&'static str` fields of `ModuleMetadata`
//! and `ModuleInterface::interface_name`: each distinct string is leaked
//! once and handed out again on every later request, so reloading the same
//! module a hundred times leaks nothing new.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use spin::Mutex;

/// A set of leaked strings.
pub struct Interner {
    strings: Mutex<BTreeSet<&'static str>>,
}

impl Interner {
    /// An empty interner.
    pub const fn new() -> Interner {
        Interner {
            strings: Mutex::new(BTreeSet::new()),
        }
    }

    /// The one `'static` copy of `text`, leaked the first time it is asked for.
    pub fn intern(&self, text: &str) -> &'static str {
        let mut strings = self.strings.lock();
        if let Some(&known) = strings.get(text) {
            return known;
        }
        let leaked: &'static str = Box::leak(Box::from(text));
        strings.insert(leaked);
        leaked
    }

    /// How many distinct strings have been leaked.
    pub fn len(&self) -> usize {
        self.strings.lock().len()
    }

    /// Whether nothing has been leaked yet.
    pub fn is_empty(&self) -> bool {
        self.strings.lock().is_empty()
    }

    /// Bytes leaked so far.
    pub fn leaked_bytes(&self) -> usize {
        self.strings.lock().iter().map(|s| s.len()).sum()
    }
}

impl Default for Interner {
    fn default() -> Interner {
        Interner::new()
    }
}

/// The module manager's interner.
pub static STRINGS: Interner = Interner::new();

/// [`STRINGS`]`.intern(text)`.
pub fn intern(text: &str) -> &'static str {
    STRINGS.intern(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn one_copy_per_distinct_string() {
        let i = Interner::new();
        let a = i.intern("kvstore");
        let b = i.intern(&format!("kv{}", "store"));
        assert!(core::ptr::eq(a, b), "the same allocation comes back");
        assert_eq!(i.intern("other"), "other");
        assert_eq!((i.len(), i.leaked_bytes()), (2, 12));
    }

    #[test]
    fn a_hundred_reloads_leak_nothing_new() {
        let i = Interner::new();
        let fields = [
            "kvstore",
            "1.2.0",
            "helix",
            "A key-value store",
            "log",
            "^1.0",
        ];
        let first: alloc::vec::Vec<&'static str> = fields.iter().map(|f| i.intern(f)).collect();
        let (count, bytes) = (i.len(), i.leaked_bytes());
        for _ in 0..100 {
            for (field, &was) in fields.iter().zip(&first) {
                // A fresh allocation each time, as a decoded record holds.
                let fresh: alloc::string::String = field.chars().collect();
                assert!(core::ptr::eq(i.intern(&fresh), was));
            }
        }
        assert_eq!((i.len(), i.leaked_bytes()), (count, bytes));
        assert!(!i.is_empty());
    }

    #[test]
    fn the_global_interner_is_shared() {
        assert!(core::ptr::eq(
            intern("modmgr-test-global"),
            STRINGS.intern("modmgr-test-global")
        ));
    }
}
