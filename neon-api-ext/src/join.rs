//! Detections joined with what a triage view needs: the pattern-of-life trail that led to
//! each one, the client (who) and the registration (which browser).
//!
//! Three ways to fetch trails ([`PolStrategy`]); they differ in requests, memory and the
//! time to the first row:
//! - [`PolStrategy::PerDetection`] (the default): one `GET /v1/detections_pol/{id}` per
//!   detection, at most [`DetectionJoin::concurrency`] in flight. Rows flow as detections
//!   arrive: the first row costs one detection page and one lookup, and memory holds one
//!   detection page plus the lookups in flight, whatever the total. Costs one request per
//!   detection.
//! - [`PolStrategy::OnePass`]: one walk over `GET /v1/detections_pol` (every trail of the
//!   tenant, [`DetectionJoin::pol_page_size`] entries a page), grouped by detection id.
//!   Costs `entries / page size` requests whatever the number of detections, but walks
//!   every trail of the tenant even for a filtered detection list, and **yields nothing
//!   until both walks have ended**: it holds every joined detection and its trail in
//!   memory first. Choose it for a bounded detection list that covers much of the tenant.
//! - [`PolStrategy::Auto`]: reads ahead up to [`DetectionJoin::auto_threshold`]
//!   detections (default 200). If the detection walk ends within them — a small list, known
//!   in full — one pass; otherwise per-detection lookups from the first detection on, the
//!   read-ahead included. It never buffers more than the threshold (plus the rest of the
//!   page that crossed it) before the first row.
//!
//! Clients and registrations are fetched by id once per join and cached (a detection
//! stream repeats the same few users and browsers), with the same bounded concurrency —
//! never one request per detection. They are fetched a detection page at a time, before
//! that page's rows are yielded.

use std::collections::{HashMap, HashSet, VecDeque};
use std::pin::Pin;
use std::sync::Arc;

use futures::future::{self, FutureExt};
use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use uuid::Uuid;

use crate::paging::{ListRequest, Page, Sort};
use crate::{Error, NeonClient};
use neon_api::types::{Client, Detection, PolEntry, Registration};

/// How [`DetectionJoin`] fetches pattern-of-life trails; see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PolStrategy {
    /// `GET /v1/detections_pol/{id}` for each detection, at most
    /// [`DetectionJoin::concurrency`] in flight; rows stream as detections arrive. Memory:
    /// one detection page and the lookups in flight. The default.
    #[default]
    PerDetection,
    /// One walk over `GET /v1/detections_pol`, grouped by detection id. Few requests, but
    /// nothing is yielded until the detection walk and the PoL walk have both ended: every
    /// joined detection and its trail are held in memory until then.
    OnePass,
    /// One pass when the detection walk ends within [`DetectionJoin::auto_threshold`]
    /// detections (read ahead before the first row), per-detection lookups otherwise.
    /// Buffers at most the read-ahead before the first row.
    Auto,
}

/// A detection with what was joined to it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JoinedDetection {
    /// The detection itself.
    pub detection: Detection,
    /// Its pattern-of-life trail by `position`; empty when the trail was not asked for
    /// ([`DetectionJoin::with_pol`]) or the detection has none.
    pub pol: Vec<PolEntry>,
    /// The client it belongs to, when asked for and found (shared between detections).
    pub client: Option<Arc<Client>>,
    /// The browser registration it came from, when asked for and found.
    pub registration: Option<Arc<Registration>>,
}

/// A detection walk with joins, built from [`ListRequest<Detection>`] by
/// [`with_pol`](ListRequest::with_pol), [`with_client`](ListRequest::with_client) or
/// [`with_registration`](ListRequest::with_registration).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
/// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
/// use futures::TryStreamExt;
///
/// let triage = client.detections().with_pol().with_client().with_registration().stream();
/// futures::pin_mut!(triage);
/// while let Some(row) = triage.try_next().await? {
///     let who = row.client.as_ref().and_then(|c| c.email.clone());
///     let browser = row.registration.as_ref().and_then(|r| r.name.clone());
///     println!("{:?} {who:?} {browser:?}: {} PoL entries", row.detection.id, row.pol.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a join sends nothing until it is streamed"]
pub struct DetectionJoin {
    detections: ListRequest<Detection>,
    pol: Option<PolStrategy>,
    client: bool,
    registration: bool,
    concurrency: usize,
    auto_threshold: usize,
    pol_page_size: u32,
}

impl ListRequest<Detection> {
    /// Joins each detection with its pattern-of-life trail ([`PolStrategy::PerDetection`]:
    /// rows stream as detections arrive).
    pub fn with_pol(self) -> DetectionJoin {
        DetectionJoin::new(self).with_pol()
    }

    /// Joins each detection with its client (for the email), cached per client id.
    pub fn with_client(self) -> DetectionJoin {
        DetectionJoin::new(self).with_client()
    }

    /// Joins each detection with its browser registration, cached per registration id.
    pub fn with_registration(self) -> DetectionJoin {
        DetectionJoin::new(self).with_registration()
    }
}

impl DetectionJoin {
    fn new(detections: ListRequest<Detection>) -> Self {
        DetectionJoin {
            detections,
            pol: None,
            client: false,
            registration: false,
            concurrency: 8,
            auto_threshold: 200,
            pol_page_size: 1000,
        }
    }

    /// Adds the pattern-of-life trail ([`PolStrategy::PerDetection`] unless set otherwise).
    pub fn with_pol(mut self) -> Self {
        self.pol.get_or_insert(PolStrategy::PerDetection);
        self
    }

    /// Adds the client (cached per id).
    pub fn with_client(mut self) -> Self {
        self.client = true;
        self
    }

    /// Adds the registration (cached per id).
    pub fn with_registration(mut self) -> Self {
        self.registration = true;
        self
    }

    /// How trails are fetched; implies [`with_pol`](Self::with_pol).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
    /// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
    /// use neon_api_ext::PolStrategy;
    ///
    /// // One pass for a short list, per-detection lookups past 100 detections.
    /// let rows = client
    ///     .detections()
    ///     .with_client()
    ///     .pol_strategy(PolStrategy::Auto)
    ///     .auto_threshold(100)
    ///     .collect_all()
    ///     .await?;
    /// assert_eq!(rows.len(), 20);
    /// assert!(rows.iter().all(|row| row.pol.iter().all(|e| e.detection_id == row.detection.id)));
    /// # Ok(()) }
    /// ```
    pub fn pol_strategy(mut self, strategy: PolStrategy) -> Self {
        self.pol = Some(strategy);
        self
    }

    /// Most lookups by id in flight at once, per kind: trails (started as rows are pulled,
    /// so a consumer that stops after `k` rows has caused at most `k + requests - 1`), and
    /// the clients or registrations of one detection page (fetched before its rows, while
    /// the previous page's trails may still be in flight). Default 8; 0 is taken as 1.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// For [`PolStrategy::Auto`]: how many detections to read ahead before choosing. A walk
    /// that ends within them gets one pass; a longer one per-detection lookups. Default 200.
    pub fn auto_threshold(mut self, detections: usize) -> Self {
        self.auto_threshold = detections;
        self
    }

    /// `limit` of the one-pass walk over `/v1/detections_pol`; default 1000.
    pub fn pol_page_size(mut self, entries: u32) -> Self {
        self.pol_page_size = entries.max(1);
        self
    }

    /// The joined detections, in the detection walk's order.
    ///
    /// A fault that outlasts the client's retries — in the detection walk or in any lookup
    /// — is the last item. A trail, client or registration the server does not have
    /// ([`Error::NotFound`]) is left empty rather than failing the join.
    pub fn stream(self) -> impl Stream<Item = Result<JoinedDetection, Error>> + Send + 'static {
        let concurrency = self.concurrency;
        let joiner = Joiner::new(self);
        let lookup = {
            let handle = joiner.client_handle.clone();
            move |row: Result<PendingRow, Error>| {
                let handle = handle.clone();
                async move { row?.finish(&handle).await }
            }
        };
        // Rows with everything joined but a per-detection trail, a detection page at a time.
        let rows: BoxStream<'static, Result<PendingRow, Error>> =
            stream::unfold(Some(joiner), |joiner| async move {
                let mut joiner = joiner?;
                match joiner.next_batch().await? {
                    Ok(batch) => Some((Ok(batch), Some(joiner))),
                    Err(error) => Some((Err(error), None)),
                }
            })
            .map_ok(|batch: Vec<PendingRow>| stream::iter(batch.into_iter().map(Ok)))
            .try_flatten()
            .boxed();
        // The first trail lookup goes alone (see [`Warmed`]); then at most `concurrency` at
        // once, started only as rows are pulled, yielded in the detection walk's order.
        let joined = async move {
            let (first, rest) = rows.into_future().await;
            let first = match first {
                Some(row) => Some(lookup(row).await),
                None => None,
            };
            let rest: BoxStream<'static, Result<JoinedDetection, Error>> = match &first {
                Some(Ok(_)) => rest.map(lookup).buffered(concurrency).boxed(),
                _ => stream::empty().boxed(),
            };
            stream::iter(first).chain(rest)
        }
        .flatten_stream();
        // A fault is the last item, even with later lookups already done.
        joined
            .scan(false, |failed, item| {
                if *failed {
                    return future::ready(None);
                }
                *failed = item.is_err();
                future::ready(Some(item))
            })
            .fuse()
    }

    /// Every joined detection in one vector.
    ///
    /// # Errors
    /// The first error of the join, after the client's retries.
    pub async fn collect_all(self) -> Result<Vec<JoinedDetection>, Error> {
        self.stream().try_collect().await
    }
}

type DetectionPages = Pin<Box<dyn Stream<Item = Result<Page<Detection>, Error>> + Send>>;

/// The join's state: the detection walk, the trails of a one pass, and the caches.
struct Joiner {
    client_handle: NeonClient,
    pages: DetectionPages,
    /// Detections read ahead (Auto's look-ahead, or everything for one pass).
    ahead: VecDeque<Vec<Detection>>,
    settings: DetectionJoin,
    /// The resolved strategy, once known; `None` before the first batch.
    strategy: Option<PolStrategy>,
    trails: HashMap<Uuid, Vec<PolEntry>>,
    /// Whether a lookup of each kind has been made alone yet (see [`fill_cache`]).
    warmed: Warmed,
    clients: HashMap<Uuid, Option<Arc<Client>>>,
    registrations: HashMap<Uuid, Option<Arc<Registration>>>,
}

impl Joiner {
    fn new(settings: DetectionJoin) -> Self {
        let client_handle = settings.detections.client_handle().clone();
        let pages: DetectionPages = Box::pin(settings.detections.clone().pages());
        Joiner {
            client_handle,
            pages,
            ahead: VecDeque::new(),
            strategy: if settings.pol.is_none() {
                Some(PolStrategy::PerDetection)
            } else {
                None
            },
            settings,
            trails: HashMap::new(),
            warmed: Warmed::default(),
            clients: HashMap::new(),
            registrations: HashMap::new(),
        }
    }

    /// The next page of joined detections (trails still to look up when per-detection);
    /// `None` at the end.
    async fn next_batch(&mut self) -> Option<Result<Vec<PendingRow>, Error>> {
        if self.strategy.is_none() {
            if let Err(error) = self.resolve_strategy().await {
                return Some(Err(error));
            }
        }
        let detections = match self.ahead.pop_front() {
            Some(batch) => batch,
            None => match self.pages.next().await? {
                Ok(page) => page.records,
                Err(error) => return Some(Err(error)),
            },
        };
        Some(self.join(detections).await)
    }

    /// Reads ahead to choose the strategy, and does the one pass if that is the choice.
    async fn resolve_strategy(&mut self) -> Result<(), Error> {
        let requested = self.settings.pol.unwrap_or_default();
        let strategy = match requested {
            PolStrategy::Auto => {
                // Read at most the threshold (plus the rest of the page that crosses it):
                // a walk that ends here is small and known in full.
                let mut seen = 0;
                let mut ended = false;
                while seen <= self.settings.auto_threshold {
                    match self.pages.next().await {
                        Some(page) => {
                            let page = page?;
                            seen += page.records.len();
                            self.ahead.push_back(page.records);
                        }
                        None => {
                            ended = true;
                            break;
                        }
                    }
                }
                if ended {
                    PolStrategy::OnePass
                } else {
                    PolStrategy::PerDetection
                }
            }
            other => other,
        };
        if strategy == PolStrategy::OnePass {
            while let Some(page) = self.pages.next().await {
                self.ahead.push_back(page?.records);
            }
            let wanted: HashSet<Uuid> = self.ahead.iter().flatten().filter_map(|d| d.id).collect();
            self.trails = one_pass(&self.client_handle, &wanted, &self.settings).await?;
        }
        self.strategy = Some(strategy);
        Ok(())
    }

    async fn join(&mut self, detections: Vec<Detection>) -> Result<Vec<PendingRow>, Error> {
        let concurrency = self.settings.concurrency;
        let lookup_pol = self.settings.pol.is_some() && self.strategy != Some(PolStrategy::OnePass);
        let trails: Vec<Vec<PolEntry>> = if self.strategy == Some(PolStrategy::OnePass) {
            detections
                .iter()
                .map(|d| {
                    d.id.and_then(|id| self.trails.remove(&id))
                        .unwrap_or_default()
                })
                .collect()
        } else {
            detections.iter().map(|_| Vec::new()).collect()
        };
        if self.settings.client {
            let ids = detections.iter().filter_map(|d| d.client_id);
            let handle = self.client_handle.clone();
            let warm = !std::mem::replace(&mut self.warmed.client, true);
            fill_cache(&mut self.clients, ids, concurrency, warm, move |id| {
                let handle = handle.clone();
                async move { handle.get_client(id).await }
            })
            .await?;
        }
        if self.settings.registration {
            let ids = detections.iter().filter_map(|d| d.registration_id);
            let handle = self.client_handle.clone();
            let warm = !std::mem::replace(&mut self.warmed.registration, true);
            fill_cache(&mut self.registrations, ids, concurrency, warm, move |id| {
                let handle = handle.clone();
                async move { handle.get_registration(id).await }
            })
            .await?;
        }
        Ok(detections
            .into_iter()
            .zip(trails)
            .map(|(detection, mut pol)| {
                pol.sort_by_key(|entry| entry.position);
                PendingRow {
                    lookup_pol,
                    row: JoinedDetection {
                        client: lookup(&self.clients, self.settings.client, detection.client_id),
                        registration: lookup(
                            &self.registrations,
                            self.settings.registration,
                            detection.registration_id,
                        ),
                        detection,
                        pol,
                    },
                }
            })
            .collect())
    }
}

/// A joined detection whose trail may still have to be looked up by id.
struct PendingRow {
    row: JoinedDetection,
    /// Whether [`PendingRow::finish`] fetches the trail (per-detection strategy).
    lookup_pol: bool,
}

impl PendingRow {
    /// Looks the trail up when asked to (a detection without an id, or unknown to the
    /// server, gets an empty trail), in `position` order.
    async fn finish(mut self, client: &NeonClient) -> Result<JoinedDetection, Error> {
        if let (true, Some(id)) = (self.lookup_pol, self.row.detection.id) {
            let mut trail = found_or_none(client.get_detection_pol(id).await)?.unwrap_or_default();
            trail.sort_by_key(|entry| entry.position);
            self.row.pol = trail;
        }
        Ok(self.row)
    }
}

/// Per kind of cached lookup by id: has one been made on its own yet?
///
/// The client learns which spelling of a quirky route the server answers (PoL by id,
/// registration by id) from its first request, and remembers it. Sending the first lookup
/// alone, before fanning out, costs that learning one extra request instead of one per
/// request in flight. (Trail lookups do the same: [`DetectionJoin::stream`] awaits the
/// first one alone.)
#[derive(Debug, Default)]
struct Warmed {
    client: bool,
    registration: bool,
}

/// Awaits the first of `lookups` alone when `warm` is set, then the rest at most
/// `concurrency` at once; results in order.
async fn in_order<T, Fut>(
    lookups: impl Iterator<Item = Fut>,
    concurrency: usize,
    warm: bool,
) -> Result<Vec<T>, Error>
where
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut lookups = lookups.peekable();
    let mut results = Vec::with_capacity(lookups.size_hint().0);
    if warm {
        if let Some(first) = lookups.next() {
            results.push(first.await?);
        }
    }
    let rest: Vec<T> = stream::iter(lookups)
        .buffered(concurrency)
        .try_collect()
        .await?;
    results.extend(rest);
    Ok(results)
}

/// Walks `/v1/detections_pol` once, keeping the entries of the wanted detections.
async fn one_pass(
    client: &NeonClient,
    wanted: &HashSet<Uuid>,
    settings: &DetectionJoin,
) -> Result<HashMap<Uuid, Vec<PolEntry>>, Error> {
    let mut trails: HashMap<Uuid, Vec<PolEntry>> = HashMap::new();
    let mut entries: BoxStream<'static, Result<PolEntry, Error>> = client
        .detections_pol()
        .sort(Sort::Asc)
        .page_size(settings.pol_page_size)
        .prefetch(settings.detections.walk_options().prefetch)
        .start_base(settings.detections.walk_options().start_base)
        .stream()
        .boxed();
    while let Some(entry) = entries.try_next().await? {
        if let Some(id) = entry.detection_id.filter(|id| wanted.contains(id)) {
            trails.entry(id).or_default().push(entry);
        }
    }
    Ok(trails)
}

/// Fetches the ids not cached yet, at most `concurrency` at once (the first alone when
/// `warm`); a missing record is cached as `None`.
async fn fill_cache<T, F, Fut>(
    cache: &mut HashMap<Uuid, Option<Arc<T>>>,
    ids: impl Iterator<Item = Uuid>,
    concurrency: usize,
    warm: bool,
    get: F,
) -> Result<(), Error>
where
    F: Fn(Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut queued = HashSet::new();
    let missing: Vec<Uuid> = ids
        .filter(|id| !cache.contains_key(id) && queued.insert(*id))
        .collect();
    let lookups = missing.into_iter().map(|id| {
        let fut = get(id);
        async move { found_or_none(fut.await).map(|record| (id, record)) }
    });
    let fetched: Vec<(Uuid, Option<T>)> = in_order(lookups, concurrency, warm).await?;
    cache.extend(fetched.into_iter().map(|(id, r)| (id, r.map(Arc::new))));
    Ok(())
}

fn found_or_none<T>(result: Result<T, Error>) -> Result<Option<T>, Error> {
    match result {
        Ok(record) => Ok(Some(record)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

fn lookup<T>(
    cache: &HashMap<Uuid, Option<Arc<T>>>,
    asked: bool,
    id: Option<Uuid>,
) -> Option<Arc<T>> {
    if !asked {
        return None;
    }
    cache.get(&id?).cloned().flatten()
}
