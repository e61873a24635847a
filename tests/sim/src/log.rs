//! The request log: what reached the server, for tests to assert on.

use std::sync::Mutex;

use crate::faults::FaultKind;

/// What the log shows instead of an `Authorization` value.
pub const MASK: &str = "<masked>";

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// 1-based arrival number (the number fault scripts refer to).
    pub number: u64,
    /// `GET`, ….
    pub method: String,
    /// The path, undecoded (`/v1/events`).
    pub path: String,
    /// The raw query string without `?`, if any (`limit=100&start=1`).
    pub query: Option<String>,
    /// Every header in arrival order, names lower-case; `authorization` values replaced
    /// by [`MASK`] so logs can be printed.
    pub headers: Vec<(String, String)>,
    /// The fault injected into this request, if any.
    pub fault: Option<FaultKind>,
}

impl LoggedRequest {
    /// The value of header `name` (lower-case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `path?query` as it was requested.
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

/// Shared, append-only log.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<Vec<LoggedRequest>>,
}

impl RequestLog {
    pub(crate) fn push(&self, entry: LoggedRequest) {
        if let Ok(mut e) = self.entries.lock() {
            e.push(entry);
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries.lock().map(|e| e.clone()).unwrap_or_default()
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }
}

/// Builds a log entry from a request's parts.
pub(crate) fn entry(
    number: u64,
    parts: &http::request::Parts,
    fault: Option<FaultKind>,
) -> LoggedRequest {
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            let value = if k == http::header::AUTHORIZATION {
                MASK.to_string()
            } else {
                String::from_utf8_lossy(v.as_bytes()).into_owned()
            };
            (k.as_str().to_string(), value)
        })
        .collect();
    LoggedRequest {
        number,
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers,
        fault,
    }
}
