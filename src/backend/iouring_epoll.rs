//! The io_uring backend on kernels with `IORING_OP_EPOLL_WAIT` (6.15 and later):
//! the fds live in an epoll set, and the loop waits for it through the ring.
//!
//! Readiness through one-shot `POLL_ADD` (the `iouring` module, used on older
//! kernels) costs a re-armed poll in the kernel for every event: a request
//! allocated, a wait-queue entry added, task work run. An epoll set keeps its
//! registrations and re-checks a level-triggered fd without any of that. So here
//! the epoll backend keeps the set (its traps handled there: generations, lazy
//! removal, files epoll refuses) and each iteration waits with one
//! `io_uring_enter` that submits `IORING_OP_EPOLL_WAIT` and waits for it, with the
//! timeout in the call.
//!
//! - Changes are plain `epoll_ctl` calls, made when the loop asks. Through the
//!   ring (`IORING_OP_EPOLL_CTL`) they would cost as much, but their failures
//!   (also the EEXIST of every re-arm after `ev_io_set`) would end the wait early,
//!   and one the kernel hands to a worker (its epoll locks busy) could run after a
//!   later change of the same fd and undo it.
//! - A wait left in flight when the enter times out stays in flight and is reaped
//!   by a later iteration. Events it brings for fds changed meanwhile may predate
//!   the change: they are dropped (level-triggered, the next wait reports a
//!   still-ready fd again). It writes into the set's event buffer, which is
//!   therefore never resized or freed while a wait is in flight (dropping the
//!   backend cancels the wait first).
//! - Each wait carries its own sequence number, so a completion of a wait given
//!   up on is never taken for the current one's.
//! - The backend fd is the epoll set's: it becomes readable when events are
//!   ready, which is what a loop embedding this one waits for.

use super::epoll::Epoll;
use super::iouring::{Ring, Sqe, IORING_OP_ASYNC_CANCEL, IORING_OP_EPOLL_WAIT};
use super::{Backend, PollError, Sink};
use crate::abi::EVBACKEND_IOURING;
use libc::c_int;

/// One wait and a cancel in flight at most.
const SQ_ENTRIES: u32 = 4;
const CQ_ENTRIES: u32 = 8;

/// User data of a wait: this tag and its sequence number.
const WAIT_TAG: u64 = 1 << 62;
/// User data of completions that carry nothing for us.
const IGNORED: u64 = 1 << 63;

pub struct IoUringEpoll {
    ring: Ring,
    set: Epoll,
    /// A wait is in flight, writing into the set's event buffer.
    waiting: bool,
    /// Sequence number of the current (or last) wait.
    wait_seq: u32,
    /// fds changed while the wait in flight was out (its events for them may
    /// predate the change), each listed once.
    changed_during_wait: Vec<i32>,
    /// `fork_generation()` when the ring and set were made ours.
    forked: u32,
}

/// Does this kernel wait for an epoll set through io_uring (probed once)?
pub fn available() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        // Test-only switch: keep the POLL_ADD backend, as on older kernels.
        if std::env::var_os("LIBEV_TEST_IOURING_POLL").is_some() {
            return false;
        }
        Ring::open(4, 8).is_some_and(|r| r.supports(IORING_OP_EPOLL_WAIT))
    })
}

impl IoUringEpoll {
    pub fn open() -> Option<Self> {
        if !available() {
            return None;
        }
        super::watch_forks();
        let ring = Ring::open(SQ_ENTRIES, CQ_ENTRIES)?;
        let set = Epoll::open()?;
        Some(IoUringEpoll {
            ring,
            set,
            waiting: false,
            wait_seq: 0,
            changed_during_wait: Vec::new(),
            forked: super::fork_generation(),
        })
    }

    fn wait_user_data(&self) -> u64 {
        WAIT_TAG | self.wait_seq as u64
    }

    /// After a fork the ring and the epoll set are the parent's: make our own,
    /// even without `ev_loop_fork` (as the POLL_ADD backend does), so that a
    /// child stopping its watchers cannot take them from the parent.
    fn own_kernel_objects(&mut self) -> Result<(), &'static str> {
        if self.forked != super::fork_generation() {
            self.new_ring()?;
            self.set.fresh_set()?;
            // Only now: if either failed, the next call tries again rather than
            // let this child edit the parent's set.
            self.forked = super::fork_generation();
        }
        Ok(())
    }

    #[cold]
    fn new_ring(&mut self) -> Result<(), &'static str> {
        // Closing our copy of the parent's ring leaves its requests (the wait in
        // flight, if any) to the parent.
        self.ring = Ring::open(SQ_ENTRIES, CQ_ENTRIES).ok_or("(libev) io_uring_setup")?;
        self.wait_over();
        Ok(())
    }

    /// No wait is in flight any more.
    fn wait_over(&mut self) {
        self.waiting = false;
        self.set.waited(&self.changed_during_wait);
        self.changed_during_wait.clear();
    }

    fn push_wait(&mut self) -> Result<(), c_int> {
        let (events, len) = self.set.event_buffer();
        self.wait_seq = self.wait_seq.wrapping_add(1);
        let sqe = Sqe {
            opcode: IORING_OP_EPOLL_WAIT,
            fd: self.set.fd(),
            addr: events as u64,
            len: len as u32,
            user_data: self.wait_user_data(),
            ..Sqe::default()
        };
        self.ring.push(sqe)?;
        self.waiting = true;
        Ok(())
    }

    /// Take the completions: the current wait's events go to `out` (with the
    /// always-ready fds), anything else is dropped.
    fn reap<S: Sink>(&mut self, out: &mut S) -> Result<(), PollError> {
        let current = self.wait_user_data();
        let mut res = None;
        self.ring.reap(|c| {
            if c.user_data == current {
                res = Some(c.res);
            }
        });
        let Some(res) = res.filter(|_| self.waiting) else {
            // No events this time; files epoll refuses are ready all the same.
            return self.set.decode(0, out);
        };
        // Decoded before the wait is over: the marks of fds changed meanwhile
        // must still be there.
        let result = if res >= 0 {
            self.set.decode(res as usize, out)
        } else if matches!(-res, libc::EINTR | libc::EAGAIN | libc::ECANCELED) {
            self.set.decode(0, out)
        } else {
            Err(PollError::Fatal("(libev) epoll_wait"))
        };
        self.wait_over();
        result
    }

    /// Take back a wait in flight (it writes into the set's event buffer).
    fn cancel_wait(&mut self) {
        if !self.waiting {
            return;
        }
        let current = self.wait_user_data();
        let cancel = Sqe { opcode: IORING_OP_ASYNC_CANCEL, fd: -1, addr: current, user_data: IGNORED, ..Sqe::default() };
        if self.ring.push(cancel).is_ok() {
            // The wait completes (cancelled, or with events) within a few enters.
            for _ in 0..100 {
                if self.ring.enter(true, 0.01).is_err() {
                    break;
                }
                let mut done = false;
                self.ring.reap(|c| done |= c.user_data == current);
                if done {
                    self.wait_over();
                    return;
                }
            }
        }
        // Could not take it back: leave the buffer to it rather than free memory
        // the kernel may still write (its completion no longer matches a wait).
        std::mem::forget(self.set.take_event_buffer());
        self.wait_over();
    }
}

impl Backend for IoUringEpoll {
    fn id(&self) -> u32 {
        EVBACKEND_IOURING
    }

    fn mintime(&self) -> f64 {
        1e-6
    }

    fn fd(&self) -> i32 {
        self.set.fd()
    }

    fn modify(&mut self, fd: i32, old: u8, new: u8) -> bool {
        if self.own_kernel_objects().is_err() {
            return false;
        }
        if self.waiting && self.set.changed_during_wait(fd) {
            self.changed_during_wait.push(fd);
        }
        self.set.modify(fd, old, new)
    }

    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        self.own_kernel_objects().map_err(PollError::Fatal)?;
        if !self.waiting && self.push_wait().is_err() {
            return Err(PollError::Fatal("(libev) io_uring_enter"));
        }
        // The only completion that can end the wait is the wait's own (or a
        // signal, or the timeout).
        let block = timeout > 0.0 && !self.set.has_always_ready();
        if self.ring.enter(block, if block { timeout } else { 0.0 }).is_err() {
            return Err(PollError::Fatal("(libev) io_uring_enter"));
        }
        self.reap(out)
    }

    fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        if self.forked != super::fork_generation() {
            self.new_ring()?;
        } else {
            self.cancel_wait();
        }
        self.set.reinit_after_fork()?;
        self.forked = super::fork_generation();
        Ok(())
    }
}

impl Drop for IoUringEpoll {
    fn drop(&mut self) {
        if self.forked == super::fork_generation() {
            self.cancel_wait();
        }
    }
}
