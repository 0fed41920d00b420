//! The console server: a prompt on the serial line. Bytes arrive through
//! the UART's IRQ (a notification, polled every 50 ms as well in case an
//! edge was missed), the line editor turns them into lines, each line is a
//! command answered by the module manager over its typed interface.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

extern crate alloc;

mod uart;

use alloc::format;
use alloc::string::String;

use helix_console::{Command, Edit, HELP, LineEditor, show};
use helix_protocol::ModuleContext;
use helix_protocol::client::CallError;
use helix_protocol::interfaces::modmgr::{ManagerClient, ManagerError};
use helix_protocol::runtime::prelude::log;
use helix_protocol::runtime::{IpcTransport, reserve_slot, slots};
use helix_sys::{Cap, IoPorts, IrqHandler, Notification, Thread, Untyped};

use uart::Uart;

/// What the prompt looks like.
const PROMPT: &[u8] = b"helix> ";
/// COM1's I/O base.
const COM1: u16 = 0x3f8;
/// Poll period while waiting for input (timer ticks = ms).
const POLL_TICKS: u64 = 50;

type Manager = ManagerClient<IpcTransport>;

fn answer<T>(r: Result<T, CallError<ManagerError>>, show: impl FnOnce(T) -> String) -> String {
    match r {
        Ok(v) => show(v),
        Err(CallError::Remote(e)) => format!("error: {e}\n"),
        Err(e) => format!("error: the module manager did not answer: {e:?}\n"),
    }
}

/// Run one command; the text to print.
fn execute(mgr: &mut Manager, line: &str) -> String {
    let cmd = match Command::parse(line) {
        Ok(c) => c,
        Err(e) => return format!("{e}\n"),
    };
    match cmd {
        Command::Empty => String::new(),
        Command::Help => String::from(HELP),
        Command::Lsmod => answer(mgr.lsmod(), |m| show::lsmod(&m)),
        Command::Modinfo(name) => answer(mgr.modinfo(name), |d| show::modinfo(&d)),
        Command::Insmod { path, args } => answer(mgr.insmod(path.clone(), args), |id| {
            format!("{path}: started as module #{id}\n")
        }),
        Command::Rmmod(name) => answer(mgr.rmmod(name.clone()), |()| format!("{name} removed\n")),
        Command::Deps(name) => answer(mgr.deps(name.clone()), |d| show::deps(&name, &d)),
        Command::Ifaces => answer(mgr.ifaces(), |l| show::ifaces(&l)),
        Command::Reload { name, path } => {
            answer(mgr.reload(name.clone(), path), |r| show::reload(&name, &r))
        }
        Command::Restart(name) => answer(mgr.restart(name.clone()), |r| show::restart(&name, &r)),
        Command::Checkpoint(name) => answer(mgr.checkpoint(name.clone()), |c| {
            show::checkpoint(&name, c.as_ref())
        }),
        Command::Binaries => answer(mgr.binaries(), |b| {
            let mut s = b.join("\n");
            s.push('\n');
            s
        }),
    }
}

fn run(ctx: &ModuleContext) -> u64 {
    let (Some(ports), Some(irq), Some(mgr), Some(mem)) = (
        ctx.cap("uart"),
        ctx.cap("com1"),
        ctx.cap("mgr"),
        ctx.cap("mem"),
    ) else {
        log::error!(target: "console", "needs caps uart (ioports), com1 (irq), mgr (modmgr) and mem (untyped)");
        return 1;
    };
    let uart = Uart::new(Cap::<IoPorts>::from_slot(ports.slot), COM1);
    let irq: Cap<IrqHandler> = Cap::from_slot(irq.slot);
    let memory: Cap<Untyped> = Cap::from_slot(mem.slot);
    let Some(slot) = reserve_slot() else {
        return 2;
    };
    let ntfn: Cap<Notification> = match memory.retype(slot, 0) {
        Ok(n) => n,
        Err(e) => {
            log::error!(target: "console", "no notification: {e}");
            return 3;
        }
    };
    if let Err(e) = irq.bind(ntfn, 1).and_then(|()| uart.enable_rx_interrupt()) {
        log::error!(target: "console", "cannot take the UART's interrupt: {e}");
        return 4;
    }
    let me: Cap<Thread> = Cap::from_slot(slots::THREAD);
    // Without a timeout the console still works on interrupts alone.
    let _ = me.set_timeout(POLL_TICKS);
    let mut mgr = ManagerClient::new(IpcTransport::new(Cap::from_slot(mgr.slot)));
    let mut editor = LineEditor::new();
    let say = |b: &[u8]| {
        // A failed port write loses console output only; nothing to undo.
        let _ = uart.write(b);
    };
    say(b"\nHelix console: type `help` for commands.\n");
    say(PROMPT);
    loop {
        // Wakes on the IRQ or when the poll period ends (TimedOut).
        let _ = ntfn.wait();
        while let Ok(Some(b)) = uart.read() {
            match editor.feed(b) {
                Edit::Echo(bytes) => say(&bytes),
                Edit::Nothing => {}
                Edit::Cancel => {
                    say(b"^C\n");
                    say(PROMPT);
                }
                Edit::Line(line) => {
                    say(b"\n");
                    say(execute(&mut mgr, &line).as_bytes());
                    say(PROMPT);
                }
            }
        }
        // Acknowledging twice is refused with InvalidState: harmless.
        let _ = irq.ack();
    }
}

helix_protocol::helix_program! {
    name: "console",
    version: "1.0.0",
    author: "Helix",
    description: "Serial console: a prompt on COM1 driving the module manager",
    flags: helix_protocol::ModuleFlags::ESSENTIAL
        .union(helix_protocol::ModuleFlags::USERSPACE)
        .union(helix_protocol::ModuleFlags::DRIVER),
    dependencies: [("modmgr", "^0.1")],
}

helix_protocol::program_main!("console", run);
