//! `inspect FILE`: what a module file is.

use std::path::Path;

use super::describe::{described_json, described_text};
use crate::error::ToolError;
use crate::outcome::Outcome;
use crate::read::read_module;

/// Describe the module in `path`.
pub fn inspect(path: &Path) -> Result<Outcome, ToolError> {
    let d = read_module(path)?;
    let mut json = described_json(&d);
    json["file"] = path.display().to_string().into();
    Ok(Outcome::done(
        format!("{:<14}{}\n{}", "file:", path.display(), described_text(&d)),
        json,
    ))
}
