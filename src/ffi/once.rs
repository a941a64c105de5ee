//! `ev_once`: a heap record holding an io and a timer watcher; whichever fires
//! first stops both, frees the record and calls the user's function.

use crate::abi::*;
use crate::core::Loop;
use libc::{c_int, c_void};

#[repr(C)]
struct Once {
    io: ev_io,
    timer: ev_timer,
    cb: ev__once_cb,
    arg: *mut c_void,
}

/// # Safety
/// `l` must be a live loop.
pub unsafe fn start(l: &mut Loop, fd: c_int, events: c_int, timeout: ev_tstamp, cb: ev__once_cb, arg: *mut c_void) {
    let (active, pending, priority, data) = (0, 0, 0, std::ptr::null_mut());
    let once = Box::into_raw(Box::new(Once {
        io: ev_io { active, pending, priority, data, cb: Some(io_fired), next: std::ptr::null_mut(), fd, events: events | EV__IOFDSET },
        timer: ev_timer { active, pending, priority, data, cb: Some(timer_fired), at: timeout, repeat: 0.0 },
        cb,
        arg,
    }));
    // SAFETY: the record is heap-allocated and stays put until `fire` frees it.
    unsafe {
        if fd >= 0 {
            l.io_start(&mut (*once).io);
        }
        if timeout >= 0.0 {
            l.timer_start(&mut (*once).timer);
        }
    }
}

/// # Safety
/// `once` must be a live record; it is freed here.
unsafe fn fire(lp: *mut Loop, once: *mut Once, revents: c_int) {
    // SAFETY: live loop and record; the record is unlinked before it is freed.
    unsafe {
        let l = &mut *lp;
        l.io_stop(&mut (*once).io);
        l.timer_stop(&mut (*once).timer);
        let rec = Box::from_raw(once);
        if let Some(cb) = rec.cb {
            let arg = rec.arg;
            drop(rec);
            cb(revents, arg);
        }
    }
}

unsafe extern "C-unwind" fn io_fired(lp: *mut Loop, w: *mut ev_io, revents: c_int) {
    let once = w as *mut Once;
    // SAFETY: `io` is the first field of the record.
    unsafe {
        let other = (*lp).clear_pending(&mut (*once).timer as *mut ev_timer as *mut ev_watcher);
        fire(lp, once, revents | other);
    }
}

unsafe extern "C-unwind" fn timer_fired(lp: *mut Loop, w: *mut ev_timer, revents: c_int) {
    // SAFETY: `timer` sits at a fixed offset inside the record.
    unsafe {
        let once = (w as *mut u8).sub(std::mem::offset_of!(Once, timer)) as *mut Once;
        let other = (*lp).clear_pending(&mut (*once).io as *mut ev_io as *mut ev_watcher);
        fire(lp, once, revents | other);
    }
}
