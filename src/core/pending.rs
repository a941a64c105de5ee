//! One pending array per priority. A watcher's `pending` field is its 1-based index
//! in the array of its priority, so feeding an already pending watcher only ORs
//! the new events into its slot.

use crate::abi::{ev_watcher, NUMPRI};
use libc::c_int;

#[derive(Clone, Copy)]
pub struct Pending {
    /// Null once the watcher was stopped or had its pending state cleared: the slot
    /// stays so the indices of the others remain valid, and is skipped on invoke.
    pub w: *mut ev_watcher,
    pub events: c_int,
}

pub struct PendingQueues {
    pub queues: [Vec<Pending>; NUMPRI],
    /// The priority being drained by `invoke_pending`; raised to the top whenever
    /// something is fed so a callback that feeds a higher priority gets it next.
    pub current: usize,
}

impl PendingQueues {
    pub fn new() -> Self {
        PendingQueues { queues: Default::default(), current: 0 }
    }

    /// Queue `w` (whose priority index is `pri`) with `revents`.
    ///
    /// # Safety
    /// `w` must point to a live watcher.
    #[inline]
    pub unsafe fn feed(&mut self, w: *mut ev_watcher, pri: usize, revents: c_int) {
        // SAFETY: forwarded contract.
        unsafe { self.queue(w, pri, revents) };
        self.current = NUMPRI - 1;
    }

    /// `feed` without raising the priority being drained: for events queued
    /// outside `invoke_pending` (which starts from the top anyway).
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
            wr.pending = q.len() as c_int;
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
        slot.w = std::ptr::null_mut();
        wr.pending = 0;
        slot.events
    }

    /// Take the next entry to invoke at the current priority, LIFO within a priority.
    #[inline]
    pub fn pop_current(&mut self) -> Option<Pending> {
        debug_assert!(self.current < NUMPRI);
        // SAFETY: `current` is only ever set to values below NUMPRI (invoke_pending
        // decrements it from NUMPRI before the first pop).
        unsafe { self.queues.get_unchecked_mut(self.current) }.pop()
    }

    pub fn count(&self) -> usize {
        self.queues.iter().map(Vec::len).sum()
    }

    pub fn any(&self) -> bool {
        self.queues.iter().any(|q| !q.is_empty())
    }

    pub fn is_empty_at(&self, pri: usize) -> bool {
        self.queues[pri].is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watcher() -> ev_watcher {
        ev_watcher { active: 0, pending: 0, priority: 0, data: std::ptr::null_mut(), cb: None }
    }

    #[test]
    fn feeding_twice_merges_events() {
        let mut q = PendingQueues::new();
        let mut w = watcher();
        unsafe {
            q.feed(&mut w, 2, 1);
            q.feed(&mut w, 2, 2);
        }
        assert_eq!(w.pending, 1);
        assert_eq!(q.count(), 1);
        q.current = 2;
        let p = q.pop_current().unwrap();
        assert_eq!(p.events, 3);
    }

    #[test]
    fn clearing_keeps_other_indices() {
        let mut q = PendingQueues::new();
        let (mut a, mut b) = (watcher(), watcher());
        unsafe {
            q.feed(&mut a, 0, 1);
            q.feed(&mut b, 0, 2);
            assert_eq!(q.clear(&mut a, 0), 1);
            assert_eq!(q.clear(&mut a, 0), 0);
        }
        assert_eq!(a.pending, 0);
        assert_eq!(b.pending, 2);
        q.current = 0;
        assert_eq!(q.pop_current().unwrap().w, &mut b as *mut _);
        assert!(q.pop_current().unwrap().w.is_null());
    }
}
