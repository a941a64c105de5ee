#![allow(non_camel_case_types)]

//! libev's emulation of the libevent 1.4 API (`event.h`): each `struct event`
//! carries an io/signal watcher and a timer; libevent's callbacks are called from
//! watcher trampolines. These functions are declared in `event.h`, not in `ev.h`.

use super::{default_loop_ptr, ev_default_loop, ev_loop_destroy, ev_loop_new, lp};
use crate::abi::*;
use crate::core::Loop;
use libc::{c_char, c_int, c_short, c_void, timeval};
use std::ptr::{addr_of_mut, null_mut};

pub type event_callback = Option<unsafe extern "C-unwind" fn(c_int, c_short, *mut c_void)>;

/// Flag bits of `ev_flags`, as libevent's `EVLIST_*`.
const EVLIST_TIMEOUT: c_int = 0x01;
const EVLIST_INSERTED: c_int = 0x02;
const EVLIST_SIGNAL: c_int = 0x04;
const EVLIST_ACTIVE: c_int = 0x08;
const EVLIST_INIT: c_int = 0x80;
const EV_PERSIST: c_short = 0x10;

#[repr(C)]
pub union event_iosig {
    pub io: std::mem::ManuallyDrop<ev_io>,
    pub sig: std::mem::ManuallyDrop<ev_signal>,
}

#[repr(C)]
pub struct event {
    pub iosig: event_iosig,
    pub to: ev_timer,
    pub ev_base: *mut Loop,
    pub ev_callback: event_callback,
    pub ev_arg: *mut c_void,
    pub ev_fd: c_int,
    pub ev_pri: c_int,
    pub ev_res: c_int,
    pub ev_flags: c_int,
    pub ev_events: c_short,
}

/// The base that `event_set` and the base-less calls use: the last `event_init`.
static mut CURRENT_BASE: *mut Loop = null_mut();

fn current_base() -> *mut Loop {
    // SAFETY: a pointer-sized read; the libevent API is not thread-safe either.
    unsafe { std::ptr::addr_of!(CURRENT_BASE).read() }
}

fn set_current_base(b: *mut Loop) {
    // SAFETY: a pointer-sized write; the libevent API is not thread-safe either.
    unsafe { std::ptr::addr_of_mut!(CURRENT_BASE).write(b) }
}

/// A timeval as a delay: none is -1 (no timeout), zero becomes the shortest delay.
fn tv_delay(tv: *const timeval) -> f64 {
    if tv.is_null() {
        return -1.0;
    }
    // SAFETY: non-null timeval from the caller.
    let after = unsafe { (*tv).tv_sec as f64 + (*tv).tv_usec as f64 * 1e-6 };
    if after != 0.0 {
        after
    } else {
        1e-6
    }
}

fn io_of(ev: *mut event) -> *mut ev_io {
    // SAFETY: field projection of a union member.
    unsafe { addr_of_mut!((*ev).iosig.io) as *mut ev_io }
}

fn sig_of(ev: *mut event) -> *mut ev_signal {
    // SAFETY: field projection of a union member.
    unsafe { addr_of_mut!((*ev).iosig.sig) as *mut ev_signal }
}

fn timer_of(ev: *mut event) -> *mut ev_timer {
    // SAFETY: field projection.
    unsafe { addr_of_mut!((*ev).to) }
}

/// # Safety
/// `ev` must be a live event.
unsafe fn deliver(ev: *mut event, revents: c_int) {
    let revents = revents & (EV_READ | EV_WRITE | EV_TIMER | EV_SIGNAL);
    // SAFETY: live event; the callback follows the C contract.
    unsafe {
        (*ev).ev_res = revents;
        if let Some(cb) = (*ev).ev_callback {
            cb((*ev).ev_fd, revents as c_short, (*ev).ev_arg);
        }
    }
}

unsafe extern "C-unwind" fn signal_fired(_l: *mut Loop, w: *mut ev_signal, revents: c_int) {
    let ev = w as *mut event;
    // SAFETY: the signal watcher is at offset 0 of its event.
    unsafe {
        if revents & EV_ERROR != 0 {
            event_del(ev);
        }
        deliver(ev, revents);
    }
}

unsafe extern "C-unwind" fn io_fired(_l: *mut Loop, w: *mut ev_io, revents: c_int) {
    let ev = w as *mut event;
    // SAFETY: the io watcher is at offset 0 of its event.
    unsafe {
        if revents & EV_ERROR != 0 || (*ev).ev_events & EV_PERSIST == 0 {
            event_del(ev);
        }
        deliver(ev, revents);
    }
}

unsafe extern "C-unwind" fn timeout_fired(_l: *mut Loop, w: *mut ev_timer, revents: c_int) {
    // SAFETY: the timer is the `to` member of its event.
    unsafe {
        let ev = (w as *mut u8).sub(std::mem::offset_of!(event, to)) as *mut event;
        event_del(ev);
        deliver(ev, revents);
    }
}

#[no_mangle]
pub extern "C" fn event_get_version() -> *const c_char {
    c"4.33".as_ptr()
}

#[no_mangle]
pub extern "C" fn event_get_method() -> *const c_char {
    c"libev".as_ptr()
}

#[no_mangle]
pub extern "C" fn event_base_get_method(_base: *const c_void) -> *const c_char {
    c"libev".as_ptr()
}

#[no_mangle]
pub extern "C" fn event_init() -> *mut c_void {
    let b = if current_base().is_null() { ev_default_loop(EVFLAG_AUTO) } else { ev_loop_new(EVFLAG_AUTO) };
    set_current_base(b);
    b as *mut c_void
}

#[no_mangle]
pub extern "C" fn event_base_new() -> *mut c_void {
    ev_loop_new(EVFLAG_AUTO) as *mut c_void
}

#[no_mangle]
pub unsafe extern "C-unwind" fn event_base_free(base: *mut c_void) {
    let b = base as *mut Loop;
    if b != default_loop_ptr() {
        // SAFETY: a base made by event_base_new/event_init.
        unsafe { ev_loop_destroy(b) };
    }
}

#[no_mangle]
pub unsafe extern "C-unwind" fn event_dispatch() -> c_int {
    // SAFETY: forwarded.
    unsafe { event_loop(0) }
}

#[no_mangle]
pub unsafe extern "C-unwind" fn event_loop(flags: c_int) -> c_int {
    // SAFETY: forwarded.
    unsafe { event_base_loop(current_base() as *mut c_void, flags) }
}

#[no_mangle]
pub unsafe extern "C-unwind" fn event_base_dispatch(base: *mut c_void) -> c_int {
    // SAFETY: forwarded.
    unsafe { event_base_loop(base, 0) }
}

/// 1 when no events are left to wait for, else 0.
#[no_mangle]
pub unsafe extern "C-unwind" fn event_base_loop(base: *mut c_void, flags: c_int) -> c_int {
    // SAFETY: a live base.
    (unsafe { super::ev_run(base as *mut Loop, flags) } == 0) as c_int
}

unsafe extern "C-unwind" fn loopexit_fired(_revents: c_int, base: *mut c_void) {
    super::ev_break(base as *mut Loop, EVBREAK_ONE);
}

#[no_mangle]
pub unsafe extern "C" fn event_loopexit(tv: *mut timeval) -> c_int {
    // SAFETY: forwarded.
    unsafe { event_base_loopexit(current_base() as *mut c_void, tv) }
}

#[no_mangle]
pub unsafe extern "C" fn event_base_loopexit(base: *mut c_void, tv: *mut timeval) -> c_int {
    let after = tv_delay(tv);
    // SAFETY: a live base.
    unsafe { super::ev_once(base as *mut Loop, -1, 0, after.max(0.0), Some(loopexit_fired), base) };
    0
}

#[repr(C)]
struct OnceRecord {
    fd: c_int,
    cb: event_callback,
    arg: *mut c_void,
}

unsafe extern "C-unwind" fn once_fired(revents: c_int, arg: *mut c_void) {
    // SAFETY: the record made by event_base_once, freed here.
    unsafe {
        let rec = Box::from_raw(arg as *mut OnceRecord);
        if let Some(cb) = rec.cb {
            let (fd, arg) = (rec.fd, rec.arg);
            drop(rec);
            cb(fd, revents as c_short, arg);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn event_once(fd: c_int, events: c_short, cb: event_callback, arg: *mut c_void, tv: *mut timeval) -> c_int {
    // SAFETY: forwarded.
    unsafe { event_base_once(current_base() as *mut c_void, fd, events, cb, arg, tv) }
}

#[no_mangle]
pub unsafe extern "C" fn event_base_once(
    base: *mut c_void,
    fd: c_int,
    events: c_short,
    cb: event_callback,
    arg: *mut c_void,
    tv: *mut timeval,
) -> c_int {
    let rec = Box::into_raw(Box::new(OnceRecord { fd, cb, arg }));
    // SAFETY: a live base; the record lives until it fires.
    unsafe {
        super::ev_once(
            base as *mut Loop,
            fd,
            events as c_int & (EV_READ | EV_WRITE),
            tv_delay(tv),
            Some(once_fired),
            rec as *mut c_void,
        )
    };
    0
}

#[no_mangle]
pub unsafe extern "C" fn event_set(
    ev: *mut event,
    fd: c_int,
    events: c_short,
    cb: event_callback,
    arg: *mut c_void,
) {
    // SAFETY: the caller passes event storage; only the fields libevent's
    // event_set initialises are written.
    unsafe {
        let e = &mut *ev;
        let head = ev as *mut ev_watcher;
        (*head).active = 0;
        (*head).pending = 0;
        (*head).priority = 0;
        if events as c_int & EV_SIGNAL != 0 {
            (*sig_of(ev)).cb = Some(signal_fired);
        } else {
            (*io_of(ev)).cb = Some(io_fired);
        }
        e.to.active = 0;
        e.to.pending = 0;
        e.to.priority = 0;
        e.to.cb = Some(timeout_fired);
        e.ev_base = current_base();
        e.ev_fd = fd;
        e.ev_events = events;
        e.ev_pri = 0;
        e.ev_callback = cb;
        e.ev_arg = arg;
        e.ev_res = 0;
        e.ev_flags = EVLIST_INIT;
    }
}

#[no_mangle]
pub extern "C" fn event_get_callback(ev: *const event) -> event_callback {
    // SAFETY: the caller passes a set-up event.
    unsafe { (*ev).ev_callback }
}

#[no_mangle]
pub unsafe extern "C" fn event_add(ev: *mut event, tv: *mut timeval) -> c_int {
    // SAFETY: a set-up event whose base is live.
    unsafe {
        let e = &mut *ev;
        let l = lp(e.ev_base);
        let events = e.ev_events as c_int;
        if events & EV_SIGNAL != 0 {
            let s = sig_of(ev);
            if (*s).active == 0 {
                (*s).signum = e.ev_fd;
                l.signal_start(s);
                e.ev_flags |= EVLIST_SIGNAL;
            }
        } else if events & (EV_READ | EV_WRITE) != 0 {
            let io = io_of(ev);
            if (*io).active == 0 {
                (*io).fd = e.ev_fd;
                (*io).events = (events & (EV_READ | EV_WRITE)) | EV__IOFDSET;
                l.io_start(io);
                e.ev_flags |= EVLIST_INSERTED;
            }
        }
        if !tv.is_null() {
            e.to.repeat = tv_delay(tv);
            l.timer_again(timer_of(ev));
            e.ev_flags |= EVLIST_TIMEOUT;
        } else {
            l.timer_stop(timer_of(ev));
            e.ev_flags &= !EVLIST_TIMEOUT;
        }
        e.ev_flags |= EVLIST_ACTIVE;
    }
    0
}

#[no_mangle]
pub unsafe extern "C" fn event_del(ev: *mut event) -> c_int {
    // SAFETY: a set-up event whose base is live.
    unsafe {
        let e = &mut *ev;
        let l = lp(e.ev_base);
        let events = e.ev_events as c_int;
        if events & EV_SIGNAL != 0 {
            l.signal_stop(sig_of(ev));
        } else if events & (EV_READ | EV_WRITE) != 0 {
            l.io_stop(io_of(ev));
        }
        // Only an active timeout is stopped: one made pending by event_active
        // still runs (libev's emulation behaves so).
        if e.to.active != 0 {
            l.timer_stop(timer_of(ev));
        }
        e.ev_flags = EVLIST_INIT;
    }
    0
}

#[no_mangle]
pub unsafe extern "C" fn event_active(ev: *mut event, res: c_int, _ncalls: c_short) {
    // SAFETY: a set-up event whose base is live.
    unsafe {
        let l = lp((*ev).ev_base);
        if res & EV_TIMER != 0 {
            l.feed_event(timer_of(ev) as *mut ev_watcher, res & EV_TIMER);
        }
        if res & EV_SIGNAL != 0 {
            l.feed_event(sig_of(ev) as *mut ev_watcher, res & EV_SIGNAL);
        }
        if res & (EV_READ | EV_WRITE) != 0 {
            l.feed_event(io_of(ev) as *mut ev_watcher, res & (EV_READ | EV_WRITE));
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn event_pending(ev: *mut event, events: c_short, tv: *mut timeval) -> c_int {
    // SAFETY: a set-up event whose base is live.
    unsafe {
        let e = &*ev;
        let mut revents = 0;
        let kinds = e.ev_events as c_int;
        let busy = |w: *mut ev_watcher| (*w).active != 0 || (*w).pending != 0;
        if kinds & EV_SIGNAL != 0 {
            if busy(sig_of(ev) as *mut ev_watcher) {
                revents |= EV_SIGNAL;
            }
        } else if kinds & (EV_READ | EV_WRITE) != 0 && busy(io_of(ev) as *mut ev_watcher) {
            revents |= kinds & (EV_READ | EV_WRITE);
        }
        if kinds & EV_TIMER != 0 || busy(timer_of(ev) as *mut ev_watcher) {
            revents |= EV_TIMER;
            if !tv.is_null() {
                let at = lp(e.ev_base).now();
                (*tv).tv_sec = at as libc::time_t;
                (*tv).tv_usec = ((at - (*tv).tv_sec as f64) * 1e6) as libc::suseconds_t;
            }
        }
        events as c_int & revents
    }
}

#[no_mangle]
pub extern "C" fn event_priority_init(_npri: c_int) -> c_int {
    0
}

#[no_mangle]
pub extern "C" fn event_base_priority_init(_base: *mut c_void, _npri: c_int) -> c_int {
    0
}

#[no_mangle]
pub unsafe extern "C" fn event_priority_set(ev: *mut event, pri: c_int) -> c_int {
    // SAFETY: a set-up event.
    unsafe { (*ev).ev_pri = pri };
    0
}

#[no_mangle]
pub extern "C" fn event_base_set(base: *mut c_void, ev: *mut event) -> c_int {
    // SAFETY: the caller passes a set-up event.
    unsafe { (*ev).ev_base = base as *mut Loop };
    0
}
