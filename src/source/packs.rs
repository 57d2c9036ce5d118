//! Reading many blobs from packs at the cost of inflating each pack entry about once.
//!
//! Git stores most blobs of a repository of similar files (services built from the
//! same templates, migrations, translations) as deltas: chains of 20 or more entries,
//! each an edit of the one before. gix resolves a blob by walking its chain down to a
//! full base and applying every delta on the way up, and with no cache it does so again
//! for every blob of the chain: measured 7x slower than `git grep` on such a pack.
//!
//! Two things together make each entry inflate about once:
//! - [`pack_order`] reads the blobs in the order of their entries in the pack. Git
//!   writes a delta's base before the delta, so a blob's base has just been read.
//! - [`SharedDeltaCache`] keeps recently resolved objects for every reading thread, so
//!   the next delta of a chain stops its walk at its base, whichever thread read it.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use gix::ObjectId;
use gix::odb::pack;

/// Bytes of resolved objects the shared delta-base cache keeps. Delta chains of a
/// templated monorepo link the same file across apps, so the base of a blob is the
/// copy read one app earlier: a few megabytes back in pack order. 32 MiB covers that
/// with a margin and keeps the peak memory well under the 150 MB target beside a
/// mapped 90 MB pack.
pub(super) const DELTA_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// The order in which to read `ids`: indices into `ids`, sorted by pack (in file name
/// order) and by offset of each blob's entry in its pack. Blobs in no pack (loose
/// objects, alternates) come last in their order in `ids`.
///
/// Only a matter of speed: an unreadable pack index is skipped, and reading in any
/// order gives the same bytes.
pub(super) fn pack_order(objects_dir: &Path, hash: gix::hash::Kind, ids: &[ObjectId]) -> Vec<usize> {
    let indices = pack_indices(objects_dir, hash);
    let location = |id: &ObjectId| {
        indices.iter().enumerate().find_map(|(pack, index)| {
            index.lookup(id).map(|entry| (pack, index.pack_offset_at_index(entry)))
        })
    };
    let mut keyed: Vec<_> =
        ids.iter().enumerate().map(|(at, id)| (location(id).unwrap_or((usize::MAX, 0)), at)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, at)| at).collect()
}

/// The pack indices (`objects/pack/*.idx`) of the object database at `objects_dir`,
/// in file name order.
fn pack_indices(objects_dir: &Path, hash: gix::hash::Kind) -> Vec<pack::index::File> {
    let Ok(dir) = std::fs::read_dir(objects_dir.join("pack")) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = dir
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
        .collect();
    paths.sort();
    paths.into_iter().filter_map(|path| pack::index::File::at(path, hash).ok()).collect()
}

/// A delta-base cache shared by the threads of one [`super::Source::read_many`]: each
/// thread's object database handle gets a clone. gix puts every object it resolves from
/// a delta and, walking a chain, stops at the first entry it finds here.
///
/// One lock for all threads: a lookup or insert copies one object (kilobytes) while
/// holding it, against the inflating and parsing each thread does between lookups.
#[derive(Clone)]
pub(super) struct SharedDeltaCache(Arc<Mutex<pack::cache::lru::MemoryCappedHashmap>>);

impl SharedDeltaCache {
    /// An empty cache keeping at most `bytes` of object data (least recently used first
    /// out).
    pub(super) fn new(bytes: usize) -> Self {
        SharedDeltaCache(Arc::new(Mutex::new(pack::cache::lru::MemoryCappedHashmap::new(bytes))))
    }
}

impl pack::cache::DecodeEntry for SharedDeltaCache {
    fn put(&mut self, pack_id: u32, offset: u64, data: &[u8], kind: gix::object::Kind, compressed_size: usize) {
        // A thread that panicked holding the lock left at worst a half-updated LRU order.
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cache.put(pack_id, offset, data, kind, compressed_size);
    }

    fn get(&mut self, pack_id: u32, offset: u64, out: &mut Vec<u8>) -> Option<(gix::object::Kind, usize)> {
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(pack_id, offset, out)
    }
}
