//! `remove-files`: delete Heroku's own files from every app.

use super::build::Context;
use crate::inventory::{in_node_modules, parent};
use crate::rules::Rule;

pub fn run(cx: &mut Context, rule: &Rule, names: &[String]) {
    let source = cx.files.source();
    let app_dirs: Vec<&str> = cx.inventory.apps.iter().map(|a| a.dir.as_str()).collect();
    for entry in source.entries() {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if !names.iter().any(|n| n == name) || in_node_modules(&entry.path) {
            continue;
        }
        // Only files the inventory knows: a Procfile of an app, or one inside an app folder.
        // An app.json inside an app folder goes only when it is Heroku's (the app read
        // it): an Expo app's `{"expo": ...}` stays.
        let heroku_app_json = |dir: &str| {
            name != "app.json" || cx.inventory.app(dir).is_some_and(|a| a.app_json.is_some())
        };
        let dir = parent(&entry.path);
        let known = cx.inventory.heroku_markers.contains(&entry.path)
            || (app_dirs.contains(&dir) && heroku_app_json(dir));
        if !known || !entry.kind.is_regular() {
            continue;
        }
        cx.files.delete(&entry.path, &rule.id);
    }
}
