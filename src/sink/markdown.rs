//! `plan --format markdown`: the migration guide on standard output.

use std::io::{self, Write};

use crate::generate::guide::{Guide, render};
use crate::migration::Migration;

/// `plan --format markdown`: the guide exactly as the migration writes it, or, when the
/// plan writes none, the same guide made from the plan.
pub fn write_markdown(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    if m.inventory.apps.is_empty() {
        writeln!(out, "# Moving to Code Capsules")?;
        writeln!(out)?;
        writeln!(out, "{}", crate::migration::nothing_to_do(m))?;
        return Ok(());
    }
    if let Some(file) = m.rules.guide_file()
        && let Some(change) = m.plan.changes.iter().find(|c| c.path == file)
        && let Some(bytes) = &change.new
    {
        return out.write_all(bytes);
    }
    let text = render(&Guide {
        inventory: &m.inventory,
        deployment: &m.plan.capsules,
        rules: &m.rules,
        changes: &m.plan.changes,
        notes: &m.plan.notes,
        warnings: &m.plan.warnings,
        checklist: &crate::plan::checklist(&m.plan.warnings),
        own: None,
    });
    out.write_all(text.as_bytes())
}
