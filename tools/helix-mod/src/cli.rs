//! The command line (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// helix-mod: pack, sign, verify and inspect Helix modules, diff their
/// ABIs, order a boot manifest, and start a new server crate.
///
/// Exit status: 0 done / positive verdict, 1 negative verdict
/// (incompatible ABI, refused signature, unresolvable manifest), 2 usage
/// or file error.
#[derive(Debug, Parser)]
#[command(name = "helix-mod", version)]
pub struct Cli {
    /// Print the result as JSON (one object on stdout).
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pack an ELF server as a HelixNative module.
    Pack {
        /// The ELF server binary.
        elf: PathBuf,
        /// The HelixNative file to write.
        #[arg(short, long)]
        out: PathBuf,
        /// Sign it with this private key (from `keygen`).
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
    },
    /// Make an Ed25519 key pair: KEY (private, PKCS#8 PEM) and KEY.pub
    /// (public, SubjectPublicKeyInfo PEM).
    Keygen {
        /// The private key file to write.
        #[arg(short, long, value_name = "KEY")]
        out: PathBuf,
        /// Replace existing key files.
        #[arg(long)]
        force: bool,
    },
    /// Sign a HelixNative module (replacing any signature it has).
    Sign {
        /// The HelixNative file.
        file: PathBuf,
        /// The private key.
        #[arg(long)]
        key: PathBuf,
        /// Write the signed module here instead of replacing FILE.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Check a HelixNative module's signature against trusted public keys.
    Verify {
        /// The HelixNative file.
        file: PathBuf,
        /// Trusted public keys (`.pub` files from `keygen`).
        #[arg(long, value_name = "PUBKEY", num_args = 1.., required = true)]
        trust: Vec<PathBuf>,
        /// Accept an unsigned module.
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// Show what a module file is: ELF, HelixNative or WebAssembly.
    Inspect {
        /// The module file.
        file: PathBuf,
    },
    /// May NEW replace OLD in a hot reload? (the AbiChecker verdict)
    AbiDiff {
        /// The running module.
        old: PathBuf,
        /// Its replacement.
        new: PathBuf,
    },
    /// The load order of a boot manifest's modules, or why there is none.
    Deps {
        /// The boot manifest.
        manifest: PathBuf,
        /// The directory holding the modules' binaries.
        #[arg(long, value_name = "DIR")]
        modules: PathBuf,
    },
    /// Create a server crate skeleton DIR/NAME.
    New {
        /// The module name (a-z 0-9 _ -, starting with a letter).
        name: String,
        /// Where to create it.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
}
