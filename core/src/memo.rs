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
//! the cache.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Mutex;

/// How many answers a cache holds before it starts afresh.
const CAPACITY: usize = 4096;

pub struct Memo<V> {
    map: Mutex<HashMap<u64, (u64, V), BuildHasherDefault<Keyed>>>,
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
            map: Mutex::new(HashMap::default()),
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
        let n = self.map.lock().map(|m| m.len()).unwrap_or(0);
        write!(f, "Memo({n} answers)")
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
        if let Ok(m) = self.map.lock() {
            if let Some((c, v)) = m.get(&key) {
                if *c == check {
                    return v.clone();
                }
            }
        }
        let v = make();
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= CAPACITY {
                m.clear();
            }
            m.insert(key, (check, v.clone()));
        }
        v
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.clear();
        }
    }
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
        let n = memo.map.lock().map(|m| m.len()).unwrap_or(0);
        assert!(n <= super::CAPACITY, "{n}");
        assert_eq!(memo.get_or("3", "", || 999), 999);
    }
}
