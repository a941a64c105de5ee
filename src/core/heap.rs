//! A 4-ary min-heap of timers keyed by their expiry time. The key is cached beside
//! the watcher pointer so sifting touches one contiguous array and never the
//! watchers' memory, except to record each watcher's new position in `active`
//! (1-based heap index, which is how a watcher finds itself for stop/again).

use crate::abi::ev_watcher_time;
use libc::c_int;

const ARITY: usize = 4;

#[derive(Clone, Copy)]
pub struct Node {
    pub at: f64,
    pub w: *mut ev_watcher_time,
}

#[derive(Default)]
pub struct TimerHeap {
    nodes: Vec<Node>,
}

#[inline]
fn parent(i: usize) -> usize {
    (i - 1) / ARITY
}

impl TimerHeap {
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    #[inline]
    pub fn top(&self) -> Option<&Node> {
        self.nodes.first()
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    #[inline(always)]
    fn place(&mut self, i: usize, n: Node) {
        debug_assert!(i < self.nodes.len());
        // SAFETY: callers pass indices below `len`; every node's watcher is a
        // live, started watcher owned by the user until it is stopped, which
        // removes it from the heap first.
        unsafe {
            *self.nodes.get_unchecked_mut(i) = n;
            (*n.w).active = i as c_int + 1;
        }
    }

    #[inline(always)]
    fn at(&self, i: usize) -> f64 {
        debug_assert!(i < self.nodes.len());
        // SAFETY: callers pass indices below `len`.
        unsafe { self.nodes.get_unchecked(i).at }
    }

    fn sift_up(&mut self, mut i: usize) {
        let n = self.nodes[i];
        while i > 0 {
            let p = parent(i);
            if self.at(p) <= n.at {
                break;
            }
            // SAFETY: p < i < len.
            let pn = unsafe { *self.nodes.get_unchecked(p) };
            self.place(i, pn);
            i = p;
        }
        self.place(i, n);
    }

    /// Move the node at `i` down to where it belongs.
    #[inline]
    fn sift_down(&mut self, i: usize) {
        if i == 0 {
            self.sift_down_to_bottom(i);
        } else {
            self.sift_down_plain(i);
        }
    }

    #[inline(never)]
    fn sift_down_plain(&mut self, mut i: usize) {
        let n = self.nodes[i];
        let len = self.nodes.len();
        loop {
            let first = ARITY * i + 1;
            let (mut min, mut min_at);
            if first + ARITY <= len {
                // All four children exist: the common case, no bounds to check.
                min = first;
                min_at = self.at(first);
                for c in first + 1..first + ARITY {
                    let a = self.at(c);
                    if a < min_at {
                        min = c;
                        min_at = a;
                    }
                }
            } else if first < len {
                min = first;
                min_at = self.at(first);
                for c in first + 1..len {
                    let a = self.at(c);
                    if a < min_at {
                        min = c;
                        min_at = a;
                    }
                }
            } else {
                break;
            }
            if n.at <= min_at {
                break;
            }
            // SAFETY: min < len.
            let mn = unsafe { *self.nodes.get_unchecked(min) };
            self.place(i, mn);
            i = min;
        }
        self.place(i, n);
    }

    /// `sift_down` for the root, where the node (the last of the array, or an
    /// expired timer's next expiry) usually belongs near the bottom: walk the
    /// hole down the path of smallest children first, then let the node rise
    /// back. One comparison per level fewer; ties end exactly as in
    /// `sift_down_plain` (the node stays above children equal to it).
    #[inline(never)]
    fn sift_down_to_bottom(&mut self, start: usize) {
        let n = self.nodes[start];
        let len = self.nodes.len();
        let mut hole = start;
        loop {
            let first = ARITY * hole + 1;
            let mut min;
            if first + ARITY <= len {
                // All four children exist: the common case, no bounds to check.
                min = first;
                let mut min_at = self.at(first);
                for c in first + 1..first + ARITY {
                    let a = self.at(c);
                    if a < min_at {
                        min = c;
                        min_at = a;
                    }
                }
            } else if first < len {
                min = first;
                let mut min_at = self.at(first);
                for c in first + 1..len {
                    let a = self.at(c);
                    if a < min_at {
                        min = c;
                        min_at = a;
                    }
                }
            } else {
                break;
            }
            // SAFETY: min < len.
            let mn = unsafe { *self.nodes.get_unchecked(min) };
            self.place(hole, mn);
            hole = min;
        }
        // The nodes moved up along the path do not decrease going down: the node
        // belongs just below the last of them that is smaller than it.
        while hole > start {
            let p = parent(hole);
            if self.at(p) < n.at {
                break;
            }
            // SAFETY: p < hole < len.
            let pn = unsafe { *self.nodes.get_unchecked(p) };
            self.place(hole, pn);
            hole = p;
        }
        self.place(hole, n);
    }

    pub fn push(&mut self, at: f64, w: *mut ev_watcher_time) {
        self.nodes.push(Node { at, w });
        let i = self.nodes.len() - 1;
        self.sift_up(i);
    }

    /// Remove the node at `i` (a watcher's `active - 1`). The last node takes its
    /// place and moves the way its key compares with the removed one: the
    /// removed node's parent is no greater and its children no smaller, so only
    /// one direction can be out of order.
    #[inline]
    pub fn remove(&mut self, i: usize) {
        let last = self.nodes.pop().expect("timer heap underflow");
        if i < self.nodes.len() {
            let removed = std::mem::replace(&mut self.nodes[i], last);
            if last.at >= removed.at {
                self.sift_down(i);
            } else {
                self.sift_up(i);
            }
        }
    }

    /// Set a new key for the node at `i` and re-sort; only the direction the key
    /// moved can break the heap order.
    #[inline]
    pub fn set_at(&mut self, i: usize, at: f64) {
        let node = &mut self.nodes[i];
        let old = node.at;
        node.at = at;
        if at >= old {
            self.sift_down(i);
        } else {
            self.sift_up(i);
        }
    }

    /// Change a key without re-sorting; call `rebuild` after a batch of these.
    pub fn set_key(&mut self, i: usize, at: f64) {
        self.nodes[i].at = at;
    }

    /// Shift every key by `delta`: order is unchanged, so no sifting is needed.
    pub fn shift_all(&mut self, delta: f64) {
        for n in &mut self.nodes {
            n.at += delta;
        }
    }

    /// Rebuild from scratch after arbitrary key changes.
    pub fn rebuild(&mut self) {
        for i in 0..self.nodes.len() {
            self.sift_up(i);
        }
    }

    pub fn is_valid(&self) -> bool {
        (1..self.nodes.len()).all(|i| self.nodes[parent(i)].at <= self.nodes[i].at)
    }

}

#[cfg(test)]
mod tests {
    use super::*;

    fn timers(n: usize) -> Vec<ev_watcher_time> {
        (0..n)
            .map(|_| ev_watcher_time {
                active: 0,
                pending: 0,
                priority: 0,
                data: std::ptr::null_mut(),
                cb: None,
                at: 0.0,
            })
            .collect()
    }

    #[test]
    fn pops_in_order_and_tracks_positions() {
        let mut ws = timers(200);
        let mut h = TimerHeap::default();
        let mut seed = 12345u64;
        for w in ws.iter_mut() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let at = (seed >> 33) as f64 / 1e6;
            w.at = at;
            h.push(at, w);
        }
        assert!(h.is_valid());
        for (i, n) in h.nodes().iter().enumerate() {
            assert_eq!(unsafe { (*n.w).active } as usize, i + 1);
        }
        // remove some from the middle
        for k in (0..200).step_by(7) {
            let idx = ws[k].active as usize - 1;
            h.remove(idx);
            ws[k].active = 0;
            assert!(h.is_valid());
        }
        let mut last = f64::MIN;
        while let Some(n) = h.top().copied() {
            assert!(n.at >= last);
            last = n.at;
            h.remove(0);
        }
    }

    #[test]
    fn both_descents_agree_also_on_ties() {
        let mut seed = 7u64;
        for round in 0..200 {
            let n = 1 + round % 60;
            let mut ws = timers(n);
            let mut a = TimerHeap::default();
            for w in ws.iter_mut() {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                a.push(((seed >> 60) % 4) as f64, w); // few distinct keys: many ties
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let new_at = ((seed >> 60) % 5) as f64;
            let mut b = TimerHeap { nodes: a.nodes.clone() };
            a.nodes[0].at = new_at;
            b.nodes[0].at = new_at;
            a.sift_down_plain(0);
            b.sift_down_to_bottom(0);
            let order = |h: &TimerHeap| h.nodes.iter().map(|n| (n.at, n.w)).collect::<Vec<_>>();
            assert_eq!(order(&a), order(&b), "round {round}");
            assert!(a.is_valid());
        }
    }

    #[test]
    fn adjust_moves_both_ways() {
        let mut ws = timers(50);
        let mut h = TimerHeap::default();
        for (i, w) in ws.iter_mut().enumerate() {
            h.push(i as f64, w);
        }
        let idx = ws[0].active as usize - 1;
        h.set_at(idx, 100.0);
        assert!(h.is_valid());
        let idx = ws[49].active as usize - 1;
        h.set_at(idx, -1.0);
        assert!(h.is_valid());
        assert_eq!(h.top().unwrap().w, &mut ws[49] as *mut _);
        h.shift_all(5.0);
        assert_eq!(h.top().unwrap().at, 4.0);
    }
}
