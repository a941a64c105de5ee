//! One pending array per priority. A watcher's `pending` field is its 1-based index
//! in the array of its priority, so feeding an already pending watcher only ORs
//! the new events into its slot.
//!
//! Callbacks run from the highest priority that has anything queued, newest
//! first within a priority (libev's order, which programs observe). A bit per
//! priority says which arrays are non-empty, so "anything pending?" and "which
//! priority next?" are one instruction each: an idle iteration costs nothing here.

use crate::abi::{ev_watcher, NUMPRI};
use libc::c_int;

#[derive(Clone, Copy)]
pub struct Pending {
    /// `PendingQueues::cleared` once the watcher was stopped or had its pending
    /// state cleared: the slot stays so the indices of the others remain valid,
    /// and invoking it does nothing (it has no callback), so the invoke loop
    /// needs no test for it.
    pub w: *mut ev_watcher,
    pub events: c_int,
}

pub struct PendingQueues {
    pub queues: [Vec<Pending>; NUMPRI],
    /// Bit `p` is set when `queues[p]` is non-empty, and cleared only when
    /// `pop_next` finds it empty (so it can lag behind by one pop).
    nonempty: u32,
    /// Stands in for cleared entries. Owned (from `Box::into_raw`), freed on drop.
    cleared: *mut ev_watcher,
}

impl Drop for PendingQueues {
    fn drop(&mut self) {
        // SAFETY: made by Box::into_raw in `new` and freed only here.
        drop(unsafe { Box::from_raw(self.cleared) });
    }
}

impl PendingQueues {
    pub fn new() -> Self {
        let cleared = Box::new(ev_watcher { active: 0, pending: 0, priority: 0, data: std::ptr::null_mut(), cb: None });
        PendingQueues { queues: Default::default(), nonempty: 0, cleared: Box::into_raw(cleared) }
    }

    /// Queue `w` (whose priority index is `pri`) with `revents`.
    ///
    /// # Safety
    /// `w` must point to a live watcher.
    #[inline(always)]
    pub unsafe fn queue(&mut self, w: *mut ev_watcher, pri: usize, revents: c_int) {
        // SAFETY: the caller guarantees `w` is a live watcher.
        let wr = unsafe { &mut *w };
        debug_assert!(pri < NUMPRI);
        // SAFETY: `pri` comes from `abspri`, always below NUMPRI.
        let q = unsafe { self.queues.get_unchecked_mut(pri) };
        if wr.pending != 0 {
            q[wr.pending as usize - 1].events |= revents;
        } else {
            q.push(Pending { w, events: revents });
            let len = q.len();
            wr.pending = len as c_int;
            if len == 1 {
                self.nonempty |= 1 << pri;
            }
        }
    }

    /// Forget `w`'s pending events and return them (0 if it was not pending).
    ///
    /// # Safety
    /// `w` must point to a live watcher.
    #[inline]
    pub unsafe fn clear(&mut self, w: *mut ev_watcher, pri: usize) -> c_int {
        // SAFETY: the caller guarantees `w` is a live watcher.
        let wr = unsafe { &mut *w };
        if wr.pending == 0 {
            return 0;
        }
        let slot = &mut self.queues[pri][wr.pending as usize - 1];
        slot.w = self.cleared;
        wr.pending = 0;
        slot.events
    }

    /// Take the next entry to invoke: the newest of the highest non-empty priority.
    /// A priority's bit is cleared when its array is found empty, so once this has
    /// returned `None` the bits are exact again.
    #[inline]
    pub fn pop_next(&mut self) -> Option<Pending> {
        loop {
            if self.nonempty == 0 {
                return None;
            }
            let pri = 31 - self.nonempty.leading_zeros() as usize;
            debug_assert!(pri < NUMPRI);
            // SAFETY: a set bit is always below NUMPRI.
            match unsafe { self.queues.get_unchecked_mut(pri) }.pop() {
                Some(p) => return Some(p),
                None => self.nonempty &= !(1 << pri),
            }
        }
    }

    /// Is this entry's watcher the stand-in for a cleared one?
    pub fn is_cleared(&self, p: &Pending) -> bool {
        p.w == self.cleared
    }

    pub fn count(&self) -> usize {
        self.queues.iter().map(Vec::len).sum()
    }

    /// Is anything queued at priority index `pri` or above?
    #[inline]
    pub fn any_at_or_above(&self, pri: usize) -> bool {
        self.nonempty >> pri != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watcher() -> ev_watcher {
        ev_watcher { active: 0, pending: 0, priority: 0, data: std::ptr::null_mut(), cb: None }
    }

    #[test]
    fn queueing_twice_merges_events() {
        let mut q = PendingQueues::new();
        let mut w = watcher();
        unsafe {
            q.queue(&mut w, 2, 1);
            q.queue(&mut w, 2, 2);
        }
        assert_eq!(w.pending, 1);
        assert_eq!(q.count(), 1);
        let p = q.pop_next().unwrap();
        assert_eq!(p.events, 3);
        assert!(q.pop_next().is_none());
        assert!(!q.any_at_or_above(0));
    }

    #[test]
    fn clearing_keeps_other_indices() {
        let mut q = PendingQueues::new();
        let (mut a, mut b) = (watcher(), watcher());
        unsafe {
            q.queue(&mut a, 0, 1);
            q.queue(&mut b, 0, 2);
            assert_eq!(q.clear(&mut a, 0), 1);
            assert_eq!(q.clear(&mut a, 0), 0);
        }
        assert_eq!(a.pending, 0);
        assert_eq!(b.pending, 2);
        assert_eq!(q.pop_next().unwrap().w, &mut b as *mut _);
        let p = q.pop_next().unwrap();
        assert!(q.is_cleared(&p));
        assert!(unsafe { (*p.w).cb.is_none() });
        assert!(q.pop_next().is_none());
    }

    #[test]
    fn highest_priority_first_newest_first() {
        let mut q = PendingQueues::new();
        let mut ws: Vec<ev_watcher> = (0..4).map(|_| watcher()).collect();
        unsafe {
            q.queue(&mut ws[0], 1, 1);
            q.queue(&mut ws[1], 3, 1);
            q.queue(&mut ws[2], 1, 1);
            q.queue(&mut ws[3], 3, 1);
        }
        assert!(q.any_at_or_above(3) && !q.any_at_or_above(4));
        let order: Vec<*mut ev_watcher> = std::iter::from_fn(|| q.pop_next()).map(|p| p.w).collect();
        let want: Vec<*mut ev_watcher> = [3, 1, 2, 0].iter().map(|&i| &mut ws[i] as *mut _).collect();
        assert_eq!(order, want);
    }
}
