//! Starting, stopping and feeding watchers. Every function here takes watcher
//! pointers that C owns; the contract (as in libev) is that a started watcher stays
//! valid and unmoved until it is stopped.

use super::fdtable::{IOFDSET, REIFY};
use super::{alloc, Loop};
use crate::abi::*;
use libc::c_int;

/// The head every watcher type starts with.
#[inline]
fn head<T>(w: *mut T) -> *mut ev_watcher {
    w as *mut ev_watcher
}

/// Index of the pending queue for `w`'s priority. Clamped, so a priority set out of
/// range on a watcher that was never started cannot index out of bounds.
///
/// # Safety
/// `w` must be a live watcher.
#[inline]
pub unsafe fn abspri(w: *mut ev_watcher) -> usize {
    // SAFETY: caller guarantees a live watcher.
    let p = unsafe { (*w).priority };
    // One unsigned compare in the usual case (started watchers are clamped).
    let i = p.wrapping_sub(EV_MINPRI) as u32 as usize;
    if i < NUMPRI {
        i
    } else {
        (p.clamp(EV_MINPRI, EV_MAXPRI) - EV_MINPRI) as usize
    }
}

impl Loop {
    /// Mark `w` active with `active` and count it; clamp its priority the way libev
    /// does (the clamped value is written back and stays visible).
    ///
    /// # Safety
    /// `w` must be a live watcher.
    #[inline]
    pub(crate) unsafe fn start_watcher(&mut self, w: *mut ev_watcher, active: c_int) {
        // SAFETY: caller guarantees a live watcher.
        let wr = unsafe { &mut *w };
        wr.priority = wr.priority.clamp(EV_MINPRI, EV_MAXPRI);
        wr.active = active;
        self.activecnt += 1;
    }

    /// # Safety
    /// `w` must be a live watcher.
    #[inline]
    pub(crate) unsafe fn stop_watcher(&mut self, w: *mut ev_watcher) {
        self.activecnt -= 1;
        // SAFETY: caller guarantees a live watcher.
        unsafe { (*w).active = 0 };
    }

    /// # Safety
    /// `w` must be a live watcher.
    #[inline]
    pub unsafe fn feed_event(&mut self, w: *mut ev_watcher, revents: c_int) {
        // SAFETY: caller guarantees a live watcher.
        unsafe { self.pending.queue(w, abspri(w), revents) }
    }

    /// # Safety
    /// `w` must be a live watcher.
    #[inline]
    pub unsafe fn clear_pending(&mut self, w: *mut ev_watcher) -> c_int {
        // SAFETY: caller guarantees a live watcher; most stops find nothing queued.
        unsafe {
            if (*w).pending == 0 {
                return 0;
            }
            self.pending.clear(w, abspri(w))
        }
    }

    pub fn ref_(&mut self) {
        self.activecnt += 1;
    }

    pub fn unref(&mut self) {
        self.activecnt -= 1;
    }

    // ----- io -------------------------------------------------------------------

    /// # Safety
    /// `w` must be a live io watcher that stays valid until stopped.
    #[inline]
    pub unsafe fn io_start(&mut self, w: *mut ev_io) {
        // SAFETY: caller guarantees a live watcher.
        let wr = unsafe { &mut *w };
        if wr.active != 0 {
            return;
        }
        let fd = wr.fd;
        if fd < 0 {
            alloc::fatal("libev: ev_io_start called with negative fd");
        }
        if wr.events & !(EV__IOFDSET | EV_READ | EV_WRITE) != 0 {
            alloc::fatal("libev: ev_io_start called with illegal event mask");
        }
        // SAFETY: live watcher.
        unsafe { self.start_watcher(head(w), 1) };
        self.fds.ensure(fd);
        // (libev also compares `next` with the watcher itself here, but `next` is
        // uninitialised memory until the watcher is linked: not a usable check.)
        let wl = w as *mut ev_watcher_list;
        // SAFETY: live watcher, not on any list (it was inactive).
        unsafe { self.fds.link(fd, wl) };
        self.fds.change(fd, (wr.events & EV__IOFDSET) as u8 | REIFY);
        wr.events &= !EV__IOFDSET;
    }

    /// # Safety
    /// `w` must be a live io watcher.
    #[inline]
    pub unsafe fn io_stop(&mut self, w: *mut ev_io) {
        // SAFETY: live watcher.
        unsafe { self.clear_pending(head(w)) };
        // SAFETY: live watcher.
        let wr = unsafe { &mut *w };
        if wr.active == 0 {
            return;
        }
        let fd = wr.fd;
        if fd < 0 || fd as usize >= self.fds.fds.len() {
            alloc::fatal("libev: ev_io_stop called with illegal fd (must stay constant after start!)");
        }
        // SAFETY: every watcher on the list is live and started.
        unsafe { self.fds.unlink(fd, w as *mut ev_watcher_list) };
        // SAFETY: live watcher.
        unsafe { self.stop_watcher(head(w)) };
        self.fds.change(fd, REIFY);
    }

    /// Queue `revents` for every io watcher of `fd` interested in them.
    pub fn fd_event(&mut self, fd: i32, revents: c_int) {
        let Some(a) = self.fds.get(fd) else { return };
        queue_fd_watchers(&mut self.pending, a.head, revents);
    }

    /// The kernel says `fd` is invalid: stop its watchers and tell them so.
    pub fn fd_kill(&mut self, fd: i32) {
        loop {
            let Some(a) = self.fds.get(fd) else { return };
            let w = a.head as *mut ev_io;
            if w.is_null() {
                return;
            }
            // SAFETY: watchers on fd lists are live and started.
            unsafe {
                self.io_stop(w);
                self.feed_event(head(w), EV_ERROR | EV_READ | EV_WRITE);
            }
        }
    }

    /// select/poll could not say which fd is bad: check each one.
    pub fn fd_find_bad(&mut self) {
        let fds: Vec<i32> = self.fds.watched().collect();
        for fd in fds {
            // SAFETY: F_GETFD only queries.
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
                && crate::backend::errno() == libc::EBADF
            {
                self.fd_kill(fd);
            }
        }
    }

    /// Tell the backend about every fd whose watchers changed since the last wait.
    #[inline]
    pub fn fd_reify(&mut self) {
        if !self.fds.changes.is_empty() {
            self.fd_reify_changes();
        }
    }

    fn fd_reify_changes(&mut self) {
        let mut i = 0;
        // Killing an fd stops watchers, which queues more changes: keep going until
        // the list is drained.
        while i < self.fds.changes.len() {
            let fd = self.fds.changes[i];
            i += 1;
            let a = &mut self.fds.fds[fd as usize];
            let old = a.events;
            let reify = a.reify;
            a.reify = 0;
            let mut mask = 0;
            let mut w = a.head;
            while !w.is_null() {
                // SAFETY: watchers on fd lists are live and started.
                let io = unsafe { &*(w as *const ev_io) };
                mask |= io.events as u8;
                w = io.next;
            }
            a.events = mask;
            if old != mask || reify & IOFDSET != 0 {
                if !self.backend.modify(fd, old, mask) {
                    self.fd_kill(fd);
                    self.killed_in_reify = true;
                }
            }
        }
        self.fds.changes.clear();
    }

    // ----- timers ---------------------------------------------------------------

    /// # Safety
    /// `w` must be a live timer that stays valid until stopped.
    #[inline]
    pub unsafe fn timer_start(&mut self, w: *mut ev_timer) {
        // SAFETY: live watcher.
        let wr = unsafe { &mut *w };
        if wr.active != 0 {
            return;
        }
        if !(wr.repeat >= 0.0) {
            alloc::fatal("libev: ev_timer_start called with negative timer repeat value");
        }
        wr.at += self.mn_now;
        // SAFETY: live watcher; the heap records its position in `active`.
        unsafe { self.start_watcher(head(w), 1) };
        self.timers.push(wr.at, w as *mut ev_watcher_time);
    }

    /// # Safety
    /// `w` must be a live timer.
    #[inline]
    pub unsafe fn timer_stop(&mut self, w: *mut ev_timer) {
        // SAFETY: live watcher.
        unsafe { self.clear_pending(head(w)) };
        // SAFETY: live watcher.
        let active = unsafe { (*w).active };
        if active == 0 {
            return;
        }
        let idx = active as usize - 1;
        if self.timers.watcher_at(idx) != w as *mut ev_watcher_time {
            alloc::fatal("libev: internal timer heap corruption");
        }
        self.timers.remove_lazily(idx);
        // SAFETY: live watcher, now off the heap.
        unsafe { self.timer_detach(w) };
    }

    /// The part of stopping a timer after its node is gone.
    ///
    /// # Safety
    /// `w` must be a live timer.
    #[inline]
    unsafe fn timer_detach(&mut self, w: *mut ev_timer) {
        // SAFETY: live watcher.
        unsafe {
            // Keep the remaining time so a restart without a new set resumes it.
            (*w).at -= self.mn_now;
            self.stop_watcher(head(w));
        }
    }

    /// # Safety
    /// `w` must be a live timer.
    #[inline]
    pub unsafe fn timer_again(&mut self, w: *mut ev_timer) {
        // SAFETY: live watcher.
        unsafe { self.clear_pending(head(w)) };
        // SAFETY: live watcher.
        let wr = unsafe { &mut *w };
        if wr.active != 0 {
            if wr.repeat != 0.0 {
                let (old, at) = (wr.at, self.mn_now + wr.repeat);
                wr.at = at;
                self.timers.reschedule(wr.active as usize - 1, old, at);
            } else {
                // SAFETY: live watcher.
                unsafe { self.timer_stop(w) };
            }
        } else if wr.repeat != 0.0 {
            wr.at = wr.repeat;
            // SAFETY: live watcher.
            unsafe { self.timer_start(w) };
        }
    }

    /// # Safety
    /// `w` must be a live timer.
    pub unsafe fn timer_remaining(&self, w: *mut ev_timer) -> f64 {
        // SAFETY: live watcher.
        let wr = unsafe { &*w };
        wr.at - if wr.active != 0 { self.mn_now } else { 0.0 }
    }

    /// Queue every timer that is due, earliest first; re-arm repeating ones.
    #[inline]
    pub fn timers_reify(&mut self) {
        self.timers.settle();
        if self.timers.top().is_some_and(|t| t.at < self.mn_now) {
            self.timers_reify_due();
        }
    }

    fn timers_reify_due(&mut self) {
        let mut due = std::mem::take(&mut self.due);
        due.clear();
        if self.timers.take_due(self.mn_now, &mut due) {
            // Latest first: the pending queue runs newest first, so callbacks
            // come earliest first.
            for n in due.iter().rev() {
                let w = n.w as *mut ev_timer;
                // SAFETY: timers taken from the heap are live started watchers.
                unsafe {
                    let wr = &mut *w;
                    if wr.repeat != 0.0 {
                        wr.at = (wr.at + wr.repeat).max(self.mn_now);
                        self.timers.push_unordered(wr.at, w as *mut ev_watcher_time);
                    } else {
                        self.clear_pending(head(w));
                        self.timer_detach(w);
                    }
                    self.feed_event(head(w), EV_TIMER);
                }
            }
            self.timers.reindex();
            self.due = due;
            return;
        }
        self.due = due;
        loop {
            self.timers.settle();
            let Some(top) = self.timers.top().copied() else { break };
            if top.at >= self.mn_now {
                break;
            }
            let w = top.w as *mut ev_timer;
            // SAFETY: timers on the heap are live started watchers.
            let wr = unsafe { &mut *w };
            if wr.repeat != 0.0 {
                wr.at += wr.repeat;
                if wr.at < self.mn_now {
                    wr.at = self.mn_now;
                }
                self.timers.set_at(0, wr.at);
            } else {
                // SAFETY: live watcher.
                unsafe { self.timer_stop(w) };
            }
            self.expired.push(head(w));
        }
        while let Some(w) = self.expired.pop() {
            // SAFETY: just taken from the heap; still live.
            unsafe { self.feed_event(w, EV_TIMER) };
        }
    }

    // ----- idle, prepare, check, fork, cleanup ------------------------------------

    /// # Safety
    /// `w` must be a live idle watcher that stays valid until stopped.
    pub unsafe fn idle_start(&mut self, w: *mut ev_idle) {
        // SAFETY: live watcher.
        if unsafe { (*w).active } != 0 {
            return;
        }
        // SAFETY: live watcher (`abspri` clamps; `start_watcher` writes it back).
        let pri = unsafe { abspri(head(w)) };
        self.idles[pri].push(w);
        let n = self.idles[pri].len() as c_int;
        // SAFETY: live watcher.
        unsafe { self.start_watcher(head(w), n) };
        self.idle_count += 1;
    }

    /// # Safety
    /// `w` must be a live idle watcher.
    pub unsafe fn idle_stop(&mut self, w: *mut ev_idle) {
        // SAFETY: live watcher.
        unsafe { self.clear_pending(head(w)) };
        // SAFETY: live watcher.
        if unsafe { (*w).active } == 0 {
            return;
        }
        // SAFETY: live watcher.
        let pri = unsafe { abspri(head(w)) };
        // SAFETY: all watchers in the array are live.
        unsafe { remove_from_array(&mut self.idles[pri], w) };
        // SAFETY: live watcher.
        unsafe { self.stop_watcher(head(w)) };
        self.idle_count -= 1;
    }

    /// Run idle watchers when nothing of their priority or higher is pending.
    #[inline]
    pub fn idle_reify(&mut self) {
        if self.idle_count != 0 {
            self.idle_reify_some();
        }
    }

    fn idle_reify_some(&mut self) {
        for pri in (0..NUMPRI).rev() {
            if self.pending.any_at_or_above(pri) {
                break;
            }
            if !self.idles[pri].is_empty() {
                for i in 0..self.idles[pri].len() {
                    let w = self.idles[pri][i];
                    // SAFETY: started idle watchers are live.
                    unsafe { self.feed_event(head(w), EV_IDLE) };
                }
                break;
            }
        }
    }

    /// # Safety
    /// `w` must be a live watcher that stays valid until stopped.
    pub unsafe fn prepare_start(&mut self, w: *mut ev_prepare) {
        // SAFETY: forwarded contract.
        unsafe { array_start(self, w, |l| &mut l.prepares) }
    }
    /// # Safety
    /// `w` must be a live watcher.
    pub unsafe fn prepare_stop(&mut self, w: *mut ev_prepare) {
        // SAFETY: forwarded contract.
        unsafe { array_stop(self, w, |l| &mut l.prepares) }
    }
    /// # Safety
    /// `w` must be a live watcher that stays valid until stopped.
    pub unsafe fn check_start(&mut self, w: *mut ev_check) {
        // SAFETY: forwarded contract.
        unsafe { array_start(self, w, |l| &mut l.checks) }
    }
    /// # Safety
    /// `w` must be a live watcher.
    pub unsafe fn check_stop(&mut self, w: *mut ev_check) {
        // SAFETY: forwarded contract.
        unsafe { array_stop(self, w, |l| &mut l.checks) }
    }
    /// # Safety
    /// `w` must be a live watcher that stays valid until stopped.
    pub unsafe fn fork_start(&mut self, w: *mut ev_fork) {
        // SAFETY: forwarded contract.
        unsafe { array_start(self, w, |l| &mut l.forks) }
    }
    /// # Safety
    /// `w` must be a live watcher.
    pub unsafe fn fork_stop(&mut self, w: *mut ev_fork) {
        // SAFETY: forwarded contract.
        unsafe { array_stop(self, w, |l| &mut l.forks) }
    }
    /// A cleanup watcher does not keep the loop alive.
    ///
    /// # Safety
    /// `w` must be a live watcher that stays valid until stopped.
    pub unsafe fn cleanup_start(&mut self, w: *mut ev_cleanup) {
        // SAFETY: live watcher.
        let was_active = unsafe { (*w).active } != 0;
        // SAFETY: forwarded contract.
        unsafe { array_start(self, w, |l| &mut l.cleanups) };
        if !was_active {
            self.unref();
        }
    }
    /// # Safety
    /// `w` must be a live watcher.
    pub unsafe fn cleanup_stop(&mut self, w: *mut ev_cleanup) {
        // SAFETY: live watcher.
        let was_active = unsafe { (*w).active } != 0;
        if was_active {
            self.ref_();
        }
        // SAFETY: forwarded contract.
        unsafe { array_stop(self, w, |l| &mut l.cleanups) }
    }

    /// Queue every watcher of an array with `revents`.
    pub(crate) fn queue_all<T>(&mut self, which: fn(&mut Loop) -> &mut Vec<*mut T>, revents: c_int) {
        let n = which(self).len();
        for i in 0..n {
            let w = head(which(self)[i]);
            // SAFETY: started watchers in the arrays are live.
            unsafe { self.feed_event(w, revents) };
        }
    }
}

/// Queue `revents` for the watchers on an fd's list that want them.
#[inline(always)]
pub(crate) fn queue_fd_watchers(pending: &mut super::pending::PendingQueues, head: *mut ev_watcher_list, revents: c_int) {
    let mut w = head;
    while !w.is_null() {
        // SAFETY: watchers on fd lists are live and started.
        let io = unsafe { &*(w as *const ev_io) };
        let ev = io.events & revents;
        let next = io.next;
        if ev != 0 {
            // SAFETY: live watcher.
            unsafe { pending.queue(w as *mut ev_watcher, abspri(w as *mut ev_watcher), ev) };
        }
        w = next;
    }
}

/// Remove `w` from `arr` by moving the last element into its slot; `active` is the
/// 1-based position of each watcher in its array.
///
/// # Safety
/// `w` and every watcher in `arr` must be live; `w` must be in `arr`.
pub(crate) unsafe fn remove_from_array<T>(arr: &mut Vec<*mut T>, w: *mut T) {
    // SAFETY: caller guarantees liveness.
    let idx = unsafe { (*head(w)).active } as usize - 1;
    if arr.get(idx).copied() != Some(w) {
        alloc::fatal("libev: active index mismatch");
    }
    arr.swap_remove(idx);
    if let Some(&moved) = arr.get(idx) {
        // SAFETY: watchers in the array are live.
        unsafe { (*head(moved)).active = idx as c_int + 1 };
    }
}

/// # Safety
/// `w` must be a live watcher of the array's type.
pub(super) unsafe fn array_start<T>(l: &mut Loop, w: *mut T, arr: fn(&mut Loop) -> &mut Vec<*mut T>) {
    // SAFETY: caller guarantees a live watcher.
    if unsafe { (*head(w)).active } != 0 {
        return;
    }
    arr(l).push(w);
    let n = arr(l).len() as c_int;
    // SAFETY: live watcher.
    unsafe { l.start_watcher(head(w), n) };
}

/// # Safety
/// `w` must be a live watcher of the array's type.
pub(super) unsafe fn array_stop<T>(l: &mut Loop, w: *mut T, arr: fn(&mut Loop) -> &mut Vec<*mut T>) {
    // SAFETY: caller guarantees a live watcher.
    unsafe { l.clear_pending(head(w)) };
    // SAFETY: live watcher.
    if unsafe { (*head(w)).active } == 0 {
        return;
    }
    // SAFETY: the array holds live watchers including `w`.
    unsafe { remove_from_array(arr(l), w) };
    // SAFETY: live watcher.
    unsafe { l.stop_watcher(head(w)) };
}
