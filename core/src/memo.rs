//! A small answer cache shared by the threads of a batch: agencies' files repeat the same names,
//! origins and makers thousands of times, so each answer is worked out once.
//!
//! Keyed by a random-keyed SipHash of the two texts; a second hash of them (FNV-1a) is kept
//! beside the answer to confirm a hit, so a look-up neither allocates nor compares the texts
//! (that comparison, a cache miss on the stored copy, cost more than everything else here).
//! A wrong answer would need a collision of the keyed SipHash, which a file cannot aim at, and
//! of FNV on the same pair at once.
//! A look-up allocates nothing. Bounded: when full it starts afresh (the files' repetition is
//! local, so an LRU would not pay for itself). A clone starts empty; a poisoned lock only skips
//! the cache. One shard per thread (up to 16, then shared), each behind its own lock: with one
//! map for all, the line workers of a big file queued for its lock and bounced the shared
//! answers' reference counts between cores (15 % of their time). The answers are the same
//! whichever shard gives them.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Mutex;

/// How many answers a shard (a thread's) holds before it starts afresh.
const CAPACITY: usize = 4096;
const SHARDS: usize = 16;

type Shard<V> = Mutex<HashMap<u64, (u64, V), BuildHasherDefault<Keyed>>>;

pub struct Memo<V> {
    shards: [Shard<V>; SHARDS],
    hasher: RandomState,
}

/// The map's keys already are (keyed SipHash) hashes: use them as they are.
#[derive(Default)]
struct Keyed(u64);

impl Hasher for Keyed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::default())),
            hasher: Default::default(),
        }
    }
}

impl<V> Clone for Memo<V> {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl<V> std::fmt::Debug for Memo<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memo({} answers)", self.len())
    }
}

impl<V: Clone> Memo<V> {
    fn key(s: &RandomState, a: &str, b: &str) -> u64 {
        let mut h = s.build_hasher();
        h.write(a.as_bytes());
        h.write_u8(0xff); // not valid UTF-8: ("ab", "") and ("a", "b") hash apart
        h.write(b.as_bytes());
        h.finish()
    }

    /// The answer for (a, b), worked out by `make` the first time.
    pub fn get_or(&self, a: &str, b: &str, make: impl FnOnce() -> V) -> V {
        let key = Self::key(&self.hasher, a, b);
        let check = fnv(a, b);
        let shard = &self.shards[thread_slot() % SHARDS];
        if let Ok(m) = shard.lock() {
            if let Some((c, v)) = m.get(&key) {
                if *c == check {
                    return v.clone();
                }
            }
        }
        let v = make();
        if let Ok(mut m) = shard.lock() {
            if m.len() >= CAPACITY {
                m.clear();
            }
            m.insert(key, (check, v.clone()));
        }
        v
    }

    pub fn clear(&self) {
        for shard in &self.shards {
            if let Ok(mut m) = shard.lock() {
                m.clear();
            }
        }
    }
}

impl<V> Memo<V> {
    /// How many answers are kept.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map(|m| m.len()).unwrap_or(0))
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A small number for the calling thread, fixed for its life.
fn thread_slot() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SLOT: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    SLOT.with(|s| *s)
}

/// FNV-1a over both texts (8 bytes at a time), with the 0xff separator `key` uses.
fn fnv(a: &str, b: &str) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [a.as_bytes(), &[0xff], b.as_bytes()] {
        let mut words = part.chunks_exact(8);
        for w in &mut words {
            let mut x = [0u8; 8];
            x.copy_from_slice(w);
            h = (h ^ u64::from_le_bytes(x)).wrapping_mul(PRIME);
        }
        for &byte in words.remainder() {
            h = (h ^ u64::from(byte)).wrapping_mul(PRIME);
        }
        h = (h ^ part.len() as u64).wrapping_mul(PRIME);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::Memo;
    use std::cell::Cell;

    #[test]
    fn answers_once_per_pair_and_tells_pairs_apart() {
        let memo: Memo<String> = Memo::default();
        let calls = Cell::new(0);
        let make = |s: &str| {
            calls.set(calls.get() + 1);
            s.to_uppercase()
        };
        assert_eq!(memo.get_or("ab", "", || make("ab")), "AB");
        assert_eq!(memo.get_or("ab", "", || make("ab")), "AB");
        assert_eq!(calls.get(), 1);
        assert_eq!(memo.get_or("a", "b", || make("a|b")), "A|B");
        assert_eq!(calls.get(), 2);
        memo.clear();
        assert_eq!(memo.get_or("ab", "", || make("ab")), "AB");
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn starts_afresh_when_full() {
        let memo: Memo<usize> = Memo::default();
        for i in 0..super::CAPACITY + 10 {
            assert_eq!(memo.get_or(&i.to_string(), "", || i), i);
        }
        let n = memo.len();
        assert!(n <= super::CAPACITY, "{n}");
        assert_eq!(memo.get_or("3", "", || 999), 999);
    }
}
