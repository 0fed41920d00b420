//! The 16550 UART on COM1 through an IoPorts cap (every access is an
//! `IoPortIn`/`IoPortOut` call; the kernel checks the cap's range).

use helix_sys::{Cap, IoPorts, SysError};

const RBR_THR: u16 = 0;
const IER: u16 = 1;
const FCR: u16 = 2;
const MCR: u16 = 4;
const LSR: u16 = 5;
/// LSR: a received byte is waiting.
const DATA_READY: u32 = 1;
/// LSR: the transmit holding register is empty.
const THR_EMPTY: u32 = 1 << 5;

/// The UART at `base`.
#[derive(Clone, Copy, Debug)]
pub struct Uart {
    ports: Cap<IoPorts>,
    base: u16,
}

impl Uart {
    /// The UART behind `ports` at I/O base `base` (0x3f8 for COM1).
    pub fn new(ports: Cap<IoPorts>, base: u16) -> Uart {
        Uart { ports, base }
    }

    fn out(&self, reg: u16, v: u8) -> Result<(), SysError> {
        self.ports.port_out(self.base + reg, 1, u32::from(v))
    }

    fn inb(&self, reg: u16) -> Result<u32, SysError> {
        self.ports.port_in(self.base + reg, 1)
    }

    /// Interrupt on received data (the line settings the kernel chose stay).
    pub fn enable_rx_interrupt(&self) -> Result<(), SysError> {
        self.out(FCR, 0x07)?; // FIFO on, both cleared, trigger at 1 byte
        self.out(MCR, 0x0b)?; // DTR, RTS, OUT2 (routes the IRQ on PCs)
        self.out(IER, 0x01)
    }

    /// The next received byte, if one waits.
    pub fn read(&self) -> Result<Option<u8>, SysError> {
        if self.inb(LSR)? & DATA_READY == 0 {
            return Ok(None);
        }
        Ok(Some(self.inb(RBR_THR)? as u8))
    }

    /// Send `bytes`, `\n` as `\r\n`.
    pub fn write(&self, bytes: &[u8]) -> Result<(), SysError> {
        for &b in bytes {
            if b == b'\n' {
                self.put(b'\r')?;
            }
            self.put(b)?;
        }
        Ok(())
    }

    fn put(&self, b: u8) -> Result<(), SysError> {
        let mut spins = 0u32;
        while self.inb(LSR)? & THR_EMPTY == 0 && spins < 100_000 {
            spins += 1;
        }
        self.out(RBR_THR, b)
    }
}
