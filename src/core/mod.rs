//! The event loop: time, the fd table, pending queues, the timer heap and the
//! watcher arrays, in plain Rust. Watchers are C-owned memory reached through raw
//! pointers; everything that may run a user callback works on a raw `*mut Loop`
//! and only borrows the loop between callbacks, because a callback may re-enter
//! the loop through any exported function.

pub mod alloc;
mod embed;
pub mod fdtable;
pub mod heap;
pub mod pending;
mod periodic;
pub mod run;
pub mod signals;
mod stat;
pub mod time;
pub mod walk;
mod watchers;
mod wlist;

pub use run::{invoke_pending, run};
pub use signals::async_send;
pub use stat::stat_now;
pub use watchers::*;

use crate::abi::*;
use crate::backend::{self, AnyBackend};
use fdtable::FdTable;
use heap::TimerHeap;
use libc::{c_int, c_void};
use pending::PendingQueues;

/// Set in `loop_done` while the backend waits: entering `ev_run` then is a bug.
pub const EVBREAK_RECURSE: c_int = 0x80;

/// The longest the loop blocks without a timer; libev wakes up this often so that
/// wall-clock jumps are noticed.
pub const MAX_BLOCKTIME: f64 = 59.743;

pub struct Loop {
    /// Cached wall-clock time (`ev_now`).
    pub(crate) now: f64,
    /// Cached monotonic time; timers are kept on this clock.
    pub(crate) mn_now: f64,
    /// `now - mn_now`, refreshed from the wall clock at most every half second.
    rtmn_diff: f64,
    /// When `rtmn_diff` was last refreshed (monotonic).
    now_floor: f64,

    pub(crate) backend: AnyBackend,
    backend_mintime: f64,
    /// Reports held back while a release/acquire hook pair is set.
    ready_buf: Vec<backend::FdEvent>,

    pub(crate) fds: FdTable,
    pub(crate) pending: PendingQueues,
    pub(crate) timers: TimerHeap,
    /// Timers that expired in one pass, fed in reverse so they run earliest first.
    expired: Vec<*mut ev_watcher>,
    /// Timers taken out of the heap by a bulk expiry (kept for its capacity).
    due: Vec<heap::Node>,

    pub(crate) idles: [Vec<*mut ev_idle>; NUMPRI],
    pub(crate) idle_count: usize,
    pub(crate) prepares: Vec<*mut ev_prepare>,
    pub(crate) checks: Vec<*mut ev_check>,
    pub(crate) forks: Vec<*mut ev_fork>,
    pub(crate) cleanups: Vec<*mut ev_cleanup>,
    pub(crate) asyncs: Vec<*mut ev_async>,
    pub(crate) periodics: TimerHeap,
    /// Child watchers, chained by pid (default loop only).
    pub(crate) children: [*mut ev_watcher_list; signals::PID_HASH],
    /// The default loop's SIGCHLD watcher.
    pub(crate) childev: ev_signal,
    pub(crate) wakeup: signals::Wakeup,
    /// signalfd with `EVFLAG_SIGNALFD`: -2 not tried yet, -1 unavailable.
    pub(crate) sigfd: c_int,
    pub(crate) sigfd_set: libc::sigset_t,
    pub(crate) sigfd_io: ev_io,
    /// Watches a timerfd that reports wall-clock changes while periodics run.
    pub(crate) jump_io: ev_io,
    /// -2: not tried yet, -1: unavailable.
    pub(crate) inotify_fd: c_int,
    pub(crate) inotify_io: ev_io,
    /// Stat watchers that hold an inotify watch.
    pub(crate) inotified: Vec<*mut ev_stat>,

    /// Active watchers plus `ev_ref` minus `ev_unref`: the loop runs while positive.
    pub(crate) activecnt: c_int,
    pub(crate) loop_done: c_int,
    pub(crate) depth: u32,
    pub(crate) iteration: u32,
    pub(crate) postfork: bool,
    /// The last fd_reify reported an invalid fd to its watchers.
    pub(crate) killed_in_reify: bool,
    pub(crate) origflags: u32,
    pub(crate) curpid: libc::pid_t,
    /// The default loop (the one child watchers and SIGCHLD belong to).
    pub(crate) is_default: bool,

    pub(crate) io_blocktime: f64,
    pub(crate) timeout_blocktime: f64,

    pub(crate) userdata: *mut c_void,
    pub(crate) invoke_cb: ev_loop_callback,
    pub(crate) release_cb: ev__loop_hook,
    pub(crate) acquire_cb: ev__loop_hook,
}

/// `LIBEV_FLAGS` is honoured unless the program runs with elevated privileges.
fn env_flags() -> Option<u32> {
    // SAFETY: plain libc queries; getenv's result is read before any setenv can run
    // on this thread.
    unsafe {
        if libc::getuid() != libc::geteuid() || libc::getgid() != libc::getegid() {
            return None;
        }
        let v = libc::getenv(c"LIBEV_FLAGS".as_ptr());
        if v.is_null() {
            return None;
        }
        Some(libc::atoi(v) as u32)
    }
}

impl Loop {
    /// Create a loop, or `None` if no backend among `flags` can be opened.
    /// The default loop: a loop that also reaps children.
    pub fn new_default(flags: u32) -> Option<Box<Loop>> {
        let mut l = Self::new(flags)?;
        l.is_default = true;
        l.child_init();
        Some(l)
    }

    pub fn new(mut flags: u32) -> Option<Box<Loop>> {
        let origflags = flags;
        if flags & EVFLAG_NOENV == 0 {
            if let Some(f) = env_flags() {
                flags = f;
            }
        }
        if flags & EVBACKEND_MASK == 0 {
            flags |= backend::recommended();
        }
        let backend = backend::open(flags)?;
        let mn_now = time::monotonic();
        let now = time::wall();
        Some(Box::new(Loop {
            now,
            mn_now,
            rtmn_diff: now - mn_now,
            now_floor: mn_now,
            backend_mintime: backend.mintime(),
            backend,
            ready_buf: Vec::new(),
            fds: FdTable::default(),
            pending: PendingQueues::new(),
            timers: TimerHeap::default(),
            expired: Vec::new(),
            due: Vec::new(),
            idles: Default::default(),
            idle_count: 0,
            prepares: Vec::new(),
            checks: Vec::new(),
            forks: Vec::new(),
            cleanups: Vec::new(),
            asyncs: Vec::new(),
            periodics: TimerHeap::default(),
            children: [std::ptr::null_mut(); signals::PID_HASH],
            childev: ev_signal {
                active: 0,
                pending: 0,
                priority: EV_MAXPRI,
                data: std::ptr::null_mut(),
                cb: Some(signals::child_cb),
                next: std::ptr::null_mut(),
                signum: libc::SIGCHLD,
            },
            wakeup: signals::Wakeup::new(),
            sigfd: -2,
            // SAFETY: an all-zero sigset_t is a valid (empty) set.
            sigfd_set: unsafe { std::mem::zeroed() },
            sigfd_io: internal_io(signals::signalfd_cb),
            jump_io: internal_io(periodic::jump_cb),
            inotify_fd: -2,
            inotify_io: internal_io(stat::inotify_cb),
            inotified: Vec::new(),
            activecnt: 0,
            loop_done: EVBREAK_CANCEL,
            depth: 0,
            iteration: 0,
            postfork: false,
            killed_in_reify: false,
            origflags,
            // SAFETY: plain syscall.
            is_default: false,
            curpid: if origflags & EVFLAG_FORKCHECK != 0 { unsafe { libc::getpid() } } else { 0 },
            io_blocktime: 0.0,
            timeout_blocktime: 0.0,
            userdata: std::ptr::null_mut(),
            invoke_cb: None,
            release_cb: None,
            acquire_cb: None,
        }))
    }

    pub fn backend_id(&self) -> u32 {
        self.backend.id()
    }

    pub fn now(&self) -> f64 {
        self.now
    }

    /// Refresh the cached clocks. The wall clock is re-read at most every half
    /// second (the monotonic clock is cheap); when it moved against the monotonic
    /// clock, the system time was set and periodics are rescheduled.
    #[inline]
    pub fn time_update(&mut self) {
        self.mn_now = time::monotonic();
        if self.mn_now - self.now_floor < 0.5 {
            self.now = self.rtmn_diff + self.mn_now;
        } else {
            self.resync_wall_clock();
        }
    }

    /// Re-read the wall clock (every half second of monotonic time); true when
    /// it had jumped and the periodics were rescheduled.
    #[cold]
    fn resync_wall_clock(&mut self) -> bool {
        let mut jumped = false;
        // Retry if we were preempted between the two clock reads.
        for _ in 0..3 {
            self.now_floor = self.mn_now;
            self.now = time::wall();
            let diff = self.now - self.mn_now;
            let old = self.rtmn_diff;
            self.rtmn_diff = diff;
            if (old - diff).abs() < 1.0 {
                break;
            }
            jumped = true;
            self.mn_now = time::monotonic();
        }
        if jumped && !self.periodics.is_empty() {
            self.periodics_reschedule();
            return true;
        }
        false
    }

    /// Re-read the wall clock now (it was just set); true when that already
    /// rescheduled the periodics.
    pub(crate) fn force_time_update(&mut self) -> bool {
        self.mn_now = time::monotonic();
        self.resync_wall_clock()
    }

    pub fn now_update(&mut self) {
        self.time_update();
    }

    pub fn suspend(&mut self) {
        self.time_update();
    }

    /// Timers do not count time spent suspended; periodics are recomputed.
    pub fn resume(&mut self) {
        let before = self.mn_now;
        self.time_update();
        let delta = self.mn_now - before;
        self.timers.shift_all(delta);
        self.periodics_reschedule();
    }

    pub fn pending_count(&self) -> u32 {
        self.pending.count() as u32
    }

    /// After fork: a fresh kernel object, and every watched fd announced again.
    pub(crate) fn reinit_after_fork(&mut self) {
        if let Err(msg) = self.backend.reinit_after_fork() {
            alloc::syserr(msg);
        }
        let fds: Vec<i32> = self.fds.watched().collect();
        for fd in fds {
            self.fds.fds[fd as usize].events = 0;
            self.fds.change(fd, fdtable::IOFDSET | fdtable::REIFY);
        }
        self.wakeup_after_fork();
        self.clock_jump_after_fork();
        self.inotify_after_fork();
        self.postfork = false;
    }

    /// Release what the loop holds outside its own memory (fds, signal slots).
    pub(crate) fn release_resources(&mut self) {
        self.child_fini();
        self.signals_release();
        self.wakeup_close();
        self.signalfd_close();
        if self.jump_io.fd >= 0 {
            // SAFETY: our own fd.
            unsafe { libc::close(self.jump_io.fd) };
        }
        self.inotify_close();
    }

    /// Consistency checks of every internal structure; abort on corruption.
    pub fn verify(&self) {
        fn check(cond: bool, what: &str) {
            if !cond {
                alloc::fatal(what);
            }
        }
        check(self.timers.is_valid(), "libev: heap condition violated");
        check(self.periodics.is_valid(), "libev: periodic heap condition violated");
        for (pri, q) in self.pending.queues.iter().enumerate() {
            for (i, p) in q.iter().enumerate() {
                if self.pending.is_cleared(p) {
                    continue;
                }
                // SAFETY: pending entries point to live watchers.
                let w = unsafe { &*p.w };
                check(w.pending as usize == i + 1, "libev: pending watcher not on pending queue");
                check(w.priority - EV_MINPRI == pri as c_int, "libev: watcher has invalid priority");
            }
        }
        for (fd, a) in self.fds.fds.iter().enumerate() {
            let mut w = a.head;
            let mut steps = 0usize;
            while !w.is_null() {
                // SAFETY: io watchers on an fd list are live and started.
                let io = unsafe { &*(w as *const ev_io) };
                check(io.active == 1, "libev: inactive fd watcher on anfd list");
                check(io.fd as usize == fd, "libev: fd mismatch between watcher and anfd");
                steps += 1;
                check(steps <= 1 << 24, "libev: io watcher list contains a loop");
                w = io.next;
            }
        }
        for fd in &self.fds.changes {
            check(*fd >= 0, "libev: negative fd in fdchanges");
        }
        let arrays: [&[*mut ev_watcher]; 4] = [
            as_watchers(&self.prepares),
            as_watchers(&self.checks),
            as_watchers(&self.forks),
            as_watchers(&self.cleanups),
        ];
        for ws in arrays.iter().copied().chain(self.idles.iter().map(|v| as_watchers(v))) {
            for (i, &w) in ws.iter().enumerate() {
                // SAFETY: watchers in these arrays are live and started.
                check(unsafe { (*w).active } as usize == i + 1, "libev: active index mismatch");
            }
        }
    }
}

/// An internal io watcher (not yet started) with callback `cb`.
fn internal_io(cb: unsafe extern "C-unwind" fn(*mut Loop, *mut ev_io, c_int)) -> ev_io {
    ev_io {
        active: 0,
        pending: 0,
        priority: EV_MAXPRI,
        data: std::ptr::null_mut(),
        cb: Some(cb),
        next: std::ptr::null_mut(),
        fd: -1,
        events: EV_READ,
    }
}

/// View an array of typed watcher pointers as generic watcher pointers: every
/// watcher type begins with the common head.
fn as_watchers<T>(v: &[*mut T]) -> &[*mut ev_watcher] {
    // SAFETY: `*mut T` and `*mut ev_watcher` have the same size and layout.
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const *mut ev_watcher, v.len()) }
}
