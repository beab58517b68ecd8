//! Memos of what is computed from the register, kept until the register changes: a park's
//! land watched on a day, a vector tile.
//!
//! Watching a park computes every parcel's idle-land clock, 五未 class and 达产复核 from its
//! supplies and facts — about a second at 50,000 parcels — and the same park and day is asked
//! for by the land layers, the idle-land and 五未 lists, the dispatch report, the county view
//! and each parcel's sheet; a tile of a large park is asked for by every map that shows it.
//! Each result is kept stamped with the audit chain's head ([`super::audit::register_head`]):
//! every write appends to the chain in its own transaction, so a result is served only while
//! the chain ends where it ended when the result was read, whichever instance wrote (the stamp
//! lives in the database, not in this process). Sign-ins, applications, projects, workshops
//! and leases do not count: they change no land ([`super::audit::NOT_LAND`]).
//!
//! Concurrent askers of the same key wait for one computation instead of each doing it (the
//! dashboard's first requests after signing in ask for four watches of one park at once).
//! Results are kept within a budget (parcels, bytes), the least recently used dropped first.

use crate::store::StoreResult;
use std::sync::{Arc, Mutex, MutexGuard};

type Cell<T> = Arc<Mutex<Option<Arc<Vec<T>>>>>;

struct Slot<K, T> {
    key: K,
    stamp: i64,
    /// When it was last asked for, in the memo's own ticks.
    used: u64,
    /// Its parcels, once computed (0 while computing).
    weight: usize,
    cell: Cell<T>,
}

struct Slots<K, T> {
    tick: u64,
    list: Vec<Slot<K, T>>,
}

/// Results by key, stamped with the register head they were read at, weighed by their
/// length (parcels, bytes). Few keys are held at once — parks and days, a few thousand tiles —
/// so they are found by a walk, which also keeps the least recently used at hand.
pub struct StampedMemo<K, T> {
    slots: Mutex<Slots<K, T>>,
    budget: usize,
}

/// A poisoned lock only means a computation panicked; what the memo holds is still whole
/// (a cell is filled only with a finished result).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl<K: PartialEq, T> StampedMemo<K, T> {
    pub fn new(budget: usize) -> Self {
        Self {
            slots: Mutex::new(Slots {
                tick: 0,
                list: Vec::new(),
            }),
            budget,
        }
    }

    /// The result for `key` as of the register head `stamp`: kept if the memo has it at that
    /// stamp (or a later one: a write committed since this request read the head, and the
    /// newer state is what the request would have seen a moment later), otherwise computed
    /// once by whoever asks first while the others wait.
    pub fn get(
        &self,
        key: K,
        stamp: i64,
        compute: impl FnOnce() -> StoreResult<Vec<T>>,
    ) -> StoreResult<Arc<Vec<T>>> {
        let cell = self.cell(key, stamp);
        let mut held = lock(&cell);
        if let Some(done) = held.as_ref() {
            return Ok(done.clone());
        }
        let done = Arc::new(compute()?);
        *held = Some(done.clone());
        drop(held);
        self.weigh(&cell, done.len());
        Ok(done)
    }

    /// The slot's cell for the key and stamp, made if there is none; older stamps of the same
    /// key are dropped (they can never be served again).
    fn cell(&self, key: K, stamp: i64) -> Cell<T> {
        let mut slots = lock(&self.slots);
        slots.tick += 1;
        let tick = slots.tick;
        slots.list.retain(|s| !(s.key == key && s.stamp < stamp));
        if let Some(slot) = slots.list.iter_mut().find(|s| s.key == key) {
            slot.used = tick;
            return slot.cell.clone();
        }
        let cell = Cell::default();
        slots.list.push(Slot {
            key,
            stamp,
            used: tick,
            weight: 0,
            cell: cell.clone(),
        });
        cell
    }

    /// Record a computed slot's size, then drop the least recently used finished results
    /// until the memo is within its budget (the one just computed stays: its askers hold it).
    fn weigh(&self, cell: &Cell<T>, weight: usize) {
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.list.iter_mut().find(|s| Arc::ptr_eq(&s.cell, cell)) {
            slot.weight = weight;
        }
        loop {
            let total: usize = slots.list.iter().map(|s| s.weight).sum();
            if total <= self.budget {
                return;
            }
            let victim = slots
                .list
                .iter()
                .enumerate()
                .filter(|(_, s)| s.weight > 0 && !Arc::ptr_eq(&s.cell, cell))
                .min_by_key(|(_, s)| s.used)
                .map(|(i, _)| i);
            match victim {
                Some(i) => {
                    slots.list.swap_remove(i);
                }
                None => return,
            }
        }
    }

    /// The weight it keeps at most.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Results kept and their weight, for tests and the health of a running service.
    pub fn held(&self) -> (usize, usize) {
        let slots = lock(&self.slots);
        (slots.list.len(), slots.list.iter().map(|s| s.weight).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    /// A result of `n` items (the memo never looks inside).
    fn computed(n: usize, runs: &AtomicUsize) -> StoreResult<Vec<u8>> {
        runs.fetch_add(1, Ordering::SeqCst);
        Ok(vec![0; n])
    }

    #[test]
    fn a_result_is_kept_until_the_chain_moves_on() {
        let memo = StampedMemo::new(100);
        let runs = AtomicUsize::new(0);
        for _ in 0..3 {
            memo.get((1, day(1)), 7, || computed(0, &runs)).ok();
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            1,
            "one computation for one stamp"
        );
        memo.get((1, day(1)), 8, || computed(0, &runs)).ok();
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "a write since: computed again"
        );
        // A request that read the head before that write is served the newer result.
        memo.get((1, day(1)), 7, || computed(0, &runs)).ok();
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!(memo.held().0, 1, "the older stamp was dropped");
        // Another day or park is its own result.
        memo.get((1, day(2)), 8, || computed(0, &runs)).ok();
        memo.get((2, day(1)), 8, || computed(0, &runs)).ok();
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn a_failed_computation_is_not_kept() {
        let memo = StampedMemo::new(100);
        let failed = memo.get((1, day(1)), 1, || -> StoreResult<Vec<u8>> {
            Err(crate::store::StoreError::Unavailable("down".into()))
        });
        assert!(failed.is_err());
        let runs = AtomicUsize::new(0);
        assert!(memo.get((1, day(1)), 1, || computed(0, &runs)).is_ok());
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn concurrent_askers_share_one_computation() {
        let memo = Arc::new(StampedMemo::new(100));
        let runs = Arc::new(AtomicUsize::new(0));
        let askers: Vec<_> = (0..8)
            .map(|_| {
                let (memo, runs) = (memo.clone(), runs.clone());
                std::thread::spawn(move || {
                    memo.get((3, day(4)), 1, || {
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        computed(0, &runs)
                    })
                    .is_ok()
                })
            })
            .collect();
        for a in askers {
            assert!(a.join().unwrap_or(false));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_least_recently_used_results_go_beyond_the_budget() {
        let memo = StampedMemo::new(100);
        let runs = AtomicUsize::new(0);
        memo.get((1, day(1)), 1, || computed(40, &runs)).ok();
        memo.get((2, day(1)), 1, || computed(40, &runs)).ok();
        memo.get((1, day(1)), 1, || computed(40, &runs)).ok();
        assert_eq!(memo.held(), (2, 80));
        // Park 2 was used least recently: it goes to make room.
        memo.get((3, day(1)), 1, || computed(40, &runs)).ok();
        assert_eq!(memo.held(), (2, 80));
        memo.get((1, day(1)), 1, || computed(40, &runs)).ok();
        assert_eq!(runs.load(Ordering::SeqCst), 3, "park 1 was kept");
        // A result larger than the whole budget is served, and kept alone.
        memo.get((4, day(1)), 1, || computed(150, &runs)).ok();
        assert_eq!(memo.held(), (1, 150));
    }
}
