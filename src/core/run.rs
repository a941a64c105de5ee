//! `ev_run` and the invocation of pending callbacks. Both run user code, which may
//! re-enter the loop through any exported function, so they hold no borrow of the
//! loop across a callback: each step re-borrows from the raw pointer.

use super::{alloc, Loop, EVBREAK_RECURSE, MAX_BLOCKTIME};
use crate::abi::*;
use super::fdtable::Anfd;
use super::pending::PendingQueues;
use crate::backend::{FdEvent, PollError, Sink, FD_BAD};
use libc::c_int;

/// Call `w`'s callback.
///
/// # Safety
/// `lp` must be a live loop and `w` a live watcher.
#[inline]
pub unsafe fn invoke(lp: *mut Loop, w: *mut ev_watcher, revents: c_int) {
    // SAFETY: caller guarantees a live watcher; the callback follows the C contract.
    unsafe {
        if let Some(cb) = (*w).cb {
            cb(lp, w, revents);
        }
    }
}

/// Run every pending callback: always from the highest priority that has
/// anything queued (so a callback that queues a higher priority gets it next),
/// newest first within a priority.
///
/// # Safety
/// `lp` must be a live loop.
pub unsafe fn invoke_pending(lp: *mut Loop) {
    // SAFETY: `lp` is live; borrows end before each callback.
    unsafe {
        while let Some(p) = (*lp).pending.pop_next() {
            // A cleared entry's stand-in takes this write and has no callback.
            (*p.w).pending = 0;
            invoke(lp, p.w, p.events);
        }
    }
}

/// # Safety
/// `lp` must be a live loop.
#[inline]
unsafe fn invoke_pending_hook(lp: *mut Loop) {
    // SAFETY: `lp` is live; the user's hook follows the C contract.
    unsafe {
        match (*lp).invoke_cb {
            Some(cb) => cb(lp),
            None => invoke_pending(lp),
        }
    }
}

/// Restores the loop's run state however `ev_run` is left, including by an
/// exception or longjmp-free unwind out of a callback, so the loop stays usable.
struct RunGuard(*mut Loop);

impl Drop for RunGuard {
    fn drop(&mut self) {
        // SAFETY: the loop outlives the ev_run call that made this guard.
        let l = unsafe { &mut *self.0 };
        if l.loop_done == EVBREAK_ONE || l.loop_done == EVBREAK_RECURSE {
            l.loop_done = EVBREAK_CANCEL;
        }
        l.depth -= 1;
    }
}

/// How long to block in the backend, after sleeping first to collect more io
/// (`ev_set_io_collect_interval`) if asked to.
fn block_time(l: &Loop, flags: c_int, prev_mn_now: f64) -> f64 {
    // An fd the backend rejected while reifying has its EV_ERROR queued: deliver
    // it now rather than after a wait. (Other queued events do not prevent
    // blocking: a custom invoke-pending hook may leave them for another thread.)
    if flags & EVRUN_NOWAIT != 0 || l.idle_count != 0 || l.activecnt == 0 || l.killed_in_reify {
        return 0.0;
    }
    // Nothing to wake up for but io: block until io arrives. libev wakes up at
    // least every MAX_BLOCKTIME to notice wall-clock changes; that is needed only
    // for periodics without the clock-change timerfd.
    let mut wait = if !l.periodics.is_empty() && l.jump_io.active == 0 { MAX_BLOCKTIME } else { f64::INFINITY };
    if let Some(top) = l.timers.top() {
        wait = wait.min(top.at - l.mn_now);
    }
    if let Some(top) = l.periodics.top() {
        wait = wait.min(top.at - l.now);
    }
    if wait < l.timeout_blocktime {
        wait = l.timeout_blocktime;
    }
    let mintime = l.backend_mintime;
    if wait < mintime {
        // Already due: do not block. Due very soon: wait the backend's resolution
        // rather than spin.
        wait = if wait <= 0.0 { 0.0 } else { mintime };
    }
    if l.io_blocktime != 0.0 {
        let sleep = (l.io_blocktime - (l.mn_now - prev_mn_now)).min(wait - mintime);
        if sleep > 0.0 {
            super::time::sleep(sleep);
            wait -= sleep;
        }
    }
    wait
}

/// Receives the backend's reports during a wait and queues the watchers at once.
struct LoopSink<'a> {
    /// The table's entries themselves (one indirection less per event).
    fds: &'a [Anfd],
    pending: &'a mut PendingQueues,
    bad: &'a mut Vec<i32>,
}

impl Sink for LoopSink<'_> {
    #[inline(always)]
    fn push(&mut self, e: FdEvent) {
        if let Some(a) = self.fds.get(e.fd as usize) {
            // An fd changed while we waited: its events may be for the old file.
            if a.reify == 0 {
                super::watchers::queue_fd_watchers(self.pending, a.head, e.revents);
            }
        }
    }

    fn bad(&mut self, fd: i32) {
        self.bad.push(fd);
    }
}

/// Wait for io; what is ready becomes pending events.
///
/// # Safety
/// `lp` must be a live loop.
#[inline(always)]
unsafe fn poll_backend(lp: *mut Loop, timeout: f64) {
    // SAFETY: `lp` is live; the release/acquire hooks are noexcept C functions.
    unsafe {
        if let Some(release) = (*lp).release_cb {
            release(lp);
        }
        let l = &mut *lp;
        // Allocates only if the backend reports an invalid fd.
        let mut bad = Vec::new();
        let res = if l.release_cb.is_none() && l.acquire_cb.is_none() {
            let mut sink = LoopSink { fds: &l.fds.fds, pending: &mut l.pending, bad: &mut bad };
            l.backend.poll(timeout, &mut sink)
        } else {
            // Between release and acquire another thread may hold the loop: collect
            // the reports and queue them once the loop is ours again.
            let mut ready = std::mem::take(&mut l.ready_buf);
            let res = l.backend.poll(timeout, &mut ready);
            if let Some(acquire) = (*lp).acquire_cb {
                acquire(lp);
            }
            let l = &mut *lp;
            let mut sink = LoopSink { fds: &l.fds.fds, pending: &mut l.pending, bad: &mut bad };
            for e in ready.drain(..) {
                if e.revents == FD_BAD {
                    sink.bad(e.fd);
                } else {
                    sink.push(e);
                }
            }
            l.ready_buf = ready;
            res
        };
        let l = &mut *lp;
        for fd in bad {
            l.fd_kill(fd);
        }
        match res {
            Ok(()) => {}
            Err(PollError::SomeFdBad) => l.fd_find_bad(),
            Err(PollError::Fatal(msg)) => alloc::syserr(msg),
        }
    }
}

/// `ev_loop_destroy`: run the cleanup watchers (which may still use the loop,
/// also as the default loop), call `forget` to drop references to it, release
/// what the loop holds outside its memory, and free it.
///
/// # Safety
/// `lp` must be a live loop made by `Loop::new`/`new_default` and boxed; it is
/// freed.
pub unsafe fn destroy(lp: *mut Loop, forget: impl FnOnce()) {
    // SAFETY: live until the drop at the end.
    unsafe {
        if !(*lp).cleanups.is_empty() {
            (*lp).queue_all(|l| &mut l.cleanups, EV_CLEANUP);
            invoke_pending(lp);
        }
        forget();
        (*lp).release_resources();
        drop(Box::from_raw(lp));
    }
}

/// `ev_run`.
///
/// # Safety
/// `lp` must be a live loop.
pub unsafe fn run(lp: *mut Loop, flags: c_int) -> c_int {
    // SAFETY: `lp` is live for the whole call; borrows are re-taken after callbacks.
    unsafe {
        {
            let l = &mut *lp;
            if l.loop_done == EVBREAK_RECURSE {
                alloc::fatal("libev: ev_loop recursion during release detected");
            }
            l.depth += 1;
            l.loop_done = EVBREAK_CANCEL;
        }
        let _guard = RunGuard(lp);
        // Callbacks queued before this (possibly nested) run go first.
        invoke_pending_hook(lp);

        while iteration(lp, flags) {}
        (*lp).activecnt
    }
}

/// One turn of `ev_run`'s loop; false when the loop is to end. Kept out of
/// line: inlined, the compiler hoists dozens of field addresses out of the loop
/// into the stack frame, paid on every `ev_run` call even for one turn
/// (`EVRUN_ONCE`, the common way to drive libev from another loop).
///
/// # Safety
/// `lp` must be a live loop.
#[inline(never)]
unsafe fn iteration(lp: *mut Loop, flags: c_int) -> bool {
    // SAFETY: `lp` is live for the whole call; borrows are re-taken after callbacks.
    unsafe {
        let l = &mut *lp;
        if l.curpid != 0 {
            let pid = libc::getpid();
            if pid != l.curpid {
                l.curpid = pid;
                l.postfork = true;
            }
        }
        if l.postfork && !l.forks.is_empty() {
            l.queue_all(|l| &mut l.forks, EV_FORK);
            invoke_pending_hook(lp);
        }
        let l = &mut *lp;
        if !l.prepares.is_empty() {
            l.queue_all(|l| &mut l.prepares, EV_PREPARE);
            invoke_pending_hook(lp);
        }
        let l = &mut *lp;
        if l.loop_done != EVBREAK_CANCEL {
            return false;
        }
        if l.postfork {
            l.reinit_after_fork();
        }
        l.fd_reify();

        let prev_mn_now = l.mn_now;
        // The time before waiting only feeds the timeout and the io collect
        // sleep; without timers, periodics or that sleep nothing reads it
        // before the update after the wait, so spare the clock read.
        if !(l.timers.is_empty() && l.periodics.is_empty() && l.io_blocktime == 0.0) {
            l.time_update();
        }
        l.timers.settle();
        let wait = block_time(l, flags, prev_mn_now);
        l.iteration = l.iteration.wrapping_add(1);
        l.loop_done = EVBREAK_RECURSE;
        poll_backend(lp, wait);
        let l = &mut *lp;
        l.killed_in_reify = false;
        if l.loop_done == EVBREAK_RECURSE {
            l.loop_done = EVBREAK_CANCEL;
        }
        l.time_update();
        l.timers_reify();
        l.periodics_reify();
        l.idle_reify();
        if !l.checks.is_empty() {
            l.queue_all(|l| &mut l.checks, EV_CHECK);
        }
        invoke_pending_hook(lp);

        let l = &*lp;
        !(l.activecnt == 0 || l.loop_done != EVBREAK_CANCEL || flags & (EVRUN_ONCE | EVRUN_NOWAIT) != 0)
    }
}
