//! The select(2) backend. The fd masks are sized to the highest watched fd rather
//! than to `FD_SETSIZE`, so fds above 1024 work (the kernel reads as many bits as
//! `nfds` says).

use super::{Sink, Backend, FdEvent, PollError};
use crate::abi::{EVBACKEND_SELECT, EV_READ, EV_WRITE};
use libc::c_int;

const WORD_BITS: usize = 64;

pub struct Select {
    read: Vec<u64>,
    write: Vec<u64>,
    read_out: Vec<u64>,
    write_out: Vec<u64>,
    /// One past the highest fd in either mask.
    nfds: usize,
}

impl Select {
    pub fn open() -> Option<Self> {
        Some(Select { read: Vec::new(), write: Vec::new(), read_out: Vec::new(), write_out: Vec::new(), nfds: 0 })
    }

    fn shrink_nfds(&mut self) {
        while self.nfds > 0 {
            let fd = self.nfds - 1;
            let (w, b) = (fd / WORD_BITS, 1u64 << (fd % WORD_BITS));
            if (self.read[w] | self.write[w]) & b != 0 {
                break;
            }
            self.nfds -= 1;
        }
    }
}

impl Backend for Select {
    fn id(&self) -> u32 {
        EVBACKEND_SELECT
    }

    fn mintime(&self) -> f64 {
        1e-6
    }

    fn modify(&mut self, fd: i32, old: u8, new: u8) -> bool {
        if old == new {
            return true;
        }
        let fd = fd as usize;
        let (w, b) = (fd / WORD_BITS, 1u64 << (fd % WORD_BITS));
        if w >= self.read.len() {
            let words = (w + 1).next_power_of_two().max(16);
            self.read.resize(words, 0);
            self.write.resize(words, 0);
        }
        let set = |v: &mut Vec<u64>, on: bool| if on { v[w] |= b } else { v[w] &= !b };
        set(&mut self.read, new as c_int & EV_READ != 0);
        set(&mut self.write, new as c_int & EV_WRITE != 0);
        if new != 0 {
            self.nfds = self.nfds.max(fd + 1);
        } else if fd + 1 == self.nfds {
            self.shrink_nfds();
        }
        true
    }

    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        let words = self.nfds.div_ceil(WORD_BITS);
        self.read_out.clear();
        self.read_out.extend_from_slice(&self.read[..words]);
        self.write_out.clear();
        self.write_out.extend_from_slice(&self.write[..words]);
        let secs = timeout.max(0.0).floor();
        let mut tv = libc::timeval {
            tv_sec: secs as libc::time_t,
            tv_usec: ((timeout.max(0.0) - secs) * 1e6).ceil().min(999_999.0) as libc::suseconds_t,
        };
        let tvp: *mut libc::timeval = if timeout.is_infinite() { std::ptr::null_mut() } else { &mut tv };
        let (r, w) = if words == 0 {
            (std::ptr::null_mut(), std::ptr::null_mut())
        } else {
            (self.read_out.as_mut_ptr() as *mut libc::fd_set, self.write_out.as_mut_ptr() as *mut libc::fd_set)
        };
        // SAFETY: the masks hold at least `nfds` bits; the kernel reads and writes
        // only that many.
        let n = unsafe { libc::select(self.nfds as c_int, r, w, std::ptr::null_mut(), tvp) };
        if n < 0 {
            return super::scan_wait_error("(libev) select");
        }
        if n == 0 {
            return Ok(());
        }
        for i in 0..words {
            let (r, w) = (self.read_out[i], self.write_out[i]);
            let mut any = r | w;
            while any != 0 {
                let bit = any.trailing_zeros() as usize;
                any &= any - 1;
                let m = 1u64 << bit;
                let revents = (if r & m != 0 { EV_READ } else { 0 }) | (if w & m != 0 { EV_WRITE } else { 0 });
                out.push(FdEvent { fd: (i * WORD_BITS + bit) as i32, revents });
            }
        }
        Ok(())
    }

    fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        self.read.iter_mut().for_each(|w| *w = 0);
        self.write.iter_mut().for_each(|w| *w = 0);
        self.nfds = 0;
        Ok(())
    }
}
