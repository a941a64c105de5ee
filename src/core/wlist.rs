//! The intrusive watcher lists of libev: io watchers per fd, signal watchers per
//! signal, child watchers per pid chain, linked through their `next` field,
//! newest first.

use crate::abi::ev_watcher_list;

/// Put `w` at the front of the list.
///
/// # Safety
/// `w` must be a live watcher that is on no list.
#[inline]
pub unsafe fn push(head: &mut *mut ev_watcher_list, w: *mut ev_watcher_list) {
    // SAFETY: the caller guarantees `w` is live.
    unsafe { (*w).next = *head };
    *head = w;
}

/// Take `w` off the list; false if it was not on it.
///
/// # Safety
/// Every watcher on the list must be live.
pub unsafe fn remove(head: *mut *mut ev_watcher_list, w: *mut ev_watcher_list) -> bool {
    let mut link = head;
    // SAFETY: the caller guarantees the list's watchers are live.
    unsafe {
        while !(*link).is_null() {
            if *link == w {
                *link = (*w).next;
                return true;
            }
            link = std::ptr::addr_of_mut!((**link).next);
        }
    }
    false
}
