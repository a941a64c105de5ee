//! The exported C API: convert, check, call the core. The only `extern "C"` items.
//!
//! Functions that run user callbacks (`ev_run`, `ev_invoke`, `ev_invoke_pending`,
//! `ev_loop_destroy`) use the unwinding C ABI so a C++ exception or a forced unwind
//! from a callback passes through them; every other export uses the plain C ABI.
//! A Rust panic never unwinds into C: the hook installed at load time reports it and
//! aborts.

mod event;
mod once;

use crate::abi::*;
use crate::core::{self, alloc, time, Loop};
use libc::{c_int, c_uint, c_void};

/// The default loop, read directly by inline code in users' programs
/// (`ev_default_loop_uc_`, `EV_DEFAULT_UC`).
#[no_mangle]
pub static mut ev_default_loop_ptr: *mut Loop = std::ptr::null_mut();

/// The default loop, or null.
pub(crate) fn default_loop_ptr() -> *mut Loop {
    // SAFETY: a plain read of a pointer-sized static.
    unsafe { std::ptr::addr_of!(ev_default_loop_ptr).read() }
}

/// Installed when the library is loaded: a bug in the library must not unwind into
/// C code that cannot handle it.
#[cfg_attr(test, allow(dead_code))]
extern "C" fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("libev: internal error: {info}");
        std::process::abort();
    }));
}

// (Not in unit tests: there the test harness reports panics itself.)
#[cfg(not(test))]
#[used]
#[link_section = ".init_array"]
static INSTALL_PANIC_HOOK: extern "C" fn() = install_panic_hook;

/// Borrow the loop a C caller passed.
#[inline]
fn lp<'a>(l: *mut Loop) -> &'a mut Loop {
    if l.is_null() {
        alloc::fatal("libev: called with a null loop");
    }
    // SAFETY: non-null loops come from ev_default_loop/ev_loop_new and live until
    // ev_loop_destroy; C callers serialise calls on one loop.
    unsafe { &mut *l }
}

/// A loop pointer checked for null, for calls that must not borrow the loop
/// (it may be running callbacks further up, or, for `ev_async_send`, be in use
/// by another thread).
#[inline]
fn checked(l: *mut Loop) -> *mut Loop {
    if l.is_null() {
        alloc::fatal("libev: called with a null loop");
    }
    l
}

// ----- global ----------------------------------------------------------------------

#[no_mangle]
pub extern "C" fn ev_version_major() -> c_int {
    EV_VERSION_MAJOR
}

#[no_mangle]
pub extern "C" fn ev_version_minor() -> c_int {
    EV_VERSION_MINOR
}

#[no_mangle]
pub extern "C" fn ev_supported_backends() -> c_uint {
    crate::backend::supported()
}

#[no_mangle]
pub extern "C" fn ev_recommended_backends() -> c_uint {
    crate::backend::recommended()
}

#[no_mangle]
pub extern "C" fn ev_embeddable_backends() -> c_uint {
    crate::backend::embeddable()
}

#[no_mangle]
pub extern "C" fn ev_time() -> ev_tstamp {
    time::wall()
}

#[no_mangle]
pub extern "C" fn ev_sleep(delay: ev_tstamp) {
    time::sleep(delay)
}

#[no_mangle]
pub extern "C" fn ev_set_allocator(cb: ev__allocator_cb) {
    alloc::set_allocator(cb)
}

#[no_mangle]
pub extern "C" fn ev_set_syserr_cb(cb: ev__syserr_cb) {
    alloc::set_syserr_cb(cb)
}

// ----- loops -----------------------------------------------------------------------

#[no_mangle]
pub extern "C" fn ev_default_loop(flags: c_uint) -> *mut Loop {
    // SAFETY: the default loop pointer is only written here and in ev_loop_destroy;
    // libev documents ev_default_loop as not thread-safe.
    unsafe {
        if ev_default_loop_ptr.is_null() {
            if let Some(l) = Loop::new_default(flags) {
                ev_default_loop_ptr = Box::into_raw(l);
            }
        }
        ev_default_loop_ptr
    }
}

#[no_mangle]
pub extern "C" fn ev_loop_new(flags: c_uint) -> *mut Loop {
    Loop::new(flags).map_or(std::ptr::null_mut(), Box::into_raw)
}

/// Runs the loop's cleanup watchers, then frees it.
/// Not `noexcept` in C++: user callbacks may throw through it.
/// cbindgen:postfix=
#[no_mangle]
pub unsafe extern "C-unwind" fn ev_loop_destroy(l: *mut Loop) {
    if l.is_null() {
        return;
    }
    // SAFETY: a live loop made by ev_default_loop/ev_loop_new; the default
    // loop pointer is only written by the loop functions, which libev documents
    // as not thread-safe.
    unsafe {
        core::run::destroy(l, || {
            if l == ev_default_loop_ptr {
                ev_default_loop_ptr = std::ptr::null_mut();
            }
        })
    }
}

#[no_mangle]
pub extern "C" fn ev_loop_fork(l: *mut Loop) {
    lp(l).postfork = true;
}

#[no_mangle]
pub extern "C" fn ev_backend(l: *mut Loop) -> c_uint {
    lp(l).backend_id()
}

#[no_mangle]
pub extern "C" fn ev_now(l: *mut Loop) -> ev_tstamp {
    lp(l).now()
}

#[no_mangle]
pub extern "C" fn ev_now_update(l: *mut Loop) {
    lp(l).now_update()
}

#[no_mangle]
pub extern "C" fn ev_suspend(l: *mut Loop) {
    lp(l).suspend()
}

#[no_mangle]
pub extern "C" fn ev_resume(l: *mut Loop) {
    lp(l).resume()
}

/// Not `noexcept` in C++: user callbacks may throw through it.
/// cbindgen:postfix=
#[no_mangle]
pub unsafe extern "C-unwind" fn ev_run(l: *mut Loop, flags: c_int) -> c_int {
    // SAFETY: checked non-null; loops stay valid while running.
    unsafe { core::run(checked(l), flags) }
}

#[no_mangle]
pub extern "C" fn ev_break(l: *mut Loop, how: c_int) {
    lp(l).loop_done = how;
}

#[no_mangle]
pub extern "C" fn ev_ref(l: *mut Loop) {
    lp(l).ref_()
}

#[no_mangle]
pub extern "C" fn ev_unref(l: *mut Loop) {
    lp(l).unref()
}

#[no_mangle]
pub extern "C" fn ev_iteration(l: *mut Loop) -> c_uint {
    lp(l).iteration
}

#[no_mangle]
pub extern "C" fn ev_depth(l: *mut Loop) -> c_uint {
    lp(l).depth
}

#[no_mangle]
pub extern "C" fn ev_verify(l: *mut Loop) {
    lp(l).verify()
}

#[no_mangle]
pub extern "C" fn ev_set_io_collect_interval(l: *mut Loop, interval: ev_tstamp) {
    lp(l).io_blocktime = interval;
}

#[no_mangle]
pub extern "C" fn ev_set_timeout_collect_interval(l: *mut Loop, interval: ev_tstamp) {
    lp(l).timeout_blocktime = interval;
}

#[no_mangle]
pub extern "C" fn ev_set_userdata(l: *mut Loop, data: *mut c_void) {
    lp(l).userdata = data;
}

#[no_mangle]
pub extern "C" fn ev_userdata(l: *mut Loop) -> *mut c_void {
    lp(l).userdata
}

#[no_mangle]
pub extern "C" fn ev_set_invoke_pending_cb(l: *mut Loop, cb: ev_loop_callback) {
    lp(l).invoke_cb = cb;
}

#[no_mangle]
pub extern "C" fn ev_set_loop_release_cb(l: *mut Loop, release: ev__loop_hook, acquire: ev__loop_hook) {
    let l = lp(l);
    l.release_cb = release;
    l.acquire_cb = acquire;
}

#[no_mangle]
pub extern "C" fn ev_pending_count(l: *mut Loop) -> c_uint {
    lp(l).pending_count()
}

/// Not `noexcept` in C++: user callbacks may throw through it.
/// cbindgen:postfix=
#[no_mangle]
pub unsafe extern "C-unwind" fn ev_invoke_pending(l: *mut Loop) {
    // SAFETY: checked non-null live loop.
    unsafe { core::invoke_pending(checked(l)) }
}

// ----- generic watcher operations -------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn ev_feed_event(l: *mut Loop, w: *mut c_void, revents: c_int) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).feed_event(w as *mut ev_watcher, revents) }
}

#[no_mangle]
pub extern "C" fn ev_feed_fd_event(l: *mut Loop, fd: c_int, revents: c_int) {
    lp(l).fd_event(fd, revents)
}

/// Not `noexcept` in C++: user callbacks may throw through it.
/// cbindgen:postfix=
#[no_mangle]
pub unsafe extern "C-unwind" fn ev_invoke(l: *mut Loop, w: *mut c_void, revents: c_int) {
    // SAFETY: the caller passes a live watcher.
    unsafe { core::run::invoke(checked(l), w as *mut ev_watcher, revents) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_clear_pending(l: *mut Loop, w: *mut c_void) -> c_int {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).clear_pending(w as *mut ev_watcher) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_once(
    l: *mut Loop,
    fd: c_int,
    events: c_int,
    timeout: ev_tstamp,
    cb: ev__once_cb,
    arg: *mut c_void,
) {
    // SAFETY: forwarded; the record is owned by the loop until it fires.
    unsafe { once::start(lp(l), fd, events, timeout, cb, arg) }
}

// ----- per watcher type -----------------------------------------------------------

// Written out rather than generated by a macro: cbindgen reads the source
// text and would not see macro-made functions in include/ev.h.

#[no_mangle]
pub unsafe extern "C" fn ev_io_start(l: *mut Loop, w: *mut ev_io) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).io_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_io_stop(l: *mut Loop, w: *mut ev_io) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).io_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_timer_start(l: *mut Loop, w: *mut ev_timer) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).timer_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_timer_stop(l: *mut Loop, w: *mut ev_timer) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).timer_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_idle_start(l: *mut Loop, w: *mut ev_idle) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).idle_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_idle_stop(l: *mut Loop, w: *mut ev_idle) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).idle_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_prepare_start(l: *mut Loop, w: *mut ev_prepare) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).prepare_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_prepare_stop(l: *mut Loop, w: *mut ev_prepare) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).prepare_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_check_start(l: *mut Loop, w: *mut ev_check) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).check_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_check_stop(l: *mut Loop, w: *mut ev_check) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).check_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_fork_start(l: *mut Loop, w: *mut ev_fork) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).fork_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_fork_stop(l: *mut Loop, w: *mut ev_fork) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).fork_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_cleanup_start(l: *mut Loop, w: *mut ev_cleanup) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).cleanup_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_cleanup_stop(l: *mut Loop, w: *mut ev_cleanup) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).cleanup_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_signal_start(l: *mut Loop, w: *mut ev_signal) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).signal_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_signal_stop(l: *mut Loop, w: *mut ev_signal) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).signal_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_child_start(l: *mut Loop, w: *mut ev_child) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).child_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_child_stop(l: *mut Loop, w: *mut ev_child) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).child_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_async_start(l: *mut Loop, w: *mut ev_async) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).async_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_async_stop(l: *mut Loop, w: *mut ev_async) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).async_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_periodic_start(l: *mut Loop, w: *mut ev_periodic) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).periodic_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_periodic_stop(l: *mut Loop, w: *mut ev_periodic) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).periodic_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_stat_start(l: *mut Loop, w: *mut ev_stat) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).stat_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_stat_stop(l: *mut Loop, w: *mut ev_stat) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).stat_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_embed_start(l: *mut Loop, w: *mut ev_embed) {
    // SAFETY: the caller passes a live watcher that stays valid until stopped.
    unsafe { lp(l).embed_start(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_embed_stop(l: *mut Loop, w: *mut ev_embed) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).embed_stop(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_periodic_again(l: *mut Loop, w: *mut ev_periodic) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).periodic_again(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_stat_stat(l: *mut Loop, w: *mut ev_stat) {
    lp(l);
    // SAFETY: the caller passes a live watcher with a valid path.
    unsafe { core::stat_now(w) }
}

/// Safe from other threads and signal handlers.
#[no_mangle]
pub unsafe extern "C" fn ev_async_send(l: *mut Loop, w: *mut ev_async) {
    // SAFETY: the caller passes a live loop and watcher; only atomics are touched.
    unsafe { core::async_send(checked(l), w) }
}

/// Runs the embedded loop once without blocking.
#[no_mangle]
pub unsafe extern "C" fn ev_embed_sweep(l: *mut Loop, w: *mut ev_embed) {
    lp(l);
    // SAFETY: the caller passes a live embed watcher whose loop is live.
    unsafe { core::run((*w).other, EVRUN_NOWAIT) };
}

/// Calls `cb` for every active watcher whose type is in `types`. Exported as libev
/// exports it when built with walking enabled (ev.h declares it only then).
/// cbindgen:ev-if=EV_WALK_ENABLE
#[no_mangle]
pub unsafe extern "C-unwind" fn ev_walk(l: *mut Loop, types: c_int, cb: core::walk::WalkCb) {
    // SAFETY: checked live loop.
    unsafe { core::walk::walk(checked(l), types, cb) }
}

/// Safe from any context, including signal handlers.
#[no_mangle]
pub extern "C" fn ev_feed_signal(signum: c_int) {
    core::signals::feed_signal(signum)
}

#[no_mangle]
pub extern "C" fn ev_feed_signal_event(l: *mut Loop, signum: c_int) {
    lp(l).feed_signal_event(signum)
}

#[no_mangle]
pub unsafe extern "C" fn ev_timer_again(l: *mut Loop, w: *mut ev_timer) {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).timer_again(w) }
}

#[no_mangle]
pub unsafe extern "C" fn ev_timer_remaining(l: *mut Loop, w: *mut ev_timer) -> ev_tstamp {
    // SAFETY: the caller passes a live watcher.
    unsafe { lp(l).timer_remaining(w) }
}
