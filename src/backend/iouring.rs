//! The io_uring backend on kernels without `IORING_OP_EPOLL_WAIT` (before 6.15;
//! see `iouring_epoll` for the newer ones): readiness through
//! `IORING_OP_POLL_ADD`. `LIBEV_TEST_IOURING_POLL=1` selects it everywhere.
//!
//! - Every change of one iteration is queued in the submission ring and handed to
//!   the kernel by the same `io_uring_enter` that waits, with the timeout passed
//!   in the call (`IORING_ENTER_EXT_ARG`): one syscall per iteration. When
//!   completions are already in the ring and there is nothing to submit, no
//!   syscall at all.
//! - Polls are one-shot and re-armed after each event, in that same call. This is
//!   what keeps libev's level-triggered contract: a re-armed poll reports an fd that
//!   is still ready at once. Multishot polls are edge-triggered (a new completion
//!   only on a new wakeup), so a callback that leaves data unread would never hear
//!   of it again; they are not used for that reason.
//! - The user data of each poll carries the fd and a per-fd generation, so
//!   completions of removed or replaced polls are recognised and dropped.
//! - `IORING_FEAT_NODROP` is required: completions that do not fit the completion
//!   ring wait in the kernel and are flushed by the next enter, never lost.
//! - fds the kernel will not poll this way move to an epoll set run inside this
//!   backend, whose own fd is polled through the ring.

use super::epoll::Epoll;
use super::{reregistration, Counted, Sink, errno, Backend, FdEvent, PollError};
use crate::abi::EVBACKEND_IOURING;
use libc::{c_int, c_long, c_void};
use std::sync::atomic::{AtomicU32, Ordering};

const SYS_IO_URING_SETUP: c_long = 425;
const SYS_IO_URING_ENTER: c_long = 426;
const SYS_IO_URING_REGISTER: c_long = 427;

const IORING_OFF_SQ_RING: i64 = 0;
const IORING_OFF_CQ_RING: i64 = 0x800_0000;
const IORING_OFF_SQES: i64 = 0x1000_0000;

const IORING_SETUP_CQSIZE: u32 = 1 << 3;
const IORING_SETUP_CLAMP: u32 = 1 << 4;
const IORING_FEAT_SINGLE_MMAP: u32 = 1 << 0;
const IORING_FEAT_NODROP: u32 = 1 << 1;
const IORING_FEAT_EXT_ARG: u32 = 1 << 8;
const IORING_ENTER_GETEVENTS: u32 = 1 << 0;
const IORING_ENTER_EXT_ARG: u32 = 1 << 3;
const IORING_SQ_CQ_OVERFLOW: u32 = 1 << 1;
const IORING_OP_POLL_ADD: u8 = 6;
const IORING_OP_POLL_REMOVE: u8 = 7;
pub(super) const IORING_OP_ASYNC_CANCEL: u8 = 14;
pub(super) const IORING_OP_EPOLL_WAIT: u8 = 59;

/// Submission entries; the ring is re-created larger when a batch outgrows it.
const SQ_ENTRIES: u32 = 1024;
/// The kernel sizes its hash of cancellable requests (searched by every
/// POLL_REMOVE) from the completion ring: 8 x the submission ring gives the
/// largest it makes (256 chains), and room for a burst of completions.
const CQ_ENTRIES: u32 = 8 * SQ_ENTRIES;

/// User data of requests whose completion carries nothing for us (removals).
const IGNORED: u64 = u64::MAX;
/// The fd slot used for the fallback epoll set's own poll.
const FALLBACK_TAG: u32 = u32::MAX - 1;

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct SqringOffsets {
    head: u32,
    tail: u32,
    ring_mask: u32,
    ring_entries: u32,
    flags: u32,
    dropped: u32,
    array: u32,
    resv1: u32,
    user_addr: u64,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct CqringOffsets {
    head: u32,
    tail: u32,
    ring_mask: u32,
    ring_entries: u32,
    overflow: u32,
    cqes: u32,
    flags: u32,
    resv1: u32,
    user_addr: u64,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct Params {
    sq_entries: u32,
    cq_entries: u32,
    flags: u32,
    sq_thread_cpu: u32,
    sq_thread_idle: u32,
    features: u32,
    wq_fd: u32,
    resv: [u32; 3],
    sq_off: SqringOffsets,
    cq_off: CqringOffsets,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
pub(super) struct Sqe {
    pub opcode: u8,
    pub flags: u8,
    pub ioprio: u16,
    pub fd: i32,
    pub off: u64,
    pub addr: u64,
    pub len: u32,
    pub op_flags: u32,
    pub user_data: u64,
    pub buf_index: u16,
    pub personality: u16,
    pub splice_fd_in: i32,
    pub addr3: u64,
    pub pad: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub(super) struct Cqe {
    pub user_data: u64,
    pub res: i32,
    flags: u32,
}

#[repr(C)]
struct GeteventsArg {
    sigmask: u64,
    sigmask_sz: u32,
    min_wait_usec: u32,
    ts: u64,
}

const _: () = assert!(std::mem::size_of::<Sqe>() == 64);
const _: () = assert!(std::mem::size_of::<Cqe>() == 16);
const _: () = assert!(std::mem::size_of::<Params>() == 120);


/// The mapped rings of one io_uring instance.
pub(super) struct Ring {
    fd: c_int,
    sq_map: *mut c_void,
    sq_map_len: usize,
    cq_map: *mut c_void,
    cq_map_len: usize,
    sqes: *mut Sqe,
    sqes_len: usize,
    sq_head: *const AtomicU32,
    sq_tail: *const AtomicU32,
    sq_mask: u32,
    sq_entries: u32,
    sq_flags: *const AtomicU32,
    sq_array: *mut u32,
    cq_head: *const AtomicU32,
    cq_tail: *const AtomicU32,
    cq_mask: u32,
    cqes: *const Cqe,
    /// Local copy of the submission tail, published before each enter.
    sq_local_tail: u32,
    /// Entries written since the last enter.
    to_submit: u32,
    /// Completions taken out of the ring to make room for submissions.
    held: Vec<Cqe>,
}

impl Ring {
    pub(super) fn open(entries: u32, cq_entries: u32) -> Option<Ring> {
        if std::env::var_os("LIBEV_TEST_NO_IOURING").is_some() {
            // Test-only switch: behave as if io_uring were disabled by the sysctl.
            return None;
        }
        let mut p = Params { flags: IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP, cq_entries, ..Params::default() };
        // SAFETY: io_uring_setup with a valid params struct.
        let fd = unsafe { libc::syscall(SYS_IO_URING_SETUP, entries, &mut p as *mut Params) } as c_int;
        if fd < 0 {
            return None;
        }
        let needed = IORING_FEAT_NODROP | IORING_FEAT_EXT_ARG;
        if p.features & needed != needed {
            // SAFETY: our own fd.
            unsafe { libc::close(fd) };
            return None;
        }
        let sq_len = p.sq_off.array as usize + p.sq_entries as usize * 4;
        let cq_len = p.cq_off.cqes as usize + p.cq_entries as usize * std::mem::size_of::<Cqe>();
        let single = p.features & IORING_FEAT_SINGLE_MMAP != 0;
        let map = |len: usize, off: i64| -> *mut c_void {
            // SAFETY: mapping the ring regions the kernel offers at these offsets.
            let m = unsafe {
                libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED | libc::MAP_POPULATE, fd, off)
            };
            if m == libc::MAP_FAILED {
                std::ptr::null_mut()
            } else {
                m
            }
        };
        let sq_map_len = if single { sq_len.max(cq_len) } else { sq_len };
        let sq_map = map(sq_map_len, IORING_OFF_SQ_RING);
        let (cq_map, cq_map_len) = if single { (sq_map, 0) } else { (map(cq_len, IORING_OFF_CQ_RING), cq_len) };
        let sqes_len = p.sq_entries as usize * std::mem::size_of::<Sqe>();
        let sqes = map(sqes_len, IORING_OFF_SQES) as *mut Sqe;
        let mut ring = Ring {
            fd,
            sq_map,
            sq_map_len,
            cq_map,
            cq_map_len,
            sqes,
            sqes_len,
            sq_head: std::ptr::null(),
            sq_tail: std::ptr::null(),
            sq_mask: 0,
            sq_entries: p.sq_entries,
            sq_flags: std::ptr::null(),
            sq_array: std::ptr::null_mut(),
            cq_head: std::ptr::null(),
            cq_tail: std::ptr::null(),
            cq_mask: 0,
            cqes: std::ptr::null(),
            sq_local_tail: 0,
            to_submit: 0,
            held: Vec::new(),
        };
        if sq_map.is_null() || cq_map.is_null() || sqes.is_null() {
            return None; // Drop unmaps what was mapped.
        }
        // SAFETY: the offsets come from the kernel and lie inside the mappings.
        unsafe {
            let sq = sq_map as *mut u8;
            let cq = cq_map as *mut u8;
            ring.sq_head = sq.add(p.sq_off.head as usize) as *const AtomicU32;
            ring.sq_tail = sq.add(p.sq_off.tail as usize) as *const AtomicU32;
            ring.sq_mask = *(sq.add(p.sq_off.ring_mask as usize) as *const u32);
            ring.sq_flags = sq.add(p.sq_off.flags as usize) as *const AtomicU32;
            ring.sq_array = sq.add(p.sq_off.array as usize) as *mut u32;
            ring.cq_head = cq.add(p.cq_off.head as usize) as *const AtomicU32;
            ring.cq_tail = cq.add(p.cq_off.tail as usize) as *const AtomicU32;
            ring.cq_mask = *(cq.add(p.cq_off.ring_mask as usize) as *const u32);
            ring.cqes = cq.add(p.cq_off.cqes as usize) as *const Cqe;
            ring.sq_local_tail = (*ring.sq_tail).load(Ordering::Relaxed);
        }
        Some(ring)
    }

    /// Hand the queued entries to the kernel and, with `wait`, wait for at least
    /// one completion or `timeout`.
    pub(super) fn enter(&mut self, wait: bool, timeout: f64) -> Result<(), c_int> {
        // SAFETY: publishing the tail after the entries were written.
        unsafe { (*self.sq_tail).store(self.sq_local_tail, Ordering::Release) };
        let ts = super::timespec(timeout);
        // No timespec: wait until a completion arrives.
        let tsp = if timeout.is_infinite() { 0 } else { &ts as *const _ as u64 };
        let arg = GeteventsArg { sigmask: 0, sigmask_sz: 0, min_wait_usec: 0, ts: tsp };
        let flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
        let min_complete: u32 = if wait { 1 } else { 0 };
        // SAFETY: io_uring_enter on our ring with a valid extended argument.
        let r = unsafe {
            libc::syscall(
                SYS_IO_URING_ENTER,
                self.fd,
                self.to_submit,
                min_complete,
                flags,
                &arg as *const GeteventsArg,
                std::mem::size_of::<GeteventsArg>(),
            )
        };
        if r >= 0 {
            // Entries the kernel did not take (a completion backlog) stay queued
            // and go with the next enter.
            self.to_submit -= (r as u32).min(self.to_submit);
            return Ok(());
        }
        match errno() {
            libc::EINTR | libc::ETIME | libc::EBUSY | libc::EAGAIN => Ok(()),
            e => Err(e),
        }
    }

    fn cq_overflowed(&self) -> bool {
        // SAFETY: reading the kernel-shared flags word.
        unsafe { (*self.sq_flags).load(Ordering::Acquire) & IORING_SQ_CQ_OVERFLOW != 0 }
    }

    fn sq_space(&self) -> u32 {
        // SAFETY: reading the kernel-shared head.
        let head = unsafe { (*self.sq_head).load(Ordering::Acquire) };
        self.sq_entries - self.sq_local_tail.wrapping_sub(head)
    }

    /// Queue one entry, flushing the ring to the kernel first if it is full.
    #[inline]
    pub(super) fn push(&mut self, sqe: Sqe) -> Result<(), c_int> {
        let mut tries = 0;
        while self.sq_space() == 0 {
            self.enter(false, 0.0)?;
            if self.sq_space() == 0 {
                // The kernel will not take more while completions wait to be
                // reaped: hold them (they are handed out by the next `reap`).
                let mut held = std::mem::take(&mut self.held);
                self.reap(|c| held.push(c));
                self.held = held;
                tries += 1;
                if tries > 64 {
                    return Err(libc::EBUSY);
                }
            }
        }
        let idx = self.sq_local_tail & self.sq_mask;
        // SAFETY: idx < sq_entries; the slot is free (head has passed it).
        unsafe {
            *self.sqes.add(idx as usize) = sqe;
            *self.sq_array.add(idx as usize) = idx;
        }
        self.sq_local_tail = self.sq_local_tail.wrapping_add(1);
        self.to_submit += 1;
        Ok(())
    }

    /// Does this kernel know opcode `op` (`IORING_REGISTER_PROBE`)?
    pub(super) fn supports(&self, op: u8) -> bool {
        const IORING_REGISTER_PROBE: c_long = 8;
        const IO_URING_OP_SUPPORTED: u16 = 1;
        const OPS: usize = 256;
        // struct io_uring_probe: last_op, ops_len, resv, resv2[3], then
        // io_uring_probe_op { op, resv, flags, resv2 } per opcode.
        let mut buf = vec![0u64; 2 + OPS];
        // SAFETY: a buffer large enough for the header and OPS entries.
        let r = unsafe { libc::syscall(SYS_IO_URING_REGISTER, self.fd, IORING_REGISTER_PROBE, buf.as_mut_ptr(), OPS as u32) };
        if r < 0 {
            return false;
        }
        let last_op = (buf[0] & 0xff) as u8;
        let flags = (buf[2 + op as usize] >> 16) as u16;
        op <= last_op && flags & IO_URING_OP_SUPPORTED != 0
    }

    fn has_completions(&self) -> bool {
        if !self.held.is_empty() {
            return true;
        }
        // SAFETY: reading kernel-shared ring indices.
        unsafe { (*self.cq_head).load(Ordering::Relaxed) != (*self.cq_tail).load(Ordering::Acquire) }
    }

    /// Take every completion currently in the ring.
    pub(super) fn reap(&mut self, mut f: impl FnMut(Cqe)) {
        for c in self.held.drain(..) {
            f(c);
        }
        // SAFETY: entries between head and tail are written by the kernel before it
        // publishes the tail (acquire); we release the head after reading them.
        unsafe {
            let mut head = (*self.cq_head).load(Ordering::Relaxed);
            let tail = (*self.cq_tail).load(Ordering::Acquire);
            while head != tail {
                f(*self.cqes.add((head & self.cq_mask) as usize));
                head = head.wrapping_add(1);
            }
            (*self.cq_head).store(head, Ordering::Release);
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mappings and closing our own fd.
        unsafe {
            if !self.sqes.is_null() {
                libc::munmap(self.sqes as *mut c_void, self.sqes_len);
            }
            if !self.cq_map.is_null() && self.cq_map_len != 0 {
                libc::munmap(self.cq_map, self.cq_map_len);
            }
            if !self.sq_map.is_null() {
                libc::munmap(self.sq_map, self.sq_map_len);
            }
            libc::close(self.fd);
        }
    }
}

#[derive(Clone, Copy, Default)]
struct FdState {
    want: u8,
    /// Mask of the poll in flight (0: none).
    armed: u8,
    generation: u32,
    /// The kernel refused to poll it here: it lives in the epoll fallback.
    fallback: bool,
    /// `file_identity` when last registered.
    ident: (u64, u64),
}

pub struct IoUring {
    ring: Ring,
    fds: Vec<FdState>,
    /// fds whose poll completed and that must be re-armed with the next enter.
    rearm: Vec<i32>,
    fallback: Option<Epoll>,
    fallback_armed: bool,
    fallback_generation: u32,
    /// `fork_generation()` when the ring was made.
    forked: u32,
}


fn user_data(fd: u32, generation: u32) -> u64 {
    (fd as u64) | ((generation as u64) << 32)
}

/// Probe once whether io_uring works here with what this backend needs.
pub fn available() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| Ring::open(4, 32).is_some())
}

impl IoUring {
    pub fn open() -> Option<Self> {
        super::watch_forks();
        let ring = Ring::open(SQ_ENTRIES, CQ_ENTRIES)?;
        Some(IoUring {
            ring,
            fds: Vec::new(),
            rearm: Vec::new(),
            fallback: None,
            fallback_armed: false,
            fallback_generation: 0,
            forked: super::fork_generation(),
        })
    }

    fn state(&mut self, fd: i32) -> &mut FdState {
        let i = fd as usize;
        if i >= self.fds.len() {
            self.fds.resize((i + 1).max(64), FdState::default());
        }
        &mut self.fds[i]
    }

    #[inline]
    fn arm(&mut self, fd: i32, mask: u8) -> Result<(), c_int> {
        // Every caller has the fd in the table already (`modify` made room).
        let st = &mut self.fds[fd as usize];
        st.generation = st.generation.wrapping_add(1);
        st.armed = mask;
        let ud = user_data(fd as u32, st.generation);
        self.ring.push(Sqe { opcode: IORING_OP_POLL_ADD, fd, op_flags: super::poll_mask(mask) as u32, user_data: ud, ..Sqe::default() })
    }

    fn disarm(&mut self, fd: i32) -> Result<(), c_int> {
        let st = &mut self.fds[fd as usize];
        st.armed = 0;
        let old = user_data(fd as u32, st.generation);
        // The old poll's completion (if any) no longer matches the generation.
        st.generation = st.generation.wrapping_add(1);
        self.ring.push(Sqe { opcode: IORING_OP_POLL_REMOVE, fd: -1, addr: old, user_data: IGNORED, ..Sqe::default() })
    }

    fn arm_fallback(&mut self) -> Result<(), c_int> {
        if self.fallback_armed {
            return Ok(());
        }
        let Some(ep) = &self.fallback else { return Ok(()) };
        let epfd = ep.fd();
        self.fallback_generation = self.fallback_generation.wrapping_add(1);
        self.fallback_armed = true;
        let ud = user_data(FALLBACK_TAG, self.fallback_generation);
        self.ring.push(Sqe { opcode: IORING_OP_POLL_ADD, fd: epfd, op_flags: libc::POLLIN as u32, user_data: ud, ..Sqe::default() })
    }

    /// The kernel will not poll `fd` through the ring: watch it with epoll.
    fn move_to_fallback(&mut self, fd: i32) -> bool {
        if self.fallback.is_none() {
            self.fallback = Epoll::open();
        }
        let want = self.fds[fd as usize].want;
        let Some(ep) = &mut self.fallback else { return false };
        self.fds[fd as usize].fallback = true;
        self.fds[fd as usize].armed = 0;
        ep.modify(fd, 0, want)
    }
}

impl Backend for IoUring {
    fn id(&self) -> u32 {
        EVBACKEND_IOURING
    }

    fn mintime(&self) -> f64 {
        1e-6
    }

    fn fd(&self) -> i32 {
        self.ring.fd
    }

    fn modify(&mut self, fd: i32, old: u8, new: u8) -> bool {
        if self.own_kernel_objects().is_err() {
            return false;
        }
        let st = *self.state(fd);
        self.fds[fd as usize].want = new;
        if st.fallback {
            let ep = self.fallback.as_mut().expect("fallback set");
            if new == 0 {
                self.fds[fd as usize].fallback = false;
            }
            return ep.modify(fd, old, new);
        }
        if let Some((_, true)) = reregistration(fd, old, new, st.armed, &mut self.fds[fd as usize].ident) {
            return true;
        }
        (st.armed == 0 || self.disarm(fd).is_ok()) && (new == 0 || self.arm(fd, new).is_ok())
    }

    fn poll<S: Sink>(&mut self, timeout: f64, out: &mut S) -> Result<(), PollError> {
        self.own_kernel_objects().map_err(PollError::Fatal)?;
        let out = &mut Counted::new(out);
        // The deadline is only needed if the first wait brings nothing useful.
        let mut deadline = f64::NAN;
        let mut first = true;
        loop {
            if self.rearm_completed().is_err() || self.arm_fallback().is_err() {
                return Err(PollError::Fatal("(libev) io_uring_enter"));
            }
            let ready = self.ring.has_completions();
            if !ready || self.ring.to_submit != 0 || self.ring.cq_overflowed() {
                let left = if first { timeout } else { deadline - crate::core::time::monotonic() };
                if first && timeout > 0.0 && timeout.is_finite() {
                    deadline = crate::core::time::monotonic() + timeout;
                }
                let wait = !ready && left > 0.0;
                if self.ring.enter(wait, if wait { left } else { 0.0 }).is_err() {
                    return Err(PollError::Fatal("(libev) io_uring_enter"));
                }
            }
            first = false;
            self.reap_into(out)?;
            // Only completions of removed or replaced polls: wait on, until
            // something real arrives or the timeout passes.
            if out.count != 0 || timeout <= 0.0 {
                break;
            }
            if deadline.is_nan() {
                deadline = if timeout.is_infinite() { f64::INFINITY } else { crate::core::time::monotonic() + timeout };
            }
            if crate::core::time::monotonic() >= deadline {
                break;
            }
        }
        Ok(())
    }

    fn flush(&mut self) {
        if self.own_kernel_objects().is_err() || self.rearm_completed().is_err() || self.arm_fallback().is_err() {
            return;
        }
        if self.ring.to_submit != 0 {
            // Errors surface at the next wait.
            let _ = self.ring.enter(false, 0.0);
        }
    }

    fn reinit_after_fork(&mut self) -> Result<(), &'static str> {
        let ring = Ring::open(SQ_ENTRIES, CQ_ENTRIES).ok_or("(libev) io_uring_setup")?;
        self.ring = ring;
        self.forked = super::fork_generation();
        self.fds.iter_mut().for_each(|s| *s = FdState { generation: s.generation.wrapping_add(1), ..FdState::default() });
        self.rearm.clear();
        if let Some(ep) = &mut self.fallback {
            ep.reinit_after_fork()?;
        }
        self.fallback_armed = false;
        Ok(())
    }
}

impl IoUring {
    /// A child that did not call ev_loop_fork shares the ring and the fallback
    /// epoll set with its parent: take our own before touching either, and re-arm
    /// every wanted fd on them.
    #[inline]
    fn own_kernel_objects(&mut self) -> Result<(), &'static str> {
        if self.forked == super::fork_generation() {
            Ok(())
        } else {
            self.take_own_kernel_objects()
        }
    }

    #[cold]
    fn take_own_kernel_objects(&mut self) -> Result<(), &'static str> {
        self.ring = Ring::open(SQ_ENTRIES, CQ_ENTRIES).ok_or("(libev) io_uring_setup")?;
        self.forked = super::fork_generation();
        self.fallback_armed = false;
        self.rearm.clear();
        for (fd, st) in self.fds.iter_mut().enumerate() {
            st.generation = st.generation.wrapping_add(1);
            st.armed = 0;
            if st.want != 0 && !st.fallback {
                self.rearm.push(fd as i32);
            }
        }
        if let Some(ep) = &mut self.fallback {
            ep.fresh_set()?;
        }
        Ok(())
    }

    /// Re-arm the fds whose one-shot poll completed and that are still wanted.
    fn rearm_completed(&mut self) -> Result<(), c_int> {
        // By index, keeping the list's buffer for the next iteration.
        for i in 0..self.rearm.len() {
            let fd = self.rearm[i];
            let st = self.fds[fd as usize];
            if st.want != 0 && st.armed == 0 && !st.fallback {
                self.arm(fd, st.want)?;
            }
        }
        self.rearm.clear();
        Ok(())
    }

    /// Turn the completions in the ring into readiness reports.
    fn reap_into<S: Sink>(&mut self, out: &mut S) -> Result<(), PollError> {
        let mut moved = Vec::new();
        let mut fallback_ready = false;
        let fds = &mut self.fds;
        let rearm = &mut self.rearm;
        let fallback_generation = self.fallback_generation;
        self.ring.reap(|cqe| {
            if cqe.user_data == IGNORED {
                return;
            }
            let fd = (cqe.user_data & 0xffff_ffff) as u32;
            let generation = (cqe.user_data >> 32) as u32;
            if fd == FALLBACK_TAG {
                if generation == fallback_generation {
                    fallback_ready = true;
                }
                return;
            }
            let Some(st) = fds.get_mut(fd as usize) else { return };
            if st.generation != generation || st.armed == 0 {
                return; // stale: removed or replaced
            }
            st.armed = 0;
            let fd = fd as i32;
            if cqe.res < 0 {
                match -cqe.res {
                    libc::ECANCELED => {}
                    libc::EBADF => out.bad(fd),
                    _ => moved.push(fd),
                }
                return;
            }
            let r = cqe.res as i16;
            let mut got = super::revents_from_poll(r);
            got &= st.want as c_int;
            if st.want != 0 {
                rearm.push(fd);
            }
            if got != 0 {
                out.push(FdEvent { fd, revents: got });
            }
        });
        for fd in moved {
            if !self.move_to_fallback(fd) {
                out.bad(fd);
            }
        }
        if fallback_ready {
            self.fallback_armed = false;
            if let Some(ep) = &mut self.fallback {
                ep.poll(0.0, out)?;
            }
        }
        Ok(())
    }
}
