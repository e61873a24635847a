//! The one error type of this crate.
//!
//! Every variant carries what a caller needs to act on it: the HTTP status, the server's
//! message from the envelope, the delay a server asked for, or a short snippet of a body
//! that could not be understood. The API token never appears in any of them: messages and
//! snippets taken from a response are scrubbed of the token before they are stored.

use std::time::Duration;

use reqwest::StatusCode;

/// Everything that can go wrong when talking to the Neon API through [`crate::NeonClient`].
///
/// Marked `#[non_exhaustive]`: match the variants you act on and keep a `_` arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server refused the token (HTTP 401). Check `NEON_API_TOKEN`; retrying will not help.
    #[error("unauthorized (HTTP 401): {}", message.as_deref().unwrap_or("the server refused the API token"))]
    Unauthorized {
        /// The envelope's `error` message, if the server sent one.
        message: Option<String>,
    },

    /// The token is valid but may not do this (HTTP 403). Retrying will not help.
    #[error("forbidden (HTTP 403): {}", message.as_deref().unwrap_or("the API token may not access this resource"))]
    Forbidden {
        /// The envelope's `error` message, if the server sent one.
        message: Option<String>,
    },

    /// The record does not exist: a 404 carrying the API's envelope, or a 200 whose `data`
    /// is `null` on a get-by-id call.
    #[error("not found: {}", message.as_deref().unwrap_or("the server returned no record"))]
    NotFound {
        /// The envelope's `error` message, if the server sent one.
        message: Option<String>,
    },

    /// The server has no such route: a 404 without the API's envelope (for example a
    /// framework's default "404 Not Found" page). Distinct from [`Error::NotFound`], which is
    /// about a record; this one means the URL or the server is wrong.
    #[error("route not found (HTTP 404) for {path}: the server has no such endpoint")]
    RouteNotFound {
        /// The path that was requested (no host, no query).
        path: String,
    },

    /// The server kept answering 429 until the retry budget was spent, or asked for a wait
    /// longer than [`crate::RetryPolicy::retry_after_cap`] (returned at once, not slept).
    #[error("rate limited (HTTP 429){}", match retry_after {
        Some(d) => format!(": the server asked to wait {}", describe_wait(*d)),
        None => String::new(),
    })]
    RateLimited {
        /// The delay the server's last `Retry-After` asked for, if it sent a readable one.
        /// A number of seconds too large for a [`Duration`] is [`Duration::MAX`] (shown as
        /// "more than 18446744073709551615 s"), never a made-up value.
        retry_after: Option<Duration>,
    },

    /// A 502, 503 or 504 that came with a readable `Retry-After`: either the wait it asked
    /// for is longer than [`crate::RetryPolicy::retry_after_cap`] (returned at once, not
    /// slept, so the caller can come back later), or the retry budget was spent. The same
    /// response without `Retry-After` is [`Error::Server`].
    #[error("server unavailable (HTTP {status}, content-type {}): {snippet}; the server asked to wait {}", content_type.as_deref().unwrap_or("none"), describe_wait(*retry_after))]
    Unavailable {
        /// The HTTP status (502, 503 or 504).
        status: StatusCode,
        /// The delay the server's last `Retry-After` asked for ([`Duration::MAX`] for a
        /// number of seconds too large for a [`Duration`]).
        retry_after: Duration,
        /// The response's `Content-Type`, if any (`text/html` means a gateway page).
        content_type: Option<String>,
        /// The envelope's message, or else the start of the body.
        snippet: String,
    },

    /// A 5xx response (after retries, for the statuses that are retried), without a
    /// readable `Retry-After` (see [`Error::Unavailable`]).
    #[error("server error (HTTP {status}, content-type {}): {snippet}", content_type.as_deref().unwrap_or("none"))]
    Server {
        /// The HTTP status.
        status: StatusCode,
        /// The response's `Content-Type`, if any (`text/html` means a gateway page).
        content_type: Option<String>,
        /// The envelope's message, or else the start of the body.
        snippet: String,
    },

    /// The API said no: the envelope's `error` was set, on a 4xx status other than
    /// 401/403/404/429, or on a 200 (the API can report an error with a success status).
    #[error("API error (HTTP {status}): {message}")]
    Api {
        /// The HTTP status (200 when the error came inside a success response).
        status: StatusCode,
        /// The envelope's `error`, as text (a JSON object is rendered as compact JSON).
        message: String,
    },

    /// A response that is not what the API sends: a status this client does not expect
    /// (such as a refused redirect or a 4xx without an envelope) with a body that is not
    /// the API's envelope.
    #[error("unexpected response (HTTP {status}, content-type {}): {snippet}", content_type.as_deref().unwrap_or("none"))]
    UnexpectedResponse {
        /// The HTTP status.
        status: StatusCode,
        /// The response's `Content-Type`, if any.
        content_type: Option<String>,
        /// The start of the body (or, for a redirect, its target).
        snippet: String,
    },

    /// The body could not be decoded into the expected records. `path` says where
    /// (for example `data[3].latitude`), `snippet` shows the start of the body.
    #[error("could not decode response (HTTP {status}, content-type {}) at `{path}`: {source}; body starts: {snippet}", content_type.as_deref().unwrap_or("none"))]
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// The response's `Content-Type`, if any.
        content_type: Option<String>,
        /// The JSON path of the value that failed, as reported by `serde_path_to_error`
        /// (`.` when the document itself is not JSON).
        path: String,
        /// The start of the body.
        snippet: String,
        /// The underlying JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// The request timed out (connect or whole-request timeout), after retries.
    #[error("request timed out: {source}")]
    Timeout {
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// The connection failed, broke, or the body was cut off, after retries.
    #[error("transport error: {source}")]
    Transport {
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// The body ended before the JSON document did (a truncated response), after retries.
    #[error("response body was cut off (HTTP {status}) after {received} bytes")]
    Truncated {
        /// The HTTP status.
        status: StatusCode,
        /// How many bytes arrived.
        received: usize,
    },

    /// The response body was larger than any page of the API can be (64 MiB, decompressed),
    /// so reading stopped there and the connection was dropped: memory stays bounded
    /// whatever a server or proxy sends. Not retried (the same request would get the same
    /// body); if a huge page size was asked for, ask for less.
    #[error("response body too large (HTTP {status}): more than {limit} bytes, larger than any page; reading stopped")]
    BodyTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// The limit that was passed, in bytes.
        limit: usize,
    },

    /// A list walk received [`crate::paging::IDLE_RECORDS_MAX`] records in a row that it had
    /// already handed out (or that arrived after it passed their place) and stopped: the
    /// server ignores `start`, or records are being inserted faster than the walk pages.
    /// Records not reached yet were not handed out; the ones before this error were.
    #[error("list walk stopped: {idle_records} records in a row held nothing new (next start {start}); the server may ignore `start`, or records arrive faster than the walk pages")]
    Stalled {
        /// The `start` the next request would have sent.
        start: u64,
        /// Records received in a row without a new one.
        idle_records: u64,
    },

    /// The request was refused before anything was sent: a malformed record id, an operation
    /// used where it does not fit, or a request the HTTP client could not build. (An empty
    /// filter list, such as `types([])`, is not refused: it sends no filter, so every
    /// record comes back.)
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What was wrong with the input.
        message: String,
    },

    /// The client could not be built: no token, a bad base URL, plain `http://` to a
    /// non-loopback host without opting in, or an HTTP client that failed to build.
    #[error("invalid client configuration: {message}")]
    Config {
        /// What was wrong with the configuration (never contains the token).
        message: String,
    },
}

impl Error {
    /// The HTTP status the error came with, if it came from a response.
    ///
    /// ```
    /// use neon_api_ext::Error;
    ///
    /// let denied = Error::Unauthorized { message: None };
    /// assert_eq!(denied.status().map(|s| s.as_u16()), Some(401));
    /// assert_eq!(Error::Config { message: "no API token".into() }.status(), None);
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Error::NotFound { .. } | Error::RouteNotFound { .. } => Some(StatusCode::NOT_FOUND),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Server { status, .. }
            | Error::Unavailable { status, .. }
            | Error::Api { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::Decode { status, .. }
            | Error::Truncated { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::Timeout { .. }
            | Error::Transport { .. }
            | Error::Stalled { .. }
            | Error::InvalidRequest { .. }
            | Error::Config { .. } => None,
        }
    }

    /// The wait the server asked for with `Retry-After`, when it sent a readable one
    /// ([`Error::RateLimited`], [`Error::Unavailable`]): come back after that long.
    ///
    /// ```
    /// use std::time::Duration;
    /// use neon_api_ext::Error;
    ///
    /// let limited = Error::RateLimited { retry_after: Some(Duration::from_secs(90)) };
    /// assert_eq!(limited.retry_after(), Some(Duration::from_secs(90)));
    /// // Errors a wait cannot fix have none.
    /// assert_eq!(Error::NotFound { message: None }.retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after } => *retry_after,
            Error::Unavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// True for [`Error::NotFound`]: the record does not exist.
    ///
    /// ```
    /// use neon_api_ext::Error;
    ///
    /// assert!(Error::NotFound { message: Some("event not found".into()) }.is_not_found());
    /// // A missing route means a wrong URL or server, not a missing record.
    /// assert!(!Error::RouteNotFound { path: "/v1/nope".into() }.is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }
}

/// A wait for a message: exact seconds (`1.5 s`, `86400 s`), or, for [`Duration::MAX`] —
/// what a `Retry-After` too large to represent becomes — "more than" the largest number of
/// whole seconds a [`Duration`] holds, rather than a rounded or saturated figure.
fn describe_wait(wait: Duration) -> String {
    if wait == Duration::MAX {
        return format!("more than {} s", u64::MAX);
    }
    let seconds = wait.as_secs();
    match wait.subsec_nanos() {
        0 => format!("{seconds} s"),
        nanos => {
            let fraction = format!("{nanos:09}");
            format!("{seconds}.{} s", fraction.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_error_display_names_status_content_type_and_snippet() {
        let err = Error::Server {
            status: StatusCode::BAD_GATEWAY,
            content_type: Some("text/html".into()),
            snippet: "<html><body>502 Bad Gateway</body></html>".into(),
        };
        assert_eq!(
            err.to_string(),
            "server error (HTTP 502 Bad Gateway, content-type text/html): \
             <html><body>502 Bad Gateway</body></html>"
        );
        assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    }

    #[test]
    fn rate_limited_display_gives_the_delay_in_seconds() {
        let err = Error::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
        };
        assert_eq!(
            err.to_string(),
            "rate limited (HTTP 429): the server asked to wait 1.5 s"
        );
        let err = Error::RateLimited { retry_after: None };
        assert_eq!(err.to_string(), "rate limited (HTTP 429)");
        assert_eq!(err.retry_after(), None);
    }

    #[test]
    fn rate_limited_display_never_shows_a_saturated_or_rounded_number() {
        // A whole-second value at the edge of u64 is shown exactly (an f64 would round it
        // to 18446744073709552000).
        let err = Error::RateLimited {
            retry_after: Some(Duration::from_secs(u64::MAX)),
        };
        assert_eq!(
            err.to_string(),
            "rate limited (HTTP 429): the server asked to wait 18446744073709551615 s"
        );
        // Beyond it (what the parser makes of a longer number) it is "more than".
        let err = Error::RateLimited {
            retry_after: Some(Duration::MAX),
        };
        assert_eq!(
            err.to_string(),
            "rate limited (HTTP 429): the server asked to wait more than 18446744073709551615 s"
        );
        assert_eq!(err.retry_after(), Some(Duration::MAX));
        let err = Error::RateLimited {
            retry_after: Some(Duration::from_millis(250)),
        };
        assert_eq!(
            err.to_string(),
            "rate limited (HTTP 429): the server asked to wait 0.25 s"
        );
    }

    #[test]
    fn unavailable_display_names_status_snippet_and_the_wait() {
        let err = Error::Unavailable {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: Duration::from_secs(3600),
            content_type: Some("application/json".into()),
            snippet: "maintenance".into(),
        };
        assert_eq!(
            err.to_string(),
            "server unavailable (HTTP 503 Service Unavailable, content-type application/json): \
             maintenance; the server asked to wait 3600 s"
        );
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn unauthorized_display_uses_the_server_message_or_a_default() {
        let err = Error::Unauthorized {
            message: Some("invalid token".into()),
        };
        assert_eq!(err.to_string(), "unauthorized (HTTP 401): invalid token");
        let err = Error::Unauthorized { message: None };
        assert_eq!(
            err.to_string(),
            "unauthorized (HTTP 401): the server refused the API token"
        );
    }
}
