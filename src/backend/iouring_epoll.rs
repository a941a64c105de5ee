//! The io_uring backend on kernels with `IORING_OP_EPOLL_WAIT` (6.15 and later):
//! io_uring carries an epoll set.
//!
//! Readiness through one-shot `POLL_ADD` (the `iouring` module, used on older
//! kernels) costs a re-armed poll in the kernel for every event: a request
//! allocated, a wait-queue entry added, task work run. An epoll set keeps its
//! registrations and re-checks a level-triggered fd without any of that. So here
//! the fds live in an epoll set, and io_uring carries what the loop does with it
//! in one `io_uring_enter` per iteration: the iteration's fd changes
//! (`IORING_OP_EPOLL_CTL`, posting a completion only when one fails) and the
//! wait (`IORING_OP_EPOLL_WAIT`, with the timeout in the enter call).
//!
//! - The epoll set, its traps and its per-fd state are the epoll backend's
//!   (`Epoll::plan`, `answer`, `decode`): a change is assumed to succeed when it is
//!   queued and corrected when its failure comes back, in the same wait (a failure
//!   completes at once and ends the wait).
//! - A wait left in flight when the enter times out stays in flight and is reaped by
//!   a later iteration; it writes into the set's event buffer, which is therefore
//!   never resized or freed while a wait is in flight (dropping cancels it first).
//! - The backend fd is the epoll set's: it becomes readable when events are ready,
//!   which is what a loop embedding this one waits for.

use super::epoll::{Change, CtlNext, Epoll};
use super::iouring::{Cqe, Ring, Sqe};
use super::{Backend, PollError, Sink};
use crate::abi::EVBACKEND_IOURING;
use libc::{c_int, epoll_event};

const IORING_OP_EPOLL_CTL: u8 = 29;
const IORING_OP_ASYNC_CANCEL: u8 = 14;
const IORING_OP_EPOLL_WAIT: u8 = 59;
const IOSQE_CQE_SKIP_SUCCESS: u8 = 1 << 6;
const IORING_FEAT_CQE_SKIP: u32 = 1 << 11;

const SQ_ENTRIES: u32 = 256;
/// Room for the EEXIST completions of a mass re-arm (more wait in the kernel).
const CQ_ENTRIES: u32 = 2048;

/// User data: the top three bits say what a completion is for.
const TAG_SHIFT: u32 = 61;
const TAG_CTL: u64 = 1;
const TAG_WAIT: u64 = 2;
const TAG_IGNORE: u64 = 3;

/// A change's user data: fd (bits 0-31), generation (32-55), mask (56-57), MOD
/// rather than ADD (58), the kernel held this mask before (59), a retry (60).
fn ctl_user_data(fd: i32, mask: u8, c: &Change) -> u64 {
    (fd as u32 as u64)
        | (c.generation as u64 & 0xff_ffff) << 32
        | ((mask & 3) as u64) << 56
        | ((c.op == libc::EPOLL_CTL_MOD) as u64) << 58
        | (c.same_mask as u64) << 59
        | (c.retried as u64) << 60
        | TAG_CTL << TAG_SHIFT
}

fn ctl_from_user_data(ud: u64) -> (i32, u8, Change) {
    let change = Change {
        op: if ud >> 58 & 1 != 0 { libc::EPOLL_CTL_MOD } else { libc::EPOLL_CTL_ADD },
        generation: (ud >> 32 & 0xff_ffff) as u32,
        same_mask: ud >> 59 & 1 != 0,
        retried: ud >> 60 & 1 != 0,
    };
    (ud as u32 as i32, (ud >> 56 & 3) as u8, change)
}

const WAIT_USER_DATA: u64 = TAG_WAIT << TAG_SHIFT;

pub struct IoUringEpoll {
    ring: Ring,
    set: Epoll,
    /// The `epoll_event` of the change queued in each submission slot (the
    /// kernel copies it when it consumes the entry).
    slot_events: Vec<epoll_event>,
    /// An `EPOLL_WAIT` is in flight, writing into the set's event buffer.
    waiting: bool,
    /// Reused for reaping, so a wait allocates nothing.
    cqes: Vec<Cqe>,
    /// fds changed while the wait in flight was out (its events for them may
    /// predate the change).
    changed_during_wait: Vec<i32>,
    /// `fork_generation()` when the ring was made.
    forked: u32,
}

/// Does this kernel carry an epoll set through io_uring (probed once)?
pub fn available() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        // Test-only switch: keep the POLL_ADD backend, as on older kernels.
        if std::env::var_os("LIBEV_TEST_IOURING_POLL").is_some() {
            return false;
        }
        Ring::open(4, 8).is_some_and(|r| {
            r.features & IORING_FEAT_CQE_SKIP != 0 && r.supports(IORING_OP_EPOLL_CTL) && r.supports(IORING_OP_EPOLL_WAIT)
        })
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
        // SAFETY: epoll_event is plain data; zero is a valid value.
        let slot_events = vec![unsafe { std::mem::zeroed() }; ring.entries()];
        Some(IoUringEpoll { ring, set, slot_events, waiting: false, cqes: Vec::new(), changed_during_wait: Vec::new(), forked: super::fork_generation() })
    }

    /// After a fork the ring and the epoll set are the parent's: make our own,
    /// even without `ev_loop_fork` (as the POLL_ADD backend does), so that a
    /// child stopping its watchers cannot take them from the parent.
    fn own_ring(&mut self) -> Result<(), &'static str> {
        if self.forked != super::fork_generation() {
            self.new_ring()?;
            self.set.fresh_set()?;
        }
        Ok(())
    }

    #[cold]
    fn new_ring(&mut self) -> Result<(), &'static str> {
        // Closing our copy of the parent's ring leaves its requests (the wait in
        // flight, if any) to the parent.
        self.ring = Ring::open(SQ_ENTRIES, CQ_ENTRIES).ok_or("(libev) io_uring_setup")?;
        self.wait_over();
        self.forked = super::fork_generation();
        Ok(())
    }

    /// No wait is in flight any more.
    fn wait_over(&mut self) {
        self.waiting = false;
        self.set.waited(&self.changed_during_wait);
        self.changed_during_wait.clear();
    }

    fn queue_ctl(&mut self, fd: i32, mask: u8, change: &Change) -> Result<(), c_int> {
        let (epfd, user_data) = (self.set.fd(), ctl_user_data(fd, mask, change));
        let event = self.set.event_for(fd, mask, change.generation);
        let slots = &mut self.slot_events;
        self.ring.push_slot(|slot| {
            slots[slot] = event;
            Sqe {
                opcode: IORING_OP_EPOLL_CTL,
                flags: IOSQE_CQE_SKIP_SUCCESS,
                fd: epfd,
                off: fd as u32 as u64,
                addr: &slots[slot] as *const epoll_event as u64,
                len: change.op as u32,
                user_data,
                ..Sqe::default()
            }
        })
    }

    /// A failed change came back: correct the set's record, and queue the retry
    /// it calls for. Returns whether a retry was queued.
    fn ctl_failed<S: Sink>(&mut self, c: Cqe, out: &mut S) -> bool {
        let (fd, mask, change) = ctl_from_user_data(c.user_data);
        if !self.set.is_current(fd, change.generation) {
            return false; // superseded by a later change
        }
        match self.set.answer(fd, mask, &change, Err(-c.res)) {
            CtlNext::Done => false,
            CtlNext::Bad => {
                out.bad(fd);
                false
            }
            CtlNext::Retry(op) => {
                let retry = Change { op, retried: true, ..change };
                if self.queue_ctl(fd, mask, &retry).is_err() {
                    out.bad(fd);
                    return false;
                }
                true
            }
        }
    }

    /// Reap every completion: failed changes, and the wait's events (decoded into
    /// `out`, with the always-ready fds). Returns whether retries were queued.
    fn reap<S: Sink>(&mut self, out: &mut S) -> Result<bool, PollError> {
        let mut cqes = std::mem::take(&mut self.cqes);
        self.ring.reap(|c| cqes.push(c));
        let mut retried = false;
        let mut result = Ok(());
        let mut decoded = false;
        for c in cqes.drain(..) {
            match c.user_data >> TAG_SHIFT {
                TAG_CTL => retried |= self.ctl_failed(c, out),
                TAG_WAIT => {
                    if c.res >= 0 {
                        decoded = true;
                        if let Err(e) = self.set.decode(c.res as usize, out) {
                            result = Err(e);
                        }
                    } else if !matches!(-c.res, libc::EINTR | libc::EAGAIN | libc::ECANCELED) {
                        result = Err(PollError::Fatal("(libev) epoll_wait"));
                    }
                    self.wait_over();
                }
                _ => {}
            }
        }
        self.cqes = cqes;
        if !decoded && result.is_ok() {
            // No events this time; files epoll refuses are ready all the same.
            result = self.set.decode(0, out);
        }
        result.map(|()| retried)
    }

    fn push_wait(&mut self) -> Result<(), c_int> {
        let (events, len) = self.set.event_buffer();
        let epfd = self.set.fd();
        self.ring.push(Sqe {
            opcode: IORING_OP_EPOLL_WAIT,
            fd: epfd,
            addr: events as u64,
            len: len as u32,
            user_data: WAIT_USER_DATA,
            ..Sqe::default()
        })?;
        self.waiting = true;
        Ok(())
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

    fn modify(&mut self, fd: i32, _old: u8, new: u8) -> bool {
        if self.own_ring().is_err() {
            return false;
        }
        let Some(change) = self.set.plan(fd, new) else { return true };
        if self.waiting {
            self.set.changed_during_wait(fd);
            self.changed_during_wait.push(fd);
        }
        // Assumed to succeed; a failure comes back as a completion (also the
        // EEXIST of a re-arm after ev_io_set, the epoll backend's cheap check
        // that the file is the same: cheaper through the ring, completion
        // included, than a MOD, which polls the file again).
        self.set.answer(fd, new, &change, Ok(()));
        self.queue_ctl(fd, new, &change).is_ok()
    }

    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        self.own_ring().map_err(PollError::Fatal)?;
        if !self.waiting && self.push_wait().is_err() {
            return Err(PollError::Fatal("(libev) io_uring_enter"));
        }
        let block = timeout > 0.0 && !self.set.has_always_ready();
        if self.ring.enter(block, if block { timeout } else { 0.0 }).is_err() {
            return Err(PollError::Fatal("(libev) io_uring_enter"));
        }
        let mut retried = self.reap(out)?;
        // Completions the ring had no room for wait in the kernel (a burst of
        // failed changes): take them now rather than over the next iterations,
        // and hand retries of failed changes to the kernel before anyone waits
        // on the set (their own failures are final).
        for _ in 0..64 {
            if !retried && !self.ring.cq_overflowed() {
                break;
            }
            if self.ring.enter(false, 0.0).is_err() {
                return Err(PollError::Fatal("(libev) io_uring_enter"));
            }
            retried = self.reap(out)?;
        }
        Ok(())
    }

    fn flush(&mut self) {
        if self.own_ring().is_ok() && self.ring.to_submit != 0 {
            // Errors surface at the next wait.
            let _ = self.ring.enter(false, 0.0);
        }
    }

    fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        if self.forked != super::fork_generation() {
            self.new_ring()?;
        } else {
            self.cancel_wait();
        }
        self.set.reinit_after_fork()
    }
}

impl IoUringEpoll {
    /// Take back a wait in flight (it writes into the set's event buffer).
    fn cancel_wait(&mut self) {
        if !self.waiting {
            return;
        }
        let cancel = Sqe { opcode: IORING_OP_ASYNC_CANCEL, fd: -1, addr: WAIT_USER_DATA, user_data: TAG_IGNORE << TAG_SHIFT, ..Sqe::default() };
        if self.ring.push(cancel).is_ok() {
            // The wait completes (cancelled, or with events) within a few enters.
            for _ in 0..100 {
                if self.ring.enter(true, 0.01).is_err() {
                    break;
                }
                let mut waiting = true;
                self.ring.reap(|c| {
                    if c.user_data == WAIT_USER_DATA {
                        waiting = false;
                    }
                });
                if !waiting {
                    self.wait_over();
                    return;
                }
            }
        }
        // Could not take it back: leave the buffer to it rather than free memory
        // the kernel may still write.
        std::mem::forget(self.set.take_event_buffer());
        self.wait_over();
    }
}

impl Drop for IoUringEpoll {
    fn drop(&mut self) {
        if self.forked == super::fork_generation() {
            self.cancel_wait();
        }
    }
}
