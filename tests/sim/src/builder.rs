//! [`SimulatorBuilder`] and the running [`Simulator`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;
use tokio::sync::watch;
use uuid::Uuid;

use crate::data::{DataConfig, Dataset, Filter, Resource, SortOrder};
use crate::faults::{FaultKind, FaultPlan};
use crate::log::{LoggedRequest, RequestLog};
use crate::paging::{PagingOptions, StartBase};
use crate::routes::{Dialect, PolById, RegistrationById, Shared};
use crate::Error;

/// Configures a simulator. Every setting has a default; `Simulator::builder().start()`
/// gives a small tenant (1,000 events, 200 detections, …) on a free port.
#[derive(Debug, Clone)]
pub struct SimulatorBuilder {
    seed: u64,
    counts: [u64; 8],
    unknown_enum_rate: f64,
    tie_rate: f64,
    columnar_nulls: bool,
    paging: PagingOptions,
    dialect: Dialect,
    faults: FaultPlan,
    token: Option<String>,
    port: u16,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        let mut counts = [0u64; 8];
        for (r, n) in [
            (Resource::Apps, 40),
            (Resource::Clients, 50),
            (Resource::Deployments, 5),
            (Resource::Detections, 200),
            (Resource::Events, 1_000),
            (Resource::Policies, 3),
            (Resource::Registrations, 75),
        ] {
            counts[r as usize] = n;
        }
        Self {
            seed: 1,
            counts,
            unknown_enum_rate: 0.005,
            tie_rate: 0.02,
            columnar_nulls: true,
            paging: PagingOptions::default(),
            dialect: Dialect::default(),
            faults: FaultPlan::default(),
            token: None,
            port: 0,
        }
    }
}

macro_rules! size {
    ($(#[$doc:meta])* $name:ident, $res:expr) => {
        $(#[$doc])*
        pub fn $name(mut self, n: u64) -> Self {
            self.counts[$res as usize] = n;
            self
        }
    };
}

impl SimulatorBuilder {
    /// Seed of every generated value (default 1). Same seed, same tenant.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    size!(/// Number of events (default 1,000; 1,000,000 is fine: records are generated per request).
        events, Resource::Events);
    size!(/// Number of detections (default 200). Each has 0–20 PoL entries.
        detections, Resource::Detections);
    size!(/// Number of clients (default 50; at least 1 when there are events or detections).
        clients, Resource::Clients);
    size!(/// Number of registrations (default 75; registration `r` belongs to client `r % clients`).
        registrations, Resource::Registrations);
    size!(/// Number of deployments (default 5; deployment 0 is the organisation-wide default).
        deployments, Resource::Deployments);
    size!(/// Number of policies (default 3).
        policies, Resource::Policies);
    size!(/// Number of catalog apps (default 40).
        apps, Resource::Apps);

    /// Share of events, detections, clients and deployments carrying a type/status the
    /// document does not list (`clipboard`, `exfiltration`, `suspended`, `archived`), to
    /// exercise forward-compatible decoding. Default 0.005; 0 turns it off.
    pub fn unknown_enum_rate(mut self, rate: f64) -> Self {
        self.unknown_enum_rate = rate;
        self
    }

    /// Share of events whose `updated_at` equals their predecessor's (order then by id).
    /// Default 0.02.
    pub fn tie_rate(mut self, rate: f64) -> Self {
        self.tie_rate = rate;
        self
    }

    /// Whether unfiltered event/detection lists send other types' fields as `null`
    /// (the document's "columnar view"). Default true.
    pub fn columnar_nulls(mut self, on: bool) -> Self {
        self.columnar_nulls = on;
        self
    }

    /// All paging behaviour at once.
    pub fn paging(mut self, paging: PagingOptions) -> Self {
        self.paging = paging;
        self
    }

    /// Clamp `limit` to this many records (default 1,000); `None`: no clamp.
    pub fn max_page_size(mut self, max: Option<u64>) -> Self {
        self.paging.max_page_size = max;
        self
    }

    /// Page size when `limit` is absent (default 100).
    pub fn default_limit(mut self, n: u64) -> Self {
        self.paging.default_limit = n;
        self
    }

    /// Disregard `end` (default false).
    pub fn ignore_end(mut self, ignore: bool) -> Self {
        self.paging.ignore_end = ignore;
        self
    }

    /// 0- or 1-based `start` (default 1-based, as documented).
    pub fn start_base(mut self, base: StartBase) -> Self {
        self.paging.start_base = base;
        self
    }

    /// Both route spellings choices at once.
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// Which registration-by-id paths exist (default `/v1/registration/{id}` only).
    pub fn registration_by_id(mut self, r: RegistrationById) -> Self {
        self.dialect.registration_by_id = r;
        self
    }

    /// Which PoL-by-id paths exist (default `/v1/detectionspol/{id}` only, as the
    /// document shows).
    pub fn pol_by_id(mut self, p: PolById) -> Self {
        self.dialect.pol_by_id = p;
        self
    }

    /// Faults to inject (default none).
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// The API token clients must send (default `neon-sim-<hex of seed>`).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Port on 127.0.0.1 (default 0: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    fn dataset(&self) -> Dataset {
        let mut counts = self.counts;
        let needs_directory =
            counts[Resource::Events as usize] + counts[Resource::Detections as usize] > 0;
        for r in [
            Resource::Clients,
            Resource::Deployments,
            Resource::Policies,
            Resource::Registrations,
            Resource::Apps,
        ] {
            // Foreign keys need something to point at.
            if needs_directory || r == Resource::Deployments {
                counts[r as usize] = counts[r as usize].max(1);
            }
        }
        Dataset::new(DataConfig {
            seed: self.seed,
            counts,
            unknown_enum_rate: self.unknown_enum_rate,
            tie_rate: self.tie_rate,
            columnar_nulls: self.columnar_nulls,
        })
    }

    /// Binds 127.0.0.1 and serves on the current tokio runtime until the handle is
    /// dropped or [`Simulator::shutdown`] is called.
    pub async fn start(self) -> Result<Simulator, Error> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|source| Error::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            port: self.port,
            source,
        })?;
        let token = self
            .token
            .clone()
            .unwrap_or_else(|| format!("neon-sim-{:016x}", crate::ids::mix(self.seed)));
        let shared = Arc::new(Shared {
            data: RwLock::new(self.dataset()),
            paging: self.paging.clone(),
            token: token.clone(),
            log: RequestLog::default(),
            faults: self.faults.clone(),
            requests: AtomicU64::new(0),
            fault_counts: Mutex::new(BTreeMap::new()),
        });
        let router = crate::routes::router(shared.clone(), self.dialect);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(crate::server::serve(listener, router, stopped));
        Ok(Simulator {
            addr,
            token,
            shared,
            stop,
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    token: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Simulator {
    /// Starts configuring a simulator.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// Base URL, `http://127.0.0.1:<port>` (no trailing slash); paths start with `/v1/`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token to send as `Authorization: <token>`.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The paging behaviour this server has.
    pub fn paging(&self) -> &PagingOptions {
        &self.shared.paging
    }

    /// Every request received so far, in arrival order.
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.log.snapshot()
    }

    /// Empties the request log (request numbering continues).
    pub fn clear_request_log(&self) {
        self.shared.log.clear();
    }

    /// Requests received so far.
    pub fn request_count(&self) -> u64 {
        self.shared
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many faults of each kind were injected so far (kinds never injected absent).
    pub fn fault_counts(&self) -> BTreeMap<FaultKind, u64> {
        self.shared
            .fault_counts
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    fn read<T>(&self, f: impl FnOnce(&Dataset) -> T) -> Result<T, Error> {
        let data = self.shared.data.read().map_err(|_| Error::Poisoned)?;
        Ok(f(&data))
    }

    fn write<T>(&self, f: impl FnOnce(&mut Dataset) -> T) -> Result<T, Error> {
        let mut data = self.shared.data.write().map_err(|_| Error::Poisoned)?;
        Ok(f(&mut data))
    }

    /// Number of records a list of `resource` has now (PoL: entries).
    pub fn count(&self, resource: Resource) -> u64 {
        self.read(|d| d.len(&d.listing(resource, &Filter::All)))
            .unwrap_or(0)
    }

    /// The records a full walk of the list returns, in `sort` order, as the server
    /// serves them (with `columnar` nulls when `filter` is [`Filter::All`]).
    pub fn records(&self, resource: Resource, sort: SortOrder, filter: &Filter) -> Vec<Value> {
        self.read(|d| {
            let listing = d.listing(resource, filter);
            let total = d.len(&listing);
            let columnar = !Dataset::applies(resource, filter);
            (0..total)
                .filter_map(|p| d.at(&listing, crate::paging::ascending(total, sort, p)))
                .map(|item| d.item(resource, item, columnar))
                .collect()
        })
        .unwrap_or_default()
    }

    /// The ids a full walk of the list returns, in `sort` order (cheap: no record is
    /// generated, so this is fine for a million events).
    pub fn ids(&self, resource: Resource, sort: SortOrder, filter: &Filter) -> Vec<Uuid> {
        self.read(|d| {
            let listing = d.listing(resource, filter);
            let total = d.len(&listing);
            (0..total)
                .filter_map(|p| d.at(&listing, crate::paging::ascending(total, sort, p)))
                .map(|item| d.item_id(resource, item))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Event ids in `sort` order (no filter): what paging through `/v1/events` must yield.
    pub fn events_sorted(&self, sort: SortOrder) -> Vec<Uuid> {
        self.ids(Resource::Events, sort, &Filter::All)
    }

    /// Detection ids in `sort` order (no filter).
    pub fn detections_sorted(&self, sort: SortOrder) -> Vec<Uuid> {
        self.ids(Resource::Detections, sort, &Filter::All)
    }

    /// One record as get-by-id serves it (`None`: the server answers 404).
    /// For [`Resource::DetectionsPol`] give a detection id: the result is the array.
    pub fn record(&self, resource: Resource, id: Uuid) -> Option<Value> {
        self.read(|d| {
            let lookup = if resource == Resource::DetectionsPol {
                Resource::Detections
            } else {
                resource
            };
            let i = d.find(lookup, &id)?;
            Some(if resource == Resource::DetectionsPol {
                Value::Array(d.pol_of(i))
            } else {
                d.record(resource, i, false)
            })
        })
        .ok()
        .flatten()
    }

    /// Adds `n` records at the head (newest `updated_at`) of `resource`, as if created
    /// while a client pages. Returns their ids, oldest first. For
    /// [`Resource::DetectionsPol`] it inserts detections (with their trails).
    pub fn insert(&self, resource: Resource, n: u64) -> Result<Vec<Uuid>, Error> {
        self.write(|d| d.insert(resource, n))
    }

    /// Updates records: each gets a new `updated_at` after every other record (in the
    /// order given), which moves it to the head of a `desc` walk and the tail of `asc`.
    pub fn update(&self, resource: Resource, ids: &[Uuid]) -> Result<(), Error> {
        if resource == Resource::DetectionsPol {
            return Err(Error::NotUpdatable(resource));
        }
        self.write(|d| d.touch(resource, ids))?
            .map_err(|id| Error::UnknownId { resource, id })
    }

    /// Stops the server and waits for the accept loop to end. Open connections are closed.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
