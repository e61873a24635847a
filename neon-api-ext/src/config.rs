//! Building a [`NeonClient`]: from the environment or step by step.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use url::{Host, Url};

use crate::auth::ApiToken;
use crate::client::{Inner, NeonClient};
use crate::operations::PathQuirks;
use crate::{Error, RetryPolicy};

/// The production API, used when neither [`NeonClientBuilder::base_url`] nor `NEON_API_URL`
/// says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.neoncyber.io";

/// The environment variable holding the API token (required by [`NeonClient::from_env`]).
pub const ENV_TOKEN: &str = "NEON_API_TOKEN";

/// The environment variable holding the base URL (optional; default [`DEFAULT_BASE_URL`]).
pub const ENV_URL: &str = "NEON_API_URL";

/// Default time allowed to open a TCP (and TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed for one whole request, body included (each retry gets its own).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How many same-origin redirects are followed before giving up.
const MAX_REDIRECTS: usize = 5;

/// Configures and builds a [`NeonClient`]. Start from [`NeonClient::builder`] or
/// [`NeonClientBuilder::from_env`].
///
/// Defaults: base URL [`DEFAULT_BASE_URL`], connect timeout 10 s, request timeout 60 s,
/// user agent `neon-api-ext/<version>`, [`RetryPolicy::default`], proxies from the
/// environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`) except for a loopback
/// base URL, which always goes direct unless [`NeonClientBuilder::proxy`] is set, plain
/// `http://` refused except to loopback.
#[derive(Clone)]
pub struct NeonClientBuilder {
    base_url: Option<String>,
    token: Option<String>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    user_agent: Option<String>,
    retry: RetryPolicy,
    proxies: Vec<reqwest::Proxy>,
    no_proxy: bool,
    allow_insecure_http: bool,
    http_client: Option<reqwest::Client>,
}

impl Default for NeonClientBuilder {
    fn default() -> Self {
        NeonClientBuilder {
            base_url: None,
            token: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            user_agent: None,
            retry: RetryPolicy::default(),
            proxies: Vec::new(),
            no_proxy: false,
            allow_insecure_http: false,
            http_client: None,
        }
    }
}

impl fmt::Debug for NeonClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeonClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            // A proxy URL may hold credentials: only say how many there are.
            .field("proxies", &self.proxies.len())
            .field("no_proxy", &self.no_proxy)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("own_http_client", &self.http_client.is_some())
            .finish()
    }
}

impl NeonClientBuilder {
    /// A builder with every default and no token.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder holding `NEON_API_TOKEN` and, if set and non-empty, `NEON_API_URL`.
    /// A missing token is reported by [`NeonClientBuilder::build`], so other settings can
    /// still be chained first.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`NeonClientBuilder::from_env`] with the variables looked up through `lookup`
    /// (tests use it instead of mutating the process environment).
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        NeonClientBuilder {
            token: lookup(ENV_TOKEN).filter(|t| !t.trim().is_empty()),
            base_url: lookup(ENV_URL).filter(|u| !u.trim().is_empty()),
            ..Self::default()
        }
    }

    /// The API's base URL, e.g. `https://api.neoncyber.io` (a path prefix is kept:
    /// `https://gw.example/neon` calls `https://gw.example/neon/v1/...`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The API token, sent as `Authorization: <token>` (no `Bearer`).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Time allowed to connect; `None` waits as long as the OS does. Not applied when you
    /// supply your own client with [`NeonClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Time allowed for each attempt, from sending to the last byte of the body; `None`
    /// means no limit. Applied per request, so it holds with your own client too.
    pub fn request_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.request_timeout = timeout.into();
        self
    }

    /// The `User-Agent` header (default `neon-api-ext/<version>`). With your own client it
    /// is only sent when set here.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// When and how to retry (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends requests through this proxy (may be called several times). Not applied when
    /// you supply your own client.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxies.push(proxy);
        self
    }

    /// Ignores every proxy, including any from the environment. Not applied when you
    /// supply your own client.
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// Allows plain `http://` to hosts other than loopback. Off by default because the
    /// token would travel unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Uses your own `reqwest::Client` (for custom TLS, DNS, pools). The token is still
    /// added to every request as a sensitive header, and the request timeout still applies;
    /// connect timeout, proxies and the redirect policy are your client's. `reqwest`'s
    /// default redirect policy drops `Authorization` when a redirect changes host, port or
    /// scheme; this crate's own client goes further and does not follow such a redirect.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when there is no token, the token or user agent cannot be a header,
    /// the base URL is not an absolute `http(s)` URL without query, fragment or
    /// credentials, plain `http://` points at a non-loopback host without
    /// [`NeonClientBuilder::allow_insecure_http`], or the HTTP client fails to build.
    ///
    /// ```
    /// use neon_api_ext::{Error, NeonClient};
    ///
    /// // No token: refused before anything is sent.
    /// assert!(matches!(NeonClient::builder().build(), Err(Error::Config { .. })));
    ///
    /// // Plain http to a host other than loopback would carry the token in clear text.
    /// let refused = NeonClient::builder().base_url("http://gw.example").token("t").build();
    /// assert!(matches!(refused, Err(Error::Config { .. })));
    /// let allowed = NeonClient::builder()
    ///     .base_url("http://gw.example/neon")
    ///     .token("t")
    ///     .allow_insecure_http(true)
    ///     .build()?;
    /// assert_eq!(allowed.base_url().as_str(), "http://gw.example/neon/");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn build(self) -> Result<NeonClient, Error> {
        let token = match self.token {
            Some(token) => ApiToken::new(token)?,
            None => {
                return Err(Error::config(format!(
                    "no API token: set {ENV_TOKEN} or call NeonClientBuilder::token"
                )))
            }
        };
        let base_url = parse_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            self.allow_insecure_http,
        )?;
        let user_agent = match &self.user_agent {
            Some(ua) => Some(
                HeaderValue::from_str(ua)
                    .map_err(|_| Error::config("the user agent is not a valid header value"))?,
            ),
            None => None,
        };
        let (http, user_agent) = match self.http_client {
            Some(client) => (client, user_agent),
            None => {
                let mut headers = HeaderMap::new();
                headers.insert(AUTHORIZATION, token.header_value());
                let ua = user_agent.unwrap_or_else(|| HeaderValue::from_static(DEFAULT_USER_AGENT));
                let mut builder = reqwest::Client::builder()
                    .default_headers(headers)
                    .user_agent(ua)
                    .redirect(same_origin_redirects());
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                // Plain http:// is allowed to loopback because that traffic never leaves the
                // machine; a proxy from the environment (`HTTP_PROXY`, even with
                // `NO_PROXY=*`, which does not match IP literals) would carry it — token in
                // clear — to another host. So a loopback base URL ignores the environment's
                // proxies; one set with `proxy()` still applies.
                let loopback_direct = self.proxies.is_empty() && is_loopback(&base_url);
                for proxy in self.proxies {
                    builder = builder.proxy(proxy);
                }
                if self.no_proxy || loopback_direct {
                    builder = builder.no_proxy();
                }
                let client = builder
                    .build()
                    .map_err(|e| Error::config(format!("the HTTP client failed to build: {e}")))?;
                (client, None)
            }
        };
        Ok(NeonClient {
            inner: Arc::new(Inner {
                http,
                base_url,
                token,
                user_agent,
                request_timeout: self.request_timeout,
                retry: self.retry,
                quirks: PathQuirks::default(),
                start_base: Default::default(),
            }),
        })
    }
}

/// `neon-api-ext/<version>`.
pub(crate) const DEFAULT_USER_AGENT: &str = concat!("neon-api-ext/", env!("CARGO_PKG_VERSION"));

/// Parses and checks a base URL; the result always ends in `/` so segments can be appended.
fn parse_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url, Error> {
    let mut url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("the base URL {raw:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            if !allow_insecure_http && !is_loopback(&url) {
                return Err(Error::config(format!(
                    "plain http:// to {} is refused because the token would travel \
                     unencrypted; use https:// or allow_insecure_http(true)",
                    url.host_str().unwrap_or("")
                )));
            }
        }
        other => {
            return Err(Error::config(format!(
                "the base URL must be http:// or https://, not {other}://"
            )))
        }
    }
    if url.host().is_none() {
        return Err(Error::config("the base URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "the base URL must not carry credentials; pass the token with .token()",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            "the base URL must not have a query or a fragment",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// True for `localhost`, 127.0.0.0/8 and `::1`: traffic that never leaves the machine.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Follows a redirect only while it stays on the origin (scheme, host and port) of the
/// original request, at most [`MAX_REDIRECTS`] times. A redirect elsewhere is not followed:
/// the 3xx comes back and becomes [`Error::UnexpectedResponse`], so the token never
/// reaches another host.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > MAX_REDIRECTS || !same_origin {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn from_env_reads_token_and_defaults_the_url() {
        let client = NeonClientBuilder::from_lookup(lookup(&[(ENV_TOKEN, "tok")]))
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "https://api.neoncyber.io/");
    }

    #[test]
    fn from_env_reads_the_url_and_ignores_an_empty_one() {
        let client = NeonClientBuilder::from_lookup(lookup(&[
            (ENV_TOKEN, "tok"),
            (ENV_URL, "http://127.0.0.1:8080"),
        ]))
        .build()
        .unwrap();
        assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
        let client = NeonClientBuilder::from_lookup(lookup(&[(ENV_TOKEN, "tok"), (ENV_URL, "  ")]))
            .build()
            .unwrap();
        assert_eq!(client.base_url().as_str(), "https://api.neoncyber.io/");
    }

    #[test]
    fn missing_or_empty_token_names_the_variable() {
        for vars in [&[][..], &[(ENV_TOKEN, "")][..]] {
            let err = NeonClientBuilder::from_lookup(lookup(vars))
                .build()
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                "invalid client configuration: no API token: set NEON_API_TOKEN or call \
                 NeonClientBuilder::token"
            );
        }
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback_or_when_allowed() {
        for ok in [
            "http://127.0.0.1:1",
            "http://127.3.4.5",
            "http://localhost:9",
            "http://[::1]:9",
            "https://api.example.com",
        ] {
            assert!(parse_base_url(ok, false).is_ok(), "{ok}");
        }
        let err = parse_base_url("http://api.example.com", false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid client configuration: plain http:// to api.example.com is refused because \
             the token would travel unencrypted; use https:// or allow_insecure_http(true)"
        );
        assert!(parse_base_url("http://10.0.0.1", false).is_err());
        assert!(parse_base_url("http://api.example.com", true).is_ok());
    }

    #[test]
    fn base_url_must_be_plain_http_or_https() {
        for bad in [
            "ftp://x",
            "not a url",
            "https://u:p@api.example.com",
            "https://api.example.com/?a=1",
            "https://api.example.com/#f",
        ] {
            assert!(
                matches!(parse_base_url(bad, false), Err(Error::Config { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn base_url_keeps_a_path_prefix_and_ends_with_a_slash() {
        assert_eq!(
            parse_base_url("https://gw.example/neon", false)
                .unwrap()
                .as_str(),
            "https://gw.example/neon/"
        );
        assert_eq!(
            parse_base_url("https://gw.example/neon/", false)
                .unwrap()
                .as_str(),
            "https://gw.example/neon/"
        );
    }

    #[test]
    fn timeouts_are_on_by_default() {
        let builder = NeonClientBuilder::new();
        assert_eq!(builder.connect_timeout, Some(Duration::from_secs(10)));
        assert_eq!(builder.request_timeout, Some(Duration::from_secs(60)));
        let client = builder.token("t").build().unwrap();
        assert_eq!(client.inner.request_timeout, Some(Duration::from_secs(60)));
        let client = NeonClientBuilder::new()
            .token("t")
            .request_timeout(None)
            .build()
            .unwrap();
        assert_eq!(client.inner.request_timeout, None);
    }

    #[test]
    fn builder_debug_redacts_the_token() {
        let builder = NeonClientBuilder::new().token("super-secret-token");
        let text = format!("{builder:?}");
        assert!(!text.contains("super-secret-token"), "{text}");
        assert!(text.contains("token: Some(\"<redacted>\")"), "{text}");
    }

    #[test]
    fn default_user_agent_names_the_crate_and_version() {
        assert_eq!(
            DEFAULT_USER_AGENT,
            format!("neon-api-ext/{}", env!("CARGO_PKG_VERSION"))
        );
    }
}
