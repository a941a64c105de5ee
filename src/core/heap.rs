//! A 4-ary min-heap of timers keyed by their expiry time. The key is cached beside
//! the watcher pointer so sifting touches one contiguous array and never the
//! watchers' memory, except to record each watcher's new position in `active`
//! (1-based heap index, which is how a watcher finds itself for stop/again).
//!
//! Large heaps are maintained lazily, because with a million timers every sift
//! step is a cache miss in the heap and another in a watcher:
//! - a key may be earlier than its watcher's real expiry (`ev_timer_again`
//!   pushing a timeout further out only writes the watcher); the root is
//!   corrected by `settle` before anyone looks at it, so a timer never fires
//!   early and due timers still fire earliest first;
//! - a stopped timer's node may stay as a vacancy pointing at `sink` (so sifts
//!   write positions there instead of into memory the user may have freed);
//!   vacancies leave at the root or when they outnumber the live nodes.
//! Small heaps (below `LAZY_MIN`) are kept exactly, as libev keeps them.

use crate::abi::ev_watcher_time;
use libc::c_int;

const ARITY: usize = 4;

/// Heaps at least this long are maintained lazily (see the module comment).
const LAZY_MIN: usize = 64;

/// With at least this many nodes, and a quarter of them due at once, expiry
/// takes the due nodes out in one pass and rebuilds the rest (`take_due`).
pub const BULK_MIN: usize = 4096;

#[derive(Clone, Copy)]
pub struct Node {
    pub at: f64,
    pub w: *mut ev_watcher_time,
}

pub struct TimerHeap {
    nodes: Vec<Node>,
    vacant: usize,
    /// Where the last vacancy was left: a start reuses it if it is still one
    /// (stop, set, start then costs no more than `ev_timer_again`).
    vacancy_hint: usize,
    /// Reused by `count_keys_before`, so checking for a bulk expiry allocates nothing.
    stack: Vec<usize>,
    /// Where vacancies point. Owned (from `Box::into_raw`), freed on drop.
    sink: *mut ev_watcher_time,
}

impl Default for TimerHeap {
    fn default() -> Self {
        let sink = Box::new(ev_watcher_time {
            active: 0,
            pending: 0,
            priority: 0,
            data: std::ptr::null_mut(),
            cb: None,
            at: 0.0,
        });
        TimerHeap { nodes: Vec::new(), vacant: 0, vacancy_hint: 0, stack: Vec::new(), sink: Box::into_raw(sink) }
    }
}

impl Drop for TimerHeap {
    fn drop(&mut self) {
        // SAFETY: made by Box::into_raw in `default` and freed only here.
        drop(unsafe { Box::from_raw(self.sink) });
    }
}

#[inline]
fn parent(i: usize) -> usize {
    (i - 1) / ARITY
}

impl TimerHeap {
    /// Nodes including vacancies.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() == self.vacant
    }

    /// The root as it stands; `settle` first for an exact answer.
    #[inline]
    pub fn top(&self) -> Option<&Node> {
        self.nodes.first()
    }

    #[inline]
    fn is_vacant(&self, n: &Node) -> bool {
        n.w == self.sink
    }

    /// Every started watcher's node (vacancies left out).
    pub fn live_nodes(&self) -> impl Iterator<Item = (usize, &Node)> {
        self.nodes.iter().enumerate().filter(move |(_, n)| !self.is_vacant(n))
    }

    /// The watcher whose node is at `i`; null past the end (and the sink for a
    /// vacancy, which is no watcher's).
    #[inline]
    pub fn watcher_at(&self, i: usize) -> *mut ev_watcher_time {
        self.nodes.get(i).map_or(std::ptr::null_mut(), |n| n.w)
    }

    #[inline(always)]
    fn place(&mut self, i: usize, n: Node) {
        debug_assert!(i < self.nodes.len());
        // SAFETY: callers pass indices below `len`; every node's watcher is a
        // live, started watcher owned by the user until it is stopped, which
        // removes it from the heap or points its node at `sink` first.
        unsafe {
            *self.nodes.get_unchecked_mut(i) = n;
            (*n.w).active = i as c_int + 1;
        }
    }

    /// `place` for rebuilding, where positions are written afterwards in one pass.
    #[inline(always)]
    fn place_key(&mut self, i: usize, n: Node) {
        debug_assert!(i < self.nodes.len());
        // SAFETY: callers pass indices below `len`.
        unsafe { *self.nodes.get_unchecked_mut(i) = n };
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
            self.sift_down_plain::<true>(i);
        }
    }

    /// The smallest child of `i` and its key, if `i` has children; the first of
    /// equal children wins.
    #[inline(always)]
    fn min_child(&self, i: usize) -> Option<(usize, f64)> {
        let len = self.nodes.len();
        let first = ARITY * i + 1;
        if first + ARITY <= len {
            // All four children exist, the common case: a tournament of three
            // comparisons on one base pointer, without bounds checks or loop.
            // SAFETY: first + 3 < len.
            let (a0, a1, a2, a3) = unsafe {
                let c = self.nodes.as_ptr().add(first);
                ((*c).at, (*c.add(1)).at, (*c.add(2)).at, (*c.add(3)).at)
            };
            let (o01, m01) = if a1 < a0 { (1, a1) } else { (0, a0) };
            let (o23, m23) = if a3 < a2 { (3, a3) } else { (2, a2) };
            let (o, m) = if m23 < m01 { (o23, m23) } else { (o01, m01) };
            return Some((first + o, m));
        }
        if first >= len {
            return None;
        }
        let (mut min, mut min_at) = (first, self.at(first));
        for c in first + 1..len {
            let a = self.at(c);
            if a < min_at {
                min = c;
                min_at = a;
            }
        }
        Some((min, min_at))
    }

    /// `TRACK`: record positions in the watchers as nodes move (off only while
    /// rebuilding, which records them all at the end).
    #[inline(never)]
    fn sift_down_plain<const TRACK: bool>(&mut self, mut i: usize) {
        let n = self.nodes[i];
        while let Some((min, min_at)) = self.min_child(i) {
            if n.at <= min_at {
                break;
            }
            // SAFETY: min < len.
            let mn = unsafe { *self.nodes.get_unchecked(min) };
            if TRACK {
                self.place(i, mn);
            } else {
                self.place_key(i, mn);
            }
            i = min;
        }
        if TRACK {
            self.place(i, n);
        } else {
            self.place_key(i, n);
        }
    }

    /// `sift_down` for the root, where the node (the last of the array, or an
    /// expired timer's next expiry) usually belongs near the bottom: walk the
    /// hole down the path of smallest children first, then let the node rise
    /// back. One comparison per level fewer; ties end exactly as in
    /// `sift_down_plain` (the node stays above children equal to it).
    #[inline(never)]
    fn sift_down_to_bottom(&mut self, start: usize) {
        let n = self.nodes[start];
        let mut hole = start;
        while let Some((min, _)) = self.min_child(hole) {
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
        let hint = self.vacancy_hint;
        if self.vacant != 0 && hint < self.nodes.len() && self.nodes[hint].w == self.sink {
            // Any vacancy can take any timer: its key already fits between its
            // parent and children, so keeping it (an earlier key is allowed) or
            // lowering it to `at` and sifting up keeps the heap in order.
            self.vacant -= 1;
            let key = self.nodes[hint].at;
            self.place(hint, Node { at: key.min(at), w });
            if at < key {
                self.sift_up(hint);
            }
            return;
        }
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
            if self.is_vacant(&removed) {
                self.vacant -= 1;
            }
            if last.at >= removed.at {
                self.sift_down(i);
            } else {
                self.sift_up(i);
            }
        } else if self.is_vacant(&last) {
            self.vacant -= 1;
        }
    }

    /// Remove a stopped watcher's node at `i`: in a large heap, leave a vacancy
    /// rather than sift (see the module comment).
    #[inline]
    pub fn remove_lazily(&mut self, i: usize) {
        let len = self.nodes.len();
        if len < LAZY_MIN || i == 0 || i + 1 >= len {
            self.remove(i);
            return;
        }
        // SAFETY: i < len - 1.
        unsafe { self.nodes.get_unchecked_mut(i).w = self.sink };
        self.vacant += 1;
        self.vacancy_hint = i;
        if self.vacant * 4 > len * 3 {
            self.compact();
        }
    }

    /// Drop every vacancy and rebuild.
    #[cold]
    fn compact(&mut self) {
        let sink = self.sink;
        self.nodes.retain(|n| n.w != sink);
        self.vacant = 0;
        self.reindex();
    }

    /// Restore the heap order over arbitrary contents (Floyd's bottom-up build),
    /// then record every node's position in its watcher in one pass.
    #[cold]
    pub fn reindex(&mut self) {
        if self.nodes.len() > 1 {
            for i in (0..=parent(self.nodes.len() - 1)).rev() {
                self.sift_down_plain::<false>(i);
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            // SAFETY: live watchers, or the sink.
            unsafe { (*n.w).active = i as c_int + 1 };
        }
    }

    /// The watcher at `i` moved its expiry from `old` to `at` (`ev_timer_again`).
    /// A small heap re-sorts at once. A large one only when the expiry is now
    /// before the node's key: a later expiry leaves the earlier key, which
    /// `settle` corrects if it ever reaches the root.
    #[inline]
    pub fn reschedule(&mut self, i: usize, old: f64, at: f64) {
        if self.nodes.len() < LAZY_MIN {
            self.set_at(i, at);
        } else if at < old && at < self.nodes[i].at {
            self.nodes[i].at = at;
            self.sift_up(i);
        }
    }

    /// Make the root exact: drop vacancies there and give a stale key its
    /// watcher's real expiry, until the root is a watcher at its own time.
    #[inline]
    pub fn settle(&mut self) {
        while let Some(root) = self.nodes.first().copied() {
            if self.is_vacant(&root) {
                self.remove(0);
                continue;
            }
            // SAFETY: a live watcher's node.
            let at = unsafe { (*root.w).at };
            if at == root.at {
                break;
            }
            self.nodes[0].at = at;
            self.sift_down(0);
        }
    }

    /// With a large heap of which a large part is due before `now`: move the due
    /// watchers' nodes into `due`, earliest first, drop vacancies and leave the
    /// rest unordered (append rescheduled nodes with `push_unordered`, then call
    /// `reindex`). Returns false, touching nothing, when popping one node at a
    /// time is the cheaper way.
    pub fn take_due(&mut self, now: f64, due: &mut Vec<Node>) -> bool {
        let len = self.nodes.len();
        if len < BULK_MIN || self.count_keys_before(now, len / 4) < len / 4 {
            return false;
        }
        let sink = self.sink;
        let mut kept = 0;
        for i in 0..len {
            let mut n = self.nodes[i];
            if n.w == sink {
                continue;
            }
            if n.at < now {
                // SAFETY: a live watcher's node.
                n.at = unsafe { (*n.w).at };
                if n.at < now {
                    due.push(n);
                    continue;
                }
            }
            self.nodes[kept] = n;
            kept += 1;
        }
        self.nodes.truncate(kept);
        self.vacant = 0;
        // Stable: equal times keep their order in the array (which for ties
        // need not be the order one-at-a-time removal would give).
        due.sort_by(|a, b| a.at.total_cmp(&b.at));
        true
    }

    pub fn push_unordered(&mut self, at: f64, w: *mut ev_watcher_time) {
        self.nodes.push(Node { at, w });
    }

    /// How many keys are before `now`, counting up to `cap`: they form a subtree
    /// at the root, so this visits little more than the nodes it counts.
    fn count_keys_before(&mut self, now: f64, cap: usize) -> usize {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(0);
        let mut count = 0;
        while let Some(i) = stack.pop() {
            if self.nodes[i].at >= now {
                continue;
            }
            count += 1;
            if count >= cap {
                break;
            }
            let first = ARITY * i + 1;
            stack.extend(first..(first + ARITY).min(self.nodes.len()));
        }
        self.stack = stack;
        count
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

    /// Shift every key and every watcher's expiry by `delta`: order is
    /// unchanged, so no sifting is needed.
    pub fn shift_all(&mut self, delta: f64) {
        let sink = self.sink;
        for n in &mut self.nodes {
            n.at += delta;
            if n.w != sink {
                // SAFETY: a live watcher's node.
                unsafe { (*n.w).at += delta };
            }
        }
    }

    /// Rebuild from scratch after arbitrary key changes, node by node as libev
    /// does (so equal keys end up in the same order as there).
    pub fn rebuild(&mut self) {
        for i in 0..self.nodes.len() {
            self.sift_up(i);
        }
    }

    /// Heap order holds, every watcher knows its position, and no key is later
    /// than its watcher's expiry.
    pub fn is_valid(&self) -> bool {
        let order = (1..self.nodes.len()).all(|i| self.nodes[parent(i)].at <= self.nodes[i].at);
        let vacant = self.nodes.iter().filter(|n| self.is_vacant(n)).count() == self.vacant;
        // SAFETY: live watchers' nodes.
        let tracked = self.live_nodes().all(|(i, n)| unsafe { (*n.w).active as usize == i + 1 && n.at <= (*n.w).at });
        order && vacant && tracked
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
                at: f64::MAX,
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
        for (i, n) in h.live_nodes() {
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
            let mut b = TimerHeap::default();
            b.nodes = a.nodes.clone();
            a.nodes[0].at = new_at;
            b.nodes[0].at = new_at;
            a.sift_down_plain::<true>(0);
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

    /// Random starts, stops, restarts, postponements (`again` to a later time, which only
    /// writes the watcher) and earlier times against a plain model, on a heap
    /// large enough to be lazy: whatever sits at the settled root is always the
    /// earliest live timer, and bulk expiry hands out exactly the due ones in order.
    #[test]
    fn lazy_heap_matches_a_model() {
        let n = 3 * BULK_MIN;
        let mut ws = timers(n);
        let mut h = TimerHeap::default();
        let mut seed = 99u64;
        let mut rnd = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for step in 0..40 * n {
            let k = rnd(n as u64) as usize;
            let w = &mut ws[k] as *mut ev_watcher_time;
            let active = ws[k].active;
            match rnd(5) {
                0 if active == 0 => {
                    ws[k].at = rnd(1_000_000) as f64;
                    h.push(ws[k].at, w);
                }
                1 if active != 0 => {
                    h.remove_lazily(active as usize - 1);
                    ws[k].active = 0;
                }
                2 if active != 0 => ws[k].at += rnd(1000) as f64,
                3 if active != 0 => {
                    let old = ws[k].at;
                    ws[k].at -= rnd(1000) as f64;
                    h.reschedule(active as usize - 1, old, ws[k].at);
                }
                // stop, set, start: the new node takes the vacancy just left
                4 if active != 0 => {
                    h.remove_lazily(active as usize - 1);
                    ws[k].active = 0;
                    ws[k].at = rnd(1_000_000) as f64;
                    h.push(ws[k].at, w);
                }
                _ => {}
            }
            if step % 997 == 0 {
                assert!(h.is_valid(), "step {step}");
                h.settle();
                let min = ws.iter().filter(|w| w.active != 0).map(|w| w.at).fold(f64::INFINITY, f64::min);
                assert_eq!(h.top().map_or(f64::INFINITY, |t| t.at), min);
                assert!(h.vacant * 4 <= h.len() * 3);
            }
        }
        // Expire about half at once.
        let mut ats: Vec<f64> = ws.iter().filter(|w| w.active != 0).map(|w| w.at).collect();
        ats.sort_by(f64::total_cmp);
        let now = ats[ats.len() / 2];
        let mut due = Vec::new();
        assert!(h.take_due(now, &mut due));
        let want: Vec<f64> = ats.iter().copied().filter(|&a| a < now).collect();
        assert_eq!(due.iter().map(|n| n.at).collect::<Vec<_>>(), want);
        for d in &due {
            unsafe { (*d.w).active = 0 };
        }
        h.reindex();
        assert!(h.is_valid());
        assert_eq!(h.len(), ats.len() - want.len());
        h.settle();
        assert_eq!(h.top().unwrap().at, now);
    }
}
