//! A simulator of the Neon Cyber Developer API, for tests, examples and benchmarks.
//!
//! Nobody here has a Neon tenant, so this crate serves the API over real HTTP on
//! 127.0.0.1: all 16 operations, the `{error, data}` envelope, the raw
//! `Authorization: <token>` check, paging and filters — and misbehaves on demand
//! (latency, 429, 5xx, resets, truncated bodies, malformed JSON), with a request log.
//! It speaks JSON only and depends on nothing of ours, so `neon-api-ext` can use it as a
//! dev-dependency.
//!
//! ```no_run
//! # async fn demo() -> Result<(), neon_sim::Error> {
//! use neon_sim::{Simulator, SortOrder, Resource};
//! let sim = Simulator::builder().seed(7).events(10_000).start().await?;
//! // GET {sim.url()}/v1/events?limit=100&start=1 with header `Authorization: {sim.token()}`
//! let expected = sim.events_sorted(SortOrder::Desc);
//! assert_eq!(expected.len(), 10_000);
//! sim.insert(Resource::Events, 3)?; // three new events at the head
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//! - Paging and filters: see [`paging`] (the interpretation is written there).
//! - Data: deterministic from the seed; see [`Resource`] and the builder's size methods.
//!   Records are generated per request from `(seed, index)`, so a million events cost no
//!   memory. Events/detections point at real registrations, clients and deployments;
//!   app events at real apps; PoL entries at their detection (see [`POL_KEEP`]).
//! - Quirks served on purpose: 5-digit fractional seconds with `+00:00`; integer `0`
//!   latitude/longitude (~3%); columnar `null`s in unfiltered event/detection lists;
//!   undocumented enum values at [`SimulatorBuilder::unknown_enum_rate`] (default 0.5%);
//!   `updated_at` ties (default 2% of events) broken by id.
//! - Errors: missing/wrong token → 401 envelope; bad filter value, bad paging value or
//!   malformed uuid → 400 envelope; unknown record → 404 envelope
//!   (`{"error":"event not found","data":null}`); unknown route → 404 with an empty body.
//! - Dialects: [`Dialect`] picks which spellings of registration-by-id and PoL-by-id exist.
//! - Faults: [`FaultPlan`]; counts per kind from [`Simulator::fault_counts`].

mod builder;
mod data;
mod faults;
mod ids;
mod log;
pub mod paging;
mod routes;
mod server;
mod time;

pub use builder::{Simulator, SimulatorBuilder};
pub use data::{Filter, Resource, SortOrder, POL_KEEP};
pub use faults::{ErrorBody, Fault, FaultKind, FaultPlan, RetryAfter};
pub use log::{LoggedRequest, MASK};
pub use paging::{PagingOptions, StartBase};
pub use routes::{Dialect, PolById, RegistrationById};
pub use time::{format_micros, format_millis};

/// What can go wrong driving the simulator (the server itself answers errors over HTTP).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The port could not be bound.
    #[error("cannot bind 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// The OS error.
        source: std::io::Error,
    },
    /// An id given to a mutation is not a record of that resource.
    #[error("no {} with id {id}", .resource.noun())]
    UnknownId {
        /// The resource searched.
        resource: Resource,
        /// The id not found.
        id: uuid::Uuid,
    },
    /// This resource cannot be updated directly.
    #[error("{} records cannot be updated", .0.noun())]
    NotUpdatable(Resource),
    /// A thread panicked while holding the data lock (a simulator bug).
    #[error("simulator state poisoned by a panic")]
    Poisoned,
}
