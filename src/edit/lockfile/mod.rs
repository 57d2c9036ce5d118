//! Lockfile editors, one per format: add (or upgrade) one registry dependency of one
//! package so that the package manager's frozen install accepts the lockfile.
//!
//! Each editor is span-based like the JSON editor: it finds the bytes of the entries it
//! must add, replace or remove, splices them, and leaves every other byte alone (the
//! file's newlines and indentation included). The result is read again and checked to
//! hold the new entry before it is returned. An editor never guesses: when the file
//! cannot be updated exactly (an unknown format version, a dependency that other packages
//! share, an override), it returns [`Outcome::Inexact`] with the reason, and the caller
//! tells the user which command updates the file.

mod berry;
pub(crate) mod npm;
pub(crate) mod pnpm;
pub(crate) mod yarn;

#[cfg(test)]
mod tests;

use crate::diag::{FileError, Position};

/// The facts a lockfile records about one published package release that has no
/// dependencies of its own (so its entry needs nothing the registry would have to be
/// asked for). They come from `npm view <name>@<version> dist engines license`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub name: String,
    /// The exact version, e.g. `4.6.0`.
    pub version: String,
    /// The tarball URL on the public registry (`dist.tarball`).
    pub resolved: String,
    /// Subresource integrity of the tarball (`dist.integrity`, `sha512-...`).
    pub integrity: String,
    /// The tarball's SHA-1 in hex (`dist.shasum`): yarn 1 appends it to `resolved`.
    pub shasum: String,
    /// `engines.node` of the release, which npm 7+ and pnpm copy into the lockfile.
    pub engines_node: Option<String>,
    /// `license`, which npm 7+ copies into the lockfile.
    pub license: Option<String>,
}

/// One dependency of one package (an importer) to write into a lockfile.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The package's folder relative to the lockfile's folder, with `/`; `""` when the
    /// lockfile sits beside the package.json.
    pub importer: &'a str,
    /// The range now in the package.json's `dependencies`, e.g. `^4.6.0`.
    pub range: &'a str,
    /// The range the package.json had before, when the dependency was there already.
    pub old_range: Option<&'a str>,
    /// The release `range` resolves to.
    pub release: &'a Release,
    /// Every (name, range) that the package.json files this lockfile governs ask for,
    /// after the edit: yarn 1 keys its entries by them, so an entry one of them still
    /// names is never removed.
    pub manifests: &'a [(String, String)],
}

/// What an editor did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The edited lockfile.
    Edited(String),
    /// The lockfile already records the dependency as asked.
    Unchanged,
    /// The lockfile cannot be updated exactly; the reason, for the user.
    Inexact(String),
}

/// A dependency a package.json asks for that its lockfile does not record as asked, so
/// the frozen install refuses the lockfile (`npm ci`: "Missing: x from lock file" or
/// "Invalid"; yarn 1 `--frozen-lockfile` and pnpm `--frozen-lockfile`: "needs to be
/// updated").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmet {
    pub name: String,
    /// The range the package.json asks for.
    pub range: String,
    /// What the lockfile has instead: the installed version (npm), the recorded range
    /// (pnpm); `None` when it does not have the dependency at all.
    pub locked: Option<String>,
}

/// The lockfile cannot be read. Offsets are bytes of the lockfile's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    #[error("{message}")]
    Syntax { offset: usize, message: String },
    /// An edit met a value of the wrong shape (`"dependencies": "x"`), at `position` of
    /// the text it edited (placed by [`crate::edit::json::EditError::position`], as every
    /// JSON edit error is).
    #[error("{message}")]
    Edit { position: Option<Position>, message: String },
    /// The edited text did not read back as intended: a bug in the editor. Nothing is
    /// written.
    #[error("editing it would not give the intended lockfile ({0}); the file is left as is")]
    Unverified(String),
}

impl LockError {
    /// The error as the user sees it: the file, and the line and column where known.
    pub fn to_file_error(&self, file: &str, text: &str) -> FileError {
        match self {
            LockError::Syntax { offset, message } => FileError::at_offset(
                file,
                text.as_bytes(),
                *offset,
                format!("cannot read the lockfile: {message}; fix or regenerate it and run again"),
            ),
            LockError::Edit { position, message } => FileError {
                file: file.to_owned(),
                position: *position,
                message: format!(
                    "cannot update the lockfile: {message}; fix or regenerate it and run again"
                ),
            },
            LockError::Unverified(_) => FileError::new(file, self.to_string()),
        }
    }
}

/// The line break the file uses: CRLF when its first line ends with one.
pub(crate) fn newline_of(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The lockfile formats, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `package-lock.json` or `npm-shrinkwrap.json`.
    Npm,
    /// `yarn.lock`, yarn 1 (yarn 2+ is recognised and reported).
    Yarn,
    /// `pnpm-lock.yaml`.
    Pnpm,
}

impl Format {
    /// The lockfile names each format uses, in the order npm, yarn and pnpm read them.
    pub const FILE_NAMES: &[(&str, Format)] = &[
        ("npm-shrinkwrap.json", Format::Npm),
        ("package-lock.json", Format::Npm),
        ("yarn.lock", Format::Yarn),
        ("pnpm-lock.yaml", Format::Pnpm),
    ];

    pub fn of_file_name(name: &str) -> Option<Format> {
        Format::FILE_NAMES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The package manager's command that brings this lockfile in step with the
    /// package.json files, without installing anything where it can. `text` tells yarn
    /// 1 from yarn 2+.
    pub fn update_command(self, text: &str) -> &'static str {
        match self {
            Format::Npm => "npm install --package-lock-only",
            Format::Yarn if yarn::is_berry(text) => "yarn install --mode=update-lockfile",
            Format::Yarn => "yarn install",
            Format::Pnpm => "pnpm install --lockfile-only",
        }
    }

    /// The dependencies of the package at `importer` (its folder relative to the
    /// lockfile's, `""` beside it) that the lockfile `text` does not record as `wanted`
    /// asks (name, range, from its `dependencies` and `devDependencies`), in that order.
    /// `local` are the names of the workspace's own packages, which yarn 1 never records.
    /// A format this tool cannot judge (yarn 2+) gives none.
    pub fn unmet(
        self,
        text: &str,
        importer: &str,
        wanted: &[(String, String)],
        local: &[String],
    ) -> Result<Vec<Unmet>, LockError> {
        match self {
            Format::Npm => npm::unmet(text, importer, wanted),
            Format::Yarn => yarn::unmet(text, wanted, local),
            Format::Pnpm => pnpm::unmet(text, importer, wanted),
        }
    }

    /// Adds the request to the lockfile `text` of this format.
    pub fn add(self, text: &str, req: &Request) -> Result<Outcome, LockError> {
        match self {
            Format::Npm => npm::add(text, req),
            Format::Yarn => yarn::add(text, req),
            Format::Pnpm => pnpm::add(text, req),
        }
    }
}
