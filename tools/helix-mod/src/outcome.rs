//! [`Outcome`]: what a command found, for people (text) and for scripts
//! (JSON), and whether the verdict is positive.

use serde_json::Value;

/// A command's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Lines for a terminal.
    pub text: String,
    /// The same facts as JSON (`--json`).
    pub json: Value,
    /// `false` for a negative verdict (incompatible ABI, untrusted
    /// signature, unresolvable manifest): exit status 1.
    pub ok: bool,
}

impl Outcome {
    /// A positive outcome.
    pub fn done(text: String, json: Value) -> Outcome {
        Outcome {
            text,
            json,
            ok: true,
        }
    }

    /// An outcome with verdict `ok`.
    pub fn verdict(ok: bool, text: String, json: Value) -> Outcome {
        Outcome { text, json, ok }
    }

    /// The exit status: 0 positive, 1 negative.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.ok)
    }
}

/// Append one formatted line to `out`.
pub fn push_line(out: &mut String, line: std::fmt::Arguments<'_>) {
    out.push_str(&line.to_string());
    out.push('\n');
}
