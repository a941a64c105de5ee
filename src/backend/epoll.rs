//! The epoll backend, with epoll's traps handled:
//! - a registration survives in the kernel for as long as any duplicate of the fd is
//!   open, so removals are done lazily (an event for an fd nobody wants gets it
//!   re-registered with the wanted mask, or removed) and every registration carries
//!   a generation number in the upper half of its user data so stale events from an
//!   earlier registration of the same fd number are recognised;
//! - events that keep arriving for a registration epoll cannot remove (the file was
//!   closed but a dup of it lives elsewhere) force a fresh epoll set;
//! - files epoll refuses (`EPERM`: regular files) are always ready and are reported
//!   on every wait, with a zero timeout;
//! - `EBADF` and friends are reported to the loop as an invalid fd.

use super::{Sink, errno, timeout_ms, Backend, FdEvent, PollError};
use crate::abi::EVBACKEND_EPOLL;
use libc::{c_int, epoll_event};

/// Per fd, packed into 32 bits (the table is as long as the highest fd):
/// bits 0-1 what the loop wants, bits 2-3 what the kernel has registered (0:
/// nothing, or removed lazily), bit 4 always ready (epoll refused the file),
/// bit 5 changed while a wait was in flight (io_uring carrying the set: that
/// wait's events for the fd may predate the change), bits 8-31 the generation
/// of the registration.
#[derive(Clone, Copy, Default)]
struct FdState(u32);

const GENERATION_SHIFT: u32 = 8;

impl FdState {
    fn want(self) -> u8 {
        (self.0 & 3) as u8
    }
    fn kernel(self) -> u8 {
        (self.0 >> 2 & 3) as u8
    }
    fn always_ready(self) -> bool {
        self.0 & 16 != 0
    }
    fn generation(self) -> u32 {
        self.0 >> GENERATION_SHIFT
    }
    fn set_want(&mut self, mask: u8) {
        self.0 = self.0 & !3 | (mask & 3) as u32;
    }
    fn set_kernel(&mut self, mask: u8) {
        self.0 = self.0 & !12 | ((mask & 3) as u32) << 2;
    }
    fn set_always_ready(&mut self, on: bool) {
        self.0 = self.0 & !16 | if on { 16 } else { 0 };
    }
    fn changed_during_wait(self) -> bool {
        self.0 & 32 != 0
    }
    fn set_changed_during_wait(&mut self, on: bool) {
        self.0 = self.0 & !32 | if on { 32 } else { 0 };
    }
    fn set_generation(&mut self, generation: u32) {
        self.0 = self.0 & 0xff | generation << GENERATION_SHIFT;
    }
    /// The next generation, wrapping within its 24 bits.
    fn next_generation(self) -> u32 {
        (self.generation() + 1) & (u32::MAX >> GENERATION_SHIFT)
    }
}

pub struct Epoll {
    epfd: c_int,
    fds: Vec<FdState>,
    events: Vec<epoll_event>,
    always_ready: Vec<i32>,
}

// epoll's EPOLLIN/OUT/ERR/HUP have poll(2)'s values: the poll helpers convert
// both ways.
fn mask_to_epoll(mask: u8) -> u32 {
    super::poll_mask(mask) as u16 as u32
}

/// One registration: the fd in the lower half of the user data, its generation
/// in the upper.
fn ctl(epfd: c_int, op: c_int, fd: i32, mask: u8, generation: u32) -> Result<(), c_int> {
    let mut ev = epoll_event { events: mask_to_epoll(mask), u64: (fd as u32 as u64) | ((generation as u64) << 32) };
    // SAFETY: an epoll fd and a valid event struct.
    if unsafe { libc::epoll_ctl(epfd, op, fd, &mut ev) } == 0 {
        Ok(())
    } else {
        Err(errno())
    }
}

fn create_epoll_fd() -> Option<c_int> {
    // SAFETY: plain syscall.
    let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    (fd >= 0).then_some(fd)
}

impl Epoll {
    pub fn open() -> Option<Self> {
        let epfd = create_epoll_fd()?;
        Some(Epoll { epfd, fds: Vec::new(), events: vec![unsafe { std::mem::zeroed() }; 64], always_ready: Vec::new() })
    }

    #[inline]
    fn state(&mut self, fd: i32) -> &mut FdState {
        let i = fd as usize;
        if i >= self.fds.len() {
            self.fds.resize((i + 1).max(64), FdState::default());
        }
        &mut self.fds[i]
    }

    fn ctl(&self, op: c_int, fd: i32, mask: u8, generation: u32) -> Result<(), c_int> {
        ctl(self.epfd, op, fd, mask, generation)
    }

    /// The uncommon cases of an event, out of the per-event path: it comes from a
    /// registration we replaced (`None`: if it keeps firing, the file behind it
    /// is shared with someone else and only a new set helps), or reports more
    /// than is wanted now (lazily removed or narrowed: bring the kernel in line
    /// and keep what is wanted). `Some(0)`: nothing to report.
    #[cold]
    #[inline(never)]
    fn settle_event(&mut self, fd: i32, st: FdState, generation: u32, got: u8) -> Option<u8> {
        if st.generation() != generation {
            // From before a change a wait in flight did not see (io_uring
            // carrying the set): if the fd is still ready, the next wait reports
            // it under its new registration.
            return if st.changed_during_wait() { Some(0) } else { None };
        }
        let want = st.want();
        let op = if want != 0 { libc::EPOLL_CTL_MOD } else { libc::EPOLL_CTL_DEL };
        self.ctl(op, fd, want, generation).ok()?;
        self.fds[fd as usize].set_kernel(want);
        Some(got & want)
    }

    /// A new epoll set holding every wanted fd again (the old one may hold stale
    /// registrations, or belong to the parent process).
    pub(crate) fn fresh_set(&mut self) -> Result<(), &'static str> {
        self.replace_epoll_fd()?;
        for (fd, st) in self.fds.iter_mut().enumerate() {
            st.set_kernel(0);
            st.set_generation(st.next_generation());
            if st.want() != 0
                && !st.always_ready()
                && ctl(self.epfd, libc::EPOLL_CTL_ADD, fd as i32, st.want(), st.generation()).is_ok()
            {
                st.set_kernel(st.want());
            }
        }
        Ok(())
    }

    /// The first `n` entries of the event buffer, as filled by a wait: report
    /// them, and the always-ready fds.
    #[inline(always)]
    pub(super) fn decode<S: Sink>(&mut self, n: usize, out: &mut S) -> Result<(), PollError> {
        let mut need_fresh_set = false;
        for i in 0..n {
            // SAFETY: the kernel filled `n` <= `events.len()` entries.
            let ev = unsafe { *self.events.get_unchecked(i) };
            let fd = (ev.u64 & 0xffff_ffff) as i32;
            let generation = (ev.u64 >> 32) as u32;
            let Some(st) = self.fds.get(fd as usize).copied() else { continue };
            let got = super::revents_from_poll(ev.events as i16) as u8;
            if st.generation() == generation && got & !st.want() == 0 {
                if got != 0 {
                    out.push(FdEvent { fd, revents: got as i32 });
                }
                continue;
            }
            match self.settle_event(fd, st, generation, got) {
                Some(0) => {}
                Some(got) => out.push(FdEvent { fd, revents: got as i32 }),
                None => need_fresh_set = true,
            }
        }
        if n == self.events.len() && self.events.len() < 4096 {
            let len = self.events.len() * 2;
            self.events.resize(len, unsafe { std::mem::zeroed() });
        }
        if self.always_ready.is_empty() && !need_fresh_set {
            return Ok(());
        }
        let fds = &mut self.fds;
        self.always_ready.retain(|&fd| {
            let st = &mut fds[fd as usize];
            if !st.always_ready() || st.want() == 0 {
                st.set_always_ready(false);
                return false;
            }
            out.push(FdEvent { fd, revents: st.want() as i32 });
            true
        });
        if need_fresh_set {
            if let Err(msg) = self.fresh_set() {
                return Err(PollError::Fatal(msg));
            }
        }
        Ok(())
    }

    /// Where a wait writes its events, and how many fit.
    pub(super) fn event_buffer(&mut self) -> (*mut epoll_event, usize) {
        (self.events.as_mut_ptr(), self.events.len())
    }

    /// Give up the event buffer (a wait the kernel could not be made to drop
    /// still writes into it) and start a new one.
    pub(super) fn take_event_buffer(&mut self) -> Vec<epoll_event> {
        let len = self.events.len();
        // SAFETY: epoll_event is plain data; zero is a valid value.
        std::mem::replace(&mut self.events, vec![unsafe { std::mem::zeroed() }; len])
    }

    /// `fd` changed while a wait was in flight (see `FdState`); undone by
    /// `waited` once that wait's events are decoded. Returns whether the mark is
    /// new (so the caller lists each fd once).
    pub(super) fn changed_during_wait(&mut self, fd: i32) -> bool {
        let s = self.state(fd);
        let new = !s.changed_during_wait();
        s.set_changed_during_wait(true);
        new
    }

    pub(super) fn waited(&mut self, fds: &[i32]) {
        for &fd in fds {
            if let Some(s) = self.fds.get_mut(fd as usize) {
                s.set_changed_during_wait(false);
            }
        }
    }

    /// Some fd is always ready: a wait must not block.
    pub(super) fn has_always_ready(&self) -> bool {
        !self.always_ready.is_empty()
    }

    /// A new, empty epoll instance under the same fd number, so that a loop
    /// embedding this one keeps watching the right fd.
    fn replace_epoll_fd(&mut self) -> Result<(), &'static str> {
        let fresh = create_epoll_fd().ok_or("(libev) epoll_create")?;
        // SAFETY: both fds are ours; dup3 atomically replaces the old instance.
        if unsafe { libc::dup3(fresh, self.epfd, libc::O_CLOEXEC) } < 0 {
            // SAFETY: our own fds.
            unsafe { libc::close(self.epfd) };
            self.epfd = fresh;
        } else {
            // SAFETY: our own fd.
            unsafe { libc::close(fresh) };
        }
        Ok(())
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: closing our own fd.
        unsafe { libc::close(self.epfd) };
    }
}

impl Backend for Epoll {
    fn id(&self) -> u32 {
        EVBACKEND_EPOLL
    }

    fn mintime(&self) -> f64 {
        1e-3
    }

    fn fd(&self) -> i32 {
        self.epfd
    }

    // `old` is not needed: the backend's own record of what the kernel holds
    // decides between ADD and MOD.
    fn modify(&mut self, fd: i32, _old: u8, new: u8) -> bool {
        let s = self.state(fd);
        let st = *s;
        s.set_want(new);
        if new == 0 {
            // Removal is lazy: the fd is likely about to be closed, which removes it
            // for free; if it is not, the next event for it removes it.
            return true;
        }
        let generation = st.next_generation();
        s.set_generation(generation);
        // One syscall in the usual cases. Registered with this very mask (a re-arm
        // after ev_io_set): ADD, whose EEXIST cheaply confirms it is the same file
        // and which registers a new file behind a reused fd number. Registered
        // with another mask: MOD (ENOENT if the fd was closed and reopened).
        // Not registered: ADD.
        let op = if st.kernel() != 0 && st.kernel() != new { libc::EPOLL_CTL_MOD } else { libc::EPOLL_CTL_ADD };
        let res = match self.ctl(op, fd, new, generation) {
            Ok(()) => Ok(()),
            // The fd was closed and reopened: its old registration is gone.
            Err(libc::ENOENT) => self.ctl(libc::EPOLL_CTL_ADD, fd, new, generation),
            // The same file, already registered with exactly this mask: it keeps
            // its registration and so its generation.
            Err(libc::EEXIST) if st.kernel() == new => {
                self.fds[fd as usize].set_generation(st.generation());
                Ok(())
            }
            // Still registered (a lazily kept registration).
            Err(libc::EEXIST) => self.ctl(libc::EPOLL_CTL_MOD, fd, new, generation),
            Err(e) => Err(e),
        };
        let s = &mut self.fds[fd as usize];
        match res {
            Ok(()) => {
                // A new file behind an fd that used to be always ready is pollable.
                s.set_kernel(new);
                s.set_always_ready(false);
                true
            }
            Err(libc::EPERM) => {
                s.set_kernel(0);
                if !s.always_ready() {
                    s.set_always_ready(true);
                    self.always_ready.push(fd);
                }
                true
            }
            Err(_) => {
                s.set_kernel(0);
                false
            }
        }
    }

    #[inline(never)]
    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        let ms = if self.always_ready.is_empty() { timeout_ms(timeout) } else { 0 };
        // SAFETY: the buffer holds `events.len()` initialised entries.
        let n = unsafe { libc::epoll_wait(self.epfd, self.events.as_mut_ptr(), self.events.len() as c_int, ms) };
        if n < 0 {
            return if errno() == libc::EINTR { Ok(()) } else { Err(PollError::Fatal("(libev) epoll_wait")) };
        }
        self.decode(n as usize, out)
    }

    fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        self.replace_epoll_fd()?;
        self.fds.iter_mut().for_each(|s| *s = FdState(s.next_generation() << GENERATION_SHIFT));
        self.always_ready.clear();
        Ok(())
    }
}
