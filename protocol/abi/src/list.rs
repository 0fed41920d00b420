//! `abi_list!`: the one declaration of a numbered ABI list (syscalls,
//! errors, methods).
//!
//! Each list is written once, as `Variant = number` lines (optionally
//! `=> value` for one per-variant property), and the macro derives
//! everything that must agree with it: the `#[repr(u64)]` enum, `ALL` in
//! declaration order, `COUNT`, the decoder from the raw number, `raw`, and
//! the property accessor as an exhaustive match. A variant therefore
//! cannot be missing from any of them, and a compile-time check rejects a
//! list whose numbers are not strictly ascending (so `ALL` is in number
//! order and no number is used twice).

/// Declare a numbered ABI list; see the module documentation.
///
/// ```text
/// abi_list! {
///     /// Doc of the enum.
///     pub enum Name: decode from_raw {
///         /// Doc of the variant.
///         First = 1 => "property",
///     }
///     /// Doc of the property accessor.
///     pub const fn property(self) -> &'static str;
/// }
/// ```
///
/// Without `=> value` on the variants the accessor line is left out.
macro_rules! abi_list {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: decode $decode:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $num:literal => $val:expr, )+
        }
        $(#[$fmeta:meta])*
        pub const fn $accessor:ident(self) -> $ty:ty;
    ) => {
        abi_list! {
            $(#[$meta])*
            pub enum $name: decode $decode {
                $( $(#[$vmeta])* $variant = $num, )+
            }
        }

        impl $name {
            $(#[$fmeta])*
            pub const fn $accessor(self) -> $ty {
                match self {
                    $( $name::$variant => $val, )+
                }
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $name:ident: decode $decode:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $num:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u64)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $num, )+
        }

        impl $name {
            /// Every value, in number order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// How many values the list has.
            pub const COUNT: usize = Self::ALL.len();

            /// Decode a raw number; `None` when the list has no such number.
            pub const fn $decode(raw: u64) -> Option<$name> {
                match raw {
                    $( $num => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The raw number.
            pub const fn raw(self) -> u64 {
                self as u64
            }
        }

        // Numbers strictly ascend: `ALL` is in number order, none repeats.
        const _: () = {
            let mut i = 1;
            while i < $name::ALL.len() {
                assert!(
                    $name::ALL[i - 1].raw() < $name::ALL[i].raw(),
                    "ABI list numbers must ascend"
                );
                i += 1;
            }
        };
    };
}
