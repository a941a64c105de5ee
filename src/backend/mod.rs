//! Kernel readiness backends. The loop tells a backend which events it wants per fd
//! (`modify(fd, old, new)`), then asks it to wait; the backend hands back
//! `(fd, revents)` pairs. Backends keep whatever per-fd state they need in their own
//! tables and never see a watcher or the loop's tables.

pub mod epoll;
pub mod iouring;
pub mod iouring_epoll;
pub mod linuxaio;
pub mod poll;
pub mod select;

use crate::abi::{EVBACKEND_EPOLL, EVBACKEND_IOURING, EVBACKEND_LINUXAIO, EVBACKEND_POLL, EVBACKEND_SELECT};

/// A readiness report. `revents` holds `EV_READ`/`EV_WRITE`; `FD_BAD` instead means
/// the kernel says the fd is not valid (closed while watched).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdEvent {
    pub fd: i32,
    pub revents: i32,
}

/// Where a backend delivers readiness reports. The loop's sink queues the fd's
/// watchers on the spot, so a report costs no intermediate buffer.
pub trait Sink {
    fn push(&mut self, e: FdEvent);
    /// The kernel says `fd` is invalid (closed while watched).
    fn bad(&mut self, fd: i32) {
        self.push(FdEvent { fd, revents: FD_BAD });
    }
}

impl Sink for Vec<FdEvent> {
    fn push(&mut self, e: FdEvent) {
        Vec::push(self, e)
    }
}

/// A sink that counts what passes through, for backends that keep waiting
/// while a wait brought only completions of their own bookkeeping (the loop's
/// sink does not count: epoll, poll and select need no such thing).
pub struct Counted<'a, S: Sink> {
    inner: &'a mut S,
    pub count: usize,
}

impl<'a, S: Sink> Counted<'a, S> {
    pub fn new(inner: &'a mut S) -> Self {
        Counted { inner, count: 0 }
    }
}

impl<S: Sink> Sink for Counted<'_, S> {
    #[inline(always)]
    fn push(&mut self, e: FdEvent) {
        self.count += 1;
        self.inner.push(e);
    }
    fn bad(&mut self, fd: i32) {
        self.count += 1;
        self.inner.bad(fd);
    }
}

/// A failed select(2)/poll(2) (named `call` in the fatal message): interrupted or
/// short of memory is no event; `EBADF` means some fd is bad, which one is not said.
pub(crate) fn scan_wait_error(call: &'static str) -> Result<(), PollError> {
    match errno() {
        libc::EINTR | libc::ENOMEM => Ok(()),
        libc::EBADF => Err(PollError::SomeFdBad),
        _ => Err(PollError::Fatal(call)),
    }
}

/// What a backend whose kernel request holds the file itself (io_uring's poll,
/// AIO's iocb) learns on a (re)registration of `fd` (`new` set, `old` none or the
/// same mask, e.g. `ev_io_set` + restart): the file behind it, and whether that
/// is the very file `ident` recorded, its request with this mask (`armed`) still
/// in flight - then nothing needs doing, where tearing the request down and
/// making it again would cost a cancel each. A new file behind a reused fd
/// number has another (device, inode). `ident` is updated; `None` when this is
/// no (re)registration or the fd is not open.
pub(crate) fn reregistration(fd: libc::c_int, old: u8, new: u8, armed: u8, ident: &mut (u64, u64)) -> Option<(libc::stat, bool)> {
    if new == 0 || (old != 0 && old != new) {
        return None;
    }
    // SAFETY: fstat into a zeroed struct.
    let file = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 {
            return None;
        }
        st
    };
    let id = (file.st_dev, file.st_ino);
    let unchanged = old == new && armed == new && *ident == id;
    *ident = id;
    Some((file, unchanged))
}

/// In `FdEvent::revents`: the fd is invalid; its watchers get `EV_ERROR` and stop.
pub const FD_BAD: i32 = i32::MIN;

/// Why a wait failed in a way the loop must handle.
#[derive(Debug)]
pub enum PollError {
    /// Some watched fd is invalid but the backend cannot tell which
    /// (select/poll's `EBADF`): the loop checks every fd.
    SomeFdBad,
    /// A system call failed; the message names it the way libev's `syserr` does.
    Fatal(&'static str),
}

pub trait Backend {
    /// The `EVBACKEND_*` bit of this backend.
    fn id(&self) -> u32;

    /// The shortest timeout the backend can wait for, in seconds (its resolution).
    fn mintime(&self) -> f64;

    /// Watch `fd` for `new` (`EV_READ|EV_WRITE` bits) instead of `old`. Called once
    /// per changed fd per iteration, also with `old == new` when the fd may refer to
    /// a new file. Returns false if the kernel rejects the fd as invalid: the loop
    /// then reports `EV_ERROR` to its watchers.
    fn modify(&mut self, fd: i32, old: u8, new: u8) -> bool;

    /// Wait up to `timeout` seconds (0 = just look, infinite = until something
    /// happens) and append what is ready.
    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError>;

    /// An fd that becomes readable when events are ready (for embedding), or -1.
    fn fd(&self) -> i32 {
        -1
    }

    /// Hand the kernel everything queued (re-arms of completed one-shot polls),
    /// without waiting: a loop embedding this one watches `fd()` and would
    /// otherwise wait for readiness nobody asked the kernel about.
    fn flush(&mut self) {}

    /// After `fork`: drop the kernel object shared with the parent and start afresh
    /// with no fd registered; the loop re-announces every watched fd afterwards.
    fn reinit_after_fork(&mut self) -> Result<(), &'static str>;
}

/// One of the backends. An enum rather than a trait object so that a backend's
/// wait loop and the loop's sink are compiled together: readiness reports go
/// straight to the watchers.
pub enum AnyBackend {
    Select(select::Select),
    Poll(poll::Poll),
    Epoll(epoll::Epoll),
    LinuxAio(linuxaio::LinuxAio),
    IoUring(iouring::IoUring),
    IoUringEpoll(iouring_epoll::IoUringEpoll),
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            AnyBackend::Select($b) => $e,
            AnyBackend::Poll($b) => $e,
            AnyBackend::Epoll($b) => $e,
            AnyBackend::LinuxAio($b) => $e,
            AnyBackend::IoUring($b) => $e,
            AnyBackend::IoUringEpoll($b) => $e,
        }
    };
}

impl AnyBackend {
    pub fn id(&self) -> u32 {
        dispatch!(self, b => b.id())
    }
    pub fn mintime(&self) -> f64 {
        dispatch!(self, b => b.mintime())
    }
    pub fn fd(&self) -> i32 {
        dispatch!(self, b => b.fd())
    }
    #[inline]
    pub fn modify(&mut self, fd: i32, old: u8, new: u8) -> bool {
        dispatch!(self, b => b.modify(fd, old, new))
    }
    #[inline]
    pub fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        dispatch!(self, b => b.poll(timeout, out))
    }
    pub fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        dispatch!(self, b => b.reinit_after_fork())
    }
    pub fn flush(&mut self) {
        dispatch!(self, b => b.flush())
    }
}

/// Open the backend for the first of `flags`' bits that works here, in order of
/// preference.
pub fn open(flags: u32) -> Option<AnyBackend> {
    if flags & EVBACKEND_IOURING != 0 {
        if let Some(b) = iouring_epoll::IoUringEpoll::open() {
            return Some(AnyBackend::IoUringEpoll(b));
        }
        if let Some(b) = iouring::IoUring::open() {
            return Some(AnyBackend::IoUring(b));
        }
    }
    if flags & EVBACKEND_LINUXAIO != 0 {
        if let Some(b) = linuxaio::LinuxAio::open() {
            return Some(AnyBackend::LinuxAio(b));
        }
    }
    if flags & EVBACKEND_EPOLL != 0 {
        if let Some(b) = epoll::Epoll::open() {
            return Some(AnyBackend::Epoll(b));
        }
    }
    if flags & EVBACKEND_POLL != 0 {
        if let Some(b) = poll::Poll::open() {
            return Some(AnyBackend::Poll(b));
        }
    }
    if flags & EVBACKEND_SELECT != 0 {
        if let Some(b) = select::Select::open() {
            return Some(AnyBackend::Select(b));
        }
    }
    None
}

/// What this build can open on the running kernel.
pub fn supported() -> u32 {
    let mut s = EVBACKEND_EPOLL | EVBACKEND_POLL | EVBACKEND_SELECT;
    if iouring::available() {
        s |= EVBACKEND_IOURING;
    }
    if linuxaio::available() {
        s |= EVBACKEND_LINUXAIO;
    }
    s
}

/// The subset worth choosing automatically: the classic backends, as libev
/// recommends them, until measurements show io_uring ahead (see README).
pub fn recommended() -> u32 {
    // Always there on Linux; asking does not probe the kernel for the others
    // (the Linux AIO probe costs a context teardown), and a backend that fails
    // to open is skipped anyway.
    EVBACKEND_EPOLL | EVBACKEND_POLL | EVBACKEND_SELECT
}

/// Backends whose readiness can be watched from another loop (their fd is pollable).
pub fn embeddable() -> u32 {
    supported() & (EVBACKEND_EPOLL | EVBACKEND_IOURING)
}

/// The calling thread's errno.
#[inline]
pub(crate) fn errno() -> libc::c_int {
    // SAFETY: the calling thread's errno slot, always valid.
    unsafe { *libc::__errno_location() }
}

/// `EV_READ`/`EV_WRITE` as a poll(2) event mask.
pub(crate) fn poll_mask(mask: u8) -> i16 {
    let m = mask as i32;
    (if m & crate::abi::EV_READ != 0 { libc::POLLIN } else { 0 }) | (if m & crate::abi::EV_WRITE != 0 { libc::POLLOUT } else { 0 })
}

/// A poll(2) result mask as `EV_READ`/`EV_WRITE`; errors and hangups wake both
/// directions, as they do in libev.
pub(crate) fn revents_from_poll(r: i16) -> i32 {
    // A table over the five low poll bits (IN, PRI, OUT, ERR, HUP): one load on
    // the per-event path instead of two tests and their merging.
    const fn entry(r: i16) -> u8 {
        let mut got = 0;
        if r & (libc::POLLOUT | libc::POLLERR | libc::POLLHUP) != 0 {
            got |= crate::abi::EV_WRITE as u8;
        }
        if r & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0 {
            got |= crate::abi::EV_READ as u8;
        }
        got
    }
    const TABLE: [u8; 32] = {
        let mut t = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            t[i] = entry(i as i16);
            i += 1;
        }
        t
    };
    TABLE[(r & 0x1f) as usize] as i32
}

/// A relative timeout as a timespec (meaningful only when finite).
pub fn timespec(timeout: f64) -> libc::timespec {
    let t = timeout.max(0.0);
    libc::timespec { tv_sec: t.floor() as libc::time_t, tv_nsec: ((t - t.floor()) * 1e9) as libc::c_long }
}

/// Incremented in every child process right after `fork`. Kernel objects that do
/// not survive a fork (AIO contexts) or must not be shared with the parent
/// (io_uring rings) are re-created when a backend sees it change, even if the
/// program never calls `ev_loop_fork`.
static FORK_GENERATION: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

extern "C" fn note_fork_in_child() {
    FORK_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Register the hook that counts forks (once; backends that need it call this
/// when they open, before anything can fork with them).
pub fn watch_forks() {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        // SAFETY: registering a child hook that only touches an atomic.
        unsafe { libc::pthread_atfork(None, None, Some(note_fork_in_child)) };
    });
}

/// How many forks this process descends from since `watch_forks`.
#[inline]
pub fn fork_generation() -> u32 {
    FORK_GENERATION.load(std::sync::atomic::Ordering::Relaxed)
}

/// Convert a timeout in seconds to whole milliseconds, rounding up so a wait never
/// returns before the timer it was computed for is due.
pub fn timeout_ms(timeout: f64) -> i32 {
    if timeout <= 0.0 {
        0
    } else if timeout.is_infinite() {
        -1
    } else {
        (timeout * 1e3 + 0.9999).min(i32::MAX as f64) as i32
    }
}
