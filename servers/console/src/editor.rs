//! A line editor over a byte stream from a terminal: printable bytes are
//! echoed and kept, backspace/DEL erases, Ctrl-U clears the line, Ctrl-C
//! abandons it, CR or LF ends it (a CR LF pair ends it once).

use alloc::string::String;
use alloc::vec::Vec;

/// Longest line kept (further bytes are refused with a bell).
pub const MAX_LINE: usize = 240;

/// What to do after one input byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Write these bytes back to the terminal (echo, erase sequences).
    Echo(Vec<u8>),
    /// A whole line was entered (newline already echoed).
    Line(String),
    /// The line was abandoned (`^C` echoed).
    Cancel,
    /// Nothing to do.
    Nothing,
}

/// The line being typed.
#[derive(Debug, Default)]
pub struct LineEditor {
    line: Vec<u8>,
    last_cr: bool,
}

impl LineEditor {
    /// An empty line.
    pub fn new() -> LineEditor {
        LineEditor::default()
    }

    /// Feed one byte.
    pub fn feed(&mut self, b: u8) -> Edit {
        let after_cr = core::mem::take(&mut self.last_cr);
        match b {
            b'\r' | b'\n' => {
                if b == b'\n' && after_cr {
                    return Edit::Nothing;
                }
                self.last_cr = b == b'\r';
                let bytes = core::mem::take(&mut self.line);
                Edit::Line(String::from_utf8_lossy(&bytes).into_owned())
            }
            0x08 | 0x7f => {
                if self.line.pop().is_some() {
                    Edit::Echo(b"\x08 \x08".to_vec())
                } else {
                    Edit::Nothing
                }
            }
            0x15 => {
                let n = self.line.len();
                self.line.clear();
                let mut out = Vec::with_capacity(3 * n);
                for _ in 0..n {
                    out.extend_from_slice(b"\x08 \x08");
                }
                Edit::Echo(out)
            }
            0x03 => {
                self.line.clear();
                Edit::Cancel
            }
            0x20..=0x7e => {
                if self.line.len() >= MAX_LINE {
                    return Edit::Echo(b"\x07".to_vec());
                }
                self.line.push(b);
                Edit::Echo(alloc::vec![b])
            }
            // Other control bytes and the bytes of escape sequences are
            // dropped (no cursor movement in this editor).
            _ => Edit::Nothing,
        }
    }

    /// What is typed so far.
    pub fn current(&self) -> &[u8] {
        &self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_in(e: &mut LineEditor, s: &[u8]) -> Vec<Edit> {
        s.iter().map(|b| e.feed(*b)).collect()
    }

    #[test]
    fn typing_echoes_and_enter_gives_the_line() {
        let mut e = LineEditor::new();
        let out = type_in(&mut e, b"ls\r\n");
        assert_eq!(out[0], Edit::Echo(b"l".to_vec()));
        assert_eq!(out[2], Edit::Line("ls".into()));
        assert_eq!(out[3], Edit::Nothing, "CR LF is one end of line");
        assert_eq!(type_in(&mut e, b"\n"), [Edit::Line(String::new())]);
    }

    #[test]
    fn erasing_and_cancelling() {
        let mut e = LineEditor::new();
        type_in(&mut e, b"lsmx");
        assert_eq!(e.feed(0x7f), Edit::Echo(b"\x08 \x08".to_vec()));
        assert_eq!(e.feed(b'o'), Edit::Echo(b"o".to_vec()));
        assert_eq!(e.feed(b'd'), Edit::Echo(b"d".to_vec()));
        assert_eq!(e.feed(b'\r'), Edit::Line("lsmod".into()));
        assert_eq!(e.feed(0x08), Edit::Nothing, "nothing to erase");
        type_in(&mut e, b"abc");
        assert_eq!(e.feed(0x15), Edit::Echo(b"\x08 \x08".repeat(3)));
        assert!(e.current().is_empty());
        type_in(&mut e, b"xyz");
        assert_eq!(e.feed(0x03), Edit::Cancel);
        assert_eq!(e.feed(b'\r'), Edit::Line(String::new()));
        assert_eq!(e.feed(0x1b), Edit::Nothing, "escape dropped");
    }

    #[test]
    fn long_lines_are_bounded() {
        let mut e = LineEditor::new();
        for _ in 0..MAX_LINE {
            e.feed(b'a');
        }
        assert_eq!(e.feed(b'b'), Edit::Echo(b"\x07".to_vec()));
        assert_eq!(e.current().len(), MAX_LINE);
    }
}
