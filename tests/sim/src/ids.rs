//! Deterministic randomness and record ids.
//!
//! Every value the simulator serves is a pure function of `(seed, resource, index, field)`,
//! so nothing per record needs to live in memory. Ids are invertible: the first 48 bits of
//! a record's uuid are a bijective scramble of its index, so a get-by-id finds the record
//! without a lookup table (the rest of the uuid is checked against the regenerated id).

use uuid::Uuid;

const MASK48: u64 = (1 << 48) - 1;
const MUL1: u64 = 0x9E37_79B9_7F4B;
const MUL2: u64 = 0xC2B2_AE3D_27D5;

/// SplitMix64 finaliser: a fast, well-mixed hash of one 64-bit word.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of several words, order-sensitive.
pub(crate) fn hash(words: &[u64]) -> u64 {
    words
        .iter()
        .fold(0x005E_ED0F_4E0E_u64, |acc, w| mix(acc ^ mix(*w)))
}

/// A deterministic random stream for one record: `Rng::new(seed, salt, index)`.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64, salt: u64, index: u64) -> Self {
        Self {
            state: hash(&[seed, salt, index]),
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// Uniform in `0..n` (n > 0; n == 0 yields 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        // The tables passed here are non-empty constants.
        &items[self.below(items.len() as u64) as usize]
    }

    /// Uniform float in `[lo, hi)`.
    pub(crate) fn range_f64(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

fn perm48(mut x: u64) -> u64 {
    x = x.wrapping_mul(MUL1) & MASK48;
    x ^= x >> 24;
    x = x.wrapping_mul(MUL2) & MASK48;
    x ^= x >> 21;
    x
}

fn inv_xorshift(y: u64, s: u32) -> u64 {
    let mut x = y;
    for _ in 0..(48 / s + 1) {
        x = y ^ (x >> s);
    }
    x & MASK48
}

fn inv_mul(c: u64) -> u64 {
    // Newton's iteration for the inverse of an odd number modulo 2^64 (hence 2^48).
    let mut inv = c;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(c.wrapping_mul(inv)));
    }
    inv & MASK48
}

fn unperm48(mut x: u64) -> u64 {
    x = inv_xorshift(x, 21);
    x = x.wrapping_mul(inv_mul(MUL2)) & MASK48;
    x = inv_xorshift(x, 24);
    x.wrapping_mul(inv_mul(MUL1)) & MASK48
}

/// The uuid of record `index` of the collection salted `salt`.
pub(crate) fn record_id(seed: u64, salt: u64, index: u64) -> Uuid {
    let offset = hash(&[seed, salt, 0x1D]) & MASK48;
    let head = perm48(index.wrapping_add(offset) & MASK48);
    let tail = hash(&[seed, salt, index, 0x7A11]);
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&head.to_be_bytes()[2..]);
    bytes[6..14].copy_from_slice(&tail.to_be_bytes());
    bytes[14..].copy_from_slice(&(mix(tail) as u16).to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The index a uuid would have in the collection salted `salt`, if it is one of its ids.
/// The caller still checks the index is in range; this checks the full uuid matches.
pub(crate) fn index_of(seed: u64, salt: u64, id: &Uuid) -> Option<u64> {
    let b = id.as_bytes();
    let mut head = [0u8; 8];
    head[2..].copy_from_slice(&b[..6]);
    let offset = hash(&[seed, salt, 0x1D]) & MASK48;
    let index = unperm48(u64::from_be_bytes(head)).wrapping_sub(offset) & MASK48;
    (record_id(seed, salt, index) == *id).then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_to_their_index() {
        for index in [0u64, 1, 2, 999, 1_000_000, (1 << 40) + 7] {
            let id = record_id(42, 3, index);
            assert_eq!(index_of(42, 3, &id), Some(index));
            assert_eq!(id.get_version_num(), 4);
        }
    }

    #[test]
    fn an_id_of_another_collection_or_seed_is_not_found() {
        let id = record_id(42, 3, 17);
        assert_eq!(index_of(42, 4, &id), None);
        assert_eq!(index_of(43, 3, &id), None);
        assert_eq!(index_of(42, 3, &Uuid::nil()), None);
    }

    #[test]
    fn ids_are_distinct_across_indexes() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|i| record_id(1, 1, i)).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
