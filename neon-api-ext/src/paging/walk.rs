//! The offset walk: which page to ask for next, when to stop, and what to hand out.
//!
//! This module knows nothing of HTTP. It drives a `fetch(PageRequest) -> Future<Result<Vec<R>, E>>`
//! closure, so every server behaviour can be played against it in memory (see the tests at
//! the bottom) and the real client plugs in the same way.
//!
//! # The rules, and why
//!
//! * **`start` advances by what was received**, never by what was asked: a server may clamp
//!   `limit` to its own maximum, so a short page is *not* the end. The walk ends on an empty
//!   page; or, following the watermark (below), after [`IDLE_RECORDS_MAX`] records in a row
//!   without a new one; or, without it, on the first page with nothing new (both stop a
//!   server that ignores `start` and sends the same page forever).
//! * **`end` is not sent** unless asked for ([`WalkOptions::send_end`]): `limit` alone bounds
//!   a page on every server, and an `end` computed under the wrong start base would cut pages
//!   short.
//! * **The start base is detected, not assumed.** The document says `start` is 1-based, some
//!   servers count from 0. With [`StartBase::Auto`] (the default) the first request asks for
//!   `start=0`, the lowest position either convention can mean, so the head of the list is
//!   never skipped:
//!   - a 0-based server answers with its first records — exact;
//!   - a 1-based server that reads 0 as 1 answers with its first records too; because the
//!     next `start` is `0 + received`, the second page then begins with the last record of the
//!     first one — the overlap check on the second page — and dedupe drops that one record;
//!     from then on `start` advances by what was received and the pages line up;
//!   - a 1-based server that rejects 0 (HTTP 400) or answers it with an empty page gets one
//!     more request at `start=1`, and the walk goes on from there.
//!
//!   [`StartBase::One`] / [`StartBase::Zero`] skip the detection when the caller knows; then
//!   the walk also fans out from its very first request (with `prefetch > 1`), planning
//!   pages of the size asked for.
//! * **No record twice, none of the start lost, in bounded memory: the watermark.** Lists are
//!   sorted by `updated_at` ([`WalkOptions::order`]), so in a newest-first walk every record
//!   handed out is at or after the watermark, the `updated_at` of the last one handed out
//!   ([`Keyed::updated_at_micros`]). With `start` advancing by what was received, a record
//!   comes back only by being *shifted forward* — by the one-record overlap of a 1-based
//!   server read at 0, or by records inserted (or updated) at the head while the walk runs.
//!   On a later page, then: a record newer than the watermark is such a repeat or arrived
//!   after the walk passed its place — dropped; a record at the watermark is dropped when
//!   its id is among those handed out at that `updated_at` (the tie set, at most
//!   [`WATERMARK_TIES_MAX`] ids, cleared whenever the watermark moves); an older record is
//!   new. However many insertions land between two requests, the records of the start come
//!   out once, in order: a page of nothing but repeats is *not* the end, `start` moves on
//!   past it and the walk catches up. Oldest-first walks mirror all of it. The ids of the
//!   last [`SEEN_WINDOW_PAGES`] pages are remembered too and dropped on sight.
//!
//!   The watermark is trusted only while the server keeps its order: a page whose
//!   `updated_at` values (those present) run against the walk's order turns it off for the
//!   rest of the walk; a record without `updated_at` is never dropped by it. Without it the
//!   walk has the id window alone: fewer than a page of insertions between two requests
//!   loses nothing, and a page that adds nothing new ends the walk — so a burst of a page or
//!   more can end it early, and one of more than two pages can repeat records.
//!
//!   When a page adds nothing new while following the watermark, only persistence tells a
//!   server that ignores `start` (the same page again) from exactly a page of insertions per
//!   request (also the same page again), so the walk ends after [`IDLE_RECORDS_MAX`] records
//!   in a row without a new one — more than any burst it can outrun — with the error
//!   [`StartRejection::stalled`] gives (`Error::Stalled` for the client), not silently.
//! * **Prefetch.** Offsets are known in advance as long as pages come back the size the last
//!   one did, so up to `prefetch` requests are kept in flight (a `FuturesOrdered`, polled by
//!   the stream itself: no spawned task, dropping the stream drops the requests). Pages are
//!   consumed in order. When a page comes back a different size than planned, the requests in
//!   flight behind it are dropped and the walk re-plans from the true next position — so a
//!   mis-planned page never leaves a hole. After a short page (likely the tail) only one
//!   request is sent, so a walk's tail does not fan out into empty pages. With
//!   [`StartBase::Auto`] the first request goes alone (it settles the base and shows a
//!   clamped page size before anything is planned on it).
//!
//! Caveat for `prefetch > 1` on a list that changes under the walk: requests in flight
//! together may be served in any order, so an insertion landing between two of them can
//! shift one past the other. The no-loss guarantee above is for sequential walks
//! (`prefetch(1)`, the default).

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::Hash;

use futures::stream::{FuturesOrdered, Stream, StreamExt};

use super::list::Sort;

/// How many pages of record ids a walk remembers to drop repeats (see the module docs).
pub const SEEN_WINDOW_PAGES: usize = 2;

/// Most ids a walk keeps of the records handed out that share the watermark's
/// `updated_at` (see the module docs): a bound on memory when many records carry the same
/// timestamp. Past it, repeats among them are caught by the id window only.
pub const WATERMARK_TIES_MAX: usize = 65_536;

/// Records received in a row without one new record after which a walk following the
/// watermark ends (see the module docs): far more than any burst of insertions a walk can
/// outrun, and a bound on a server that serves changing pages whatever `start` asks.
pub const IDLE_RECORDS_MAX: u64 = 10_000;

/// How a server counts `start`: the document says from 1, some servers count from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StartBase {
    /// Detect it: ask for `start=0` first, fall back to `start=1` if the server rejects or
    /// answers empty, let dedupe absorb the one-record overlap of a server that reads 0 as 1.
    #[default]
    Auto,
    /// The first record is at `start=0`.
    Zero,
    /// The first record is at `start=1` (what the vendor document says).
    One,
}

/// One page request as it goes on the wire: `start`, `limit`, and `end` when enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// Position of the first record asked for, in the server's own counting.
    pub start: u64,
    /// Most records asked for (the server may send fewer).
    pub limit: u32,
    /// Position of the last record asked for, inclusive; `None` when not sent.
    pub end: Option<u64>,
}

/// A record that can be recognised when it comes back: its id, and where it sorts.
///
/// A record without an id (`None`) is never treated as a repeat.
pub trait Keyed {
    /// The id's type.
    type Key: Eq + Hash + Clone;
    /// The record's id, if it carries one.
    fn key(&self) -> Option<Self::Key>;
    /// The record's sort key, `updated_at` in microseconds since the epoch, if it carries
    /// one. The walk's watermark (see the module docs) uses it; a record without it is
    /// never dropped by the watermark, only by the id window. Default: none.
    fn updated_at_micros(&self) -> Option<i64> {
        None
    }
}

/// What the walk needs of its fetch's error type: to tell "this server does not accept
/// `start=0`" (HTTP 400) from other errors, for [`StartBase::Auto`], and to report a walk
/// that stopped making progress.
pub trait StartRejection {
    /// True when the error is the server refusing the request's parameters.
    fn rejects_start(&self) -> bool;

    /// The error that ends a walk which received [`IDLE_RECORDS_MAX`] records in a row
    /// without a new one, its next request being at `start`; `None` (the default) ends
    /// such a walk without an error.
    fn stalled(start: u64, idle_records: u64) -> Option<Self>
    where
        Self: Sized,
    {
        let _ = (start, idle_records);
        None
    }
}

/// Tuning of a walk. Built by the list builders; defaults: 100 records a page, one request in
/// flight, start base detected, `end` not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkOptions {
    /// `limit` sent with every request (at least 1).
    pub page_size: u32,
    /// Requests kept in flight (at least 1).
    pub prefetch: usize,
    /// How the server counts `start`.
    pub start_base: StartBase,
    /// Also send `end = start + limit - 1`.
    pub send_end: bool,
    /// The order the server sorts by `updated_at` (what the watermark expects); the API's
    /// default is [`Sort::Desc`].
    pub order: Sort,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            page_size: 100,
            prefetch: 1,
            start_base: StartBase::Auto,
            send_end: false,
            order: Sort::Desc,
        }
    }
}

impl WalkOptions {
    fn request(&self, start: u64) -> PageRequest {
        let limit = self.page_size.max(1);
        PageRequest {
            start,
            limit,
            end: self
                .send_end
                .then(|| start.saturating_add(u64::from(limit) - 1)),
        }
    }
}

/// One page of a walk, as handed out by `.pages()`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<R> {
    /// The request that produced this page.
    pub request: PageRequest,
    /// How many records the server sent, repeats included.
    pub received: usize,
    /// The records new to this walk, in server order: repeats, and records that arrived
    /// behind the walk (inserted or updated after it passed their place), are left out. May
    /// be empty: after insertions at the head a whole page can be repeats, and the walk goes
    /// on past it (see [`crate::paging`]).
    pub records: Vec<R>,
}

enum Phase {
    Head,
    Pipeline,
    Done,
}

/// The recent ids, one set per page, oldest first.
struct SeenWindow<K> {
    pages: VecDeque<HashSet<K>>,
}

impl<K: Eq + Hash + Clone> SeenWindow<K> {
    fn contains(&self, key: &K) -> bool {
        self.pages.iter().any(|page| page.contains(key))
    }

    fn push(&mut self, page: HashSet<K>) {
        if self.pages.len() == SEEN_WINDOW_PAGES {
            self.pages.pop_front();
        }
        self.pages.push_back(page);
    }
}

/// The walk's state machine; see the module docs for the rules.
pub(crate) struct Walk<R: Keyed, F, Fut: Future> {
    fetch: F,
    options: WalkOptions,
    phase: Phase,
    /// Requests in flight, in walk order, and what each asked for.
    in_flight: FuturesOrdered<Fut>,
    planned: VecDeque<PageRequest>,
    /// `start` of the next request to issue.
    next_start: u64,
    /// Planning step: the size of the last page received.
    step: u64,
    /// How many requests may be in flight right now (1 after a short page).
    burst: usize,
    seen: SeenWindow<R::Key>,
    /// With [`StartBase::Auto`] after a head page read at `start=0`: the id of its last record,
    /// which a 1-based server repeats at the front of the next page (the overlap check).
    overlap_probe: Option<R::Key>,
    /// Told the start base once the walk has detected it ([`StartBase::Auto`] only).
    on_detected: Option<Box<dyn FnOnce(StartBase) + Send>>,
    /// `updated_at` (µs) of the last record handed out that carried one.
    watermark: Option<i64>,
    /// Ids of the records handed out whose `updated_at` equals the watermark (at most
    /// [`WATERMARK_TIES_MAX`]).
    at_watermark: HashSet<R::Key>,
    /// False once a page came back out of `updated_at` order: the watermark is then not
    /// trusted for the rest of the walk, which falls back to the id window alone.
    ordered: bool,
    /// Records received in a row without a new one.
    idle_records: u64,
}

impl<R, E, F, Fut> Walk<R, F, Fut>
where
    R: Keyed,
    E: StartRejection,
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Vec<R>, E>>,
{
    /// A walk that has not sent anything yet.
    pub(crate) fn new(fetch: F, options: WalkOptions) -> Self {
        let options = WalkOptions {
            page_size: options.page_size.max(1),
            prefetch: options.prefetch.max(1),
            ..options
        };
        // A known base needs no head request on its own: fan out from the first one.
        let (phase, next_start, burst) = match options.start_base {
            StartBase::Auto => (Phase::Head, 0, 1),
            StartBase::Zero => (Phase::Pipeline, 0, options.prefetch),
            StartBase::One => (Phase::Pipeline, 1, options.prefetch),
        };
        Walk {
            fetch,
            options,
            phase,
            in_flight: FuturesOrdered::new(),
            planned: VecDeque::new(),
            next_start,
            step: u64::from(options.page_size),
            burst,
            seen: SeenWindow {
                pages: VecDeque::with_capacity(SEEN_WINDOW_PAGES),
            },
            overlap_probe: None,
            on_detected: None,
            watermark: None,
            at_watermark: HashSet::new(),
            ordered: true,
            idle_records: 0,
        }
    }

    /// Calls `report` once with the base a [`StartBase::Auto`] walk detected: `One` when
    /// `start=0` was refused or answered empty and `start=1` then answered records, or when
    /// the second page began with the first page's last record (a 1-based server reading 0
    /// as 1); `Zero` when the second page held records without that overlap. Not called
    /// when the walk ends before it could tell (an empty or one-page list, an error).
    pub(crate) fn on_start_base_detected(
        mut self,
        report: impl FnOnce(StartBase) + Send + 'static,
    ) -> Self {
        self.on_detected = Some(Box::new(report));
        self
    }

    fn report_base(&mut self, base: StartBase) {
        if let Some(report) = self.on_detected.take() {
            report(base);
        }
    }

    /// The next page (which may hold nothing new, see [`Page::records`]), `None` once the
    /// walk is over, or the error that ended it (after which the walk is over).
    pub(crate) async fn next_page(&mut self) -> Option<Result<Page<R>, E>> {
        match self.phase {
            Phase::Done => None,
            Phase::Head => self.head().await,
            Phase::Pipeline => self.pipeline().await,
        }
    }

    /// The walk as a stream of pages; fused, so polling after the end is harmless.
    pub(crate) fn into_pages(self) -> impl Stream<Item = Result<Page<R>, E>> {
        futures::stream::unfold(self, |mut walk| async move {
            let page = walk.next_page().await?;
            Some((page, walk))
        })
        .fuse()
    }

    /// The walk as a stream of records, in order.
    #[cfg(test)]
    pub(crate) fn into_records(self) -> impl Stream<Item = Result<R, E>> {
        self.into_pages().flat_map(|page| {
            let items: Vec<Result<R, E>> = match page {
                Ok(page) => page.records.into_iter().map(Ok).collect(),
                Err(error) => vec![Err(error)],
            };
            futures::stream::iter(items)
        })
    }

    async fn head(&mut self) -> Option<Result<Page<R>, E>> {
        let first = match self.options.start_base {
            StartBase::One => 1,
            StartBase::Auto | StartBase::Zero => 0,
        };
        let mut request = self.options.request(first);
        let mut result = (self.fetch)(request).await;
        if self.options.start_base == StartBase::Auto {
            let retry_at_one = match &result {
                Err(error) => error.rejects_start(),
                Ok(records) => records.is_empty(),
            };
            if retry_at_one {
                request = self.options.request(1);
                result = (self.fetch)(request).await;
                if matches!(&result, Ok(records) if !records.is_empty()) {
                    self.report_base(StartBase::One);
                }
            }
        }
        let records = match result {
            Err(error) => return self.fail(error),
            Ok(records) if records.is_empty() => return self.finish(),
            Ok(records) => records,
        };
        let received = records.len() as u64;
        self.next_start = request.start + received;
        self.burst = if received < u64::from(request.limit) {
            1
        } else {
            self.options.prefetch
        };
        self.step = received;
        self.phase = Phase::Pipeline;
        if self.options.start_base == StartBase::Auto && request.start == 0 {
            self.overlap_probe = records.last().and_then(Keyed::key);
        }
        let page = self.accept(request, records);
        Some(Ok(page))
    }

    async fn pipeline(&mut self) -> Option<Result<Page<R>, E>> {
        while self.in_flight.len() < self.burst {
            let request = self.options.request(self.next_start);
            self.in_flight.push_back((self.fetch)(request));
            self.planned.push_back(request);
            self.next_start = self.next_start.saturating_add(self.step);
        }
        let (Some(result), Some(request)) = (self.in_flight.next().await, self.planned.pop_front())
        else {
            return self.finish();
        };
        let records = match result {
            Err(error) => return self.fail(error),
            Ok(records) if records.is_empty() => return self.finish(),
            Ok(records) => records,
        };
        let received = records.len() as u64;
        // A 1-based server read at 0 repeats the head's last record here: that page is not
        // "nothing new" even when the repeat is all it holds (a page size of 1).
        let expected_overlap = match self.overlap_probe.take() {
            Some(last) => {
                let overlap = records.first().and_then(Keyed::key).as_ref() == Some(&last);
                self.report_base(if overlap {
                    StartBase::One
                } else {
                    StartBase::Zero
                });
                overlap
            }
            None => false,
        };
        let page = self.accept(request, records);
        let true_next = request.start + received;
        if self.stalled(&page, expected_overlap) {
            let idle = self.idle_records;
            return match (idle >= IDLE_RECORDS_MAX).then(|| E::stalled(true_next, idle)) {
                Some(Some(error)) => self.fail(error),
                _ => self.finish(),
            };
        }
        if self.planned.front().map(|next| next.start) != Some(true_next) {
            // Mis-planned (or nothing in flight): drop what is in flight, re-plan from here.
            self.in_flight = FuturesOrdered::new();
            self.planned.clear();
            self.next_start = true_next;
        }
        self.burst = if received < self.step {
            1
        } else {
            self.options.prefetch
        };
        self.step = received;
        Some(Ok(page))
    }

    /// Whether the walk should end after `page` (which was not empty): see the module docs.
    fn stalled(&mut self, page: &Page<R>, expected_overlap: bool) -> bool {
        if !page.records.is_empty() {
            self.idle_records = 0;
            return false;
        }
        if !self.follows_watermark() {
            // The id window alone: a page with nothing new ends the walk.
            return !expected_overlap;
        }
        // Insertions at the head can fill whole pages with records already handed out (even
        // the same page again, after exactly a page of them); `start` moves on past them.
        // Only a long run with nothing new ends the walk: a server ignoring `start` looks
        // exactly like a page of insertions per request, and only persistence tells them
        // apart.
        self.idle_records = self.idle_records.saturating_add(page.received as u64);
        self.idle_records >= IDLE_RECORDS_MAX
    }

    /// True while the watermark is trusted and set.
    fn follows_watermark(&self) -> bool {
        self.ordered && self.watermark.is_some()
    }

    /// Whether `stamp` sorts before `watermark` in this walk's order: such a record was
    /// handed out already or arrived (inserted, updated) after the walk passed its place.
    fn before_watermark(&self, stamp: i64, watermark: i64) -> bool {
        match self.options.order {
            Sort::Desc => stamp > watermark,
            Sort::Asc => stamp < watermark,
        }
    }

    /// Whether the page's `updated_at` values (those present) follow the walk's order.
    fn in_order(&self, records: &[R]) -> bool {
        let mut last = None;
        for stamp in records.iter().filter_map(Keyed::updated_at_micros) {
            if let Some(last) = last {
                if self.before_watermark(stamp, last) {
                    return false;
                }
            }
            last = Some(stamp);
        }
        true
    }

    /// Drops repeats — records before the watermark, records at the watermark already
    /// handed out, records in the id window or earlier in this page — moves the watermark
    /// and remembers the page's ids.
    fn accept(&mut self, request: PageRequest, records: Vec<R>) -> Page<R> {
        let received = records.len();
        if self.ordered && !self.in_order(&records) {
            self.ordered = false;
        }
        let mut keys = HashSet::with_capacity(received);
        let mut fresh = Vec::with_capacity(received);
        for record in records {
            let key = record.key();
            let stamp = if self.ordered {
                record.updated_at_micros()
            } else {
                None
            };
            let repeat = match &key {
                Some(key) => !keys.insert(key.clone()) || self.seen.contains(key),
                None => false,
            };
            let repeat = repeat
                || match (stamp, self.watermark) {
                    (Some(stamp), Some(watermark)) => {
                        self.before_watermark(stamp, watermark)
                            || (stamp == watermark
                                && key.as_ref().is_some_and(|k| self.at_watermark.contains(k)))
                    }
                    _ => false,
                };
            if repeat {
                continue;
            }
            if let Some(stamp) = stamp {
                if self.watermark != Some(stamp) {
                    self.watermark = Some(stamp);
                    self.at_watermark.clear();
                }
                if let Some(key) = key {
                    if self.at_watermark.len() < WATERMARK_TIES_MAX {
                        self.at_watermark.insert(key.clone());
                    }
                }
            }
            fresh.push(record);
        }
        self.seen.push(keys);
        Page {
            request,
            received,
            records: fresh,
        }
    }

    fn finish(&mut self) -> Option<Result<Page<R>, E>> {
        self.phase = Phase::Done;
        self.in_flight = FuturesOrdered::new();
        self.planned.clear();
        None
    }

    fn fail(&mut self, error: E) -> Option<Result<Page<R>, E>> {
        self.finish();
        Some(Err(error))
    }
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;
