//! The console's command language: one command per line, words separated
//! by spaces; the first word names the command.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// An empty line.
    Empty,
    /// `help`.
    Help,
    /// `lsmod`: every module.
    Lsmod,
    /// `modinfo NAME`.
    Modinfo(String),
    /// `insmod PATH [ARGS...]`.
    Insmod {
        /// Boot module file.
        path: String,
        /// Arguments, joined by spaces.
        args: String,
    },
    /// `rmmod NAME`.
    Rmmod(String),
    /// `deps NAME`.
    Deps(String),
    /// `ifaces`.
    Ifaces,
    /// `binaries`: boot modules that can be loaded.
    Binaries,
    /// `reload NAME PATH`: hot-reload a module from a boot module.
    Reload {
        /// The module.
        name: String,
        /// Boot module file of the new version.
        path: String,
    },
    /// `restart NAME`.
    Restart(String),
    /// `checkpoint NAME`.
    Checkpoint(String),
}

/// Why a line is not a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    /// The first word is no command.
    Unknown(String),
    /// The command takes other arguments; its usage.
    Usage(&'static str),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Unknown(w) => write!(f, "unknown command `{w}` (try `help`)"),
            CommandError::Usage(u) => write!(f, "usage: {u}"),
        }
    }
}

/// The help text.
pub const HELP: &str = "\
commands:
  lsmod                  every module: id, name, version, flags, state, interfaces
  modinfo NAME           everything its metadata says: ABI, symbols, dependencies
  insmod PATH [ARGS]     load a boot module (see `binaries`) and start it
  rmmod NAME             stop and remove a module
  deps NAME              what it depends on, and what depends on it
  ifaces                 interfaces and their providers
  binaries               boot modules that can be loaded
  reload NAME PATH       replace a running module by a new binary, state carried over
  restart NAME           stop a module and start it again with its state
  checkpoint NAME        save a module's state now (self-healing restarts from it)
  help                   this text
";

fn one(words: &[&str], usage: &'static str) -> Result<String, CommandError> {
    match words {
        [name] => Ok(name.to_string()),
        _ => Err(CommandError::Usage(usage)),
    }
}

impl Command {
    /// Parse one line.
    pub fn parse(line: &str) -> Result<Command, CommandError> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((&first, rest)) = words.split_first() else {
            return Ok(Command::Empty);
        };
        let none = |c: Command, usage| {
            if rest.is_empty() {
                Ok(c)
            } else {
                Err(CommandError::Usage(usage))
            }
        };
        match first {
            "help" | "?" => none(Command::Help, "help"),
            "lsmod" => none(Command::Lsmod, "lsmod"),
            "ifaces" => none(Command::Ifaces, "ifaces"),
            "binaries" => none(Command::Binaries, "binaries"),
            "modinfo" => one(rest, "modinfo NAME").map(Command::Modinfo),
            "rmmod" => one(rest, "rmmod NAME").map(Command::Rmmod),
            "deps" => one(rest, "deps NAME").map(Command::Deps),
            "restart" => one(rest, "restart NAME").map(Command::Restart),
            "checkpoint" => one(rest, "checkpoint NAME").map(Command::Checkpoint),
            "reload" => match rest {
                [name, path] => Ok(Command::Reload {
                    name: name.to_string(),
                    path: path.to_string(),
                }),
                _ => Err(CommandError::Usage("reload NAME PATH")),
            },
            "insmod" => match rest.split_first() {
                Some((path, args)) => Ok(Command::Insmod {
                    path: path.to_string(),
                    args: args.join(" "),
                }),
                None => Err(CommandError::Usage("insmod PATH [ARGS...]")),
            },
            other => Err(CommandError::Unknown(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(Command::parse("  "), Ok(Command::Empty));
        assert_eq!(Command::parse("lsmod"), Ok(Command::Lsmod));
        assert_eq!(
            Command::parse("reload kvstore kvstore2.elf"),
            Ok(Command::Reload {
                name: "kvstore".into(),
                path: "kvstore2.elf".into()
            })
        );
        assert_eq!(
            Command::parse("reload kvstore"),
            Err(CommandError::Usage("reload NAME PATH"))
        );
        assert_eq!(
            Command::parse("restart kv"),
            Ok(Command::Restart("kv".into()))
        );
        assert_eq!(
            Command::parse("checkpoint kv x"),
            Err(CommandError::Usage("checkpoint NAME"))
        );
        assert_eq!(
            Command::parse("modinfo kvstore"),
            Ok(Command::Modinfo("kvstore".into()))
        );
        assert_eq!(
            Command::parse("insmod kvclient.elf param=3  x"),
            Ok(Command::Insmod {
                path: "kvclient.elf".into(),
                args: "param=3 x".into()
            })
        );
        assert_eq!(
            Command::parse("insmod x.elf"),
            Ok(Command::Insmod {
                path: "x.elf".into(),
                args: String::new()
            })
        );
        assert_eq!(Command::parse("rmmod a"), Ok(Command::Rmmod("a".into())));
        assert_eq!(Command::parse("deps a"), Ok(Command::Deps("a".into())));
        assert_eq!(Command::parse("ifaces"), Ok(Command::Ifaces));
        assert_eq!(Command::parse("?"), Ok(Command::Help));
    }

    #[test]
    fn bad_lines_say_why() {
        assert_eq!(
            Command::parse("frobnicate"),
            Err(CommandError::Unknown("frobnicate".into()))
        );
        assert_eq!(
            Command::parse("modinfo"),
            Err(CommandError::Usage("modinfo NAME"))
        );
        assert_eq!(
            Command::parse("rmmod a b"),
            Err(CommandError::Usage("rmmod NAME"))
        );
        assert_eq!(
            Command::parse("lsmod -l"),
            Err(CommandError::Usage("lsmod"))
        );
        assert_eq!(
            Command::parse("insmod"),
            Err(CommandError::Usage("insmod PATH [ARGS...]"))
        );
        assert_eq!(
            CommandError::Unknown("x".into()).to_string(),
            "unknown command `x` (try `help`)"
        );
    }
}
