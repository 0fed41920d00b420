//! Turn a [`Config`] back into text (used by the host tools to derive the
//! test variant of `limine.cfg` and the copy installed in the ISO).

use alloc::format;
use alloc::string::String;

use crate::model::{BootPath, Config};

fn path_text(p: &BootPath<'_>) -> String {
    let mut s = format!("{}({}):{}", p.resource, p.argument, p.path);
    if let Some(h) = p.hash {
        s.push('#');
        s.push_str(h);
    }
    s
}

/// Render a configuration in canonical form. Parsing the result gives back
/// an equal [`Config`] (up to line numbers).
pub fn render(config: &Config<'_>) -> String {
    let mut out = String::new();
    for g in &config.globals {
        out.push_str(&format!("{}: {}\n", g.key, g.value));
    }
    for e in &config.entries {
        out.push('\n');
        out.push_str(&"/".repeat(e.depth));
        out.push_str(e.name);
        out.push('\n');
        if !e.protocol.is_empty() {
            out.push_str(&format!("    protocol: {}\n", e.protocol));
        }
        if let Some(p) = &e.path {
            out.push_str(&format!("    path: {}\n", path_text(p)));
        }
        if !e.cmdline.is_empty() {
            out.push_str(&format!("    cmdline: {}\n", e.cmdline));
        }
        for o in &e.other {
            out.push_str(&format!("    {}: {}\n", o.key, o.value));
        }
        for m in &e.modules {
            out.push_str(&format!("    module_path: {}\n", path_text(&m.path)));
            if !m.cmdline.is_empty() {
                out.push_str(&format!("    module_cmdline: {}\n", m.cmdline));
            }
        }
    }
    out
}
