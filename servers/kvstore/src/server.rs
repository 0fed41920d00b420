//! The kvstore server body shared by every binary that serves the `kv`
//! interface under the name `kvstore`: the two versions of the store and
//! the test builds that fail on purpose. A binary picks its state format
//! and its behaviour with a [`Variant`] and declares itself with
//! [`kvstore_module!`](crate::kvstore_module).

use alloc::string::String;
use alloc::vec::Vec;

use helix_protocol::{ModuleError, ModuleState};

use crate::store::{Format, Store};
use crate::{KvError, KvHandler};

/// What one kvstore binary does differently. The defaults are the store
/// itself; test builds override a hook to fail where a test wants it.
pub trait Variant: Default {
    /// The layout its state is saved in.
    const FORMAT: Format;

    /// Called from `init`.
    fn init(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    /// Called from `start` (at boot, and again on each resume).
    fn start(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    /// Called before state is restored.
    fn restore(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    /// Called before each `put` is stored.
    fn put(&mut self, _key: &str, _value: &[u8]) {}
}

/// The store with its [`Variant`]'s hooks around it.
#[derive(Debug)]
pub struct KvServer<V> {
    store: Store,
    variant: V,
}

impl<V: Variant> Default for KvServer<V> {
    fn default() -> Self {
        KvServer {
            store: Store::new(V::FORMAT),
            variant: V::default(),
        }
    }
}

impl<V: Variant> KvServer<V> {
    /// `Module::init`.
    pub fn init(&mut self) -> Result<(), ModuleError> {
        self.variant.init()
    }

    /// `Module::start`.
    pub fn start(&mut self) -> Result<(), ModuleError> {
        self.variant.start()
    }

    /// `Module::get_state`: the store in `V::FORMAT`.
    pub fn get_state(&self) -> Option<ModuleState> {
        self.store.save().ok()
    }

    /// `Module::restore_state`: either format; the one it was in.
    pub fn restore_state(&mut self, state: &ModuleState) -> Result<Format, ModuleError> {
        self.variant.restore()?;
        self.store.restore(state)
    }

    /// How many times `key` was written.
    pub fn writes(&self, key: &str) -> Option<u64> {
        self.store.writes(key)
    }
}

impl<V: Variant> KvHandler for KvServer<V> {
    fn put(&mut self, key: String, value: Vec<u8>) -> Result<Option<Vec<u8>>, KvError> {
        self.variant.put(&key, &value);
        self.store.put(key, value)
    }
    fn get(&mut self, key: String) -> Result<Vec<u8>, KvError> {
        self.store.get(key)
    }
    fn delete(&mut self, key: String) -> Result<Vec<u8>, KvError> {
        self.store.delete(key)
    }
    fn len(&mut self) -> Result<u64, KvError> {
        self.store.len()
    }
}

/// The plain store saving in format 1 (kvstore 1.0.0).
#[derive(Debug, Default)]
pub struct Values;

impl Variant for Values {
    const FORMAT: Format = Format::Values;
}

/// The plain store saving in format 2 (kvstore 1.0.1).
#[derive(Debug, Default)]
pub struct Counted;

impl Variant for Counted {
    const FORMAT: Format = Format::Counted;
}

/// Declare a kvstore binary: `kvstore_module!(Name(Variant), version:
/// "1.0.0", description: "..")` makes the module type `Name` around a
/// [`KvServer<Variant>`](KvServer) with the `kvstore` record (the `kv@1.0`
/// interface, HOT_RELOADABLE) and its entry hook. `symbols: [..]` replaces
/// the exported symbol table (tests of the ABI check); the default is the
/// four `kv` functions, `kv_put`, `kv_get`, `kv_delete` and `kv_len`.
#[macro_export]
macro_rules! kvstore_module {
    ($ty:ident ($variant:ty), version: $version:expr, description: $description:expr $(,)?) => {
        $crate::kvstore_module!(
            $ty($variant),
            version: $version,
            description: $description,
            symbols: [
                ("kv_put", Function, "fn(String, Vec<u8>) -> Result<Option<Vec<u8>>, KvError>", false),
                ("kv_get", Function, "fn(String) -> Result<Vec<u8>, KvError>", false),
                ("kv_delete", Function, "fn(String) -> Result<Vec<u8>, KvError>", false),
                ("kv_len", Function, "fn() -> Result<u64, KvError>", false),
            ],
        );
    };
    (
        $ty:ident ($variant:ty),
        version: $version:expr,
        description: $description:expr,
        symbols: [ $( ($sym:expr, $kind:ident, $sig:expr, $deprecated:expr) ),* $(,)? ] $(,)?
    ) => {
        /// This binary's kvstore module.
        #[derive(Default)]
        struct $ty($crate::KvServer<$variant>);

        $crate::__private::helix_module! {
            name: "kvstore",
            version: $version,
            author: "Helix",
            description: $description,
            flags: $crate::__private::ModuleFlags::HOT_RELOADABLE
                .union($crate::__private::ModuleFlags::USERSPACE),
            dependencies: [],
            provides: ["kv@1.0"],
            symbols: [ $( ($sym, $kind, $sig, $deprecated) ),* ],
            impl Module for $ty {
                fn init(&mut self, _ctx: &$crate::__private::ModuleContext) -> Result<(), $crate::__private::ModuleError> {
                    self.0.init()
                }
                fn start(&mut self) -> Result<(), $crate::__private::ModuleError> {
                    self.0.start()
                }
                fn stop(&mut self) -> Result<(), $crate::__private::ModuleError> {
                    Ok(())
                }
                fn cleanup(&mut self) -> Result<(), $crate::__private::ModuleError> {
                    Ok(())
                }
                fn is_healthy(&self) -> bool {
                    true
                }
                fn get_state(&self) -> Option<$crate::__private::ModuleState> {
                    self.0.get_state()
                }
                fn restore_state(&mut self, state: $crate::__private::ModuleState) -> Result<(), $crate::__private::ModuleError> {
                    let from = self.0.restore_state(&state)?;
                    $crate::__private::log::info!(
                        target: "kvstore",
                        "state restored from format {} ({} bytes)",
                        from.version(),
                        state.data.len()
                    );
                    Ok(())
                }
                fn handle_message(&mut self, msg: $crate::__private::ModuleMessage) -> Result<$crate::__private::ModuleMessage, $crate::__private::ModuleError> {
                    $crate::__private::serve_message::<$crate::Kv, _>(&mut self.0, msg)
                }
            }
        }
    };
}
