//! [`run`]: a parsed command line to its [`Outcome`].

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::ToolError;
use crate::outcome::Outcome;

/// Do what `cli` says.
pub fn run(cli: &Cli) -> Result<Outcome, ToolError> {
    match &cli.command {
        Command::Pack { elf, out, sign } => commands::pack(elf, out, sign.as_deref()),
        Command::Keygen { out, force } => commands::keygen(out, *force),
        Command::Sign { file, key, out } => commands::sign(file, key, out.as_deref()),
        Command::Verify {
            file,
            trust,
            allow_unsigned,
        } => commands::verify(file, trust, *allow_unsigned),
        Command::Inspect { file } => commands::inspect(file),
        Command::AbiDiff { old, new } => commands::abi_diff(old, new),
        Command::Deps { manifest, modules } => commands::deps(manifest, modules),
        Command::New { name, dir } => commands::new_crate(name, dir),
    }
}
