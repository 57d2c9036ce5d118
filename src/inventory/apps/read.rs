//! Reading an app's files from the source: a Git LFS pointer is refused, a file too
//! large is skipped with a warning, another tool's app.json is told apart.

use super::MAX_READ;
use crate::diag::{FileError, Warning};
use crate::inventory::package_json::PackageJson;
use crate::inventory::{Error, Located, app_json, join, procfile};
use crate::source::Source;

/// The Node version named by each version file in `code_dir`: `.nvmrc` (nvm, fnm),
/// `.node-version` (nodenv, fnm, volta-less setups) and `.tool-versions` (asdf, mise:
/// a `nodejs <version>...` line, or mise's `node`; the first version is the one used).
/// An app may have several, each read by another developer's tool.
pub(super) fn read_node_version_files(
    source: &Source,
    code_dir: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Located<String>>, Error> {
    let mut found = Vec::new();
    for name in [".nvmrc", ".node-version", ".tool-versions"] {
        let path = join(code_dir, name);
        let Some(bytes) = read_small(source, &path, warnings)? else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let value = if name == ".tool-versions" {
            let node_line = text.lines().find_map(|line| {
                let line = line.split('#').next().unwrap_or_default();
                let mut words = line.split_whitespace();
                matches!(words.next(), Some("nodejs" | "node")).then(|| words.next())
            });
            match node_line {
                Some(Some(version)) => version.to_owned(),
                _ => continue,
            }
        } else {
            text.trim().to_owned()
        };
        found.push(Located { path, value });
    }
    Ok(found)
}

pub(super) fn read_procfile(
    source: &Source,
    path: &str,
) -> Result<Located<procfile::Procfile>, Error> {
    let bytes = read_file(source, path)?;
    let value = procfile::parse(path, &bytes)?;
    Ok(Located { path: path.to_owned(), value })
}

/// The bytes of `path`, refusing a Git LFS pointer: the commit holds a pointer to content
/// kept elsewhere, which the tool can neither read nor edit in place.
pub(super) fn read_file(source: &Source, path: &str) -> Result<Vec<u8>, Error> {
    let bytes = source.read(path)?;
    if bytes.starts_with(b"version https://git-lfs.github.com/spec/") {
        return Err(FileError::new(
            path,
            "is a Git LFS pointer, not the file itself: Git LFS keeps its content outside the \
             repository, so it cannot be read or edited in the commit. A file this small does \
             not belong in LFS: `git lfs untrack` it, `git add --renormalize` it and commit, \
             then run again (`git lfs pull` first if the working tree holds pointers too)",
        )
        .into());
    }
    Ok(bytes)
}

/// The app.json at `path`, read and parsed once: Heroku's, or another tool's file of that
/// name with its keys ([`app_json::read`]).
pub(super) fn read_app_json(
    source: &Source,
    path: &str,
) -> Result<Result<Located<app_json::AppJson>, Vec<String>>, Error> {
    let bytes = read_file(source, path)?;
    Ok(match app_json::read(path, &bytes)? {
        app_json::Read::Heroku(value) => Ok(Located { path: path.to_owned(), value: *value }),
        app_json::Read::Foreign(keys) => Err(keys),
    })
}

pub(super) fn read_package_json(
    source: &Source,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<PackageJson>, Error> {
    match read_small(source, path, warnings)? {
        Some(bytes) => Ok(Some(PackageJson::parse(path, &bytes)?)),
        None => Ok(None),
    }
}

/// The bytes of a regular file; `None` (with a warning) for a symlink, a submodule or a
/// file too large to be what its name says, and `None` when absent.
pub(super) fn read_small(
    source: &Source,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(entry) = source.entry(path) else { return Ok(None) };
    if !entry.kind.is_regular() {
        warnings.push(Warning::in_file(
            path,
            "is a symlink or submodule: not followed, not edited; the branch keeps it as it is",
        ));
        return Ok(None);
    }
    let too_large = |warnings: &mut Vec<Warning>| {
        warnings.push(Warning::in_file(path, format!("is larger than {MAX_READ} bytes: skipped")));
        Ok(None)
    };
    if entry.size.is_some_and(|s| s > MAX_READ) {
        return too_large(warnings);
    }
    // Git listings carry no sizes: check after reading.
    let bytes = read_file(source, path)?;
    if bytes.len() as u64 > MAX_READ {
        return too_large(warnings);
    }
    Ok(Some(bytes))
}
