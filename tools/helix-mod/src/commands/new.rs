//! `new NAME [--dir DIR]`: a server crate skeleton that builds, tests and
//! runs as docs/writing-a-server.md describes (Cargo.toml, build.rs, the
//! interface in src/lib.rs, the server with `helix_module!` and
//! `server_main!` in src/main.rs, host tests over the protocol's loopback
//! in src/tests.rs). The templates are `templates/server/*.in`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::ToolError;
use crate::outcome::Outcome;

/// The files of a new crate: path inside it, template.
const TEMPLATES: [(&str, &str); 5] = [
    (
        "Cargo.toml",
        include_str!("../../templates/server/Cargo.toml.in"),
    ),
    (
        "build.rs",
        include_str!("../../templates/server/build.rs.in"),
    ),
    (
        "src/lib.rs",
        include_str!("../../templates/server/lib.rs.in"),
    ),
    (
        "src/main.rs",
        include_str!("../../templates/server/main.rs.in"),
    ),
    (
        "src/tests.rs",
        include_str!("../../templates/server/tests.rs.in"),
    ),
];

/// Whether `name` is a module name (the boot manifest's NAME rule, and a
/// letter first so that it makes a Rust identifier).
pub fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// `my-cache` -> `MyCache`.
fn type_name(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `template` filled in for module `name`.
pub fn render(template: &str, name: &str) -> String {
    let krate = format!("helix-{name}");
    template
        .replace("@crate@", &krate)
        .replace("@lib@", &krate.replace('-', "_"))
        .replace("@Type@", &type_name(name))
        .replace("@name@", name)
}

/// Create the crate `dir/name`.
pub fn new_crate(name: &str, dir: &Path) -> Result<Outcome, ToolError> {
    if !valid_name(name) {
        return Err(ToolError::BadName(name.to_string()));
    }
    let root = dir.join(name);
    if root.exists() {
        return Err(ToolError::Exists(root));
    }
    let mut written: Vec<PathBuf> = Vec::new();
    for (file, template) in TEMPLATES {
        let path = root.join(file);
        let write = |source| ToolError::Write {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(write)?;
        }
        fs::write(&path, render(template, name)).map_err(write)?;
        written.push(path);
    }
    let krate = format!("helix-{name}");
    let text = format!(
        "created {root}: {files}\n\
         next: add \"{root}\" to `members` and `default-members` in the workspace Cargo.toml, then\n  \
         cargo test -p {krate}\n  \
         cargo build --release --target x86_64-unknown-none -p {krate}\n  \
         helix-mod inspect target/x86_64-unknown-none/release/{krate}\n\
         and give it a `[module {name}]` section in the boot manifest (docs/formats.md)\n",
        root = root.display(),
        files = TEMPLATES.map(|(f, _)| f).join(", "),
    );
    Ok(Outcome::done(
        text,
        json!({
            "crate": krate,
            "dir": root.display().to_string(),
            "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        }),
    ))
}
