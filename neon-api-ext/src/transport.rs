//! The one place where requests are made: URL, auth header, retries, full-body reads,
//! tracing, and classification of the response.

use std::time::{Instant, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER, USER_AGENT};
use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument;
use url::Url;

use crate::decode::{classify, Failure, Response};
use crate::operations::Operation;
use crate::retry::{jitter_seed, parse_retry_after, Decision};
use crate::{Error, NeonClient};

impl NeonClient {
    /// Fetches one page of a list operation and returns its records in server order.
    ///
    /// This is the seam the paging and stream modules build on: they choose `limit`,
    /// `start`, `end`, `sort` and filters, and this function does everything else — the URL
    /// (`/v1/<collection>` under the base URL, `query` appended in the given order, a key
    /// repeated once per value as in `type=intel&type=phishing`), the auth header, the
    /// retries (a page whose body is cut off is retried, never returned short), tracing,
    /// and decoding through the envelope. `data: null` (or absent) is an empty page.
    ///
    /// `T` must be the record type of `op` (e.g. `neon_api::types::Detection` for
    /// [`Operation::ListDetections`]); a mismatch shows up as [`Error::Decode`].
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when `op` is not a list operation (nothing is sent);
    /// otherwise any response or transport error, after the retry policy is spent.
    pub(crate) async fn get_list<T: DeserializeOwned>(
        &self,
        op: Operation,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, Error> {
        if !op.is_list() {
            return Err(Error::invalid_request(format!(
                "{op} is not a list operation"
            )));
        }
        let data = self.fetch::<Vec<T>>(op, &[op.collection()], query).await?;
        Ok(data.unwrap_or_default())
    }

    /// GETs `/v1/<segments...>?<query>` and returns the envelope's `data` (`None` when it is
    /// `null`), retrying per the client's [`crate::RetryPolicy`].
    pub(crate) async fn fetch<T: DeserializeOwned>(
        &self,
        op: Operation,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Option<T>, Error> {
        let url = self.url(segments, query)?;
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            let failure = match self.attempt::<T>(op, &url, attempt).await {
                Ok(data) => return Ok(data),
                Err(failure) => failure,
            };
            if !failure.retryable {
                return Err(failure.error);
            }
            match self
                .inner
                .retry
                .decide(attempt, failure.retry_after, jitter_seed())
            {
                Decision::GiveUp => return Err(failure.error),
                Decision::RetryAfter(delay) => {
                    tracing::info!(
                        operation = op.name(),
                        path = url.path(),
                        attempt,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = %failure.error,
                        "retrying Neon API request"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// The request URL: base URL + `v1` + each segment percent-encoded as exactly one path
    /// segment (a `/` in an id cannot change the route), then the query pairs in order.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url, Error> {
        let mut url = self.inner.base_url.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|()| Error::config("the base URL cannot take a path"))?;
            path.pop_if_empty().push("v1");
            for segment in segments {
                path.push(segment);
            }
        }
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        Ok(url)
    }

    /// One attempt, inside its own tracing span (operation, path, attempt, then status and
    /// latency once known; never the token).
    async fn attempt<T: DeserializeOwned>(
        &self,
        op: Operation,
        url: &Url,
        attempt: u32,
    ) -> Result<Option<T>, Failure> {
        let span = tracing::info_span!(
            "neon_api_request",
            operation = op.name(),
            method = "GET",
            path = url.path(),
            query = url.query().unwrap_or(""),
            attempt,
            status = Empty,
            latency_ms = Empty,
        );
        async move {
            let started = Instant::now();
            let result = self.send_and_classify::<T>(url).await;
            let span = tracing::Span::current();
            span.record(
                "latency_ms",
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            );
            match &result {
                Ok(_) => tracing::debug!("Neon API request succeeded"),
                Err(failure) => tracing::debug!(
                    retryable = failure.retryable,
                    error = %failure.error,
                    "Neon API request failed"
                ),
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn send_and_classify<T: DeserializeOwned>(
        &self,
        url: &Url,
    ) -> Result<Option<T>, Failure> {
        let inner = &self.inner;
        let mut request = inner
            .http
            .get(url.clone())
            .header(AUTHORIZATION, inner.token.header_value())
            .header(ACCEPT, "application/json");
        if let Some(user_agent) = &inner.user_agent {
            request = request.header(USER_AGENT, user_agent.clone());
        }
        if let Some(timeout) = inner.request_timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().await.map_err(transport_failure)?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(CONTENT_TYPE);
        let location = header(LOCATION);
        let retry_after = header(RETRY_AFTER)
            .as_deref()
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        // The whole body, or an error: a body cut off mid-way never becomes a short page,
        // and a body larger than any page is refused instead of filling memory.
        let body = read_body(response, status).await?;
        classify(
            &Response {
                status,
                content_type,
                location,
                retry_after,
                body: &body,
                path: url.path(),
            },
            &inner.token,
        )
    }
}

/// The largest response body this client reads, in bytes (decompressed): 64 MiB. A page of
/// 1,000 records is a few megabytes; a body past this is not a page (a misbehaving server or
/// proxy, or a compression bomb), and reading on would only grow memory.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Reads the whole body, chunk by chunk, refusing it with [`Error::BodyTooLarge`] as soon
/// as a declared `Content-Length` or the bytes received pass [`MAX_BODY_BYTES`]; memory
/// stays bounded by the limit whatever the server sends.
async fn read_body(
    mut response: reqwest::Response,
    status: reqwest::StatusCode,
) -> Result<Vec<u8>, Failure> {
    let too_large = || {
        Failure::fatal(Error::BodyTooLarge {
            status,
            limit: MAX_BODY_BYTES,
        })
    };
    let declared = response.content_length().unwrap_or(0);
    if declared > MAX_BODY_BYTES as u64 {
        return Err(too_large());
    }
    // `declared` is at most the limit here, so it fits in usize.
    let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(transport_failure)? {
        if body.len().saturating_add(chunk.len()) > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Classifies an error of the HTTP client. Everything that happened on the wire (connect,
/// send, a broken or cut-off body, a timeout) may succeed on a repeat of this GET; an
/// error building the request or a redirect loop will not.
fn transport_failure(error: reqwest::Error) -> Failure {
    if error.is_timeout() {
        Failure::retryable(Error::Timeout { source: error }, None)
    } else if error.is_builder() {
        Failure::fatal(Error::InvalidRequest {
            message: error.to_string(),
        })
    } else if error.is_redirect() {
        Failure::fatal(Error::Transport { source: error })
    } else {
        Failure::retryable(Error::Transport { source: error }, None)
    }
}

#[cfg(test)]
#[path = "transport_sim_tests.rs"]
mod sim_tests;

#[cfg(test)]
#[path = "transport_http_tests.rs"]
mod http_tests;
