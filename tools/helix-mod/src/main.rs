//! The `helix-mod` command (see the library for what each subcommand does).
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use helix_mod::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(outcome) => {
            if cli.json {
                println!("{}", outcome.json);
            } else {
                print!("{}", outcome.text);
            }
            ExitCode::from(outcome.exit_code())
        }
        Err(e) => {
            if cli.json {
                println!("{}", serde_json::json!({ "error": e.to_string() }));
            }
            eprintln!("helix-mod: {e}");
            ExitCode::from(2)
        }
    }
}
