//! The fd table: per fd, the list of io watchers (linked through their `next`
//! field, newest first), the event mask last handed to the backend, and whether
//! the fd is queued for reification. Changes are collected per iteration so the
//! backend hears about each fd at most once per iteration.

use crate::abi::ev_watcher_list;

/// The fd needs its mask recomputed.
pub const REIFY: u8 = 1;
/// The fd may refer to a different file now: tell the backend even if the mask
/// did not change (same bit as `EV__IOFDSET`).
pub const IOFDSET: u8 = 0x80;

/// 12 bytes (the pointer 4-aligned): an entry per fd up to the highest, so its
/// size is the loop's resident memory per fd.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
pub struct Anfd {
    pub head: *mut ev_watcher_list,
    /// Mask the backend was last told.
    pub events: u8,
    pub reify: u8,
}

impl Default for Anfd {
    fn default() -> Self {
        Anfd { head: std::ptr::null_mut(), events: 0, reify: 0 }
    }
}

#[derive(Default)]
pub struct FdTable {
    pub fds: Vec<Anfd>,
    pub changes: Vec<i32>,
}

impl FdTable {
    #[inline]
    pub fn get(&self, fd: i32) -> Option<&Anfd> {
        self.fds.get(fd as usize)
    }

    /// Make room for `fd` (which must be non-negative).
    #[inline]
    pub fn ensure(&mut self, fd: i32) {
        let i = fd as usize;
        if i >= self.fds.len() {
            // Exactly as long as the highest fd needs: the Vec's own capacity
            // doubling keeps growth amortised, and entries past the highest fd
            // are never written, so they cost no resident memory (backends' fd
            // tables grow the same way).
            let new_len = (i + 1).max(64);
            self.fds.resize(new_len, Anfd::default());
        }
    }

    /// Note that `fd` changed; queue it once per iteration.
    #[inline]
    pub fn change(&mut self, fd: i32, flags: u8) {
        let a = &mut self.fds[fd as usize];
        let was = a.reify;
        a.reify |= flags;
        if was == 0 {
            self.changes.push(fd);
        }
    }

    /// # Safety
    /// `w` must be a live watcher not already on a list.
    pub unsafe fn link(&mut self, fd: i32, w: *mut ev_watcher_list) {
        let a = &mut self.fds[fd as usize];
        let mut head = a.head;
        // SAFETY: forwarded contract.
        unsafe { super::wlist::push(&mut head, w) };
        a.head = head;
    }

    /// # Safety
    /// All watchers on `fd`'s list must be live.
    pub unsafe fn unlink(&mut self, fd: i32, w: *mut ev_watcher_list) -> bool {
        let a = &mut self.fds[fd as usize];
        let mut head = a.head;
        // SAFETY: forwarded contract.
        let found = unsafe { super::wlist::remove(&mut head, w) };
        a.head = head;
        found
    }

    /// The fds that have watchers.
    pub fn watched(&self) -> impl Iterator<Item = i32> + '_ {
        self.fds.iter().enumerate().filter(|(_, a)| !a.head.is_null()).map(|(i, _)| i as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wl() -> ev_watcher_list {
        ev_watcher_list {
            active: 0,
            pending: 0,
            priority: 0,
            data: std::ptr::null_mut(),
            cb: None,
            next: std::ptr::null_mut(),
        }
    }

    #[test]
    fn changes_are_queued_once() {
        let mut t = FdTable::default();
        t.ensure(5);
        t.change(5, REIFY);
        t.change(5, IOFDSET);
        assert_eq!(t.changes, vec![5]);
        assert_eq!(t.fds[5].reify, REIFY | IOFDSET);
    }

    #[test]
    fn link_and_unlink() {
        let mut t = FdTable::default();
        t.ensure(3);
        let (mut a, mut b, mut c) = (wl(), wl(), wl());
        unsafe {
            t.link(3, &mut a);
            t.link(3, &mut b);
            t.link(3, &mut c);
            let head = t.fds[3].head;
            assert_eq!(head, &mut c as *mut _);
            assert!(t.unlink(3, &mut b));
            assert!(!t.unlink(3, &mut b));
            assert_eq!(c.next, &mut a as *mut _);
            assert!(t.unlink(3, &mut c));
            assert!(t.unlink(3, &mut a));
        }
        assert!(t.fds[3].head.is_null());
        assert_eq!(t.watched().count(), 0);
    }
}
