//! The declarative rule set: TOML files under `rules/`, embedded in the binary and
//! replaceable with `--rules DIR`.
//!
//! A rule file is read twice: first into [`RawRule`] (serde, unknown keys refused), then
//! validated into a [`Rule`] whose [`RuleKind`] carries exactly the parameters that kind
//! needs. Only validated rules reach the planner.

mod load;

pub use load::{embedded, load_dir};

use crate::diag::FileError;

/// The rule files shipped in the binary, in the order they run (file name order).
/// A test checks this list against the `rules/` folder so a new file cannot be forgotten.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("10-remove-heroku-files.toml", include_str!("../../rules/10-remove-heroku-files.toml")),
    ("20-pin-node-engine.toml", include_str!("../../rules/20-pin-node-engine.toml")),
];

/// A validated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Kebab-case and unique in the set; recorded on every change the rule makes.
    pub id: String,
    /// One line, shown next to each change.
    pub description: String,
    /// What breaks on Code Capsules without this rule.
    pub reason: String,
    pub kind: RuleKind,
}

/// What a rule does, with its parameters. The code implements each kind once.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// Delete every file with one of these names, in any app folder.
    RemoveFiles { files: Vec<String> },
    /// Set `engines.node` in each app's package.json to `<major>.x`.
    PinNode { major: u32 },
}

impl RuleKind {
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::RemoveFiles { .. } => "remove-files",
            RuleKind::PinNode { .. } => "pin-node",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] FileError),
    #[error("{dir}: cannot read the rules folder: {message}")]
    Dir { dir: String, message: String },
}

/// The rule set after the command-line settings that override parameters were applied.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// `--node MAJOR` replaces the major of every `pin-node` rule.
    pub fn override_node_major(&mut self, major: u32) {
        for rule in &mut self.rules {
            if let RuleKind::PinNode { major: m } = &mut rule.kind {
                *m = major;
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
