//! Detections joined with what a triage view needs: the pattern-of-life trail that led to
//! each one, the client (who) and the registration (which browser).
//!
//! Two ways to fetch trails, each best at one size:
//! - [`PolStrategy::PerDetection`]: one `GET /v1/detections_pol/{id}` per detection, at most
//!   [`DetectionJoin::concurrency`] at once. Costs one request per detection; streams.
//! - [`PolStrategy::OnePass`]: one walk over `GET /v1/detections_pol` (every trail of the
//!   tenant, [`DetectionJoin::pol_page_size`] entries a page), grouped by detection id.
//!   Costs `entries / page size` requests whatever the number of detections, but walks
//!   every trail of the tenant even for a filtered detection list, and yields only once
//!   both walks are done. Memory: the joined detections and their trails.
//! - [`PolStrategy::Auto`] (the default) reads up to [`DetectionJoin::auto_threshold`]
//!   detections first: if the list ends there, per-detection lookups (few requests, no
//!   tenant-wide walk); otherwise one pass.
//!
//! Clients and registrations are fetched by id once per join and cached (a detection
//! stream repeats the same few users and browsers), with the same bounded concurrency —
//! never one request per detection.

use std::collections::{HashMap, HashSet, VecDeque};
use std::pin::Pin;
use std::sync::Arc;

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use uuid::Uuid;

use crate::paging::{ListRequest, Page, Sort};
use crate::{Error, NeonClient};
use neon_api::types::{Client, Detection, PolEntry, Registration};

/// How [`DetectionJoin`] fetches pattern-of-life trails; see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PolStrategy {
    /// Per-detection lookups for a short list, one pass for a long one.
    #[default]
    Auto,
    /// `GET /v1/detections_pol/{id}` for each detection, bounded concurrency.
    PerDetection,
    /// One walk over `GET /v1/detections_pol`, grouped by detection id.
    OnePass,
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
/// ```no_run
/// # async fn run(client: neon_api_ext::NeonClient) -> Result<(), neon_api_ext::Error> {
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
    /// Joins each detection with its pattern-of-life trail ([`PolStrategy::Auto`]).
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

    /// Adds the pattern-of-life trail ([`PolStrategy::Auto`] unless set otherwise).
    pub fn with_pol(mut self) -> Self {
        self.pol.get_or_insert(PolStrategy::Auto);
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
    pub fn pol_strategy(mut self, strategy: PolStrategy) -> Self {
        self.pol = Some(strategy);
        self
    }

    /// Most lookups by id in flight at once (trails, clients, registrations); default 8,
    /// 0 is taken as 1.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// For [`PolStrategy::Auto`]: up to this many detections, per-detection lookups;
    /// beyond, one pass. Default 200.
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
        let joiner = Joiner::new(self);
        stream::unfold(Some(joiner), |joiner| async move {
            let mut joiner = joiner?;
            match joiner.next_batch().await? {
                Ok(batch) => Some((Ok(batch), Some(joiner))),
                Err(error) => Some((Err(error), None)),
            }
        })
        .map_ok(|batch: Vec<JoinedDetection>| stream::iter(batch.into_iter().map(Ok)))
        .try_flatten()
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

    /// The next page of joined detections; `None` at the end.
    async fn next_batch(&mut self) -> Option<Result<Vec<JoinedDetection>, Error>> {
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
                    PolStrategy::PerDetection
                } else {
                    PolStrategy::OnePass
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

    async fn join(&mut self, detections: Vec<Detection>) -> Result<Vec<JoinedDetection>, Error> {
        let concurrency = self.settings.concurrency;
        let mut trails: Vec<Vec<PolEntry>> = match (self.settings.pol, self.strategy) {
            (None, _) => detections.iter().map(|_| Vec::new()).collect(),
            (Some(_), Some(PolStrategy::OnePass)) => detections
                .iter()
                .map(|d| {
                    d.id.and_then(|id| self.trails.remove(&id))
                        .unwrap_or_default()
                })
                .collect(),
            (Some(_), _) => {
                let ids: Vec<Option<Uuid>> = detections.iter().map(|d| d.id).collect();
                let warm = !std::mem::replace(&mut self.warmed.pol, true);
                per_detection(&self.client_handle, ids, concurrency, warm).await?
            }
        };
        for trail in &mut trails {
            trail.sort_by_key(|entry| entry.position);
        }
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
            .map(|(detection, pol)| JoinedDetection {
                client: lookup(&self.clients, self.settings.client, detection.client_id),
                registration: lookup(
                    &self.registrations,
                    self.settings.registration,
                    detection.registration_id,
                ),
                detection,
                pol,
            })
            .collect())
    }
}

/// Per kind of lookup by id: has one been made on its own yet?
///
/// The client learns which spelling of a quirky route the server answers (PoL by id,
/// registration by id) from its first request, and remembers it. Sending the first lookup
/// alone, before fanning out, costs that learning one extra request instead of one per
/// request in flight.
#[derive(Debug, Default)]
struct Warmed {
    pol: bool,
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

/// One `GET /v1/detections_pol/{id}` per detection, at most `concurrency` at once, results
/// in the detections' order. A detection without an id, or unknown to the server, gets an
/// empty trail.
async fn per_detection(
    client: &NeonClient,
    ids: Vec<Option<Uuid>>,
    concurrency: usize,
    warm: bool,
) -> Result<Vec<Vec<PolEntry>>, Error> {
    let lookups = ids.into_iter().map(|id| {
        let client = client.clone();
        async move {
            match id {
                Some(id) => {
                    Ok(found_or_none(client.get_detection_pol(id).await)?.unwrap_or_default())
                }
                None => Ok(Vec::new()),
            }
        }
    });
    in_order(lookups, concurrency, warm).await
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
