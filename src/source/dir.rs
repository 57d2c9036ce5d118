//! A plain directory (dry runs only): a walk that never follows symlinks and skips
//! `.git` and `node_modules`.

use std::path::{Path, PathBuf};

use super::{Entry, EntryKind, Error};

pub struct DirSource {
    root: PathBuf,
    entries: Vec<Entry>,
}

impl DirSource {
    pub fn open(root: &Path) -> Result<DirSource, Error> {
        let mut entries = Vec::new();
        let walk = walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name();
        let walk = walk.into_iter().filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_dir() && is_skipped_dir(e.file_name()))
        });
        for item in walk {
            let item = item.map_err(|e| {
                let path = e.path().unwrap_or(root).to_owned();
                // Links are not followed, so no loop: every error is an I/O error.
                let source = e.into_io_error().unwrap_or_else(|| std::io::Error::other("a loop"));
                Error::List { path, source }
            })?;
            let file_type = item.file_type();
            if file_type.is_dir() {
                continue;
            }
            let Ok(rel) = item.path().strip_prefix(root) else { continue };
            let Some(path) = rel.to_str() else { continue };
            let path = path.replace(std::path::MAIN_SEPARATOR, "/");
            let kind = if file_type.is_symlink() {
                EntryKind::Symlink
            } else if is_executable(&item) {
                EntryKind::Executable
            } else {
                EntryKind::File
            };
            let size = item.metadata().ok().map(|m| m.len());
            entries.push(Entry { path, kind, size });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DirSource { root: root.to_owned(), entries })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn read(&self, path: &str) -> Result<Vec<u8>, Error> {
        std::fs::read(self.root.join(path))
            .map_err(|e| Error::ReadFailed { path: path.to_owned(), source: e.into() })
    }
}

fn is_skipped_dir(name: &std::ffi::OsStr) -> bool {
    name == ".git" || name == "node_modules"
}

#[cfg(unix)]
fn is_executable(item: &walkdir::DirEntry) -> bool {
    use std::os::unix::fs::PermissionsExt;
    item.metadata().is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &walkdir::DirEntry) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_errors_keep_the_io_error_as_their_source() {
        let dir = tempfile::tempdir().unwrap();
        let source = DirSource::open(dir.path()).unwrap();
        let err = source.read("nope.txt").unwrap_err();
        let cause = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io error is the source");
        assert_eq!(cause.kind(), std::io::ErrorKind::NotFound);
        let cause = cause.to_string();
        let shown = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(shown, format!("nope.txt: cannot read: {cause}"));
    }
}
