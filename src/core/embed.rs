//! Embedding one loop in another: the outer loop watches the inner loop's backend
//! fd, and the inner loop is run without blocking when it has something to do.

use super::{alloc, run, Loop};
use crate::abi::*;
use libc::c_int;
use std::ptr::addr_of_mut;

pub(super) fn container<T>(member: *mut T, offset: usize) -> *mut ev_embed {
    // SAFETY: only used on members of an ev_embed at their offsets.
    unsafe { (member as *mut u8).sub(offset) as *mut ev_embed }
}

unsafe extern "C-unwind" fn embed_io_cb(lp: *mut Loop, io: *mut ev_io, _revents: c_int) {
    let w = container(io, std::mem::offset_of!(ev_embed, io));
    // SAFETY: the embed watcher and both loops are live while it is started.
    unsafe {
        if (*w).cb.is_some() {
            (*lp).feed_event(w as *mut ev_watcher, EV_EMBED);
        } else {
            run::run((*w).other, EVRUN_NOWAIT);
        }
    }
}

unsafe extern "C-unwind" fn embed_prepare_cb(_lp: *mut Loop, p: *mut ev_prepare, _revents: c_int) {
    let w = container(p, std::mem::offset_of!(ev_embed, prepare));
    // SAFETY: the embedded loop is live while the watcher is started.
    unsafe {
        let other = (*w).other;
        // Changes made to the inner loop must reach its backend before we block on
        // its fd.
        while !(*other).fds.changes.is_empty() {
            (*other).fd_reify();
            run::run(other, EVRUN_NOWAIT);
        }
        (*other).backend.flush();
    }
}

unsafe extern "C-unwind" fn embed_fork_cb(lp: *mut Loop, f: *mut ev_fork, _revents: c_int) {
    let w = container(f, std::mem::offset_of!(ev_embed, fork));
    // SAFETY: live loops and watcher.
    unsafe {
        (*lp).embed_stop(w);
        let other = (*w).other;
        if (*other).backend_id() & crate::backend::embeddable() != 0 {
            (*other).postfork = true;
            run::run(other, EVRUN_NOWAIT);
        }
        (*lp).embed_start(w);
    }
}

impl Loop {
    /// # Safety
    /// `w` must be a live embed watcher whose `other` is a live loop.
    pub unsafe fn embed_start(&mut self, w: *mut ev_embed) {
        // SAFETY: live watcher and loop; the sub-watchers are ours to initialise.
        unsafe {
            let wr = &mut *w;
            if wr.active != 0 {
                return;
            }
            let other = wr.other;
            if other.is_null() || (*other).backend_id() & crate::backend::embeddable() == 0 {
                alloc::fatal("libev: loop to be embedded is not embeddable");
            }
            let pri = wr.priority.clamp(EV_MINPRI, EV_MAXPRI);
            let null = std::ptr::null_mut();
            wr.io = ev_io { active: 0, pending: 0, priority: pri, data: null, cb: Some(embed_io_cb), next: null as _, fd: (*other).backend.fd(), events: EV_READ | EV__IOFDSET };
            self.io_start(addr_of_mut!(wr.io));
            wr.prepare = ev_prepare { active: 0, pending: 0, priority: EV_MINPRI, data: null, cb: Some(embed_prepare_cb) };
            self.prepare_start(addr_of_mut!(wr.prepare));
            wr.fork = ev_fork { active: 0, pending: 0, priority: 0, data: null, cb: Some(embed_fork_cb) };
            self.fork_start(addr_of_mut!(wr.fork));
            self.start_watcher(w as *mut ev_watcher, 1);
        }
    }

    /// # Safety
    /// `w` must be a live embed watcher.
    pub unsafe fn embed_stop(&mut self, w: *mut ev_embed) {
        // SAFETY: live watcher.
        unsafe {
            self.clear_pending(w as *mut ev_watcher);
            if (*w).active == 0 {
                return;
            }
            self.io_stop(addr_of_mut!((*w).io));
            self.prepare_stop(addr_of_mut!((*w).prepare));
            self.fork_stop(addr_of_mut!((*w).fork));
            self.stop_watcher(w as *mut ev_watcher);
        }
    }
}

pub(crate) fn io_cb_addr() -> usize {
    embed_io_cb as *const () as usize
}

pub(crate) fn prepare_cb_addr() -> usize {
    embed_prepare_cb as *const () as usize
}

pub(crate) fn fork_cb_addr() -> usize {
    embed_fork_cb as *const () as usize
}
