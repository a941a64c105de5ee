//! The public C types of libev 4.33, laid out byte for byte as `ev.h` declares them.
//!
//! cbindgen turns these into the struct part of `include/ev.h`. User code compiled
//! against either header reads and writes these fields through macros, so every
//! offset and every field's meaning is part of the ABI (see `../shared/abi/`).
#![allow(non_camel_case_types)]

use libc::{c_char, c_int, c_void};

/// Opaque to C: `struct ev_loop`. The core's loop state lives behind it.
pub use crate::core::Loop;

/// Time in seconds as a double; declared in the handwritten header part.
pub type ev_tstamp = f64;
/// `sig_atomic_t volatile`; declared in the handwritten header part.
pub type EV_ATOMIC_T = c_int;
/// glibc's `struct stat`; declared in the handwritten header part.
pub type ev_statdata = libc::stat;

/// A watcher callback of watcher type `W`. Callbacks may throw (C++) or longjmp,
/// so they are called with an unwinding ABI.
pub type WatcherCb<W> = Option<unsafe extern "C-unwind" fn(*mut Loop, *mut W, c_int)>;

/// `ev_loop_callback`: the type of the invoke-pending hook.
pub type ev_loop_callback = Option<unsafe extern "C-unwind" fn(*mut Loop)>;
/// Loop release/acquire hooks; `noexcept` in C++17 (declared in the handwritten part).
pub type ev__loop_hook = Option<unsafe extern "C" fn(*mut Loop)>;
/// `ev_periodic.reschedule_cb`; `noexcept` in C++17 (declared in the handwritten part).
pub type ev__periodic_reschedule_cb = Option<unsafe extern "C" fn(*mut ev_periodic, ev_tstamp) -> ev_tstamp>;
/// The allocator given to `ev_set_allocator`; `noexcept` in C++17.
pub type ev__allocator_cb = Option<unsafe extern "C" fn(*mut c_void, libc::c_long) -> *mut c_void>;
/// The callback given to `ev_set_syserr_cb`; `noexcept` in C++17.
pub type ev__syserr_cb = Option<unsafe extern "C" fn(*const c_char)>;
/// The callback of `ev_once`.
pub type ev__once_cb = Option<unsafe extern "C-unwind" fn(c_int, *mut c_void)>;

#[repr(C)]
pub struct ev_watcher {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_watcher>,
}

#[repr(C)]
pub struct ev_watcher_list {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_watcher_list>,
    pub next: *mut ev_watcher_list,
}

#[repr(C)]
pub struct ev_watcher_time {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_watcher_time>,
    pub at: ev_tstamp,
}

#[repr(C)]
pub struct ev_io {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_io>,
    pub next: *mut ev_watcher_list,
    pub fd: c_int,
    pub events: c_int,
}

#[repr(C)]
pub struct ev_timer {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_timer>,
    pub at: ev_tstamp,
    pub repeat: ev_tstamp,
}

#[repr(C)]
pub struct ev_periodic {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_periodic>,
    pub at: ev_tstamp,
    pub offset: ev_tstamp,
    pub interval: ev_tstamp,
    pub reschedule_cb: ev__periodic_reschedule_cb,
}

#[repr(C)]
pub struct ev_signal {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_signal>,
    pub next: *mut ev_watcher_list,
    pub signum: c_int,
}

#[repr(C)]
pub struct ev_child {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_child>,
    pub next: *mut ev_watcher_list,
    pub flags: c_int,
    pub pid: c_int,
    pub rpid: c_int,
    pub rstatus: c_int,
}

#[repr(C)]
pub struct ev_stat {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_stat>,
    pub next: *mut ev_watcher_list,
    pub timer: ev_timer,
    pub interval: ev_tstamp,
    pub path: *const c_char,
    pub prev: ev_statdata,
    pub attr: ev_statdata,
    pub wd: c_int,
}

#[repr(C)]
pub struct ev_idle {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_idle>,
}

#[repr(C)]
pub struct ev_prepare {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_prepare>,
}

#[repr(C)]
pub struct ev_check {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_check>,
}

#[repr(C)]
pub struct ev_fork {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_fork>,
}

#[repr(C)]
pub struct ev_cleanup {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_cleanup>,
}

#[repr(C)]
pub struct ev_embed {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_embed>,
    pub other: *mut Loop,
    pub io: ev_io,
    pub prepare: ev_prepare,
    pub check: ev_check,
    pub timer: ev_timer,
    pub periodic: ev_periodic,
    pub idle: ev_idle,
    pub fork: ev_fork,
    pub cleanup: ev_cleanup,
}

#[repr(C)]
pub struct ev_async {
    pub active: c_int,
    pub pending: c_int,
    pub priority: c_int,
    pub data: *mut c_void,
    pub cb: WatcherCb<ev_async>,
    pub sent: EV_ATOMIC_T,
}

/// `union ev_any_watcher`: storage big enough for any watcher.
/// cbindgen:field-names=[w, wl, io, timer, periodic, signal, child, stat, idle, prepare, check, fork, cleanup, embed, async]
#[repr(C)]
pub union ev_any_watcher {
    pub w: std::mem::ManuallyDrop<ev_watcher>,
    pub wl: std::mem::ManuallyDrop<ev_watcher_list>,
    pub io: std::mem::ManuallyDrop<ev_io>,
    pub timer: std::mem::ManuallyDrop<ev_timer>,
    pub periodic: std::mem::ManuallyDrop<ev_periodic>,
    pub signal: std::mem::ManuallyDrop<ev_signal>,
    pub child: std::mem::ManuallyDrop<ev_child>,
    pub stat: std::mem::ManuallyDrop<ev_stat>,
    pub idle: std::mem::ManuallyDrop<ev_idle>,
    pub prepare: std::mem::ManuallyDrop<ev_prepare>,
    pub check: std::mem::ManuallyDrop<ev_check>,
    pub fork: std::mem::ManuallyDrop<ev_fork>,
    pub cleanup: std::mem::ManuallyDrop<ev_cleanup>,
    pub embed: std::mem::ManuallyDrop<ev_embed>,
    pub async_: std::mem::ManuallyDrop<ev_async>,
}

// Event bits (revents / events), as ev.h's enumerators.
pub const EV_UNDEF: c_int = -1;
pub const EV_NONE: c_int = 0x00;
pub const EV_READ: c_int = 0x01;
pub const EV_WRITE: c_int = 0x02;
pub const EV_IO: c_int = EV_READ;
pub const EV__IOFDSET: c_int = 0x80;
pub const EV_TIMER: c_int = 0x100;
pub const EV_PERIODIC: c_int = 0x200;
pub const EV_SIGNAL: c_int = 0x400;
pub const EV_CHILD: c_int = 0x800;
pub const EV_STAT: c_int = 0x1000;
pub const EV_IDLE: c_int = 0x2000;
pub const EV_PREPARE: c_int = 0x4000;
pub const EV_CHECK: c_int = 0x8000;
pub const EV_EMBED: c_int = 0x10000;
pub const EV_FORK: c_int = 0x20000;
pub const EV_CLEANUP: c_int = 0x40000;
pub const EV_ASYNC: c_int = 0x80000;
pub const EV_CUSTOM: c_int = 0x1000000;
pub const EV_ERROR: c_int = i32::MIN;

// Loop flags.
pub const EVFLAG_AUTO: u32 = 0;
pub const EVFLAG_NOENV: u32 = 0x0100_0000;
pub const EVFLAG_FORKCHECK: u32 = 0x0200_0000;
pub const EVFLAG_NOINOTIFY: u32 = 0x0010_0000;
pub const EVFLAG_SIGNALFD: u32 = 0x0020_0000;
pub const EVFLAG_NOSIGMASK: u32 = 0x0040_0000;
pub const EVFLAG_NOTIMERFD: u32 = 0x0080_0000;

// Backends.
pub const EVBACKEND_SELECT: u32 = 0x01;
pub const EVBACKEND_POLL: u32 = 0x02;
pub const EVBACKEND_EPOLL: u32 = 0x04;
pub const EVBACKEND_KQUEUE: u32 = 0x08;
pub const EVBACKEND_DEVPOLL: u32 = 0x10;
pub const EVBACKEND_PORT: u32 = 0x20;
pub const EVBACKEND_LINUXAIO: u32 = 0x40;
pub const EVBACKEND_IOURING: u32 = 0x80;
pub const EVBACKEND_ALL: u32 = 0xff;
pub const EVBACKEND_MASK: u32 = 0xffff;

// ev_run flags and ev_break kinds.
pub const EVRUN_NOWAIT: c_int = 1;
pub const EVRUN_ONCE: c_int = 2;
pub const EVBREAK_CANCEL: c_int = 0;
pub const EVBREAK_ONE: c_int = 1;
pub const EVBREAK_ALL: c_int = 2;

pub const EV_MINPRI: c_int = -2;
pub const EV_MAXPRI: c_int = 2;
/// Number of priorities.
pub const NUMPRI: usize = (EV_MAXPRI - EV_MINPRI + 1) as usize;

pub const EV_VERSION_MAJOR: c_int = 4;
pub const EV_VERSION_MINOR: c_int = 33;

#[cfg(test)]
mod layout_tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn sizes_match_libev_4_33() {
        assert_eq!(size_of::<ev_watcher>(), 32);
        assert_eq!(size_of::<ev_io>(), 48);
        assert_eq!(size_of::<ev_timer>(), 48);
        assert_eq!(size_of::<ev_periodic>(), 64);
        assert_eq!(size_of::<ev_signal>(), 48);
        assert_eq!(size_of::<ev_child>(), 56);
        assert_eq!(size_of::<ev_statdata>(), 144);
        assert_eq!(size_of::<ev_stat>(), 400);
        assert_eq!(size_of::<ev_embed>(), 360);
        assert_eq!(size_of::<ev_async>(), 40);
        assert_eq!(size_of::<ev_any_watcher>(), 400);
        assert_eq!(offset_of!(ev_stat, attr), 248);
        assert_eq!(offset_of!(ev_stat, wd), 392);
        assert_eq!(offset_of!(ev_embed, cleanup), 328);
    }
}
