//! [`NeonClient`]: the handle users hold.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::Url;

use crate::auth::ApiToken;
use crate::config::NeonClientBuilder;
use crate::operations::PathQuirks;
use crate::paging::StartBaseMemory;
use crate::{Error, RetryPolicy};

/// A client of the Neon Cyber Developer API.
///
/// Cheap to clone (an `Arc` inside): clones share the connection pool, the memory of
/// which path spellings the server answers to, and of how it counts `start` in a list.
/// Build one with [`NeonClient::from_env`] or [`NeonClient::builder`]. `Debug` never
/// shows the token.
#[derive(Clone)]
pub struct NeonClient {
    pub(crate) inner: Arc<Inner>,
}

/// What every clone of a client shares.
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// Always ends in `/`.
    pub(crate) base_url: Url,
    pub(crate) token: ApiToken,
    /// Sent per request; `None` when the HTTP client's own default applies.
    pub(crate) user_agent: Option<HeaderValue>,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) quirks: PathQuirks,
    /// The start base a list walk detected (see [`crate::paging::StartBase::Auto`]).
    pub(crate) start_base: StartBaseMemory,
}

impl NeonClient {
    /// A client configured from the environment: `NEON_API_TOKEN` (required) and
    /// `NEON_API_URL` (optional, default `https://api.neoncyber.io`), with every other
    /// setting at its default.
    ///
    /// # Errors
    /// [`Error::Config`] when `NEON_API_TOKEN` is unset or empty, or the URL is refused
    /// (see [`NeonClientBuilder::build`]).
    pub fn from_env() -> Result<Self, Error> {
        NeonClientBuilder::from_env().build()
    }

    /// A builder with every default and no token; see [`NeonClientBuilder`].
    pub fn builder() -> NeonClientBuilder {
        NeonClientBuilder::new()
    }

    /// The base URL requests go to (always ending in `/`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }
    /// The generated raw client (`neon_api::Client`) on the same connection pool, for
    /// calls this crate does not wrap. It sends the token when this client built its own
    /// `reqwest::Client` (the token is one of its default headers); with a client you
    /// supplied through [`NeonClientBuilder::http_client`], it sends whatever your client
    /// sends. The raw client has none of this crate's retries, quirk fallbacks or
    /// envelope checks.
    pub fn raw(&self) -> neon_api::Client {
        let base = self.inner.base_url.as_str().trim_end_matches('/');
        neon_api::Client::new_with_client(base, self.inner.http.clone())
    }
}

impl fmt::Debug for NeonClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeonClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("token", &self.inner.token)
            .field("request_timeout", &self.inner.request_timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}
