//! JSON over HTTPS to a forge's REST API, through `ureq` (blocking, rustls): one request
//! at a time is all opening a pull request needs.

use std::time::Duration;

use serde_json::Value;

use super::forge::Secret;

/// A forge's API at `base` (like `https://api.github.com`), authenticating every request
/// with one header that carries the token.
pub struct Api {
    agent: ureq::Agent,
    base: String,
    auth_header: &'static str,
    auth_value: Secret,
    extra_headers: &'static [(&'static str, &'static str)],
}

/// A reply: its status and its body as JSON (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub json: Value,
}

impl Api {
    /// `auth_value` is the whole header value (`Bearer <token>` or the token itself).
    pub fn new(
        base: &str,
        auth_header: &'static str,
        auth_value: Secret,
        extra_headers: &'static [(&'static str, &'static str)],
    ) -> Api {
        let config = ureq::Agent::config_builder()
            // Statuses are answers to read (422 "already exists"), not transport errors.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("capsule-migrate/", env!("CARGO_PKG_VERSION")))
            .build();
        Api {
            agent: config.into(),
            base: base.trim_end_matches('/').to_owned(),
            auth_header,
            auth_value,
            extra_headers,
        }
    }

    /// The API's address, for messages.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET base/path?query`.
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Reply, String> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (key, value) in query {
            request = request.query(*key, *value);
        }
        request = request.header(self.auth_header, self.auth_value.expose());
        for (key, value) in self.extra_headers {
            request = request.header(*key, *value);
        }
        self.finish(request.call())
    }

    /// `POST base/path` with a JSON body.
    pub fn post(&self, path: &str, body: &Value) -> Result<Reply, String> {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header(self.auth_header, self.auth_value.expose())
            .header("Content-Type", "application/json");
        for (key, value) in self.extra_headers {
            request = request.header(*key, *value);
        }
        self.finish(request.send(body.to_string()))
    }

    fn finish(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Reply, String> {
        let mut response = result.map_err(|e| self.scrub(&e.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| self.scrub(&e.to_string()))?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply { status, json })
    }

    /// `text` with the token replaced, in case a server or a library ever echoes it.
    pub fn scrub(&self, text: &str) -> String {
        let token = self.auth_value.expose();
        let token = token.strip_prefix("Bearer ").unwrap_or(token);
        if token.is_empty() { text.to_owned() } else { text.replace(token, "***") }
    }
}

/// The host's own words about a failed request: GitHub's and GitLab's `message`, and
/// GitHub's `errors[].message`.
pub fn host_message(reply: &Reply) -> String {
    let mut parts: Vec<String> = Vec::new();
    match &reply.json["message"] {
        Value::String(text) => parts.push(text.clone()),
        Value::Null => {}
        other => parts.push(other.to_string()),
    }
    if let Some(errors) = reply.json["errors"].as_array() {
        for error in errors {
            match error["message"].as_str() {
                Some(text) => parts.push(text.to_owned()),
                None => parts.push(error.to_string()),
            }
        }
    }
    if let Some(text) = reply.json["error"].as_str() {
        parts.push(text.to_owned());
    }
    if parts.is_empty() { format!("HTTP {}", reply.status) } else { parts.join("; ") }
}
