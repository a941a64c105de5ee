//! Clocks. Timers run on the monotonic clock; `ev_now`/`ev_time` are wall-clock.

#[inline]
fn read(clock: libc::clockid_t) -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid clock id and out pointer; served by the vDSO, no syscall.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

#[inline]
pub fn monotonic() -> f64 {
    read(libc::CLOCK_MONOTONIC)
}

pub fn wall() -> f64 {
    read(libc::CLOCK_REALTIME)
}

/// Sleep at least `delay` seconds (nothing for zero or negative delays).
pub fn sleep(delay: f64) {
    if !(delay > 0.0) {
        return;
    }
    let mut ts = crate::backend::timespec(delay);
    let mut rem = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid timespec pointers.
    while unsafe { libc::nanosleep(&ts, &mut rem) } != 0
        && crate::backend::errno() == libc::EINTR
    {
        ts = rem;
    }
}
