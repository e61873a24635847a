//! The simulated tenant: every resource, generated on demand from `(seed, index)`.
//!
//! Nothing is held as JSON: a resource is an [`order::Order`] (position ↔ index, updated
//! times, mutations) and a generator function `index → serde_json::Value`. The only
//! per-record memory is the PoL prefix sums (8 bytes per detection) and cached index lists
//! for filtered queries (8 bytes per matching record, rebuilt after a mutation).

mod activity;
mod directory;
mod json;
mod order;
mod pol;
mod tables;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use uuid::Uuid;

use crate::ids::record_id;
use crate::time::EPOCH_2025_US;
pub use pol::POL_KEEP;

/// The API's resources, one per list endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Resource {
    /// `/v1/apps` — the SaaS catalog.
    Apps,
    /// `/v1/clients`.
    Clients,
    /// `/v1/deployments`.
    Deployments,
    /// `/v1/detections`.
    Detections,
    /// `/v1/detections_pol` — pattern-of-life entries of every detection.
    DetectionsPol,
    /// `/v1/events`.
    Events,
    /// `/v1/policies`.
    Policies,
    /// `/v1/registration`.
    Registrations,
}

impl Resource {
    /// Every resource, in path order.
    pub const ALL: [Resource; 8] = [
        Resource::Apps,
        Resource::Clients,
        Resource::Deployments,
        Resource::Detections,
        Resource::DetectionsPol,
        Resource::Events,
        Resource::Policies,
        Resource::Registrations,
    ];

    pub(crate) fn salt(self) -> u64 {
        self as u64 + 1
    }

    fn slot(self) -> usize {
        self as usize
    }

    /// The singular noun used in "not found" messages.
    pub fn noun(self) -> &'static str {
        match self {
            Resource::Apps => "app",
            Resource::Clients => "client",
            Resource::Deployments => "deployment",
            Resource::Detections => "detection",
            Resource::DetectionsPol => "detection pattern-of-life",
            Resource::Events => "event",
            Resource::Policies => "policy",
            Resource::Registrations => "registration",
        }
    }
}

/// Sort order of a list, by `updated_at` then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Oldest first (`sort=asc`).
    Asc,
    /// Newest first (`sort=desc`, the server's default).
    #[default]
    Desc,
}

/// A list filter, as the query string gives it. Values are the wire strings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum Filter {
    /// No filter.
    #[default]
    All,
    /// `type=a&type=b` on events or detections (any of).
    Types(Vec<String>),
    /// `status=a&status=b` on clients or deployments (any of).
    Statuses(Vec<String>),
    /// `enabled=true|false` on registrations.
    Enabled(bool),
    /// `name=Adobe` on apps: case-insensitive substring of the company name.
    Name(String),
}

/// Sizes and generation options of the simulated tenant.
#[derive(Debug, Clone)]
pub(crate) struct DataConfig {
    pub(crate) seed: u64,
    pub(crate) counts: [u64; 8],
    pub(crate) unknown_enum_rate: f64,
    pub(crate) tie_rate: f64,
    pub(crate) columnar_nulls: bool,
}

impl DataConfig {
    pub(crate) fn count(&self, r: Resource) -> u64 {
        self.counts[r.slot()]
    }
}

/// One position of a list: a record index, or a PoL entry `(detection, k)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    Record(u64),
    Pol(u64, u64),
}

type FilterKey = (Resource, Filter);
/// Filtered index lists, valid while the dataset version matches.
type FilterCache = HashMap<FilterKey, (u64, Arc<Vec<u64>>)>;

/// The whole simulated tenant.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub(crate) cfg: DataConfig,
    orders: Vec<order::Order>,
    /// `pol_prefix[d]` = PoL entries of detections `0..d` (insert order = index order).
    pol_prefix: Vec<u64>,
    version: u64,
    cache: Mutex<FilterCache>,
}

const SPAN_US: i64 = 300 * 86_400_000_000;

impl Dataset {
    pub(crate) fn new(cfg: DataConfig) -> Self {
        let orders = Resource::ALL
            .iter()
            .map(|r| {
                let n = cfg.count(*r);
                let step = (SPAN_US / n.max(1) as i64).max(2_000);
                // Ties only where they cannot blur the PoL order (see `pol`).
                let ties = if *r == Resource::Events {
                    cfg.tie_rate
                } else {
                    0.0
                };
                order::Order::new(cfg.seed, r.salt(), n, EPOCH_2025_US, step, ties)
            })
            .collect();
        let mut ds = Self {
            cfg,
            orders,
            pol_prefix: vec![0],
            version: 0,
            cache: Mutex::new(HashMap::new()),
        };
        let detections = ds.base(Resource::Detections);
        ds.pol_prefix.reserve(detections as usize);
        for d in 0..detections {
            ds.push_pol(d);
        }
        ds
    }

    fn push_pol(&mut self, detection: u64) {
        let last = self.pol_prefix.last().copied().unwrap_or(0);
        self.pol_prefix.push(last + pol::kept_len(self, detection));
    }

    pub(crate) fn order(&self, r: Resource) -> &order::Order {
        let r = if r == Resource::DetectionsPol {
            Resource::Detections
        } else {
            r
        };
        &self.orders[r.slot()]
    }

    /// Records generated at start (foreign keys point only at these).
    pub(crate) fn base(&self, r: Resource) -> u64 {
        self.cfg.count(r)
    }

    pub(crate) fn id(&self, r: Resource, index: u64) -> Uuid {
        record_id(self.cfg.seed, r.salt(), index)
    }

    /// The index of record `id`, if it exists.
    pub(crate) fn find(&self, r: Resource, id: &Uuid) -> Option<u64> {
        self.order(r).index_of(id)
    }

    /// Record `index` as JSON; `columnar` adds other types' fields as `null`.
    pub(crate) fn record(&self, r: Resource, index: u64, columnar: bool) -> Value {
        match r {
            Resource::Apps => directory::app(self, index),
            Resource::Clients => directory::client(self, index),
            Resource::Deployments => directory::deployment(self, index),
            Resource::Policies => directory::policy(self, index),
            Resource::Registrations => directory::registration(self, index),
            Resource::Events => activity::event(self, index, columnar && self.cfg.columnar_nulls),
            Resource::Detections => {
                activity::detection(self, index, columnar && self.cfg.columnar_nulls)
            }
            Resource::DetectionsPol => pol::entry(self, index / pol::STRIDE, index % pol::STRIDE),
        }
    }

    /// Appends the JSON of a list item to `buf` (events and detections without a
    /// `Value` in between: the hot path).
    pub(crate) fn write_item(&self, buf: &mut Vec<u8>, r: Resource, item: Item, columnar: bool) {
        let columnar = columnar && self.cfg.columnar_nulls;
        match (r, item) {
            (Resource::Events, Item::Record(i)) => activity::write_event(self, i, columnar, buf),
            (Resource::Detections, Item::Record(i)) => {
                activity::write_detection(self, i, columnar, buf)
            }
            _ => {
                let v = self.item(r, item, columnar);
                if serde_json::to_writer(&mut *buf, &v).is_err() {
                    buf.extend_from_slice(b"null");
                }
            }
        }
    }

    pub(crate) fn item(&self, r: Resource, item: Item, columnar: bool) -> Value {
        match item {
            Item::Record(i) => self.record(r, i, columnar),
            Item::Pol(d, k) => pol::entry(self, d, k),
        }
    }

    /// The id of a list item, without generating the record.
    pub(crate) fn item_id(&self, r: Resource, item: Item) -> Uuid {
        match item {
            Item::Record(i) => self.id(r, i),
            Item::Pol(d, k) => record_id(
                self.cfg.seed,
                Resource::DetectionsPol.salt(),
                d * pol::STRIDE + k,
            ),
        }
    }

    /// The PoL entries of detection `index`, trail order.
    pub(crate) fn pol_of(&self, index: u64) -> Vec<Value> {
        pol::entries(self, index)
    }

    /// Whether a filter value is one the server accepts for this resource; the
    /// documented values only (an undocumented type is served but cannot be filtered on).
    pub(crate) fn accepts(r: Resource, f: &Filter) -> Result<(), String> {
        let (allowed, values): (&[&str], &Vec<String>) = match (r, f) {
            (Resource::Events, Filter::Types(v)) => (activity::EVENT_TYPES, v),
            (Resource::Detections, Filter::Types(v)) => (activity::DETECTION_TYPES, v),
            (Resource::Clients, Filter::Statuses(v)) => (directory::CLIENT_STATUSES, v),
            (Resource::Deployments, Filter::Statuses(v)) => (directory::DEPLOYMENT_STATUSES, v),
            _ => return Ok(()),
        };
        match values.iter().find(|v| !allowed.contains(&v.as_str())) {
            Some(bad) => Err(format!(
                "invalid value '{bad}': expected one of {}",
                allowed.join(", ")
            )),
            None => Ok(()),
        }
    }

    fn matches(&self, r: Resource, f: &Filter, index: u64) -> bool {
        match (r, f) {
            (Resource::Events, Filter::Types(v)) => {
                let t = activity::event_type(self, index);
                v.iter().any(|x| x == t)
            }
            (Resource::Detections, Filter::Types(v)) => {
                let t = activity::detection_type(self, index);
                v.iter().any(|x| x == t)
            }
            (Resource::Clients, Filter::Statuses(v)) => {
                let s = directory::client_status(self, index);
                v.iter().any(|x| x == s)
            }
            (Resource::Deployments, Filter::Statuses(v)) => {
                let s = directory::deployment_status(self, index);
                v.iter().any(|x| x == s)
            }
            (Resource::Registrations, Filter::Enabled(e)) => {
                directory::registration_enabled(self, index) == *e
            }
            (Resource::Apps, Filter::Name(n)) => directory::app_name(index)
                .to_lowercase()
                .contains(&n.to_lowercase()),
            _ => true,
        }
    }

    /// Whether `f` restricts `r` at all (filters on other resources are ignored,
    /// as unknown query parameters are).
    pub(crate) fn applies(r: Resource, f: &Filter) -> bool {
        matches!(
            (r, f),
            (Resource::Events | Resource::Detections, Filter::Types(_))
                | (
                    Resource::Clients | Resource::Deployments,
                    Filter::Statuses(_)
                )
                | (Resource::Registrations, Filter::Enabled(_))
                | (Resource::Apps, Filter::Name(_))
        )
    }

    /// The list `r` filtered by `f`, ascending.
    pub(crate) fn listing(&self, r: Resource, f: &Filter) -> Listing {
        if r == Resource::DetectionsPol {
            return Listing::Pol;
        }
        if !Self::applies(r, f) {
            return Listing::All(r);
        }
        let key = (r, f.clone());
        if let Ok(cache) = self.cache.lock() {
            if let Some((v, list)) = cache.get(&key) {
                if *v == self.version {
                    return Listing::Filtered(list.clone());
                }
            }
        }
        let order = self.order(r);
        let list: Vec<u64> = (0..order.len())
            .filter_map(|p| order.at(p))
            .map(|s| s.index)
            .filter(|i| self.matches(r, f, *i))
            .collect();
        let list = Arc::new(list);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, (self.version, list.clone()));
        }
        Listing::Filtered(list)
    }

    /// Number of positions in a listing.
    pub(crate) fn len(&self, l: &Listing) -> u64 {
        match l {
            Listing::All(r) => self.order(*r).len(),
            Listing::Filtered(v) => v.len() as u64,
            Listing::Pol => self.pol_prefix.last().copied().unwrap_or(0),
        }
    }

    /// The item at ascending position `pos` (0-based) of a listing.
    pub(crate) fn at(&self, l: &Listing, pos: u64) -> Option<Item> {
        match l {
            Listing::All(r) => self.order(*r).at(pos).map(|s| Item::Record(s.index)),
            Listing::Filtered(v) => v.get(pos as usize).map(|i| Item::Record(*i)),
            Listing::Pol => {
                let d = self.pol_prefix.partition_point(|p| *p <= pos);
                let d = d.checked_sub(1)?;
                let k = pos - self.pol_prefix.get(d)?;
                (d + 1 < self.pol_prefix.len()).then_some(Item::Pol(d as u64, k))
            }
        }
    }

    /// Adds `n` new records at the newest end of `r`; returns their ids, oldest first.
    pub(crate) fn insert(&mut self, r: Resource, n: u64) -> Vec<Uuid> {
        let r = if r == Resource::DetectionsPol {
            Resource::Detections
        } else {
            r
        };
        self.version += 1;
        (0..n)
            .map(|_| {
                let index = self.orders[r.slot()].insert();
                if r == Resource::Detections {
                    self.push_pol(index);
                }
                self.id(r, index)
            })
            .collect()
    }

    /// Gives each record a new `updated_at` after all others, in the order given.
    /// Fails with the first id that is not a record of `r` (nothing changed then).
    pub(crate) fn touch(&mut self, r: Resource, ids: &[Uuid]) -> Result<(), Uuid> {
        let mut indexes = Vec::with_capacity(ids.len());
        for id in ids {
            indexes.push(self.find(r, id).ok_or(*id)?);
        }
        self.version += 1;
        for i in indexes {
            self.orders[r.slot()].touch(i);
        }
        Ok(())
    }
}

/// What a list request walks over.
#[derive(Debug, Clone)]
pub(crate) enum Listing {
    All(Resource),
    Filtered(Arc<Vec<u64>>),
    Pol,
}
