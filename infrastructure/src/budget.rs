//! An LRU map bounded by entries and by an estimate of the bytes its values hold: long
//! documents weigh what they hold, so a few of them cannot fill memory that a count of
//! documents would have allowed.

use std::collections::HashMap;
use std::num::NonZeroUsize;

use lru::LruCache;

/// Least-recently-used entries are dropped when there are more than `max_entries` or their
/// weights add up to more than `max_bytes` (the most recent one always stays).
#[derive(Debug)]
pub struct BudgetLru<V> {
    lru: LruCache<String, V>,
    weights: HashMap<String, usize>,
    total: usize,
    max_bytes: usize,
}

impl<V> BudgetLru<V> {
    /// An empty map with these bounds.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            lru: LruCache::new(NonZeroUsize::new(max_entries.max(1)).unwrap_or(NonZeroUsize::MIN)),
            weights: HashMap::new(),
            total: 0,
            max_bytes,
        }
    }

    /// The value of `key`, made (weighing nothing yet) when absent; now the most recent.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &V {
        if !self.lru.contains(key) {
            self.insert(key.to_string(), make(), 0);
        }
        self.lru.get(key).expect("just inserted")
    }

    /// Takes the value of `key` out.
    pub fn pop(&mut self, key: &str) -> Option<V> {
        self.forget(key);
        self.lru.pop(key)
    }

    /// Stores a value that weighs `bytes`, dropping others as the bounds require.
    pub fn put(&mut self, key: String, value: V, bytes: usize) {
        self.pop(&key);
        self.insert(key, value, bytes);
        self.evict();
    }

    /// Says what the value of `key` weighs now (nothing when it is not held).
    pub fn weigh(&mut self, key: &str, bytes: usize) {
        if let Some(weight) = self.weights.get_mut(key) {
            self.total = self.total - *weight + bytes;
            *weight = bytes;
            self.lru.promote(key);
            self.evict();
        }
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.lru.clear();
        self.weights.clear();
        self.total = 0;
    }

    /// The estimated bytes held.
    pub fn bytes(&self) -> usize {
        self.total
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.lru.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.lru.is_empty()
    }

    fn insert(&mut self, key: String, value: V, bytes: usize) {
        self.weights.insert(key.clone(), bytes);
        self.total += bytes;
        if let Some((evicted, _)) = self.lru.push(key.clone(), value)
            && evicted != key
        {
            self.forget(&evicted);
        }
    }

    fn forget(&mut self, key: &str) {
        if let Some(weight) = self.weights.remove(key) {
            self.total -= weight;
        }
    }

    fn evict(&mut self) {
        while self.total > self.max_bytes && self.lru.len() > 1 {
            match self.lru.pop_lru() {
                Some((key, _)) => self.forget(&key),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heavy_entries_push_out_the_least_recent_ones() {
        let mut cache = BudgetLru::new(10, 100);
        cache.put("a".into(), 1, 40);
        cache.put("b".into(), 2, 40);
        cache.put("c".into(), 3, 40);
        assert_eq!(cache.len(), 2, "a was dropped: 120 bytes > 100");
        assert_eq!(cache.bytes(), 80);
        assert!(cache.pop("a").is_none());
        cache.weigh("b", 90);
        assert_eq!(cache.len(), 1, "c was dropped for b's growth");
        assert_eq!(cache.bytes(), 90);
        cache.put("huge".into(), 4, 1_000);
        assert_eq!(cache.len(), 1, "the most recent entry always stays");
        assert_eq!(cache.bytes(), 1_000);
    }

    #[test]
    fn the_entry_count_still_bounds_it() {
        let mut cache = BudgetLru::new(2, usize::MAX);
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            cache.put(key.into(), i, 1);
        }
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.bytes(), 2);
        assert_eq!(*cache.get_or_insert_with("d", || 9), 9);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.bytes(), 1);
    }
}
