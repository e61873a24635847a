//! The API token: a secret that is sent, never shown.
//!
//! The Neon API authenticates with `Authorization: <token>` — the raw token, no `Bearer`
//! scheme. [`ApiToken`] holds it, builds that header marked *sensitive* (so HTTP/2 never
//! indexes it and `reqwest`'s own `Debug` hides it), prints as `<redacted>` in `Debug`, has
//! no `Display`, and scrubs itself out of any text taken from a response.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::Error;

/// The secret API token. `Debug` prints `ApiToken(<redacted>)`; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Accepts a token, trimming surrounding whitespace (a token pasted from a file or an
    /// environment variable often ends with a newline).
    ///
    /// # Errors
    /// [`Error::Config`] when the token is empty or holds characters an HTTP header cannot
    /// carry (the message never repeats the token).
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.is_empty() {
            return Err(Error::config("the API token is empty"));
        }
        if HeaderValue::from_str(trimmed).is_err() {
            return Err(Error::config(
                "the API token holds characters that an HTTP header cannot carry",
            ));
        }
        Ok(ApiToken(trimmed.to_owned()))
    }

    /// The `Authorization` header value: the raw token, marked sensitive.
    pub(crate) fn header_value(&self) -> HeaderValue {
        match HeaderValue::from_str(&self.0) {
            Ok(mut value) => {
                value.set_sensitive(true);
                value
            }
            // `new` proved the token is a valid header value; an empty sensitive value is a
            // safe fallback that the server will refuse with 401.
            Err(_) => {
                let mut value = HeaderValue::from_static("");
                value.set_sensitive(true);
                value
            }
        }
    }

    /// The token's length in characters (for scrubbing text cut at an arbitrary point).
    pub(crate) fn char_len(&self) -> usize {
        self.0.chars().count()
    }

    /// Replaces every occurrence of the token in `text` with `<redacted>`, so that a server
    /// echoing the token in an error message or a page never carries it into our errors.
    pub(crate) fn scrub(&self, text: &str) -> String {
        if text.contains(self.0.as_str()) {
            text.replace(self.0.as_str(), "<redacted>")
        } else {
            text.to_owned()
        }
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = ApiToken::new("s3cr3t-token").unwrap();
        assert_eq!(format!("{token:?}"), "ApiToken(<redacted>)");
        assert_eq!(format!("{token:#?}"), "ApiToken(<redacted>)");
    }

    #[test]
    fn header_value_is_the_raw_token_marked_sensitive() {
        let token = ApiToken::new("  s3cr3t-token\n").unwrap();
        let value = token.header_value();
        assert_eq!(value.to_str().unwrap(), "s3cr3t-token");
        assert!(value.is_sensitive());
        assert_eq!(format!("{value:?}"), "Sensitive");
    }

    #[test]
    fn empty_or_unsendable_tokens_are_refused_without_echoing_them() {
        let err = ApiToken::new("   ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid client configuration: the API token is empty"
        );
        let err = ApiToken::new("abc\u{7}def").unwrap_err();
        assert!(!err.to_string().contains("abc"), "{err}");
        assert!(matches!(err, Error::Config { .. }));
    }

    #[test]
    fn scrub_replaces_every_occurrence() {
        let token = ApiToken::new("tok123").unwrap();
        assert_eq!(
            token.scrub("bad token tok123 (tok123)"),
            "bad token <redacted> (<redacted>)"
        );
        assert_eq!(token.scrub("nothing here"), "nothing here");
    }
}
