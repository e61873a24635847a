//! The ergonomic client of the Neon Cyber Developer API.
//!
//! [`NeonClient`] wraps the generated `neon-api` crate's types with what a real program
//! needs: the token from the environment and kept secret, timeouts on by default, retries
//! with backoff for the failures worth retrying, one typed [`Error`], records returned
//! unwrapped from the API's envelope, and the published document's quirks hidden.
//!
//! ```no_run
//! # async fn run() -> Result<(), neon_api_ext::Error> {
//! use neon_api_ext::NeonClient;
//!
//! // NEON_API_TOKEN is required; NEON_API_URL defaults to https://api.neoncyber.io.
//! let client = NeonClient::from_env()?;
//! let detection = client.get_detection("0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11").await?;
//! let trail = client.get_detection_pol(detection.id.unwrap_or_default()).await?;
//! println!("{} entries in the pattern-of-life trail", trail.len());
//! # Ok(()) }
//! ```
//!
//! Or step by step:
//!
//! ```
//! use std::time::Duration;
//! use neon_api_ext::{NeonClient, RetryPolicy};
//!
//! let client = NeonClient::builder()
//!     .base_url("http://127.0.0.1:8080")
//!     .token("my-token")
//!     .request_timeout(Duration::from_secs(30))
//!     .retry_policy(RetryPolicy::new().with_max_attempts(6))
//!     .build()?;
//! assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
//! // The token never shows in Debug.
//! assert!(!format!("{client:?}").contains("my-token"));
//! # Ok::<(), neon_api_ext::Error>(())
//! ```
//!
//! # What the client does on every request
//! - Sends `Authorization: <token>` (the raw token — the API does not use `Bearer`) as a
//!   sensitive header. The token is absent from `Debug`, from every [`Error`] (text taken
//!   from a response is scrubbed of it) and from every tracing event.
//! - Refuses plain `http://` except to loopback unless
//!   [`NeonClientBuilder::allow_insecure_http`] is set, and follows redirects only within
//!   the API's origin, so the token never reaches another host.
//! - Uses the environment's proxies (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`)
//!   except for a loopback base URL (`localhost`, `127.0.0.0/8`, `[::1]`), which is always
//!   dialled directly — an environment proxy would otherwise receive plain-`http://`
//!   loopback requests, token included — unless a proxy is set explicitly with
//!   [`NeonClientBuilder::proxy`]. (With your own client from
//!   [`NeonClientBuilder::http_client`], its proxy settings apply.)
//! - Retries 429, 502, 503, 504, connection errors, timeouts and bodies cut off mid-way,
//!   with exponential backoff and full jitter, honouring `Retry-After` (seconds or
//!   HTTP-date) up to a cap; never 400, 401, 403, 404 — nor 500 (see [`RetryPolicy`]).
//! - Reads the whole body before decoding, up to 64 MiB (decompressed; larger than any
//!   page): a body past that — by its `Content-Length` or by the bytes received — stops
//!   being read and is [`Error::BodyTooLarge`], not retried, so a misbehaving server or
//!   proxy cannot exhaust memory. Decodes the envelope with the JSON path of any failure
//!   ([`Error::Decode`]); an `error` in a 200 envelope is an [`Error::Api`].
//! - Opens a tracing span `neon_api_request` per attempt with `operation`, `method`,
//!   `path`, `query`, `attempt`, `status` and `latency_ms`.
//!
//! # Quirks hidden
//! The vendor's published document (1.0.3) differs from what servers answer in places.
//! The corrected spec `spec/neon-api.json` applies one named correction per difference
//! (listed, with evidence, in `spec/CORRECTIONS.md` and in `neon-api-gen`'s
//! `corrections` module). Those this client hides at run time, by correction id:
//! - **`registration-by-id-path`** — the document files "Get registration by id" under
//!   `/v1/policies/{policyId}`; the corrected path is `/v1/registration/{registrationId}`
//!   (singular, like the list), and some servers answer `/v1/registrations/{id}` instead.
//!   [`NeonClient::get_registration`] tries the corrected path first and, on a route-level
//!   404 (a 404 without the API's envelope), the other spelling once; the spelling that
//!   answered is remembered per client (clones share it), so later calls go straight there.
//!   A 404 *with* the envelope means the record is missing: [`Error::NotFound`], no fallback.
//! - **`pol-by-id-spelling`** — the document shows `/v1/detectionspol/{detectionId}` while
//!   the list is `/v1/detections_pol`; [`NeonClient::get_detection_pol`] tries
//!   `/v1/detections_pol/{detectionId}` first and falls back the same way. Its `data` is an
//!   array of entries, returned in order; an empty trail is `Ok(vec![])`.
//! - **`record-schemas`** — the document publishes no record schemas; the generated records
//!   have every field optional, accept `null` anywhere, ignore unknown fields and take an
//!   integer where a float is expected. `data: null` on a list is an empty page; on a
//!   get-by-id it is [`Error::NotFound`].
//! - **`open-response-enums`** — `EventType`, `DetectionType`, `ClientStatus` and
//!   `DeploymentStatus` keep a value the document does not list in an `Unknown(String)`
//!   variant instead of failing the page.
//! - Not a document correction but the same spirit: the API may report an error inside a
//!   200 envelope (`{"error": "...", "data": null}`); the client returns [`Error::Api`].

mod auth;
mod client;
mod config;
mod decode;
mod error;
mod get;
mod operations;
mod retry;
mod transport;
// Paging, streams and joins (issue 5).
pub mod join;
pub mod paging;

pub use auth::ApiToken;
pub use client::NeonClient;
pub use config::{
    NeonClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    ENV_TOKEN, ENV_URL,
};
pub use error::Error;
pub use get::IntoRecordId;
pub use join::{DetectionJoin, JoinedDetection, PolStrategy};
pub use operations::Operation;
pub use paging::{ListRecord, ListRequest, Page, Sort, StartBase};
pub use retry::RetryPolicy;

/// The generated records and filter enums, re-exported so users need one dependency.
pub use neon_api::types;

/// The HTTP client crate this one is built on, re-exported so a `reqwest::Proxy` or
/// `reqwest::Client` given to [`NeonClientBuilder`] is always of the matching version.
pub use reqwest;

/// The workspace README's Rust code, compiled as doc tests (and run where no tenant is
/// needed), so the quickstart cannot drift from the API. Exists only under `cfg(doctest)`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
