//! The Linux AIO backend: readiness through one-shot `IOCB_CMD_POLL` requests.
//!
//! - All arms of one iteration go to the kernel in one `io_submit`; a poll that
//!   completed is re-armed in the next batch (one-shot polls re-checked on arm
//!   keep libev's level-triggered contract).
//! - Completions are read straight from the ring the kernel maps at the context
//!   address, after checking its header; `io_getevents` is called only when the
//!   ring is empty, or always if the header is not what we know.
//! - The user data carries the fd and a per-fd generation so completions of
//!   cancelled or replaced requests are ignored.
//! - An fd the kernel will not poll this way (`EINVAL`) moves to an epoll set run
//!   inside this backend. A full context (`EAGAIN`) is re-created larger with every
//!   fd re-armed; if no context can be had, every fd moves to that epoll set.

use super::epoll::Epoll;
use super::{reregistration, Counted, Sink, errno, Backend, FdEvent, PollError};
use crate::abi::{EVBACKEND_LINUXAIO, EV_READ};
use libc::{c_int, c_long};
use std::sync::atomic::{AtomicU32, Ordering};

const IOCB_CMD_POLL: u16 = 5;
const AIO_RING_MAGIC: u32 = 0xa10a_10a1;
/// Slots of a new context; growing it costs a context teardown (an RCU grace
/// period, ~30 ms), so start with room and grow fourfold.
const INITIAL_SLOTS: usize = 1024;

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct Iocb {
    aio_data: u64,
    aio_key: u32,
    aio_rw_flags: i32,
    aio_lio_opcode: u16,
    aio_reqprio: i16,
    aio_fildes: u32,
    aio_buf: u64,
    aio_nbytes: u64,
    aio_offset: i64,
    aio_reserved2: u64,
    aio_flags: u32,
    aio_resfd: u32,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct IoEvent {
    data: u64,
    obj: u64,
    res: i64,
    res2: i64,
}

/// The header of the completion ring mapped at the context address.
#[repr(C)]
struct AioRing {
    id: u32,
    nr: u32,
    head: AtomicU32,
    tail: AtomicU32,
    magic: u32,
    compat_features: u32,
    incompat_features: u32,
    header_length: u32,
}

const _: () = assert!(std::mem::size_of::<Iocb>() == 64);
const _: () = assert!(std::mem::size_of::<IoEvent>() == 32);
const _: () = assert!(std::mem::size_of::<AioRing>() == 32);


fn io_setup(slots: usize) -> Option<u64> {
    if std::env::var_os("LIBEV_TEST_NO_AIO_CONTEXT").is_some() && slots > INITIAL_SLOTS {
        // Test-only switch: behave as if aio-max-nr were reached when growing.
        return None;
    }
    let mut ctx: u64 = 0;
    // SAFETY: io_setup with a valid out pointer.
    let r = unsafe { libc::syscall(libc::SYS_io_setup, slots as c_long, &mut ctx as *mut u64) };
    (r == 0).then_some(ctx)
}

fn io_destroy(ctx: u64) {
    // SAFETY: destroying our own context.
    unsafe { libc::syscall(libc::SYS_io_destroy, ctx) };
}

#[derive(Clone, Copy, Default)]
struct FdState {
    want: u8,
    armed: u8,
    generation: u32,
    fallback: bool,
    /// (st_dev, st_ino) of the file when it was registered.
    ident: (u64, u64),
}

pub struct LinuxAio {
    ctx: u64,
    slots: usize,
    /// The mapped ring may be read directly.
    ring_ok: bool,
    fds: Vec<FdState>,
    /// One request block per fd, at a stable address (the kernel identifies a
    /// request for `io_cancel` by it).
    iocbs: Vec<Box<Iocb>>,
    /// fds to arm with the next submit.
    to_arm: Vec<i32>,
    batch: Vec<*mut Iocb>,
    events: Vec<IoEvent>,
    fallback: Option<Epoll>,
    /// `fork_generation()` when the context was made.
    forked: u32,
    /// The fallback epoll set became readable.
    fallback_ready: bool,
}


/// signalfd and inotify wake their pollers without an event mask, so the kernel
/// completes an AIO poll on them from a worker thread, a moment later: a loop
/// run with EVRUN_NOWAIT would see the event only some iterations later. They
/// go to the epoll fallback, whose wakeups are immediate. Checked when an fd is
/// (re)registered, where the fd may have become a different file.
fn completes_late(fd: c_int, st: &libc::stat) -> bool {
    if st.st_mode & libc::S_IFMT != 0 {
        return false; // anonymous inodes have no file type bits
    }
    let path = format!("/proc/self/fd/{fd}\0");
    let mut buf = [0u8; 64];
    // SAFETY: readlink into our buffer.
    let n = unsafe { libc::readlink(path.as_ptr() as *const libc::c_char, buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    if n <= 0 {
        return false;
    }
    let name = &buf[..n as usize];
    name.windows(8).any(|w| w == b"signalfd") || name.windows(7).any(|w| w == b"inotify")
}

/// Probe once whether AIO polling works here.
pub fn available() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(probe)
}

/// A context can be made and a poll on a pipe completes.
fn probe() -> bool {
    let Some(ctx) = io_setup(4) else { return false };
    let mut p = [0 as c_int; 2];
    // SAFETY: plain syscalls on our own fds, iocb and context.
    let ok = unsafe {
        if libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            io_destroy(ctx);
            return false;
        }
        let mut cb = Iocb { aio_lio_opcode: IOCB_CMD_POLL, aio_fildes: p[1] as u32, aio_buf: libc::POLLOUT as u64, ..Iocb::default() };
        let mut list = [&mut cb as *mut Iocb];
        let mut ev = IoEvent::default();
        let ts = libc::timespec { tv_sec: 1, tv_nsec: 0 };
        libc::syscall(libc::SYS_io_submit, ctx, 1 as c_long, list.as_mut_ptr()) == 1
            && libc::syscall(libc::SYS_io_getevents, ctx, 1 as c_long, 1 as c_long, &mut ev as *mut IoEvent, &ts) == 1
            && ev.res > 0
    };
    // SAFETY: our own fds.
    unsafe {
        libc::close(p[0]);
        libc::close(p[1]);
    }
    // The 4-slot context is kept for the life of the process: destroying one
    // waits for an RCU grace period (tens of milliseconds), which every program
    // asking ev_supported_backends() would pay.
    ok
}

impl LinuxAio {
    pub fn open() -> Option<Self> {
        if !available() {
            return None;
        }
        super::watch_forks();
        let ctx = io_setup(INITIAL_SLOTS)?;
        let mut b = LinuxAio {
            ctx,
            slots: INITIAL_SLOTS,
            ring_ok: false,
            fds: Vec::new(),
            iocbs: Vec::new(),
            to_arm: Vec::new(),
            batch: Vec::new(),
            events: vec![IoEvent::default(); 64],
            fallback: None,
            forked: super::fork_generation(),
            fallback_ready: false,
        };
        b.ring_ok = b.check_ring();
        Some(b)
    }

    fn check_ring(&self) -> bool {
        // SAFETY: the context id is the address of the kernel's ring mapping.
        let r = unsafe { &*(self.ctx as *const AioRing) };
        r.magic == AIO_RING_MAGIC && r.incompat_features == 0 && r.header_length as usize == std::mem::size_of::<AioRing>()
    }

    fn state(&mut self, fd: i32) -> &mut FdState {
        let i = fd as usize;
        if i >= self.fds.len() {
            let len = (i + 1).max(64);
            self.fds.resize(len, FdState::default());
            while self.iocbs.len() < len {
                self.iocbs.push(Box::default());
            }
        }
        &mut self.fds[i]
    }

    fn fallback(&mut self) -> Option<&mut Epoll> {
        if self.fallback.is_none() {
            self.fallback = Epoll::open();
        }
        self.fallback.as_mut()
    }

    fn move_to_fallback(&mut self, fd: i32) -> bool {
        let want = self.fds[fd as usize].want;
        self.fds[fd as usize].fallback = true;
        self.fds[fd as usize].armed = 0;
        match self.fallback() {
            Some(ep) => ep.modify(fd, 0, want),
            None => false,
        }
    }

    /// Cancel the request in flight for `fd`, if any.
    fn cancel(&mut self, fd: i32) {
        let st = &mut self.fds[fd as usize];
        if st.armed == 0 {
            return;
        }
        st.armed = 0;
        st.generation = st.generation.wrapping_add(1);
        let cb: *mut Iocb = &mut *self.iocbs[fd as usize];
        let mut ev = IoEvent::default();
        // SAFETY: cancelling our own request by its block's address.
        unsafe { libc::syscall(libc::SYS_io_cancel, self.ctx, cb, &mut ev as *mut IoEvent) };
    }

    /// A context four times as large with every fd re-armed; or epoll alone if none can be had.
    fn grow(&mut self) {
        let slots = self.slots * 4;
        match io_setup(slots) {
            Some(ctx) => {
                io_destroy(self.ctx);
                self.ctx = ctx;
                self.slots = slots;
                self.ring_ok = self.check_ring();
                self.rearm_all();
            }
            None => {
                io_destroy(self.ctx);
                self.ctx = 0;
                for fd in 0..self.fds.len() as i32 {
                    let st = self.fds[fd as usize];
                    if st.want != 0 && !st.fallback {
                        self.move_to_fallback(fd);
                    }
                }
                self.to_arm.clear();
            }
        }
    }

    fn rearm_all(&mut self) {
        self.to_arm.clear();
        for (fd, st) in self.fds.iter_mut().enumerate() {
            st.armed = 0;
            st.generation = st.generation.wrapping_add(1);
            if st.want != 0 && !st.fallback {
                self.to_arm.push(fd as i32);
            }
        }
    }

    /// Submit every pending arm in as few `io_submit` calls as the kernel allows.
    fn submit<S: Sink>(&mut self, out: &mut S) {
        let mut arms = std::mem::take(&mut self.to_arm);
        arms.retain(|&fd| {
            let st = self.fds[fd as usize];
            st.want != 0 && st.armed == 0 && !st.fallback
        });
        arms.sort_unstable();
        arms.dedup();
        self.batch.clear();
        for &fd in &arms {
            let st = &mut self.fds[fd as usize];
            st.generation = st.generation.wrapping_add(1);
            st.armed = st.want;
            let cb = &mut self.iocbs[fd as usize];
            **cb = Iocb {
                aio_data: (fd as u32 as u64) | ((st.generation as u64) << 32),
                aio_lio_opcode: IOCB_CMD_POLL,
                aio_fildes: fd as u32,
                aio_buf: super::poll_mask(st.want) as u64,
                ..Iocb::default()
            };
            self.batch.push(&mut **cb);
        }
        let mut done = 0;
        while done < self.batch.len() && !self.epoll_only() {
            // SAFETY: the batch points at our stable request blocks.
            let r = unsafe {
                libc::syscall(libc::SYS_io_submit, self.ctx, (self.batch.len() - done) as c_long, self.batch.as_mut_ptr().add(done))
            };
            if r > 0 {
                done += r as usize;
                continue;
            }
            let fd = arms[done];
            match errno() {
                libc::EAGAIN => {
                    // Context full: start over with a bigger one (re-arms all).
                    self.grow();
                    return self.submit(out);
                }
                libc::EBADF => {
                    self.fds[fd as usize].armed = 0;
                    out.bad(fd);
                }
                _ => {
                    // EINVAL and friends: this fd cannot be polled through AIO.
                    if !self.move_to_fallback(fd) {
                        out.bad(fd);
                    }
                }
            }
            done += 1;
        }
        // Hand the buffer back: no allocation per iteration.
        if self.to_arm.is_empty() {
            arms.clear();
            self.to_arm = arms;
        }
    }

    fn handle<S: Sink>(&mut self, ev: IoEvent, out: &mut S) {
        let fd = (ev.data & 0xffff_ffff) as i32;
        let generation = (ev.data >> 32) as u32;
        let Some(st) = self.fds.get_mut(fd as usize) else { return };
        if st.generation != generation || st.armed == 0 {
            return;
        }
        st.armed = 0;
        if ev.res < 0 {
            if -ev.res == libc::EBADF as i64 {
                out.bad(fd);
            }
            return;
        }
        let r = ev.res as i16;
        let mut got = super::revents_from_poll(r);
        got &= st.want as c_int;
        if st.want != 0 {
            self.to_arm.push(fd);
        }
        if got == 0 {
            return;
        }
        if self.fallback.as_ref().is_some_and(|ep| ep.fd() == fd) {
            self.fallback_ready = true;
        } else {
            out.push(FdEvent { fd, revents: got });
        }
    }

    /// Take completions from the mapped ring without a syscall.
    fn reap_ring<S: Sink>(&mut self, out: &mut S) -> usize {
        if !self.ring_ok {
            return 0;
        }
        // SAFETY: the ring lies at the context address; events between head and
        // tail are complete once the tail is read with acquire ordering.
        unsafe {
            let ring = &*(self.ctx as *const AioRing);
            let nr = ring.nr;
            let events = (self.ctx as *const u8).add(std::mem::size_of::<AioRing>()) as *const IoEvent;
            let mut head = ring.head.load(Ordering::Relaxed);
            let tail = ring.tail.load(Ordering::Acquire);
            let mut n = 0;
            while head != tail {
                let ev = *events.add(head as usize);
                head = (head + 1) % nr;
                n += 1;
                self.handle(ev, out);
            }
            ring.head.store(head, Ordering::Release);
            n
        }
    }
}

impl Drop for LinuxAio {
    fn drop(&mut self) {
        if self.ctx != 0 && self.forked == super::fork_generation() {
            io_destroy(self.ctx);
        }
    }
}

impl Backend for LinuxAio {
    fn id(&self) -> u32 {
        EVBACKEND_LINUXAIO
    }

    fn mintime(&self) -> f64 {
        1e-6
    }

    fn modify(&mut self, fd: i32, old: u8, new: u8) -> bool {
        if self.own_kernel_objects().is_err() {
            return false;
        }
        let st = *self.state(fd);
        self.fds[fd as usize].want = new;
        if st.fallback {
            if new == 0 {
                self.fds[fd as usize].fallback = false;
            }
            return self.fallback.as_mut().map_or(false, |ep| ep.modify(fd, old, new));
        }
        if self.epoll_only() {
            return if new != 0 { self.move_to_fallback(fd) } else { true };
        }
        if let Some((file, unchanged)) = reregistration(fd, old, new, st.armed, &mut self.fds[fd as usize].ident) {
            if unchanged {
                return true;
            }
            if completes_late(fd, &file) {
                self.cancel(fd);
                return self.move_to_fallback(fd);
            }
        }
        self.cancel(fd);
        if new != 0 {
            self.to_arm.push(fd);
        }
        true
    }

    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        let out = &mut Counted::new(out);
        // A child that did not call ev_loop_fork: the context (and the ring
        // mapping, shared with the parent) must not be touched.
        self.own_kernel_objects().map_err(PollError::Fatal)?;
        self.submit(out);
        let fallback_fd = self.fallback.as_ref().map(|ep| ep.fd());
        if let Some(epfd) = fallback_fd {
            // The fallback's fd is watched like any other, through AIO, unless AIO
            // is gone altogether, in which case epoll does the waiting.
            if self.epoll_only() {
                return self.fallback.as_mut().expect("fallback").poll(if out.count == 0 { timeout } else { 0.0 }, out);
            }
            self.fds_fallback_arm(epfd, out);
        }
        // Completions of cancelled or replaced requests are dropped; keep waiting
        // until something real arrives or the timeout passes.
        self.reap_ring(out);
        self.poll_fallback(out)?;
        let deadline = crate::core::time::monotonic() + timeout.max(0.0);
        let mut first = true;
        while out.count == 0 {
            // Completed polls of fds still wanted are re-armed before waiting.
            if !self.to_arm.is_empty() {
                self.submit(out);
                self.reap_ring(out);
                self.poll_fallback(out)?;
                if out.count != 0 {
                    break;
                }
            }
            let left = if first { timeout.max(0.0) } else { deadline - crate::core::time::monotonic() };
            if !first && left <= 0.0 {
                break;
            }
            first = false;
            let ts = super::timespec(left);
            let tsp: *const libc::timespec = if left.is_infinite() { std::ptr::null() } else { &ts };
            // SAFETY: our context and event buffer.
            let n = unsafe {
                libc::syscall(libc::SYS_io_getevents, self.ctx, 1 as c_long, self.events.len() as c_long, self.events.as_mut_ptr(), tsp)
            };
            if n < 0 {
                if errno() == libc::EINTR {
                    break;
                }
                return Err(PollError::Fatal("(libev) linuxaio io_getevents"));
            }
            for i in 0..n as usize {
                let ev = self.events[i];
                self.handle(ev, out);
            }
            if n as usize == self.events.len() {
                let len = self.events.len() * 2;
                self.events.resize(len, IoEvent::default());
            }
            self.poll_fallback(out)?;
            if n == 0 || left <= 0.0 {
                break;
            }
        }
        Ok(())
    }

    fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        self.new_context()?;
        self.fds.iter_mut().for_each(|s| *s = FdState { generation: s.generation.wrapping_add(1), ..FdState::default() });
        self.to_arm.clear();
        if let Some(ep) = &mut self.fallback {
            ep.reinit_after_fork()?;
        }
        Ok(())
    }
}

impl LinuxAio {
    /// No context could be had (`ctx` 0): everything runs on the fallback.
    fn epoll_only(&self) -> bool {
        self.ctx == 0
    }

    /// The context belongs to the parent's address space; the child gets its own.
    fn new_context(&mut self) -> Result<(), &'static str> {
        self.ctx = io_setup(self.slots).ok_or("(libev) linuxaio io_setup")?;
        self.ring_ok = self.check_ring();
        self.forked = super::fork_generation();
        Ok(())
    }

    /// Forked without ev_loop_fork: keep every fd's wanted mask and re-arm it in
    /// the child's own context and epoll set.
    fn recreate_in_child(&mut self) -> Result<(), &'static str> {
        self.new_context()?;
        self.rearm_all();
        if let Some(ep) = &mut self.fallback {
            ep.fresh_set()?;
        }
        Ok(())
    }

    /// In a child forked without ev_loop_fork, take our own kernel objects before
    /// touching any: the parent's context and epoll set must not change.
    #[inline]
    fn own_kernel_objects(&mut self) -> Result<(), &'static str> {
        if self.forked == super::fork_generation() {
            return Ok(());
        }
        self.ctx = 0;
        self.recreate_in_child()
    }

    /// The fallback epoll set said it has something: collect it.
    fn poll_fallback<S: Sink>(&mut self, out: &mut S) -> Result<(), PollError> {
        if std::mem::take(&mut self.fallback_ready) {
            if let Some(ep) = &mut self.fallback {
                ep.poll(0.0, out)?;
            }
        }
        Ok(())
    }

    /// The fallback epoll set is itself polled through AIO under its own fd slot.
    fn fds_fallback_arm<S: Sink>(&mut self, epfd: i32, out: &mut S) {
        let st = *self.state(epfd);
        if st.armed == 0 {
            self.fds[epfd as usize].want = EV_READ as u8;
            self.to_arm.push(epfd);
            self.submit(out);
        }
    }
}
