//! The poll(2) backend: one `pollfd` per watched fd in a dense array, with an
//! index per fd so changes are O(1).

use super::{Sink, timeout_ms, Backend, FdEvent, PollError};
use crate::abi::EVBACKEND_POLL;
use libc::pollfd;

const NO_INDEX: u32 = u32::MAX;

pub struct Poll {
    polls: Vec<pollfd>,
    index: Vec<u32>,
}


impl Poll {
    pub fn open() -> Option<Self> {
        Some(Poll { polls: Vec::new(), index: Vec::new() })
    }
}

impl Backend for Poll {
    fn id(&self) -> u32 {
        EVBACKEND_POLL
    }

    fn mintime(&self) -> f64 {
        1e-3
    }

    fn modify(&mut self, fd: i32, old: u8, new: u8) -> bool {
        if old == new {
            return true;
        }
        let i = fd as usize;
        if i >= self.index.len() {
            self.index.resize((i + 1).max(64), NO_INDEX);
        }
        let idx = self.index[i];
        if new != 0 {
            if idx == NO_INDEX {
                self.index[i] = self.polls.len() as u32;
                self.polls.push(pollfd { fd, events: super::poll_mask(new), revents: 0 });
            } else {
                self.polls[idx as usize].events = super::poll_mask(new);
            }
        } else if idx != NO_INDEX {
            self.index[i] = NO_INDEX;
            self.polls.swap_remove(idx as usize);
            if let Some(moved) = self.polls.get(idx as usize) {
                self.index[moved.fd as usize] = idx;
            }
        }
        true
    }

    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        // SAFETY: the array holds `len` initialised pollfds.
        let n = unsafe { libc::poll(self.polls.as_mut_ptr(), self.polls.len() as libc::nfds_t, timeout_ms(timeout)) };
        if n < 0 {
            return super::scan_wait_error("(libev) poll");
        }
        let mut left = n;
        for p in &self.polls {
            if left == 0 {
                break;
            }
            if p.revents == 0 {
                continue;
            }
            left -= 1;
            if p.revents & libc::POLLNVAL != 0 {
                out.bad(p.fd);
                continue;
            }
            let r = p.revents;
            let got = super::revents_from_poll(r);
            out.push(FdEvent { fd: p.fd, revents: got });
        }
        Ok(())
    }

    fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        self.polls.clear();
        self.index.iter_mut().for_each(|i| *i = NO_INDEX);
        Ok(())
    }
}
