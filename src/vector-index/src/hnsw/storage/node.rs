//! A node's lock and upper-layer links, kept apart in struct-of-arrays form.
//!
//! Every node pays for these, yet only about one node in `M` has upper layers at all. A
//! `Mutex<Option<Box<..>>>` per node costs 16 bytes once the one-byte lock is padded to the
//! pointer's alignment. Here the lock is a bare [`RawMutex`] (one byte) in one array and the
//! thin block pointer (eight bytes) in another: 9 bytes per node. The lock guards the block
//! and, by convention, the node's layer-0 writes.

use std::cell::UnsafeCell;
use std::mem::size_of;
use std::ops::{Deref, DerefMut};

use parking_lot::lock_api::RawMutex as _;
use parking_lot::RawMutex;

/// A node's upper-layer words behind a thin pointer: `level * (M + 1)` words, `[count, ids..]`
/// per level from 1 up. Thin so that an empty slot is one null word.
#[allow(clippy::box_collection)] // the box is the thin pointer this type exists for
pub(in crate::hnsw) struct UpperBlock(Box<Vec<u32>>);

impl UpperBlock {
    /// A block of `words` zeros.
    pub(in crate::hnsw) fn zeroed(words: usize) -> Self {
        UpperBlock(Box::new(vec![0; words]))
    }

    /// Heap bytes of a block of `words` words.
    pub(in crate::hnsw) fn bytes_for(words: usize) -> usize {
        words * size_of::<u32>() + size_of::<Vec<u32>>()
    }
}

// The point of the thin pointer: an empty slot is one word.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(size_of::<UpperSlot>() == 8);

impl From<Vec<u32>> for UpperBlock {
    fn from(words: Vec<u32>) -> Self {
        UpperBlock(Box::new(words))
    }
}

impl Deref for UpperBlock {
    type Target = [u32];

    fn deref(&self) -> &[u32] {
        &self.0
    }
}

impl DerefMut for UpperBlock {
    fn deref_mut(&mut self) -> &mut [u32] {
        &mut self.0
    }
}

/// A node's upper block, read and written only under the node's lock (or through `&mut`).
pub(super) type UpperSlot = UnsafeCell<Option<UpperBlock>>;

/// An unlocked node lock.
pub(super) fn unlocked() -> RawMutex {
    RawMutex::INIT
}

/// A held node lock, giving access to the node's upper block; unlocks on drop.
pub(in crate::hnsw) struct NodeGuard<'a> {
    lock: &'a RawMutex,
    upper: &'a UpperSlot,
}

impl<'a> NodeGuard<'a> {
    /// Locks `lock`, which guards `upper`.
    pub(super) fn lock(lock: &'a RawMutex, upper: &'a UpperSlot) -> Self {
        lock.lock();
        NodeGuard { lock, upper }
    }
}

impl Deref for NodeGuard<'_> {
    type Target = Option<UpperBlock>;

    fn deref(&self) -> &Option<UpperBlock> {
        // SAFETY: the slot is only touched under its node's lock, which this guard holds (or
        // through `&mut Storage`, which excludes every guard).
        unsafe { &*self.upper.get() }
    }
}

impl DerefMut for NodeGuard<'_> {
    fn deref_mut(&mut self) -> &mut Option<UpperBlock> {
        // SAFETY: as in `deref`; the guard is unique, so the reference is exclusive.
        unsafe { &mut *self.upper.get() }
    }
}

impl Drop for NodeGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: this guard locked the mutex in `NodeGuard::lock` and unlocks it once.
        unsafe { self.lock.unlock() }
    }
}

/// The ids linked at `level` (>= 1) in a node's upper block.
#[inline]
pub(in crate::hnsw) fn upper_list(block: Option<&[u32]>, level: usize, m: usize) -> Option<&[u32]> {
    let block = block?;
    if level == 0 || level * (m + 1) > block.len() {
        return None;
    }
    let words = &block[(level - 1) * (m + 1)..level * (m + 1)];
    let count = (words[0] as usize).min(m);
    Some(&words[1..=count])
}

/// Replaces the ids linked at `level` (>= 1) in a node's upper block.
pub(in crate::hnsw) fn set_upper_list(block: &mut [u32], level: usize, m: usize, ids: &[u32]) {
    let start = (level - 1) * (m + 1);
    let words = &mut block[start..start + m + 1];
    words[0] = ids.len() as u32;
    words[1..=ids.len()].copy_from_slice(ids);
}
