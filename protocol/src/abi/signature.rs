//! [`Signature`]: a symbol's type, structured so that argument count and
//! argument types can be compared one by one.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};

/// A symbol's type. For a function: its argument types and return type
/// (`"()"` when it returns nothing); for a variable or type: `args` is
/// empty and `ret` is the type. Types are kept as normalized text (spaces
/// only between two identifier characters), so `& [u8]` equals `&[u8]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature {
    /// Argument types, in order.
    pub args: Vec<String>,
    /// Return type (function) or the type itself (variable, type).
    pub ret: String,
}

/// Why a signature text could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// The text is empty.
    Empty,
    /// Brackets `()`, `[]`, `<>` do not balance.
    Unbalanced,
    /// `fn` is not followed by an argument list.
    MissingArguments,
    /// An argument between two commas is empty.
    EmptyArgument,
    /// `->` is not followed by a type.
    MissingReturnType,
    /// Text follows the argument list that is not `-> Type`.
    TrailingText,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::Empty => "empty signature",
            SignatureError::Unbalanced => "unbalanced brackets",
            SignatureError::MissingArguments => "`fn` without an argument list",
            SignatureError::EmptyArgument => "empty argument",
            SignatureError::MissingReturnType => "`->` without a type",
            SignatureError::TrailingText => "unexpected text after the argument list",
        })
    }
}

impl core::error::Error for SignatureError {}

impl Signature {
    /// Parse `"fn(u64, &[u8]) -> u32"` (argument names such as `len: u64`
    /// are allowed and dropped), or a plain type such as `"u64"`.
    pub fn parse(text: &str) -> Result<Signature, SignatureError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SignatureError::Empty);
        }
        check_balanced(text)?;
        let Some(after_fn) = text
            .strip_prefix("fn")
            .filter(|r| r.trim_start().starts_with('(') || r.is_empty())
        else {
            return Ok(Signature {
                args: Vec::new(),
                ret: normalize(text),
            });
        };
        let after_fn = after_fn.trim_start();
        if !after_fn.starts_with('(') {
            return Err(SignatureError::MissingArguments);
        }
        let close = matching_paren(after_fn).ok_or(SignatureError::Unbalanced)?;
        let args = split_args(&after_fn[1..close])?;
        let rest = after_fn[close + 1..].trim();
        let ret = if rest.is_empty() {
            String::from("()")
        } else if let Some(ty) = rest.strip_prefix("->") {
            let ty = normalize(ty);
            if ty.is_empty() {
                return Err(SignatureError::MissingReturnType);
            }
            ty
        } else {
            return Err(SignatureError::TrailingText);
        };
        Ok(Signature { args, ret })
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fn(")?;
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(a)?;
        }
        write!(f, ") -> {}", self.ret)
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Drop whitespace except one space between two identifier characters.
fn normalize(text: &str) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && out.chars().last().is_some_and(is_word) && is_word(c) {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// Bracket depth step of `c` at byte `i` (an arrow's `>` does not close).
fn depth_step(text: &str, i: usize, c: char) -> i32 {
    match c {
        '(' | '[' | '<' => 1,
        '>' if i > 0 && text.as_bytes()[i - 1] == b'-' => 0,
        ')' | ']' | '>' => -1,
        _ => 0,
    }
}

fn check_balanced(text: &str) -> Result<(), SignatureError> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        depth += depth_step(text, i, c);
        if depth < 0 {
            return Err(SignatureError::Unbalanced);
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(SignatureError::Unbalanced)
    }
}

/// Byte index of the `)` that closes the `(` at index 0.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        depth += depth_step(text, i, c);
        if depth == 0 {
            return Some(i);
        }
    }
    None
}

fn split_args(list: &str) -> Result<Vec<String>, SignatureError> {
    let mut args = Vec::new();
    if list.trim().is_empty() {
        return Ok(args);
    }
    let mut depth = 0i32;
    let mut start = 0;
    let mut pieces = Vec::new();
    for (i, c) in list.char_indices() {
        depth += depth_step(list, i, c);
        if c == ',' && depth == 0 {
            pieces.push(&list[start..i]);
            start = i + 1;
        }
    }
    let last = &list[start..];
    if !last.trim().is_empty() {
        pieces.push(last); // a trailing comma is allowed
    }
    for piece in pieces {
        let ty = normalize(strip_arg_name(piece));
        if ty.is_empty() {
            return Err(SignatureError::EmptyArgument);
        }
        args.push(ty);
    }
    Ok(args)
}

/// `len: u64` -> `u64` (a path `a::B` is not a name).
fn strip_arg_name(arg: &str) -> &str {
    let arg = arg.trim();
    match arg.find(':') {
        Some(i) if !arg[i..].starts_with("::") && arg[..i].trim().chars().all(is_word) => {
            &arg[i + 1..]
        }
        _ => arg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn sig(args: &[&str], ret: &str) -> Signature {
        Signature {
            args: args.iter().map(|s| String::from(*s)).collect(),
            ret: String::from(ret),
        }
    }

    #[test]
    fn parses_functions_and_types() {
        let cases = [
            ("fn(u64, &[u8]) -> u32", sig(&["u64", "&[u8]"], "u32")),
            ("fn ( u64 ,  & [ u8 ] )->u32", sig(&["u64", "&[u8]"], "u32")),
            ("fn()", sig(&[], "()")),
            (
                "fn(fd: u32, len: u32) -> Vec<u8>",
                sig(&["u32", "u32"], "Vec<u8>"),
            ),
            (
                "fn(HashMap<u32, u64>, a::B) -> Result<(), E>",
                sig(&["HashMap<u32,u64>", "a::B"], "Result<(),E>"),
            ),
            (
                "fn(fn(u8) -> u8,) -> &mut  T",
                sig(&["fn(u8)->u8"], "&mut T"),
            ),
            ("u64", sig(&[], "u64")),
            (
                "struct Stat { size : u64 }",
                sig(&[], "struct Stat{size:u64}"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Signature::parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn rejects_bad_text() {
        let cases = [
            ("", SignatureError::Empty),
            ("fn(u8", SignatureError::Unbalanced),
            ("fn(u8))", SignatureError::Unbalanced),
            ("fn(u8,,u8)", SignatureError::EmptyArgument),
            ("fn(u8) ->", SignatureError::MissingReturnType),
            ("fn(u8) u8", SignatureError::TrailingText),
        ];
        for (text, want) in cases {
            assert_eq!(Signature::parse(text), Err(want), "{text}");
        }
    }

    #[test]
    fn display_round_trips() {
        let s = Signature::parse("fn(u64, &[u8]) -> u32").unwrap();
        assert_eq!(Signature::parse(&s.to_string()), Ok(s));
        assert_eq!(
            Signature::parse("fn"),
            Err(SignatureError::MissingArguments)
        );
        assert_eq!(Signature::parse("fnord"), Ok(sig(&[], "fnord")));
    }
}
