//! The ergonomic client of the Neon Cyber Developer API.
//!
//! [`NeonClient`] wraps the generated `neon-api` crate's types with what a real program
//! needs: the token from the environment and kept secret, timeouts on by default, retries
//! with backoff for the failures worth retrying, one typed [`Error`], records returned
//! unwrapped from the API's envelope, and the published document's quirks hidden.
//!
//! # Contents
//! One short example per feature; each is a doc test. Those marked *runs* are executed by
//! `cargo test --doc` against the embedded simulator (`neon-sim`, a dev-dependency; its
//! setup lines are hidden); those that need a real tenant are compiled only (`no_run`).
//!
//! | Feature | Where | Example |
//! |---|---|---|
//! | Client from the environment | [`NeonClient::from_env`] | [compiled](#a-client-from-the-environment) |
//! | Builder: timeouts, retries, proxy, own `reqwest::Client` | [`NeonClientBuilder`], [`RetryPolicy`] | [runs](#a-client-step-by-step) |
//! | Get by id, record unwrapped; PoL trail as a `Vec` | [`NeonClient::get_detection`], [`NeonClient::get_detection_pol`] | [runs](#get-by-id) |
//! | Streams with typed filters and sort | [`ListRequest`], [`Sort`], [`types`] filters | [runs](#streams-over-a-list) |
//! | Pages, collect-all, prefetch | [`ListRequest::pages`], [`ListRequest::collect_all`], [`ListRequest::prefetch`] | [runs](#pages-collect-all-prefetch) |
//! | Joins: PoL, client, registration | [`DetectionJoin`], [`PolStrategy`] | [runs](#joins) |
//! | Errors | [`Error`], [`Error::is_not_found`], [`Error::retry_after`] | [runs](#errors) |
//! | Forward-compatible enums | [`types::EventType`] and siblings | [runs](#forward-compatible-enums) |
//! | The raw generated client | [`NeonClient::raw`] | [runs](#the-raw-client) |
//! | Quirks of the published document | — | [list, by correction id](#quirks-hidden) |
//!
//! # A client from the environment
//! Needs a tenant, so compiled only:
//!
//! ```no_run
//! # async fn run() -> Result<(), neon_api_ext::Error> {
//! use neon_api_ext::NeonClient;
//!
//! // NEON_API_TOKEN is required; NEON_API_URL defaults to https://api.neoncyber.io.
//! let client = NeonClient::from_env()?;
//! let detection = client.get_detection("0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11").await?;
//! if let Some(id) = detection.id {
//!     let trail = client.get_detection_pol(id).await?;
//!     println!("{} entries in the pattern-of-life trail", trail.len());
//! }
//! # Ok(()) }
//! ```
//!
//! # A client step by step
//! Timeouts, a [`RetryPolicy`], an explicit proxy, or your own `reqwest::Client`
//! (re-exported as [`reqwest`] so the versions match). Building sends nothing:
//!
//! ```
//! use std::time::Duration;
//! use neon_api_ext::{reqwest, NeonClient, RetryPolicy};
//!
//! let client = NeonClient::builder()
//!     .base_url("http://127.0.0.1:8080")
//!     .token("my-token")
//!     .connect_timeout(Duration::from_secs(5))
//!     .request_timeout(Duration::from_secs(30))
//!     .retry_policy(
//!         RetryPolicy::new()
//!             .with_max_attempts(6)
//!             .with_base_delay(Duration::from_millis(100))
//!             .with_retry_after_cap(Duration::from_secs(10)),
//!     )
//!     .build()?;
//! assert_eq!(client.base_url().as_str(), "http://127.0.0.1:8080/");
//! assert_eq!(client.retry_policy().max_attempts(), 6);
//! // The token never shows in Debug.
//! assert!(!format!("{client:?}").contains("my-token"));
//!
//! // Through a proxy of your choice (environment proxies are used by default).
//! let proxied = NeonClient::builder()
//!     .token("my-token")
//!     .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
//!     .build()?;
//! assert_eq!(proxied.base_url().as_str(), "https://api.neoncyber.io/");
//!
//! // Your own reqwest client (custom TLS, DNS, pool): the token and the request timeout
//! // are still applied per request.
//! let http = reqwest::Client::builder().pool_max_idle_per_host(4).build()?;
//! let own = NeonClient::builder().token("my-token").http_client(http).build()?;
//! # let _ = own;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Get by id
//! Every `get_*` returns the record itself (the envelope is unwrapped) and takes a
//! [`uuid::Uuid`](IntoRecordId) or its text. The PoL trail of a detection is a `Vec` in
//! trail order (empty when there is none):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
//! # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
//! # let first = client.detections().collect_all().await?;
//! # let some_id = first[0].id.ok_or("a detection without an id")?;
//! let detection = client.get_detection(some_id).await?;
//! assert_eq!(detection.id, Some(some_id));
//!
//! let trail = client.get_detection_pol(some_id).await?;
//! assert!(trail.iter().all(|entry| entry.detection_id == Some(some_id)));
//! assert!(trail.windows(2).all(|pair| pair[0].position < pair[1].position));
//! for entry in &trail {
//!     println!("{:?} {:?}", entry.position, entry.url);
//! }
//!
//! // A record that does not exist is Error::NotFound — not a panic, not an empty record.
//! let event = match client.get_event("00000000-0000-0000-0000-000000000001").await {
//!     Ok(event) => Some(event),
//!     Err(e) if e.is_not_found() => None,
//!     Err(e) => return Err(e.into()),
//! };
//! assert!(event.is_none());
//! # Ok(()) }
//! ```
//!
//! # Streams over a list
//! [`NeonClient::events`], [`NeonClient::detections`] and their siblings return a
//! [`ListRequest`]: filters are typed ([`types::EventTypeFilter`],
//! [`types::DetectionTypeFilter`], …), [`Sort`] orders by `updated_at`, and the stream
//! pages on its own:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
//! # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
//! use futures::TryStreamExt;
//! use neon_api_ext::types::{EventType, EventTypeFilter};
//! use neon_api_ext::Sort;
//!
//! let events = client
//!     .events()
//!     .types([EventTypeFilter::Navigation, EventTypeFilter::Download])
//!     .sort(Sort::Asc)
//!     .page_size(10)
//!     .stream();
//! futures::pin_mut!(events);
//! let mut seen = 0;
//! while let Some(event) = events.try_next().await? {
//!     assert!(matches!(
//!         event.event_type,
//!         Some(EventType::Navigation | EventType::Download)
//!     ));
//!     seen += 1;
//! }
//! assert!(seen > 0);
//! # Ok(()) }
//! ```
//!
//! # Pages, collect-all, prefetch
//! [`ListRequest::pages`] yields one [`Page`] per request (with the request that produced
//! it); [`ListRequest::collect_all`] gathers every record; [`ListRequest::prefetch`] keeps
//! up to `n` page requests in flight for a long walk:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
//! # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
//! use futures::TryStreamExt;
//!
//! let pages: Vec<_> = client.events().page_size(20).pages().try_collect().await?;
//! let total: usize = pages.iter().map(|page| page.records.len()).sum();
//! assert_eq!(total, 50);
//!
//! let all = client.events().page_size(20).collect_all().await?;
//! assert_eq!(all.len(), 50);
//!
//! let fast = client.events().page_size(10).prefetch(4).collect_all().await?;
//! assert_eq!(fast.len(), 50);
//! # Ok(()) }
//! ```
//!
//! # Joins
//! A detection walk joined with its PoL trail ([`ListRequest::with_pol`]), its client
//! ([`ListRequest::with_client`], for the email) and its browser registration
//! ([`ListRequest::with_registration`]). Clients and registrations are fetched once each
//! and cached; [`PolStrategy`] chooses how trails are fetched (see [`join`]):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
//! # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
//! use futures::TryStreamExt;
//! use neon_api_ext::PolStrategy;
//!
//! let rows = client.detections().with_pol().with_client().with_registration().stream();
//! futures::pin_mut!(rows);
//! let mut count = 0;
//! while let Some(row) = rows.try_next().await? {
//!     let who = row.client.as_ref().and_then(|c| c.email.as_deref());
//!     let browser = row.registration.as_ref().and_then(|r| r.name.as_deref());
//!     println!("{:?} {who:?} {browser:?}: {} PoL entries", row.detection.id, row.pol.len());
//!     assert!(row.pol.iter().all(|entry| entry.detection_id == row.detection.id));
//!     count += 1;
//! }
//! assert_eq!(count, 20);
//!
//! // A small, bounded list: one walk over every trail instead of one request per detection.
//! let joined = client
//!     .detections()
//!     .with_pol()
//!     .pol_strategy(PolStrategy::OnePass)
//!     .collect_all()
//!     .await?;
//! assert_eq!(joined.len(), 20);
//! assert!(joined.iter().any(|row| !row.pol.is_empty()));
//! # Ok(()) }
//! ```
//!
//! # Errors
//! One [`Error`] type; it is `#[non_exhaustive]`, so match what you act on and keep a `_`
//! arm. [`Error::is_not_found`] and [`Error::retry_after`] answer the two common
//! questions:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
//! use std::time::Duration;
//! use neon_api_ext::{Error, NeonClient};
//!
//! let wrong_token = NeonClient::builder().base_url(sim.url()).token("not-the-token").build()?;
//! let advice = match wrong_token.get_event("00000000-0000-0000-0000-000000000001").await {
//!     Ok(_) => "found".to_string(),
//!     Err(Error::Unauthorized { .. }) => "check NEON_API_TOKEN".to_string(),
//!     Err(e) if e.is_not_found() => "no such event".to_string(),
//!     Err(e) => match e.retry_after() {
//!         Some(wait) => format!("come back in {wait:?}"),
//!         None => format!("failed: {e}"),
//!     },
//! };
//! assert_eq!(advice, "check NEON_API_TOKEN");
//!
//! // What a caller sees when the server asked for a longer wait than the policy allows.
//! let limited = Error::RateLimited { retry_after: Some(Duration::from_secs(90)) };
//! assert_eq!(limited.retry_after(), Some(Duration::from_secs(90)));
//! assert_eq!(limited.status().map(|s| s.as_u16()), Some(429));
//! # Ok(()) }
//! ```
//!
//! # Forward-compatible enums
//! Response-side enums ([`types::EventType`], [`types::DetectionType`],
//! [`types::ClientStatus`], [`types::DeploymentStatus`]) keep a value the document does
//! not list in `Unknown(String)` instead of failing the page; `as_str()` gives the wire
//! text of any variant:
//!
//! ```
//! use neon_api_ext::types::EventType;
//!
//! // Never fails: `From<&str>` and `FromStr` (error type `Infallible`) take any string.
//! let known = EventType::from("navigation");
//! assert_eq!(known, EventType::Navigation);
//! let new: EventType = serde_json::from_str("\"clipboard\"")?;
//! assert_eq!(new, EventType::Unknown("clipboard".to_string()));
//! assert_eq!(new.as_str(), "clipboard");
//! match new {
//!     EventType::Navigation | EventType::Download => {}
//!     other => println!("event type {other} (not handled here)"),
//! }
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! # The raw client
//! [`NeonClient::raw`] is the generated `neon_api::Client` on the same connection pool
//! and token, for calls this crate does not wrap — without retries, quirk fallbacks or
//! envelope checks:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
//! # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
//! let response = client.raw().list_events().limit(5).send().await?;
//! let envelope = response.into_inner();
//! assert_eq!(envelope.data.map(|events| events.len()), Some(5));
//! # Ok(()) }
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
