//! Readers for the app.json keys that hold more than a string.

use std::collections::BTreeMap;

use super::tree::{Kind, Node};
use super::{Addon, EnvVar, Formation, Reader, Script, Scripts};
use crate::diag::{FileError, Warning};

const SCRIPT_KEYS: &[&str] = &["postdeploy", "pr-predestroy"];
const SCRIPT_FIELDS: &[&str] = &["command", "size"];
const ENV_FIELDS: &[&str] = &["description", "value", "required", "generator"];
const FORMATION_FIELDS: &[&str] = &["quantity", "size"];
const ADDON_FIELDS: &[&str] = &["plan", "as", "options"];
const BUILDPACK_FIELDS: &[&str] = &["url"];
const ENVIRONMENTS: &[&str] = &["test", "review"];

impl Reader<'_> {
    pub(super) fn scripts(&mut self, node: &Node) -> Result<Scripts, FileError> {
        let mut scripts = Scripts::default();
        for member in self.object(node, "scripts", "an object of scripts")? {
            let what = format!("scripts.{}", member.key);
            match member.key.as_str() {
                "postdeploy" => scripts.postdeploy = self.script(&member.value, &what)?,
                "pr-predestroy" => scripts.pr_predestroy = self.script(&member.value, &what)?,
                _ => {
                    self.unknown(member, "`scripts`", SCRIPT_KEYS);
                    scripts.other.push(member.key.clone());
                }
            }
        }
        Ok(scripts)
    }

    fn script(&mut self, node: &Node, what: &str) -> Result<Option<Script>, FileError> {
        let expected = "a command string or an object {\"command\", \"size\"}";
        let members = match &node.kind {
            Kind::Null => return Ok(None),
            Kind::String(command) => {
                return Ok(Some(Script { command: command.clone(), size: None }));
            }
            Kind::Object(_) => self.object(node, what, expected)?,
            _ => return Err(self.wrong_type(node, what, expected)),
        };
        let (mut command, mut size) = (None, None);
        for member in members {
            let field = format!("{what}.{}", member.key);
            match member.key.as_str() {
                "command" => command = Some(self.string(&member.value, &field)?),
                "size" => size = self.opt_string(&member.value, &field)?,
                _ => self.unknown(member, &format!("`{what}`"), SCRIPT_FIELDS),
            }
        }
        match command {
            Some(command) => Ok(Some(Script { command, size })),
            None => Err(self.error(node, format!("`{what}` has no \"command\""))),
        }
    }

    pub(super) fn env(&mut self, node: &Node) -> Result<Vec<EnvVar>, FileError> {
        let expected = "an object of variables (\"NAME\": \"value\" or {...})";
        let members = self.object(node, "env", expected)?;
        let mut vars = Vec::with_capacity(members.len());
        for member in members {
            let what = format!("env.{}", member.key);
            let mut var = EnvVar {
                name: member.key.clone(),
                description: None,
                value: None,
                required: true,
                required_stated: false,
                secret: false,
            };
            let expected = "a string value or an object {\"description\", \"value\", \"required\", \"generator\"}";
            match &member.value.kind {
                Kind::String(value) => var.value = Some(value.clone()),
                Kind::Object(_) => {
                    for field in self.object(&member.value, &what, expected)? {
                        self.env_field(&mut var, field, &what)?;
                    }
                }
                _ => return Err(self.wrong_type(&member.value, &what, expected)),
            }
            vars.push(var);
        }
        Ok(vars)
    }

    fn env_field(
        &mut self,
        var: &mut EnvVar,
        field: &super::Member,
        what: &str,
    ) -> Result<(), FileError> {
        let name = format!("{what}.{}", field.key);
        let value = &field.value;
        match field.key.as_str() {
            "description" => var.description = self.opt_string(value, &name)?,
            "value" => var.value = self.opt_string(value, &name)?,
            "required" => match value.kind {
                Kind::Bool(required) => {
                    var.required = required;
                    var.required_stated = true;
                }
                _ => return Err(self.wrong_type(value, &name, "true or false")),
            },
            "generator" => {
                let generator = self.string(value, &name)?;
                var.secret = generator == "secret";
                if !var.secret {
                    let message = format!(
                        "`{name}` is \"{generator}\"; Heroku only knows \"secret\" (ignored)"
                    );
                    let line = self.line(value.offset);
                    self.warnings.push(Warning::at_line(self.file, line, message));
                }
            }
            _ => self.unknown(field, &format!("`{what}`"), ENV_FIELDS),
        }
        Ok(())
    }

    pub(super) fn formation(&mut self, node: &Node) -> Result<Vec<Formation>, FileError> {
        let expected = "an object of process types ({\"web\": {\"quantity\", \"size\"}})";
        let mut formation = Vec::new();
        for member in self.object(node, "formation", expected)? {
            let what = format!("formation.{}", member.key);
            let mut entry = Formation { process: member.key.clone(), quantity: None, size: None };
            for field in self.object(&member.value, &what, "an object {\"quantity\", \"size\"}")? {
                let name = format!("{what}.{}", field.key);
                match field.key.as_str() {
                    "quantity" => entry.quantity = self.quantity(&field.value, &name)?,
                    "size" => entry.size = self.opt_string(&field.value, &name)?,
                    _ => self.unknown(field, &format!("`{what}`"), FORMATION_FIELDS),
                }
            }
            formation.push(entry);
        }
        Ok(formation)
    }

    fn quantity(&self, node: &Node, what: &str) -> Result<Option<u64>, FileError> {
        match &node.kind {
            Kind::Null => Ok(None),
            Kind::Number(n) => match n.as_u64() {
                Some(n) => Ok(Some(n)),
                None => {
                    Err(self.error(node, format!("`{what}` must be a whole number, found {n}")))
                }
            },
            _ => Err(self.wrong_type(node, what, "a whole number")),
        }
    }

    pub(super) fn addons(&mut self, node: &Node) -> Result<Vec<Addon>, FileError> {
        let expected = "\"service[:plan]\" or an object {\"plan\", \"as\", \"options\"}";
        let items = self.array(node, "addons", "an array of add-ons")?;
        let mut addons = Vec::with_capacity(items.len());
        for item in items {
            let addon = match &item.kind {
                Kind::String(spec) => self.addon_spec(item, spec)?,
                Kind::Object(_) => self.addon_object(item, expected)?,
                _ => return Err(self.wrong_type(item, "addons[]", expected)),
            };
            addons.push(addon);
        }
        Ok(addons)
    }

    fn addon_spec(&self, node: &Node, spec: &str) -> Result<Addon, FileError> {
        Addon::from_spec(spec).ok_or_else(|| {
            self.error(node, format!("add-on \"{spec}\" is not of the form \"service[:plan]\""))
        })
    }

    fn addon_object(&mut self, node: &Node, expected: &str) -> Result<Addon, FileError> {
        let (mut addon, mut alias, mut options) = (None, None, None);
        for field in self.object(node, "addons[]", expected)? {
            let name = format!("addons[].{}", field.key);
            match field.key.as_str() {
                "plan" => {
                    let spec = self.string(&field.value, &name)?;
                    addon = Some(self.addon_spec(&field.value, &spec)?);
                }
                "as" => alias = self.opt_string(&field.value, &name)?,
                "options" => options = Some(field.value.to_value()),
                _ => self.unknown(field, "an add-on", ADDON_FIELDS),
            }
        }
        let Some(addon) = addon else {
            return Err(self.error(node, "add-on object has no \"plan\"".to_string()));
        };
        Ok(Addon { alias, options, ..addon })
    }

    pub(super) fn buildpacks(&mut self, node: &Node) -> Result<Vec<String>, FileError> {
        let expected = "an object {\"url\": ...}";
        let items = self.array(node, "buildpacks", "an array of {\"url\": ...} objects")?;
        let mut urls = Vec::with_capacity(items.len());
        for item in items {
            let mut url = None;
            for field in self.object(item, "buildpacks[]", expected)? {
                match field.key.as_str() {
                    "url" => url = Some(self.string(&field.value, "buildpacks[].url")?),
                    _ => self.unknown(field, "a buildpack", BUILDPACK_FIELDS),
                }
            }
            match url {
                Some(url) => urls.push(url),
                None => return Err(self.error(item, "buildpack has no \"url\"".to_string())),
            }
        }
        Ok(urls)
    }

    pub(super) fn environments(
        &mut self,
        node: &Node,
    ) -> Result<BTreeMap<String, serde_json::Value>, FileError> {
        let mut environments = BTreeMap::new();
        for member in self.object(node, "environments", "an object ({\"test\": {...}})")? {
            let what = format!("environments.{}", member.key);
            self.object(&member.value, &what, "an object of app.json keys")?;
            if !ENVIRONMENTS.contains(&member.key.as_str()) {
                self.unknown(member, "`environments`", ENVIRONMENTS);
            }
            environments.insert(member.key.clone(), member.value.to_value());
        }
        Ok(environments)
    }
}
