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
pub(super) fn pack_order(
    objects_dir: &Path,
    hash: gix::hash::Kind,
    ids: &[ObjectId],
) -> Vec<usize> {
    let indices = pack_indices(objects_dir, hash);
    let location = |id: &ObjectId| {
        indices.iter().enumerate().find_map(|(pack, index)| {
            index.lookup(id).map(|entry| (pack, index.pack_offset_at_index(entry)))
        })
    };
    let mut keyed: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(at, id)| (location(id).unwrap_or((usize::MAX, 0)), at))
        .collect();
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
    fn put(
        &mut self,
        pack_id: u32,
        offset: u64,
        data: &[u8],
        kind: gix::object::Kind,
        compressed_size: usize,
    ) {
        // A thread that panicked holding the lock left at worst a half-updated LRU order.
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cache.put(pack_id, offset, data, kind, compressed_size);
    }

    fn get(
        &mut self,
        pack_id: u32,
        offset: u64,
        out: &mut Vec<u8>,
    ) -> Option<(gix::object::Kind, usize)> {
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cache.get(pack_id, offset, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::testing::TestRepo;

    /// A repository of 60 copies of one long file, each copy a few lines away from the
    /// one before, repacked so that git stores them as chains of deltas.
    fn deltified_repo() -> (TestRepo, Vec<(String, String)>) {
        let template: Vec<String> = (0..400)
            .map(|line| format!("export const value{line} = compute({line}, \"shared text\");\n"))
            .collect();
        let mut lines = template.clone();
        let mut files = Vec::new();
        for copy in 0..60 {
            for edit in 0..3 {
                let at = (copy * 37 + edit * 101) % lines.len();
                lines[at] = format!("// copy {copy} edits line {at}\n");
            }
            files.push((format!("apps/app-{copy:02}/src/index.js"), lines.concat()));
        }
        let borrowed: Vec<(&str, &str)> =
            files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        let repo = TestRepo::with_files(&borrowed);
        repo.git(&["repack", "-adfq", "--depth=50", "--window=250"]);
        (repo, files)
    }

    /// How many of the repository's blobs are stored as deltas, and the longest chain.
    fn delta_stats(repo: &TestRepo) -> (usize, usize) {
        let check = repo.git(&[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objecttype) %(deltabase)",
        ]);
        let deltas = check
            .lines()
            .filter(|l| l.starts_with("blob ") && !l.ends_with(&"0".repeat(40)))
            .count();
        let pack = std::fs::read_dir(repo.path.join(".git/objects/pack"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .unwrap();
        let stats = repo.git(&["verify-pack", "-s", pack.to_str().unwrap()]);
        let longest = stats
            .lines()
            .filter_map(|l| l.strip_prefix("chain length = ")?.split(':').next()?.parse().ok())
            .max()
            .unwrap_or(0);
        (deltas, longest)
    }

    #[test]
    fn read_many_resolves_delta_chains_to_each_files_own_bytes_on_any_number_of_threads() {
        let (repo, files) = deltified_repo();
        let (deltas, longest) = delta_stats(&repo);
        assert!(
            deltas >= 50 && longest >= 10,
            "the test needs chains: {deltas} deltas, longest {longest}"
        );
        let source = Source::Git(repo.open());
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        for threads in [1, 2, 3, 8] {
            let read = source
                .read_many_on(&paths, threads, |index, bytes| Some((index, bytes.to_vec())))
                .unwrap();
            assert_eq!(read.len(), files.len());
            for (at, (index, bytes)) in read.iter().enumerate() {
                assert_eq!(*index, at, "results in the order of the paths");
                assert!(bytes == files[at].1.as_bytes(), "{} on {threads} threads", files[at].0);
            }
        }
    }

    #[test]
    fn pack_order_follows_the_offsets_of_the_pack_and_puts_loose_objects_last() {
        let (repo, files) = deltified_repo();
        // One object outside the pack: a loose blob written after the repack.
        repo.write("loose.txt", "not packed\n");
        repo.commit_all("loose");
        let source = repo.open();
        let gix_repo = source.repo();
        let mut paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        paths.insert(7, "loose.txt");
        let ids: Vec<ObjectId> = paths
            .iter()
            .map(|p| {
                ObjectId::from_hex(repo.git(&["rev-parse", &format!("HEAD:{p}")]).as_bytes())
                    .unwrap()
            })
            .collect();
        let order = pack_order(gix_repo.objects.store_ref().path(), gix_repo.object_hash(), &ids);
        assert_eq!(order.len(), ids.len());
        assert_eq!(*order.last().unwrap(), 7, "the loose blob comes last");
        // git's own view of the pack: `show-index` prints "offset id" for every entry.
        let pack_dir = repo.path.join(".git/objects/pack");
        let idx = std::fs::read_dir(&pack_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .unwrap();
        let out = crate::testing::git_command(&repo.path, &["show-index"])
            .stdin(std::fs::File::open(idx).unwrap())
            .output()
            .unwrap();
        let offsets: std::collections::HashMap<String, u64> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let mut words = l.split_whitespace();
                let offset = words.next().unwrap().parse().unwrap();
                (words.next().unwrap().to_owned(), offset)
            })
            .collect();
        let packed: Vec<u64> =
            order[..order.len() - 1].iter().map(|&at| offsets[&ids[at].to_string()]).collect();
        assert!(packed.windows(2).all(|w| w[0] < w[1]), "offsets in order: {packed:?}");
        assert!(
            order[..order.len() - 1] != (0..paths.len()).filter(|&i| i != 7).collect::<Vec<_>>(),
            "the test needs a pack order other than the path order"
        );
    }

    #[test]
    fn read_many_names_the_first_missing_blob_in_path_order() {
        let (repo, files) = deltified_repo();
        // Keep only some of the blobs: a pack of every object but two, in another order.
        let gone = [&files[40].0, &files[3].0];
        let gone_ids: Vec<String> =
            gone.iter().map(|p| repo.git(&["rev-parse", &format!("HEAD:{p}")])).collect();
        let all = repo.git(&["rev-list", "--objects", "--all"]);
        let keep: String = all
            .lines()
            .map(|l| l.split(' ').next().unwrap())
            .filter(|id| !gone_ids.iter().any(|g| g == id))
            .map(|id| format!("{id}\n"))
            .collect();
        let pack_dir = repo.path.join(".git/objects/pack");
        let old: Vec<_> =
            std::fs::read_dir(&pack_dir).unwrap().map(|e| e.unwrap().path()).collect();
        let mut child = crate::testing::git_command(
            &repo.path,
            &["pack-objects", "-q", ".git/objects/pack/pack"],
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), keep.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
        for path in old {
            std::fs::remove_file(path).unwrap();
        }
        let source = Source::Git(repo.open());
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        for threads in [1, 2] {
            let err = source.read_many_on(&paths, threads, |_, _| Some(())).unwrap_err();
            assert!(err.to_string().starts_with(&format!("{}: cannot read", files[3].0)), "{err}");
        }
    }
}
