//! Periodic watchers: like timers but on the wall clock, so they follow changes of
//! the system time. A timerfd armed with `TFD_TIMER_CANCEL_ON_SET` wakes the loop
//! when the clock is set (unless `EVFLAG_NOTIMERFD`), and every periodic is then
//! rescheduled.

use super::{alloc, Loop};
use crate::abi::*;
use libc::c_int;
use std::ptr::addr_of_mut;

/// Intervals below this are raised to it when computing the next trigger.
const MIN_INTERVAL: f64 = 0.000_122_070_312_5;

/// The next trigger of `w` after `now`, for watchers with an interval.
fn next_after(w: &ev_periodic, now: f64) -> f64 {
    let interval = w.interval.max(MIN_INTERVAL);
    let mut at = w.offset + interval * ((now - w.offset) / interval).floor();
    // The division errs on the low side; step forward past `now`.
    while at <= now {
        let next = at + w.interval;
        if next == at {
            // No progress at this magnitude: give up on exactness.
            return now;
        }
        at = next;
    }
    at
}

impl Loop {
    /// Compute `w.at` for the current wall-clock time as `ev_periodic_start` does.
    ///
    /// # Safety
    /// `w` must be a live periodic watcher.
    unsafe fn periodic_schedule(&mut self, w: *mut ev_periodic) {
        // SAFETY: live watcher; the reschedule callback follows the C contract.
        unsafe {
            let wr = &mut *w;
            if let Some(cb) = wr.reschedule_cb {
                wr.at = cb(w, self.now);
            } else if wr.interval != 0.0 {
                if wr.interval < 0.0 {
                    alloc::fatal("libev: ev_periodic_start called with negative interval value");
                }
                wr.at = next_after(wr, self.now);
            } else {
                wr.at = wr.offset;
            }
        }
    }

    /// # Safety
    /// `w` must be a live periodic watcher that stays valid until stopped.
    pub unsafe fn periodic_start(&mut self, w: *mut ev_periodic) {
        // SAFETY: live watcher.
        unsafe {
            if (*w).active != 0 {
                return;
            }
            self.periodic_schedule(w);
            self.start_watcher(w as *mut ev_watcher, 1);
            self.periodics.push((*w).at, w as *mut ev_watcher_time);
        }
        self.clock_jump_watch(true);
    }

    /// # Safety
    /// `w` must be a live periodic watcher.
    pub unsafe fn periodic_stop(&mut self, w: *mut ev_periodic) {
        // SAFETY: live watcher.
        unsafe {
            self.clear_pending(w as *mut ev_watcher);
            if (*w).active == 0 {
                return;
            }
            let idx = (*w).active as usize - 1;
            if self.periodics.watcher_at(idx) != w as *mut ev_watcher_time {
                alloc::fatal("libev: internal periodic heap corruption");
            }
            self.periodics.remove(idx);
            self.stop_watcher(w as *mut ev_watcher);
        }
        if self.periodics.is_empty() {
            self.clock_jump_watch(false);
        }
    }

    /// # Safety
    /// `w` must be a live periodic watcher.
    pub unsafe fn periodic_again(&mut self, w: *mut ev_periodic) {
        // SAFETY: forwarded contract.
        unsafe {
            self.periodic_stop(w);
            self.periodic_start(w);
        }
    }

    /// Queue every periodic that is due, earliest first, and schedule the next run.
    #[inline]
    pub(crate) fn periodics_reify(&mut self) {
        if self.periodics.top().is_some_and(|t| t.at < self.now) {
            self.periodics_reify_due();
        }
    }

    fn periodics_reify_due(&mut self) {
        while let Some(top) = self.periodics.top().copied() {
            if top.at >= self.now {
                break;
            }
            let w = top.w as *mut ev_periodic;
            // SAFETY: periodics on the heap are live started watchers.
            unsafe {
                let wr = &mut *w;
                if let Some(cb) = wr.reschedule_cb {
                    wr.at = cb(w, self.now);
                    if wr.at < self.now {
                        alloc::fatal("libev: ev_periodic reschedule callback returned time in the past");
                    }
                    self.periodics.set_at(0, wr.at);
                } else if wr.interval != 0.0 {
                    wr.at = next_after(wr, self.now);
                    self.periodics.set_at(0, wr.at);
                } else {
                    self.periodic_stop(w);
                }
            }
            self.expired.push(w as *mut ev_watcher);
        }
        while let Some(w) = self.expired.pop() {
            // SAFETY: just taken from the heap; still live.
            unsafe { self.feed_event(w, EV_PERIODIC) };
        }
    }

    /// The wall clock jumped: compute every periodic's next trigger afresh.
    pub(crate) fn periodics_reschedule(&mut self) {
        // Periodics are removed at once when stopped: no vacancies to skip.
        for i in 0..self.periodics.len() {
            let w = self.periodics.watcher_at(i) as *mut ev_periodic;
            // SAFETY: periodics on the heap are live started watchers.
            unsafe {
                self.periodic_schedule(w);
                self.periodics.set_key(i, (*w).at);
            }
        }
        self.periodics.rebuild();
    }

    /// Arm or disarm the timerfd that reports wall-clock changes.
    fn clock_jump_watch(&mut self, on: bool) {
        if self.origflags & EVFLAG_NOTIMERFD != 0 {
            return;
        }
        if on && self.jump_io.active == 0 {
            // SAFETY: plain syscalls on our own fd.
            unsafe {
                let fd = libc::timerfd_create(libc::CLOCK_REALTIME, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC);
                if fd < 0 {
                    return;
                }
                self.jump_io.fd = fd;
                self.jump_io.events = EV_READ | EV__IOFDSET;
                arm_jump_timer(fd);
                { let w = addr_of_mut!(self.jump_io); self.io_start(w) };
            }
            self.unref();
        } else if !on && self.jump_io.active != 0 {
            self.ref_();
            // SAFETY: internal watcher inside the boxed loop; our own fd.
            unsafe {
                { let w = addr_of_mut!(self.jump_io); self.io_stop(w) };
                libc::close(self.jump_io.fd);
            }
            self.jump_io.fd = -1;
        }
    }

    pub(crate) fn clock_jump_after_fork(&mut self) {
        if self.jump_io.active != 0 {
            self.clock_jump_watch(false);
            self.clock_jump_watch(true);
        }
    }
}

/// A far-future absolute timer: it never expires, but `read` fails with ECANCELED
/// whenever the realtime clock is set.
fn arm_jump_timer(fd: c_int) {
    let spec = libc::itimerspec {
        it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
        it_value: libc::timespec { tv_sec: libc::time_t::MAX / 4, tv_nsec: 0 },
    };
    // SAFETY: valid timerfd and spec.
    unsafe {
        libc::timerfd_settime(fd, libc::TFD_TIMER_ABSTIME | libc::TFD_TIMER_CANCEL_ON_SET, &spec, std::ptr::null_mut())
    };
}

/// The clock was set: refresh time, reschedule periodics, re-arm.
pub(crate) unsafe extern "C-unwind" fn jump_cb(lp: *mut Loop, w: *mut ev_io, _revents: c_int) {
    // SAFETY: live loop and its internal watcher.
    unsafe {
        let mut buf = 0u64;
        libc::read((*w).fd, &mut buf as *mut u64 as *mut libc::c_void, 8);
        arm_jump_timer((*w).fd);
        let l = &mut *lp;
        // Once per clock change, as libev: a jump of a second or more is
        // already rescheduled by the time update.
        if !l.force_time_update() {
            l.periodics_reschedule();
        }
    }
}
