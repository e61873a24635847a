//! The updated-time order of one collection, and its mutations.
//!
//! Base records (index `0..base_count`) are laid out on a timeline in index order:
//! record `i` is updated at `start + i·step + jitter(i)` with `jitter < step / 2`, so index
//! order is updated-time order. A configurable share of records *ties* with its
//! predecessor (same `updated_at`); a tied pair is ordered by id, as the server breaks ties.
//! Nothing per record is stored: position → index is computed.
//!
//! Mutations move records to the *tail* (newest end): an update gives the record a new
//! `updated_at` after every other record, an insert creates record `next_index` there.
//! The base positions they vacated are kept in a sorted list so position → index stays
//! cheap while mutations are few (tests make a handful).

use std::collections::HashMap;

use uuid::Uuid;

use crate::ids::{record_id, Rng};

/// Where a record sits in time: its index and its `updated_at` (µs since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    pub(crate) index: u64,
    pub(crate) updated_us: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Order {
    seed: u64,
    salt: u64,
    base_count: u64,
    start_us: i64,
    step_us: i64,
    tie_rate: f64,
    /// Sorted base positions whose record moved to the tail.
    removed: Vec<u64>,
    /// Records after the base timeline, oldest first.
    tail: Vec<Slot>,
    /// index → updated_us for every record in the tail.
    moved: HashMap<u64, i64>,
    next_index: u64,
}

impl Order {
    pub(crate) fn new(
        seed: u64,
        salt: u64,
        base_count: u64,
        start_us: i64,
        step_us: i64,
        tie_rate: f64,
    ) -> Self {
        Self {
            seed,
            salt,
            base_count,
            start_us,
            step_us: step_us.max(2),
            tie_rate,
            removed: Vec::new(),
            tail: Vec::new(),
            moved: HashMap::new(),
            next_index: base_count,
        }
    }

    /// Number of records currently in the collection.
    pub(crate) fn len(&self) -> u64 {
        self.base_count - self.removed.len() as u64 + self.tail.len() as u64
    }

    /// Whether `index` names a record of this collection.
    pub(crate) fn contains(&self, index: u64) -> bool {
        index < self.next_index
    }

    fn raw_time(&self, i: u64) -> i64 {
        let mut rng = Rng::new(self.seed, self.salt, i ^ 0x7113);
        let jitter = rng.below((self.step_us / 2) as u64) as i64;
        self.start_us + i as i64 * self.step_us + jitter
    }

    fn raw_tie(&self, i: u64) -> bool {
        i > 0 && Rng::new(self.seed, self.salt, i ^ 0x7133).chance(self.tie_rate)
    }

    /// Record `i` shares its predecessor's time (ties come in pairs only).
    fn tied_with_prev(&self, i: u64) -> bool {
        i < self.base_count && self.raw_tie(i) && !self.raw_tie(i - 1)
    }

    fn base_time(&self, i: u64) -> i64 {
        if self.tied_with_prev(i) {
            self.raw_time(i - 1)
        } else {
            self.raw_time(i)
        }
    }

    fn id(&self, i: u64) -> Uuid {
        record_id(self.seed, self.salt, i)
    }

    /// Base position ↔ index: the identity except inside a tied pair ordered the other
    /// way by id. The mapping is its own inverse.
    fn swap_for_ties(&self, p: u64) -> u64 {
        if self.tied_with_prev(p) {
            if self.id(p - 1) < self.id(p) {
                p
            } else {
                p - 1
            }
        } else if p + 1 < self.base_count && self.tied_with_prev(p + 1) {
            if self.id(p) < self.id(p + 1) {
                p
            } else {
                p + 1
            }
        } else {
            p
        }
    }

    /// The record at `pos` (0-based, ascending updated time), if any.
    pub(crate) fn at(&self, pos: u64) -> Option<Slot> {
        let kept = self.base_count - self.removed.len() as u64;
        if pos < kept {
            let mut p = pos;
            for r in &self.removed {
                if *r <= p {
                    p += 1;
                } else {
                    break;
                }
            }
            let index = self.swap_for_ties(p);
            Some(Slot {
                index,
                updated_us: self.base_time(index),
            })
        } else {
            self.tail.get((pos - kept) as usize).copied()
        }
    }

    /// `updated_at` of record `index` (µs), if it exists.
    pub(crate) fn updated_us(&self, index: u64) -> Option<i64> {
        if let Some(t) = self.moved.get(&index) {
            Some(*t)
        } else if index < self.base_count {
            Some(self.base_time(index))
        } else {
            None
        }
    }

    /// `inserted_at` of record `index` (µs): its base time, or its insert time.
    pub(crate) fn inserted_us(&self, index: u64) -> Option<i64> {
        if index < self.base_count {
            Some(self.base_time(index))
        } else {
            self.moved.get(&index).copied()
        }
    }

    fn next_time(&mut self) -> i64 {
        let last = self
            .tail
            .last()
            .map(|s| s.updated_us)
            .unwrap_or_else(|| self.raw_time(self.base_count));
        let mut rng = Rng::new(
            self.seed,
            self.salt,
            self.next_index ^ (self.tail.len() as u64) << 40,
        );
        last + 1_000 + rng.below(1_000_000) as i64
    }

    /// Appends a new record at the newest end; returns its index.
    pub(crate) fn insert(&mut self) -> u64 {
        let index = self.next_index;
        self.next_index += 1;
        let updated_us = self.next_time();
        self.tail.push(Slot { index, updated_us });
        self.moved.insert(index, updated_us);
        index
    }

    /// Gives record `index` a new `updated_at` after every other record.
    /// Returns false when there is no such record.
    pub(crate) fn touch(&mut self, index: u64) -> bool {
        if !self.contains(index) {
            return false;
        }
        if self.moved.contains_key(&index) {
            self.tail.retain(|s| s.index != index);
        } else {
            let p = self.swap_for_ties(index);
            if let Err(at) = self.removed.binary_search(&p) {
                self.removed.insert(at, p);
            }
        }
        let updated_us = self.next_time();
        self.tail.push(Slot { index, updated_us });
        self.moved.insert(index, updated_us);
        true
    }

    /// The index `id` belongs to, if it is a record of this collection.
    pub(crate) fn index_of(&self, id: &Uuid) -> Option<u64> {
        crate::ids::index_of(self.seed, self.salt, id).filter(|i| self.contains(*i))
    }

    /// The id of record `index`.
    #[cfg(test)]
    pub(crate) fn id_of(&self, index: u64) -> Uuid {
        self.id(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(o: &Order) -> Vec<Slot> {
        (0..o.len()).filter_map(|p| o.at(p)).collect()
    }

    #[test]
    fn order_is_by_updated_time_then_id_and_covers_every_record_once() {
        let o = Order::new(7, 1, 5_000, 0, 1_000, 0.2);
        let slots = all(&o);
        assert_eq!(slots.len(), 5_000);
        let mut seen: Vec<u64> = slots.iter().map(|s| s.index).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..5_000).collect::<Vec<_>>());
        let mut ties = 0;
        for w in slots.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(a.updated_us <= b.updated_us);
            if a.updated_us == b.updated_us {
                ties += 1;
                assert!(o.id_of(a.index) < o.id_of(b.index));
            }
        }
        assert!(ties > 100, "expected ties at rate 0.2, got {ties}");
    }

    #[test]
    fn touch_and_insert_move_records_to_the_newest_end() {
        let mut o = Order::new(7, 1, 100, 0, 1_000, 0.2);
        assert!(o.touch(10));
        let new = o.insert();
        assert_eq!(new, 100);
        assert!(o.touch(10));
        let slots = all(&o);
        assert_eq!(slots.len(), 101);
        assert_eq!(slots[99].index, 100);
        assert_eq!(slots[100].index, 10);
        assert!(slots.windows(2).all(|w| w[0].updated_us <= w[1].updated_us));
        assert!(!o.touch(500));
        assert_eq!(o.inserted_us(10), Some(o.base_time(10)));
        assert_eq!(o.updated_us(10), Some(slots[100].updated_us));
    }
}
