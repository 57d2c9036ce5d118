//! The plan: the ordered file changes a migration makes, and what the user must read.
//!
//! The plan is the single source of truth: the diff, the report, the JSON and the commit
//! are all rendered from it. Rules never write files; they edit a [`Workspace`], an
//! overlay over the source, and the plan is the difference between the two.

mod build;
mod frontend;
mod guide;
mod lockfiles;
mod own_origin;
mod pin_node;
mod release;
mod remove_files;
mod scheduler;
mod toolchains;
mod workspace;

pub use build::build;
pub use lockfiles::checklist_item;

/// The guide's checklist lines for `warnings`: see [`checklist_item`].
pub fn checklist(warnings: &[Warning]) -> Vec<String> {
    warnings.iter().filter_map(checklist_item).collect()
}
/// The plan's output types live in `change`, below the guide renderer that reads them.
pub use crate::change::{Action, Change, Note};
pub use workspace::Workspace;

use crate::diag::Warning;

/// What `pin-node` decided for one app's `engines.node`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NodeEngine {
    /// The app's folder as the inventory has it (`""` for the root).
    #[serde(skip)]
    pub app: String,
    /// `kept`, `pinned`, or `unset` (none was there and none is added).
    pub decision: &'static str,
    /// Why: `valid` for a kept range; `missing`, `not-a-range`, `no-platform-major`,
    /// `past-newest` or `cannot-run-typescript` for a pin; `parcel-target` when unset (a
    /// Parcel frontend would build for Node with `engines.node`).
    pub reason: &'static str,
    /// `engines.node` after the migration (empty when unset).
    pub engines_node: String,
}

#[derive(Debug, Default)]
pub struct Plan {
    /// Sorted by path; at most one change per path.
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    pub warnings: Vec<Warning>,
    /// One per app with a package.json, in app order.
    pub node_engines: Vec<NodeEngine>,
    /// The Capsules to create by hand: what the guide, the report and JSON describe.
    pub capsules: crate::capsules::Deployment,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The ids of every rule that changed a file, each once, in the order they ran.
    pub fn rules_applied<'a>(&'a self, rules: &'a crate::rules::RuleSet) -> Vec<&'a str> {
        rules
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| self.changes.iter().any(|c| c.rules.iter().any(|r| r == id)))
            .collect()
    }
}
