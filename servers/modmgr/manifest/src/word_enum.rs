//! `word_enum!`: a fieldless enum spelled by one fixed word per variant.
//!
//! The one declaration yields the enum, its `ALL` list, the word of each
//! value, the lookup from a word and `Display` (the word), so the lists
//! that error messages print can never miss a variant.

/// Declare a fieldless enum whose variants are spelled `word` in a manifest.
macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word that spells this value in a manifest.
            pub const fn word(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The value spelled `word` (exact, case-sensitive).
            pub fn from_word(word: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.word() == word)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.word())
            }
        }
    };
}

pub(crate) use word_enum;

/// The words of `all`, joined by `", "` (for "expected one of" lists).
pub(crate) fn join_words<T: core::fmt::Display>(
    f: &mut core::fmt::Formatter<'_>,
    all: impl IntoIterator<Item = T>,
) -> core::fmt::Result {
    for (i, w) in all.into_iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{w}")?;
    }
    Ok(())
}
