//! Stat watchers: a path is `lstat`ed and compared with its last attributes. The
//! comparison runs when inotify reports something about the path (or about its
//! nearest existing parent while it does not exist), and on a polling timer,
//! which is switched off for local filesystems where inotify sees every change.

use crate::backend::errno;
use super::Loop;
use crate::abi::*;
use libc::{c_int, c_void};
use std::ptr::addr_of_mut;

/// The smallest polling interval; smaller non-zero values are raised to it.
const MIN_STAT_INTERVAL: f64 = 0.107_489_1;
/// The polling interval when the user gives none.
const DEF_STAT_INTERVAL: f64 = 5.007_489_1;
/// The polling interval for paths inotify may not see all changes of.
const REMOTE_STAT_INTERVAL: f64 = 30.107_489_1;

/// Filesystems whose changes inotify reports completely.
const LOCAL_FS: &[i64] = &[
    0x1373,     // devfs
    0x4006,     // fat
    0x4d44,     // msdos
    0xEF53,     // ext2/3/4
    0x72b6,     // jffs2
    0x858458f6, // ramfs
    0x5346544e, // ntfs
    0x3153464a, // jfs
    0x9123683e, // btrfs
    0x52654973, // reiser3
    0x01021994, // tmpfs
    0x58465342, // xfs
    0xf2f52010, // f2fs
    0x2fc12fc1, // zfs
    0x794c7630, // overlayfs
];

const WATCH_MASK: u32 = libc::IN_ATTRIB
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF
    | libc::IN_MODIFY
    | libc::IN_CREATE
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_DONT_FOLLOW
    | libc::IN_MASK_ADD;

/// `ev_stat_stat`: `st_nlink == 0` means the path does not exist.
///
/// # Safety
/// `w` must be a live stat watcher with a valid path.
pub unsafe fn stat_now(w: *mut ev_stat) {
    // SAFETY: live watcher, NUL-terminated path.
    unsafe {
        let wr = &mut *w;
        if libc::lstat(wr.path, &mut wr.attr) < 0 {
            wr.attr.st_nlink = 0;
        } else if wr.attr.st_nlink == 0 {
            wr.attr.st_nlink = 1;
        }
    }
}

fn differs(a: &ev_statdata, b: &ev_statdata) -> bool {
    a.st_dev != b.st_dev
        || a.st_ino != b.st_ino
        || a.st_mode != b.st_mode
        || a.st_nlink != b.st_nlink
        || a.st_uid != b.st_uid
        || a.st_gid != b.st_gid
        || a.st_rdev != b.st_rdev
        || a.st_size != b.st_size
        || a.st_atime != b.st_atime
        || a.st_mtime != b.st_mtime
        || a.st_ctime != b.st_ctime
}

/// The stat watcher that embeds timer `t`.
pub(super) fn from_timer(t: *mut ev_timer) -> *mut ev_stat {
    // SAFETY: only used on the `timer` member of a stat watcher.
    unsafe { (t as *mut u8).sub(std::mem::offset_of!(ev_stat, timer)) as *mut ev_stat }
}

impl Loop {
    /// Re-stat and report a change.
    ///
    /// # Safety
    /// `w` must be a live, started stat watcher.
    unsafe fn stat_check(&mut self, w: *mut ev_stat) {
        // SAFETY: live watcher.
        unsafe {
            let prev = (*w).attr;
            stat_now(w);
            if differs(&prev, &(*w).attr) {
                (*w).prev = prev;
                if self.inotify_fd >= 0 {
                    // The path may now be a different inode: watch the new one.
                    self.inotify_del(w);
                    self.inotify_add(w);
                    stat_now(w);
                }
                self.feed_event(w as *mut ev_watcher, EV_STAT);
            }
        }
    }

    fn inotify_init(&mut self) {
        if self.inotify_fd != -2 {
            return;
        }
        self.inotify_fd = -1;
        if self.origflags & EVFLAG_NOINOTIFY != 0 {
            return;
        }
        // SAFETY: plain syscall.
        let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) };
        if fd < 0 {
            return;
        }
        self.inotify_fd = fd;
        self.inotify_io.fd = fd;
        self.inotify_io.events = EV_READ | EV__IOFDSET;
        // SAFETY: internal watcher inside the boxed loop.
        unsafe { { let w = addr_of_mut!(self.inotify_io); self.io_start(w) } };
        self.unref();
    }

    /// # Safety
    /// `w` must be a live stat watcher.
    unsafe fn inotify_add(&mut self, w: *mut ev_stat) {
        // SAFETY: live watcher with a valid path; internal timer inside it.
        unsafe {
            let wr = &mut *w;
            let polling = if wr.interval != 0.0 { wr.interval } else { DEF_STAT_INTERVAL };
            wr.wd = libc::inotify_add_watch(self.inotify_fd, wr.path, WATCH_MASK);
            if wr.wd >= 0 {
                let mut sfs: libc::statfs = std::mem::zeroed();
                wr.timer.repeat = if libc::statfs(wr.path, &mut sfs) == 0 && LOCAL_FS.contains(&(sfs.f_type as i64)) {
                    0.0
                } else if wr.interval != 0.0 {
                    wr.interval
                } else {
                    REMOTE_STAT_INTERVAL
                };
            } else {
                wr.timer.repeat = polling;
                // Watch the nearest existing parent so creation is noticed early.
                let e = errno();
                if e == libc::ENOENT || e == libc::EACCES {
                    let mut path = std::ffi::CStr::from_ptr(wr.path).to_bytes().to_vec();
                    loop {
                        let e = errno();
                        let mask = libc::IN_MASK_ADD
                            | libc::IN_DELETE_SELF
                            | libc::IN_MOVE_SELF
                            | if e == libc::EACCES { libc::IN_ATTRIB } else { libc::IN_CREATE | libc::IN_MOVED_TO };
                        match path.iter().rposition(|&c| c == b'/') {
                            Some(0) | None => break,
                            Some(i) => path.truncate(i),
                        }
                        let Ok(c) = std::ffi::CString::new(path.clone()) else { break };
                        wr.wd = libc::inotify_add_watch(self.inotify_fd, c.as_ptr(), mask);
                        if wr.wd >= 0 || (errno() != libc::ENOENT && errno() != libc::EACCES) {
                            break;
                        }
                    }
                }
            }
            if wr.wd >= 0 {
                self.inotified.push(w);
            }
            let t = addr_of_mut!(wr.timer);
            if (*t).active != 0 {
                self.ref_();
            }
            self.timer_again(t);
            if (*t).active != 0 {
                self.unref();
            }
        }
    }

    /// # Safety
    /// `w` must be a live stat watcher.
    unsafe fn inotify_del(&mut self, w: *mut ev_stat) {
        // SAFETY: live watcher.
        unsafe {
            let wd = (*w).wd;
            if wd < 0 {
                return;
            }
            (*w).wd = -2;
            self.inotified.retain(|&x| x != w);
            // Others watching the same inode get IN_IGNORED and re-add themselves.
            libc::inotify_rm_watch(self.inotify_fd, wd);
        }
    }

    /// # Safety
    /// `w` must be a live stat watcher that stays valid until stopped.
    pub unsafe fn stat_start(&mut self, w: *mut ev_stat) {
        // SAFETY: live watcher; its timer member is ours to initialise.
        unsafe {
            let wr = &mut *w;
            if wr.active != 0 {
                return;
            }
            // A path that does not exist leaves everything but st_nlink unwritten;
            // start from zeros rather than whatever the memory held.
            wr.attr = std::mem::zeroed();
            stat_now(w);
            if wr.interval != 0.0 && wr.interval < MIN_STAT_INTERVAL {
                wr.interval = MIN_STAT_INTERVAL;
            }
            wr.timer = ev_timer {
                active: 0,
                pending: 0,
                priority: wr.priority.clamp(EV_MINPRI, EV_MAXPRI),
                data: std::ptr::null_mut(),
                cb: Some(stat_timer_cb),
                at: 0.0,
                repeat: if wr.interval != 0.0 { wr.interval } else { DEF_STAT_INTERVAL },
            };
            self.inotify_init();
            if self.inotify_fd >= 0 {
                self.inotify_add(w);
            } else {
                self.timer_again(addr_of_mut!(wr.timer));
                self.unref();
            }
            self.start_watcher(w as *mut ev_watcher, 1);
        }
    }

    /// # Safety
    /// `w` must be a live stat watcher.
    pub unsafe fn stat_stop(&mut self, w: *mut ev_stat) {
        // SAFETY: live watcher.
        unsafe {
            self.clear_pending(w as *mut ev_watcher);
            if (*w).active == 0 {
                return;
            }
            if self.inotify_fd >= 0 {
                self.inotify_del(w);
            }
            let t = addr_of_mut!((*w).timer);
            if (*t).active != 0 {
                self.ref_();
                self.timer_stop(t);
            }
            self.stop_watcher(w as *mut ev_watcher);
        }
    }

    pub(crate) fn inotify_after_fork(&mut self) {
        if self.inotify_fd < 0 {
            return;
        }
        let watchers = std::mem::take(&mut self.inotified);
        self.ref_();
        // SAFETY: internal watcher inside the boxed loop; our own fd.
        unsafe {
            { let w = addr_of_mut!(self.inotify_io); self.io_stop(w) };
            libc::close(self.inotify_fd);
        }
        self.inotify_fd = -2;
        self.inotify_init();
        for w in watchers {
            // SAFETY: started stat watchers are live.
            unsafe {
                (*w).wd = -2;
                if self.inotify_fd >= 0 {
                    self.inotify_add(w);
                }
            }
        }
    }

    pub(crate) fn inotify_close(&mut self) {
        if self.inotify_fd >= 0 {
            // SAFETY: our own fd.
            unsafe { libc::close(self.inotify_fd) };
            self.inotify_fd = -1;
        }
    }
}

unsafe extern "C-unwind" fn stat_timer_cb(lp: *mut Loop, t: *mut ev_timer, _revents: c_int) {
    // SAFETY: `t` is the timer member of a started stat watcher of this loop.
    unsafe { (*lp).stat_check(from_timer(t)) }
}

/// inotify reported something: re-check the watchers of that watch descriptor
/// (all of them when the kernel's queue overflowed).
pub(crate) unsafe extern "C-unwind" fn inotify_cb(lp: *mut Loop, w: *mut ev_io, _revents: c_int) {
    // SAFETY: live loop; inotify records are read into an aligned buffer.
    unsafe {
        let mut buf = [0u64; 512];
        loop {
            let n = libc::read((*w).fd, buf.as_mut_ptr() as *mut c_void, std::mem::size_of_val(&buf));
            if n <= 0 {
                break;
            }
            let bytes = buf.as_ptr() as *const u8;
            let mut off = 0usize;
            while off + std::mem::size_of::<libc::inotify_event>() <= n as usize {
                let ev = &*(bytes.add(off) as *const libc::inotify_event);
                let l = &mut *lp;
                let targets: Vec<*mut ev_stat> =
                    l.inotified.iter().copied().filter(|&s| ev.wd == -1 || (*s).wd == ev.wd).collect();
                for s in targets {
                    if ev.mask & (libc::IN_IGNORED | libc::IN_UNMOUNT | libc::IN_DELETE_SELF) != 0 {
                        l.inotified.retain(|&x| x != s);
                        (*s).wd = -1;
                        l.inotify_add(s);
                    }
                    l.stat_check(s);
                }
                off += std::mem::size_of::<libc::inotify_event>() + ev.len as usize;
            }
        }
    }
}

pub(crate) fn timer_cb_addr() -> usize {
    stat_timer_cb as *const () as usize
}
