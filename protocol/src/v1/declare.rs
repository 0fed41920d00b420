//! [`helix_module!`](crate::helix_module): declare a v1 module once.
#![forbid(unsafe_code)]

use super::Module;
use crate::metadata::RecordSpec;

/// A module declared with [`helix_module!`](crate::helix_module): its
/// metadata is known at compile time.
pub trait DeclaredModule: Module {
    /// The metadata record, as written into `.helix_module`.
    const RECORD: RecordSpec<'static>;
}

/// Declare a v1 module: write its `impl Module` without `metadata`, and the
/// macro adds
///
/// - `metadata()`, built once from the declared fields;
/// - [`DeclaredModule::RECORD`] and the encoded record in a
///   `#[used] #[unsafe(link_section = ".helix_module")]` static, so a loader
///   reads the metadata without running the module (`docs/formats.md`);
/// - on `target_os = "none"`, the entry hook the runtime calls:
///   `pub fn helix_module_entry(ctx, channel) -> LoopExit`, which builds the
///   module with `Default`, runs `init`/`start` and then the server loop.
///
/// `provides` (interface names) and `symbols` (`(name, Kind, "signature",
/// deprecated)`) are optional.
///
/// ```
/// use helix_protocol::{helix_module, Module, ModuleContext, ModuleError, ModuleFlags};
///
/// #[derive(Default)]
/// struct Example;
///
/// helix_module! {
///     name: "example",
///     version: "1.0.0",
///     author: "Helix",
///     description: "Example module",
///     flags: ModuleFlags::HOT_RELOADABLE,
///     dependencies: [("helix-hal", ">=0.4.0")],
///     impl Module for Example {
///         fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { Ok(()) }
///         fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
///         fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
///         fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
///         fn is_healthy(&self) -> bool { true }
///     }
/// }
///
/// assert_eq!(Example.metadata().dependencies[0].version_constraint, ">=0.4.0");
/// ```
#[macro_export]
macro_rules! helix_module {
    (
        name: $name:expr,
        version: $version:expr,
        author: $author:expr,
        description: $description:expr,
        flags: $flags:expr,
        dependencies: [ $( ($dep:expr, $constraint:expr) ),* $(,)? ],
        $( provides: [ $( $provides:expr ),* $(,)? ], )?
        $( symbols: [ $( ($sym:expr, $kind:ident, $sig:expr, $deprecated:expr) ),* $(,)? ], )?
        impl Module for $ty:ty { $($body:tt)* }
    ) => {
        impl $crate::v1::DeclaredModule for $ty {
            const RECORD: $crate::metadata::RecordSpec<'static> = $crate::metadata::RecordSpec {
                name: $name,
                version: $version,
                author: $author,
                description: $description,
                flags: $crate::ModuleFlags::bits(&$flags),
                abi: $crate::AbiVersion::CURRENT,
                dependencies: &[ $( ($dep, $constraint) ),* ],
                provides: &[ $( $( $provides ),* )? ],
                symbols: &[ $( $( $crate::metadata::SymbolSpec {
                    name: $sym,
                    kind: $crate::abi::SymbolKind::$kind,
                    signature: $sig,
                    deprecated: $deprecated,
                } ),* )? ],
            };
        }

        const _: () = {
            const LEN: usize = <$ty as $crate::v1::DeclaredModule>::RECORD.encoded_len();
            /// The module's metadata record, read by loaders from `.helix_module`.
            #[used]
            #[unsafe(link_section = ".helix_module")]
            static HELIX_MODULE_RECORD: [u8; LEN] = <$ty as $crate::v1::DeclaredModule>::RECORD.encode();
        };

        impl $crate::v1::Module for $ty {
            fn metadata(&self) -> &$crate::v1::ModuleMetadata {
                static META: $crate::__private::Once<$crate::v1::ModuleMetadata> = $crate::__private::Once::new();
                META.call_once(|| <$ty as $crate::v1::DeclaredModule>::RECORD.to_metadata())
            }
            $($body)*
        }

        /// Entry hook of the Helix runtime: build the module, `init`, `start`,
        /// then serve requests until told to shut down.
        #[cfg(target_os = "none")]
        #[allow(
            dead_code,
            clippy::allow_attributes,
            reason = "used only by server_main!: a crate that declares a module without serving it would get an unfulfilled expect"
        )]
        pub fn helix_module_entry<C: $crate::server::ServerChannel>(
            ctx: &$crate::v1::ModuleContext,
            channel: C,
        ) -> $crate::server::LoopExit {
            $crate::server::run_module(<$ty as ::core::default::Default>::default(), ctx, channel)
        }
    };
}

/// The metadata record of a program (a module that is not a server: it
/// runs and exits, like a client or a test), so the module manager can
/// load and check it like any module: `helix_program! { name: "kvclient",
/// version: "1.0.0", author: "..", description: "..", flags:
/// ModuleFlags::USERSPACE, dependencies: [("kvstore", "^1.0")] }`.
#[macro_export]
macro_rules! helix_program {
    (
        name: $name:expr,
        version: $version:expr,
        author: $author:expr,
        description: $description:expr,
        flags: $flags:expr,
        dependencies: [ $( ($dep:expr, $constraint:expr) ),* $(,)? ] $(,)?
    ) => {
        const _: () = {
            const RECORD: $crate::metadata::RecordSpec<'static> = $crate::metadata::RecordSpec {
                name: $name,
                version: $version,
                author: $author,
                description: $description,
                flags: $crate::ModuleFlags::bits(&$flags),
                abi: $crate::AbiVersion::CURRENT,
                dependencies: &[ $( ($dep, $constraint) ),* ],
                provides: &[],
                symbols: &[],
            };
            const LEN: usize = RECORD.encoded_len();
            /// The program's metadata record, read by loaders from `.helix_module`.
            #[used]
            #[unsafe(link_section = ".helix_module")]
            static HELIX_MODULE_RECORD: [u8; LEN] = RECORD.encode();
        };
    };
}
