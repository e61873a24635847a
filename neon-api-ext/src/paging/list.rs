//! [`ListRequest`]: one builder for every list, with the typed filters each list documents.

use std::fmt;
use std::marker::PhantomData;

use futures::stream::{Stream, TryStreamExt};
use reqwest::StatusCode;

use super::records::{ListRecord, Sealed};
use super::walk::{Page, PageRequest, StartBase, StartRejection, Walk, WalkOptions};
use crate::{Error, NeonClient};
use neon_api::types::{
    App, Client, ClientStatusFilter, Deployment, DeploymentStatusFilter, Detection,
    DetectionTypeFilter, Event, EventTypeFilter, PolEntry, Policy, Registration,
};

/// Order of a walk: by `updated_at`, ties broken by id. The API's default is
/// [`Sort::Desc`], newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sort {
    /// Oldest first (`sort=asc`).
    Asc,
    /// Newest first (`sort=desc`), the API's default.
    #[default]
    Desc,
}

impl Sort {
    /// The wire value: `asc` or `desc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Asc => "asc",
            Sort::Desc => "desc",
        }
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A walk over one list, not started yet: filters, sort, page size, prefetch.
///
/// Made by [`NeonClient::detections`] and its siblings; nothing is sent until
/// [`stream`](Self::stream), [`pages`](Self::pages) or [`collect_all`](Self::collect_all)
/// is polled. Each request carries, in this order, `start`, `limit`, `end` (only with
/// [`send_end`](Self::send_end)), `sort` (only when set) and the filters as repeated keys,
/// e.g. `start=0&limit=100&sort=asc&type=intel&type=phishing`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
/// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
/// use futures::TryStreamExt;
/// use neon_api_ext::paging::Sort;
/// use neon_api_ext::types::DetectionTypeFilter;
///
/// let mut detections = client
///     .detections()
///     .types([DetectionTypeFilter::Intel, DetectionTypeFilter::Phishing])
///     .sort(Sort::Asc)
///     .page_size(500)
///     .stream();
/// futures::pin_mut!(detections);
/// while let Some(detection) = detections.try_next().await? {
///     println!("{:?} {:?}", detection.id, detection.detection_type);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a list request sends nothing until it is streamed"]
pub struct ListRequest<R> {
    client: NeonClient,
    sort: Option<Sort>,
    filters: Vec<(&'static str, String)>,
    options: WalkOptions,
    record: PhantomData<fn() -> R>,
}

impl<R> Clone for ListRequest<R> {
    fn clone(&self) -> Self {
        ListRequest {
            client: self.client.clone(),
            sort: self.sort,
            filters: self.filters.clone(),
            options: self.options,
            record: PhantomData,
        }
    }
}

impl<R> fmt::Debug for ListRequest<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListRequest")
            .field("record", &std::any::type_name::<R>())
            .field("sort", &self.sort)
            .field("filters", &self.filters)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<R: ListRecord> ListRequest<R> {
    fn new(client: &NeonClient) -> Self {
        ListRequest {
            client: client.clone(),
            sort: None,
            filters: Vec::new(),
            options: WalkOptions::default(),
            record: PhantomData,
        }
    }

    /// Order by `updated_at` ascending or descending. Unset, no `sort` is sent and the
    /// server's default (descending) applies.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = Some(sort);
        self.options.order = sort;
        self
    }

    /// Records asked for per request (`limit`), default 100; 0 is taken as 1. A server may
    /// send fewer (its own maximum): the walk follows what it receives.
    pub fn page_size(mut self, records: u32) -> Self {
        self.options.page_size = records.max(1);
        self
    }

    /// Page requests kept in flight, default 1; 0 is taken as 1. Records still come out in
    /// order, and at most this many pages (plus the one being handed out) are held.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
    /// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
    /// use neon_api_ext::Sort;
    ///
    /// // Oldest first keeps the pages in flight aligned while the tenant adds records.
    /// let events = client.events().sort(Sort::Asc).page_size(10).prefetch(4).collect_all().await?;
    /// assert_eq!(events.len(), 50);
    /// # Ok(()) }
    /// ```
    pub fn prefetch(mut self, requests: usize) -> Self {
        self.options.prefetch = requests.max(1);
        self
    }

    /// How the server counts `start`; default [`StartBase::Auto`], which detects it (see
    /// [`crate::paging`]). Setting it saves the detection's extra record or request.
    ///
    /// With `Auto`, a 1-based server detected by one walk is remembered by the client (and
    /// its clones): later walks start at `start=1` straight away, with no probe and no
    /// repeated record. A 0-based server is detected by each walk, at no extra cost.
    pub fn start_base(mut self, base: StartBase) -> Self {
        self.options.start_base = base;
        self
    }

    /// Also send `end = start + limit - 1` (inclusive), for servers that bound a page by
    /// `end` rather than `limit`. Off by default.
    pub fn send_end(mut self, send: bool) -> Self {
        self.options.send_end = send;
        self
    }

    /// The client the walk will use.
    pub(crate) fn client_handle(&self) -> &NeonClient {
        &self.client
    }

    /// Page size, prefetch and start base as set so far.
    pub(crate) fn walk_options(&self) -> WalkOptions {
        self.options
    }

    fn filter(mut self, key: &'static str, values: impl IntoIterator<Item = String>) -> Self {
        self.filters.extend(values.into_iter().map(|v| (key, v)));
        self
    }

    /// The walk, page by page: each [`Page`] holds the records new to the walk — possibly
    /// none, when insertions at the head made a whole page of repeats (the walk goes on).
    ///
    /// The stream ends after the last page, or with the error that stopped the walk (after
    /// the client's retries) as its last item. Dropping it cancels the requests in flight.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
    /// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
    /// use futures::TryStreamExt;
    ///
    /// let pages = client.events().page_size(20).pages();
    /// futures::pin_mut!(pages);
    /// let mut records = 0;
    /// while let Some(page) = pages.try_next().await? {
    ///     let (start, new) = (page.request.start, page.records.len());
    ///     println!("start={start} limit={}: {new} new records", page.request.limit);
    ///     records += page.records.len();
    /// }
    /// assert_eq!(records, 50);
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> impl Stream<Item = Result<Page<R>, Error>> + Send + 'static {
        let ListRequest {
            client,
            sort,
            filters,
            options,
            ..
        } = self;
        // A base detected by an earlier walk of this client (or a clone) replaces Auto;
        // otherwise this walk reports what it detects, for the next ones.
        let memory = &client.inner.start_base;
        let options = WalkOptions {
            start_base: memory.resolve(options.start_base),
            ..options
        };
        let detecting = options.start_base == StartBase::Auto;
        let reporter = client.clone();
        let fetch = move |request: PageRequest| {
            let client = client.clone();
            let query = wire_query(request, sort, &filters);
            async move { client.get_list::<R>(<R as Sealed>::OPERATION, &query).await }
        };
        let walk = Walk::new(fetch, options);
        let walk = if detecting {
            walk.on_start_base_detected(move |base| reporter.inner.start_base.remember(base))
        } else {
            walk
        };
        walk.into_pages()
    }

    /// Every record of the list, in order, fetched page by page as the stream is polled.
    ///
    /// A fault that outlasts the client's retries is the stream's last item, after every
    /// record before it. Dropping the stream cancels the requests in flight.
    pub fn stream(self) -> impl Stream<Item = Result<R, Error>> + Send + 'static {
        self.pages()
            .map_ok(|page| futures::stream::iter(page.records.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every record of the list in one vector (memory grows with the list: prefer
    /// [`stream`](Self::stream) for large ones).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
    /// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
    /// let enabled = client.registrations().enabled(true).collect_all().await?;
    /// assert!(!enabled.is_empty());
    /// assert!(enabled.iter().all(|registration| registration.enabled == Some(true)));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first error of the walk, after the client's retries.
    pub async fn collect_all(self) -> Result<Vec<R>, Error> {
        self.stream().try_collect().await
    }
}

/// The query of one page request, in the documented order.
pub(crate) fn wire_query(
    request: PageRequest,
    sort: Option<Sort>,
    filters: &[(&'static str, String)],
) -> Vec<(&'static str, String)> {
    let mut query = Vec::with_capacity(4 + filters.len());
    query.push(("start", request.start.to_string()));
    query.push(("limit", request.limit.to_string()));
    if let Some(end) = request.end {
        query.push(("end", end.to_string()));
    }
    if let Some(sort) = sort {
        query.push(("sort", sort.as_str().to_owned()));
    }
    query.extend(filters.iter().cloned());
    query
}

impl StartRejection for Error {
    /// A 400 is how a server refuses `start=0`; a 400 for another reason comes back again
    /// on the retry at `start=1` and ends the walk then.
    fn rejects_start(&self) -> bool {
        self.status() == Some(StatusCode::BAD_REQUEST)
    }

    fn stalled(start: u64, idle_records: u64) -> Option<Self> {
        Some(Error::Stalled {
            start,
            idle_records,
        })
    }
}

impl ListRequest<Detection> {
    /// Only detections of these types (`type=intel&type=phishing`); adds to earlier calls.
    pub fn types(self, types: impl IntoIterator<Item = DetectionTypeFilter>) -> Self {
        self.filter("type", types.into_iter().map(|t| t.to_string()))
    }
}

impl ListRequest<Event> {
    /// Only events of these types (`type=auth&type=download`); adds to earlier calls.
    pub fn types(self, types: impl IntoIterator<Item = EventTypeFilter>) -> Self {
        self.filter("type", types.into_iter().map(|t| t.to_string()))
    }
}

impl ListRequest<Client> {
    /// Only clients in these statuses (`status=registered`); adds to earlier calls.
    pub fn statuses(self, statuses: impl IntoIterator<Item = ClientStatusFilter>) -> Self {
        self.filter("status", statuses.into_iter().map(|s| s.to_string()))
    }
}

impl ListRequest<Deployment> {
    /// Only deployments in these statuses (`status=enabled`); adds to earlier calls.
    pub fn statuses(self, statuses: impl IntoIterator<Item = DeploymentStatusFilter>) -> Self {
        self.filter("status", statuses.into_iter().map(|s| s.to_string()))
    }
}

impl ListRequest<Registration> {
    /// Only enabled (`enabled=true`) or disabled (`enabled=false`) registrations.
    pub fn enabled(self, enabled: bool) -> Self {
        self.filter("enabled", [enabled.to_string()])
    }
}

impl ListRequest<App> {
    /// Only apps whose company name matches (`name=Adobe`).
    pub fn name(self, name: impl Into<String>) -> Self {
        self.filter("name", [name.into()])
    }
}

/// The eight lists. Each returns a [`ListRequest`] to refine and stream.
impl NeonClient {
    /// SaaS catalog apps (`GET /v1/apps`); filter: [`ListRequest::name`].
    pub fn apps(&self) -> ListRequest<App> {
        ListRequest::new(self)
    }

    /// Clients, the employees' identities (`GET /v1/clients`); filter: status.
    pub fn clients(&self) -> ListRequest<Client> {
        ListRequest::new(self)
    }

    /// Deployment groups (`GET /v1/deployments`); filter: status.
    pub fn deployments(&self) -> ListRequest<Deployment> {
        ListRequest::new(self)
    }

    /// Detections (`GET /v1/detections`); filter: type. Joins: see
    /// [`ListRequest::with_pol`].
    pub fn detections(&self) -> ListRequest<Detection> {
        ListRequest::new(self)
    }

    /// Pattern-of-life entries of every detection (`GET /v1/detections_pol`).
    pub fn detections_pol(&self) -> ListRequest<PolEntry> {
        ListRequest::new(self)
    }

    /// Raw browser telemetry (`GET /v1/events`); filter: type.
    pub fn events(&self) -> ListRequest<Event> {
        ListRequest::new(self)
    }

    /// Policies (`GET /v1/policies`).
    pub fn policies(&self) -> ListRequest<Policy> {
        ListRequest::new(self)
    }

    /// Browser registrations (`GET /v1/registration`); filter: [`ListRequest::enabled`].
    pub fn registrations(&self) -> ListRequest<Registration> {
        ListRequest::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_query_puts_paging_then_sort_then_repeated_filters() {
        let request = PageRequest {
            start: 0,
            limit: 100,
            end: None,
        };
        let filters = [
            ("type", "intel".to_owned()),
            ("type", "phishing".to_owned()),
        ];
        assert_eq!(
            wire_query(request, Some(Sort::Asc), &filters),
            vec![
                ("start", "0".to_owned()),
                ("limit", "100".to_owned()),
                ("sort", "asc".to_owned()),
                ("type", "intel".to_owned()),
                ("type", "phishing".to_owned()),
            ]
        );
        let request = PageRequest {
            start: 11,
            limit: 10,
            end: Some(20),
        };
        assert_eq!(
            wire_query(request, None, &[]),
            vec![
                ("start", "11".to_owned()),
                ("limit", "10".to_owned()),
                ("end", "20".to_owned()),
            ]
        );
    }

    #[test]
    fn only_a_400_reads_as_a_refused_start() {
        let bad = Error::Api {
            status: StatusCode::BAD_REQUEST,
            message: "invalid value for 'start'".into(),
        };
        assert!(bad.rejects_start());
        let down = Error::Server {
            status: StatusCode::SERVICE_UNAVAILABLE,
            content_type: None,
            snippet: String::new(),
        };
        assert!(!down.rejects_start());
        assert!(!Error::Unauthorized { message: None }.rejects_start());
    }

    #[test]
    fn a_stalled_walk_is_an_error_that_says_why() {
        let error = <Error as StartRejection>::stalled(10_100, 10_000).expect("an error");
        assert_eq!(
            error.to_string(),
            "list walk stopped: 10000 records in a row held nothing new (next start 10100); \
             the server may ignore `start`, or records arrive faster than the walk pages"
        );
        assert_eq!(error.status(), None);
    }
}
