//! `ev_walk`: enumerate the user's active watchers by type. Internal watchers are
//! left out, and the members of stat and embed watchers are reported as their
//! containing watcher.

use super::Loop;
use crate::abi::*;
use libc::{c_int, c_void};

/// The callback of `ev_walk`.
pub type WalkCb = Option<unsafe extern "C-unwind" fn(*mut Loop, c_int, *mut c_void)>;

fn is_cb<W>(w: *mut W, f: usize) -> bool {
    // SAFETY: every watcher starts with the common head.
    unsafe { (*(w as *mut ev_watcher)).cb.map(|c| c as usize) == Some(f) }
}

impl Loop {
    /// The watchers to report, collected first so the callback may stop them.
    fn walk_list(&mut self, types: c_int) -> Vec<(c_int, *mut c_void)> {
        let mut out = Vec::new();
        let embed_io = super::embed::io_cb_addr();
        let stat_timer = super::stat::timer_cb_addr();
        let me_internal = [
            std::ptr::addr_of_mut!(self.wakeup.io) as *mut ev_io,
            std::ptr::addr_of_mut!(self.jump_io),
            std::ptr::addr_of_mut!(self.inotify_io),
            std::ptr::addr_of_mut!(self.sigfd_io),
        ];
        for fd in self.fds.watched().collect::<Vec<_>>() {
            let mut w = self.fds.fds[fd as usize].head;
            while !w.is_null() {
                let io = w as *mut ev_io;
                if is_cb(io, embed_io) {
                    if types & EV_EMBED != 0 {
                        out.push((EV_EMBED, super::embed::container(io, std::mem::offset_of!(ev_embed, io)) as *mut c_void));
                    }
                } else if !me_internal.contains(&io) && types & EV_IO != 0 {
                    out.push((EV_IO, io as *mut c_void));
                }
                // SAFETY: io watchers on fd lists are live.
                w = unsafe { (*w).next };
            }
        }
        let mut stats: Vec<*mut c_void> = Vec::new();
        for (_, n) in self.timers.live_nodes() {
            if is_cb(n.w, stat_timer) {
                stats.push(super::stat::from_timer(n.w as *mut ev_timer) as *mut c_void);
            } else if types & EV_TIMER != 0 {
                out.push((EV_TIMER, n.w as *mut c_void));
            }
        }
        if types & EV_STAT != 0 {
            // A stat watcher on a local filesystem relies on inotify alone and has
            // no timer running: it is found through its inotify watch.
            for &w in &self.inotified {
                if !stats.contains(&(w as *mut c_void)) {
                    stats.push(w as *mut c_void);
                }
            }
            out.extend(stats.into_iter().map(|w| (EV_STAT, w)));
        }
        if types & EV_PERIODIC != 0 {
            out.extend(self.periodics.live_nodes().map(|(_, n)| (EV_PERIODIC, n.w as *mut c_void)));
        }
        if types & EV_IDLE != 0 {
            out.extend(self.idles.iter().flatten().map(|&w| (EV_IDLE, w as *mut c_void)));
        }
        let embedded = |w: *mut c_void, f: usize| is_cb(w as *mut ev_watcher, f);
        if types & EV_FORK != 0 {
            let f = super::embed::fork_cb_addr();
            out.extend(self.forks.iter().map(|&w| (EV_FORK, w as *mut c_void)).filter(|&(_, w)| !embedded(w, f)));
        }
        if types & EV_ASYNC != 0 {
            out.extend(self.asyncs.iter().map(|&w| (EV_ASYNC, w as *mut c_void)));
        }
        if types & EV_PREPARE != 0 {
            let f = super::embed::prepare_cb_addr();
            out.extend(self.prepares.iter().map(|&w| (EV_PREPARE, w as *mut c_void)).filter(|&(_, w)| !embedded(w, f)));
        }
        if types & EV_CHECK != 0 {
            out.extend(self.checks.iter().map(|&w| (EV_CHECK, w as *mut c_void)));
        }
        if types & EV_CLEANUP != 0 {
            out.extend(self.cleanups.iter().map(|&w| (EV_CLEANUP, w as *mut c_void)));
        }
        if types & EV_SIGNAL != 0 {
            let childev = std::ptr::addr_of_mut!(self.childev) as *mut c_void;
            out.extend(self.signal_watchers().into_iter().map(|w| (EV_SIGNAL, w)).filter(|&(_, w)| w != childev));
        }
        if types & EV_CHILD != 0 {
            for &head in &self.children {
                let mut w = head;
                while !w.is_null() {
                    out.push((EV_CHILD, w as *mut c_void));
                    // SAFETY: started child watchers are live.
                    w = unsafe { (*w).next };
                }
            }
        }
        out
    }
}

/// # Safety
/// `lp` must be a live loop.
pub unsafe fn walk(lp: *mut Loop, types: c_int, cb: WalkCb) {
    let Some(cb) = cb else { return };
    // SAFETY: live loop; the list is collected before any callback runs.
    unsafe {
        for (t, w) in (*lp).walk_list(types) {
            cb(lp, t, w);
        }
    }
}
