//! Wakeups from outside the loop: signals, `ev_async_send`, and child reaping.
//!
//! A signal handler or another thread cannot touch the loop's tables. It sets an
//! atomic flag and writes to the loop's eventfd; the loop's internal wakeup
//! watcher (an io watcher of top priority, not counted as active) then turns the
//! flags into events on the loop's own thread.

use super::{alloc, wlist, Loop};
use crate::abi::*;
use libc::{c_int, c_void};
use std::cell::UnsafeCell;
use std::ptr::{addr_of, addr_of_mut, null_mut};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicPtr, Ordering};

/// Signals are numbered 1..NSIG-1.
pub const NSIG: usize = 65;

/// Chains of the child watcher table, by pid.
pub const PID_HASH: usize = 16;

/// Per signal, process-wide: which loop owns it, whether it fired, and its
/// watchers (linked through `next`). The list is only touched by the owning loop's
/// thread; the handler only reads `owner` and sets `pending`.
struct SignalSlot {
    owner: AtomicPtr<Loop>,
    pending: AtomicBool,
    head: UnsafeCell<*mut ev_watcher_list>,
}

struct SignalTable([SignalSlot; NSIG - 1]);

// SAFETY: `owner`/`pending` are atomics; `head` is only used by the thread running
// the owning loop (libev's documented contract: a loop is used by one thread at a time).
unsafe impl Sync for SignalTable {}

static SIGNALS: SignalTable = SignalTable(
    [const { SignalSlot { owner: AtomicPtr::new(null_mut()), pending: AtomicBool::new(false), head: UnsafeCell::new(null_mut()) } };
        NSIG - 1],
);

fn slot(signum: c_int) -> Option<&'static SignalSlot> {
    (signum > 0 && (signum as usize) < NSIG).then(|| &SIGNALS.0[signum as usize - 1])
}

/// The wakeup channel of a loop.
pub struct Wakeup {
    /// eventfd, or -1 until the first signal/async watcher needs it. Atomic because
    /// signal handlers and other threads read it.
    pub fd: AtomicI32,
    pub sig_pending: AtomicBool,
    pub async_pending: AtomicBool,
    /// The internal watcher on `fd`.
    pub io: ev_io,
}

impl Wakeup {
    pub fn new() -> Self {
        Wakeup {
            fd: AtomicI32::new(-1),
            sig_pending: AtomicBool::new(false),
            async_pending: AtomicBool::new(false),
            io: ev_io {
                active: 0,
                pending: 0,
                priority: EV_MAXPRI,
                data: null_mut(),
                cb: Some(wakeup_cb),
                next: null_mut(),
                fd: -1,
                events: EV_READ,
            },
        }
    }
}

/// Set `flag` and wake the loop if it was not set yet. Async-signal-safe and
/// thread-safe: touches only atomics and calls `write`.
///
/// # Safety
/// `lp` must be a live loop.
unsafe fn wake(lp: *mut Loop, flag: *const AtomicBool) {
    // SAFETY: the loop is live; only atomic fields are read.
    unsafe {
        if (*flag).swap(true, Ordering::AcqRel) {
            return;
        }
        let fd = (*addr_of!((*lp).wakeup.fd)).load(Ordering::Acquire);
        if fd >= 0 {
            let saved = *libc::__errno_location();
            let one: u64 = 1;
            libc::write(fd, &one as *const u64 as *const c_void, 8);
            *libc::__errno_location() = saved;
        }
    }
}

/// The internal wakeup watcher fired: drain the eventfd, then deliver signals and
/// async sends.
unsafe extern "C-unwind" fn wakeup_cb(lp: *mut Loop, w: *mut ev_io, _revents: c_int) {
    // SAFETY: live loop and its own internal watcher.
    unsafe {
        // An eventfd is drained by one 8-byte read; a pipe by reading until empty.
        let mut buf = [0u8; 64];
        while libc::read((*w).fd, buf.as_mut_ptr() as *mut c_void, buf.len()) == buf.len() as isize {}
        let l = &mut *lp;
        if l.wakeup.sig_pending.swap(false, Ordering::AcqRel) {
            for signum in 1..NSIG as c_int {
                let s = &SIGNALS.0[signum as usize - 1];
                if s.pending.load(Ordering::Relaxed) {
                    l.feed_signal_event(signum);
                }
            }
        }
        if l.wakeup.async_pending.swap(false, Ordering::AcqRel) {
            for i in 0..l.asyncs.len() {
                let a = l.asyncs[i];
                let sent = addr_of_mut!((*a).sent) as *const AtomicI32;
                if (*sent).swap(0, Ordering::AcqRel) != 0 {
                    l.feed_event(a as *mut ev_watcher, EV_ASYNC);
                }
            }
        }
    }
}

/// The signalfd is readable: deliver each signal read from it.
pub(crate) unsafe extern "C-unwind" fn signalfd_cb(lp: *mut Loop, w: *mut ev_io, _revents: c_int) {
    // SAFETY: live loop; records are read into properly typed storage.
    unsafe {
        let mut infos: [libc::signalfd_siginfo; 8] = std::mem::zeroed();
        loop {
            let n = libc::read((*w).fd, infos.as_mut_ptr() as *mut c_void, std::mem::size_of_val(&infos));
            if n <= 0 {
                break;
            }
            let count = n as usize / std::mem::size_of::<libc::signalfd_siginfo>();
            for info in &infos[..count] {
                (*lp).feed_signal_event(info.ssi_signo as c_int);
            }
            if count < infos.len() {
                break;
            }
        }
    }
}

/// The handler installed for watched signals.
extern "C" fn signal_handler(signum: c_int) {
    feed_signal(signum);
}

/// `ev_feed_signal`: safe from any context.
pub fn feed_signal(signum: c_int) {
    let Some(s) = slot(signum) else { return };
    let lp = s.owner.load(Ordering::Acquire);
    if lp.is_null() {
        return;
    }
    s.pending.store(true, Ordering::Release);
    // SAFETY: a loop stays registered as owner only while it is alive.
    unsafe { wake(lp, addr_of!((*lp).wakeup.sig_pending)) };
}

impl Loop {
    /// Open the wakeup channel and start the internal watcher (once): an eventfd,
    /// or a pipe where eventfd is unavailable. Like libev, keep reporting the
    /// failure to the syserr callback (which may free fds) until it works.
    pub(crate) fn wakeup_init(&mut self) {
        if self.wakeup.io.active != 0 {
            return;
        }
        let (read_fd, write_fd) = loop {
            // SAFETY: plain syscalls.
            unsafe {
                let fd = libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK);
                if fd >= 0 {
                    break (fd, fd);
                }
                let mut p = [0 as c_int; 2];
                if libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) == 0 {
                    break (p[0], p[1]);
                }
            }
            alloc::syserr("(libev) error creating signal/async pipe");
        };
        self.wakeup.fd.store(write_fd, Ordering::Release);
        self.wakeup.io.fd = read_fd;
        self.wakeup.io.events = EV_READ | EV__IOFDSET;
        // SAFETY: the internal watcher lives inside the boxed loop.
        unsafe { let w = addr_of_mut!(self.wakeup.io); self.io_start(w) };
        self.unref();
    }

    /// After fork the eventfd is shared with the parent: make a new one, and
    /// re-check every flag in case a wakeup was lost.
    pub(crate) fn wakeup_after_fork(&mut self) {
        if self.wakeup.io.active == 0 {
            return;
        }
        self.ref_();
        // SAFETY: the internal watcher lives inside the boxed loop.
        unsafe { { let w = addr_of_mut!(self.wakeup.io); self.io_stop(w) } };
        self.wakeup_close();
        self.wakeup_init();
        self.wakeup.sig_pending.store(true, Ordering::Release);
        self.wakeup.async_pending.store(true, Ordering::Release);
        // SAFETY: live watcher inside the loop.
        unsafe { { let w = addr_of_mut!(self.wakeup.io) as *mut ev_watcher; self.feed_event(w, EV_READ) } };
    }

    pub(crate) fn wakeup_close(&mut self) {
        let write_fd = self.wakeup.fd.swap(-1, Ordering::AcqRel);
        let read_fd = std::mem::replace(&mut self.wakeup.io.fd, -1);
        // SAFETY: our own fds (one and the same for an eventfd).
        unsafe {
            if write_fd >= 0 {
                libc::close(write_fd);
            }
            if read_fd >= 0 && read_fd != write_fd {
                libc::close(read_fd);
            }
        }
    }

    // ----- signals --------------------------------------------------------------

    /// # Safety
    /// `w` must be a live signal watcher that stays valid until stopped.
    pub unsafe fn signal_start(&mut self, w: *mut ev_signal) {
        // SAFETY: live watcher.
        let wr = unsafe { &mut *w };
        if wr.active != 0 {
            return;
        }
        let Some(s) = slot(wr.signum) else {
            alloc::fatal("libev: ev_signal_start called with illegal signal number");
        };
        let me = self as *mut Loop;
        let owner = s.owner.load(Ordering::Acquire);
        if !owner.is_null() && owner != me {
            alloc::fatal("libev: a signal must not be attached to two different loops");
        }
        self.wakeup_init();
        s.owner.store(me, Ordering::Release);
        // SAFETY: live watcher; the list belongs to this loop now.
        unsafe {
            self.start_watcher(w as *mut ev_watcher, 1);
            wlist::push(&mut *s.head.get(), w as *mut ev_watcher_list);
        }
        if self.origflags & EVFLAG_SIGNALFD != 0 {
            self.signalfd_init();
        }
        if self.sigfd >= 0 {
            // SAFETY: plain signal-mask calls on our own sigset and fd.
            unsafe {
                libc::sigaddset(&mut self.sigfd_set, wr.signum);
                libc::sigprocmask(libc::SIG_BLOCK, &self.sigfd_set, null_mut());
                libc::signalfd(self.sigfd, &self.sigfd_set, 0);
            }
        } else if wr.next.is_null() {
            // First watcher of this signal: install our handler.
            // SAFETY: a zeroed sigaction with our handler, all signals blocked while
            // it runs, and SA_RESTART so interrupted calls resume.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = signal_handler as *const () as usize;
                libc::sigfillset(&mut sa.sa_mask);
                sa.sa_flags = libc::SA_RESTART;
                libc::sigaction(wr.signum, &sa, null_mut());
                // libev 4.33 unblocks the signal only when EVFLAG_NOSIGMASK is
                // given (the manual says the opposite; the library decides).
                if self.origflags & EVFLAG_NOSIGMASK != 0 {
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut set);
                    libc::sigaddset(&mut set, wr.signum);
                    libc::sigprocmask(libc::SIG_UNBLOCK, &set, null_mut());
                }
            }
        }
    }

    /// # Safety
    /// `w` must be a live signal watcher.
    pub unsafe fn signal_stop(&mut self, w: *mut ev_signal) {
        // SAFETY: live watcher.
        unsafe { self.clear_pending(w as *mut ev_watcher) };
        // SAFETY: live watcher.
        let wr = unsafe { &mut *w };
        if wr.active == 0 {
            return;
        }
        let Some(s) = slot(wr.signum) else { return };
        // SAFETY: the list belongs to this loop; its watchers are live.
        unsafe {
            wlist::remove(s.head.get(), w as *mut ev_watcher_list);
            self.stop_watcher(w as *mut ev_watcher);
            if (*s.head.get()).is_null() {
                s.owner.store(null_mut(), Ordering::Release);
                if self.sigfd >= 0 {
                    let mut one: libc::sigset_t = std::mem::zeroed();
                    libc::sigemptyset(&mut one);
                    libc::sigaddset(&mut one, wr.signum);
                    libc::sigdelset(&mut self.sigfd_set, wr.signum);
                    libc::signalfd(self.sigfd, &self.sigfd_set, 0);
                    libc::sigprocmask(libc::SIG_UNBLOCK, &one, null_mut());
                } else {
                    // libev leaves the default disposition behind, not the one it
                    // replaced.
                    libc::signal(wr.signum, libc::SIG_DFL);
                }
            }
        }
    }

    /// With `EVFLAG_SIGNALFD`: watched signals are blocked and read from a
    /// signalfd instead of interrupting the program. Falls back to handlers if
    /// signalfd is unavailable.
    fn signalfd_init(&mut self) {
        if self.sigfd != -2 {
            return;
        }
        // SAFETY: plain syscalls on our own sigset.
        unsafe {
            libc::sigemptyset(&mut self.sigfd_set);
            self.sigfd = libc::signalfd(-1, &self.sigfd_set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC);
        }
        if self.sigfd < 0 {
            self.sigfd = -1;
            return;
        }
        self.sigfd_io.fd = self.sigfd;
        self.sigfd_io.events = EV_READ | EV__IOFDSET;
        // SAFETY: internal watcher inside the boxed loop.
        unsafe {
            let w = addr_of_mut!(self.sigfd_io);
            self.io_start(w);
        }
        self.unref();
    }

    pub(crate) fn signalfd_close(&mut self) {
        if self.sigfd >= 0 {
            // SAFETY: our own fd.
            unsafe { libc::close(self.sigfd) };
            self.sigfd = -1;
        }
    }

    /// `ev_feed_signal_event`: queue the watchers of `signum` if this loop owns it.
    pub fn feed_signal_event(&mut self, signum: c_int) {
        let Some(s) = slot(signum) else { return };
        if s.owner.load(Ordering::Acquire) != self as *mut Loop {
            return;
        }
        s.pending.store(false, Ordering::Release);
        // SAFETY: the list belongs to this loop; its watchers are live.
        unsafe {
            let mut w = *s.head.get();
            while !w.is_null() {
                let next = (*w).next;
                self.feed_event(w as *mut ev_watcher, EV_SIGNAL);
                w = next;
            }
        }
    }

    /// Every signal watcher of this loop.
    pub(crate) fn signal_watchers(&self) -> Vec<*mut c_void> {
        let me = self as *const Loop as *mut Loop;
        let mut out = Vec::new();
        for s in SIGNALS.0.iter().filter(|s| s.owner.load(Ordering::Acquire) == me) {
            // SAFETY: the list belongs to this loop; its watchers are live.
            unsafe {
                let mut w = *s.head.get();
                while !w.is_null() {
                    out.push(w as *mut c_void);
                    w = (*w).next;
                }
            }
        }
        out
    }

    /// Forget every signal this loop owns (it is being destroyed).
    pub(crate) fn signals_release(&mut self) {
        let me = self as *mut Loop;
        for (i, s) in SIGNALS.0.iter().enumerate() {
            if s.owner.load(Ordering::Acquire) == me {
                s.owner.store(null_mut(), Ordering::Release);
                // SAFETY: the list belongs to this loop.
                unsafe { *s.head.get() = null_mut() };
                // SAFETY: plain libc call.
                unsafe { libc::signal(i as c_int + 1, libc::SIG_DFL) };
            }
        }
    }

    // ----- async ----------------------------------------------------------------

    /// # Safety
    /// `w` must be a live async watcher that stays valid until stopped.
    pub unsafe fn async_start(&mut self, w: *mut ev_async) {
        // SAFETY: live watcher.
        if unsafe { (*w).active } != 0 {
            return;
        }
        // SAFETY: live watcher; `sent` is only ever accessed atomically.
        unsafe { (*(addr_of_mut!((*w).sent) as *const AtomicI32)).store(0, Ordering::Release) };
        self.wakeup_init();
        // SAFETY: live watcher.
        unsafe { super::watchers::array_start(self, w, |l| &mut l.asyncs) };
    }

    /// # Safety
    /// `w` must be a live async watcher.
    pub unsafe fn async_stop(&mut self, w: *mut ev_async) {
        // SAFETY: live watcher.
        unsafe { super::watchers::array_stop(self, w, |l| &mut l.asyncs) };
    }

    // ----- children -------------------------------------------------------------

    /// # Safety
    /// `w` must be a live child watcher that stays valid until stopped.
    pub unsafe fn child_start(&mut self, w: *mut ev_child) {
        // SAFETY: live watcher.
        let wr = unsafe { &mut *w };
        if wr.active != 0 {
            return;
        }
        if !self.is_default {
            alloc::fatal("libev: child watchers are only supported in the default loop");
        }
        // SAFETY: live watcher, on no list while inactive.
        unsafe {
            wlist::push(&mut self.children[wr.pid as usize & (PID_HASH - 1)], w as *mut ev_watcher_list);
            self.start_watcher(w as *mut ev_watcher, 1);
        }
    }

    /// # Safety
    /// `w` must be a live child watcher.
    pub unsafe fn child_stop(&mut self, w: *mut ev_child) {
        // SAFETY: live watcher.
        unsafe { self.clear_pending(w as *mut ev_watcher) };
        // SAFETY: live watcher.
        let wr = unsafe { &mut *w };
        if wr.active == 0 {
            return;
        }
        // SAFETY: the chain's watchers are live.
        unsafe {
            wlist::remove(&mut self.children[wr.pid as usize & (PID_HASH - 1)], w as *mut ev_watcher_list);
            self.stop_watcher(w as *mut ev_watcher);
        }
    }

    /// Report a status change of `pid` to the watchers of chain `chain`.
    fn child_reap(&mut self, chain: usize, pid: c_int, status: c_int) {
        let traced = libc::WIFSTOPPED(status) || libc::WIFCONTINUED(status);
        let mut w = self.children[chain & (PID_HASH - 1)];
        while !w.is_null() {
            // SAFETY: started child watchers are live.
            unsafe {
                let c = &mut *(w as *mut ev_child);
                let next = c.next;
                if (c.pid == pid || c.pid == 0) && (!traced || c.flags & 1 != 0) {
                    // libev reports children at top priority; a watcher already
                    // queued keeps its slot (and so its priority) until it runs.
                    if c.pending == 0 {
                        c.priority = EV_MAXPRI;
                    }
                    c.rpid = pid;
                    c.rstatus = status;
                    self.feed_event(w as *mut ev_watcher, EV_CHILD);
                }
                w = next;
            }
        }
    }

    /// Install the SIGCHLD watcher of the default loop.
    pub(crate) fn child_init(&mut self) {
        self.childev.signum = libc::SIGCHLD;
        // SAFETY: the internal watcher lives inside the boxed loop.
        unsafe { { let w = addr_of_mut!(self.childev); self.signal_start(w) } };
        self.unref();
    }

    pub(crate) fn child_fini(&mut self) {
        if self.childev.active != 0 {
            self.ref_();
            // SAFETY: the internal watcher lives inside the boxed loop.
            unsafe { { let w = addr_of_mut!(self.childev); self.signal_stop(w) } };
        }
    }
}

/// SIGCHLD arrived: reap one child (every child, watched or not, is reaped), report
/// it, and re-queue ourselves to reap the next one.
pub(crate) unsafe extern "C-unwind" fn child_cb(lp: *mut Loop, w: *mut ev_signal, _revents: c_int) {
    // SAFETY: live loop; `w` is its internal SIGCHLD watcher.
    unsafe {
        let mut status = 0;
        let mut pid = libc::waitpid(-1, &mut status, libc::WNOHANG | libc::WUNTRACED | libc::WCONTINUED);
        if pid <= 0 {
            if *libc::__errno_location() != libc::EINVAL {
                return;
            }
            pid = libc::waitpid(-1, &mut status, libc::WNOHANG | libc::WUNTRACED);
            if pid <= 0 {
                return;
            }
        }
        let l = &mut *lp;
        // Make sure the next child is looked at too.
        l.feed_event(w as *mut ev_watcher, EV_SIGNAL);
        l.child_reap(pid as usize, pid, status);
        if PID_HASH > 1 {
            // Watchers for any pid live in chain 0.
            l.child_reap(0, pid, status);
        }
    }
}

/// `ev_async_send`: safe from any thread and from signal handlers.
///
/// # Safety
/// `lp` must be a live loop and `w` a live async watcher.
pub unsafe fn async_send(lp: *mut Loop, w: *mut ev_async) {
    // SAFETY: live loop and watcher; only atomics are touched.
    unsafe {
        (*(addr_of_mut!((*w).sent) as *const AtomicI32)).store(1, Ordering::Release);
        wake(lp, addr_of!((*lp).wakeup.async_pending));
    }
}
