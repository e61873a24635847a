//! The walk against in-memory servers that play every paging behaviour a real one might.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};

use super::*;

#[derive(Debug, Clone, PartialEq)]
struct Rec(u64);

/// Ids below this are the records there when a walk begins; the fake inserts from here up.
const FIRST_NEW_ID: u64 = 1_000_000;
/// Records with ids from here up carry no `updated_at` (the watermark cannot follow them).
const UNSTAMPED: u64 = 1 << 40;

impl Keyed for Rec {
    type Key = u64;
    fn key(&self) -> Option<u64> {
        Some(self.0)
    }
    /// Newest first, as a `desc` list is served: record 0 is the newest of the originals,
    /// every inserted record newer than all of them and than the ones inserted before it.
    fn updated_at_micros(&self) -> Option<i64> {
        if self.0 >= UNSTAMPED {
            return None;
        }
        Some(if self.0 < FIRST_NEW_ID {
            -(self.0 as i64)
        } else {
            (self.0 - FIRST_NEW_ID + 1) as i64
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum FakeError {
    BadRequest,
    Down { request: usize },
    Stalled { start: u64, idle_records: u64 },
}

impl StartRejection for FakeError {
    fn rejects_start(&self) -> bool {
        matches!(self, FakeError::BadRequest)
    }
    fn stalled(start: u64, idle_records: u64) -> Option<Self> {
        Some(FakeError::Stalled {
            start,
            idle_records,
        })
    }
}

/// What a 1-based server does with `start=0`.
#[derive(Debug, Clone, Copy)]
enum BelowBase {
    ReadAsFirst,
    Reject,
    Empty,
}

/// An in-memory list server; `records` is in walk order, index 0 first.
struct Fake {
    records: Vec<u64>,
    base: u64,
    below_base: BelowBase,
    max_page: usize,
    honor_limit: bool,
    honor_end: bool,
    ignore_start: bool,
    /// Before serving request n (0-based), insert k new records at the head.
    inserts: HashMap<usize, usize>,
    fail_at: Option<usize>,
    /// Delay of request n; requests past the end of the list are not delayed.
    delays_ms: Vec<u64>,
    log: Vec<PageRequest>,
    next_new_id: u64,
    in_flight: usize,
    max_in_flight: usize,
    completed: usize,
}

impl Fake {
    fn new(total: u64, base: u64) -> Self {
        Fake {
            records: (0..total).collect(),
            base,
            below_base: BelowBase::ReadAsFirst,
            max_page: usize::MAX,
            honor_limit: true,
            honor_end: true,
            ignore_start: false,
            inserts: HashMap::new(),
            fail_at: None,
            delays_ms: Vec::new(),
            log: Vec::new(),
            next_new_id: FIRST_NEW_ID,
            in_flight: 0,
            max_in_flight: 0,
            completed: 0,
        }
    }

    /// Answers a request at the moment it is first polled (that is when it "reaches" us).
    fn answer(&mut self, request: PageRequest) -> (usize, Result<Vec<Rec>, FakeError>) {
        let n = self.log.len();
        self.log.push(request);
        if let Some(k) = self.inserts.get(&n).copied() {
            for _ in 0..k {
                self.records.insert(0, self.next_new_id);
                self.next_new_id += 1;
            }
        }
        if self.fail_at == Some(n) {
            return (n, Err(FakeError::Down { request: n }));
        }
        let start = if self.ignore_start {
            self.base
        } else {
            request.start
        };
        let (start, first) = if start < self.base {
            match self.below_base {
                BelowBase::ReadAsFirst => (self.base, 0),
                BelowBase::Reject => return (n, Err(FakeError::BadRequest)),
                BelowBase::Empty => return (n, Ok(Vec::new())),
            }
        } else {
            (start, (start - self.base) as usize)
        };
        let mut count = self.records.len().saturating_sub(first);
        if self.honor_limit {
            count = count.min(request.limit as usize).min(self.max_page);
        }
        if let (true, Some(end)) = (self.honor_end, request.end) {
            let last = (end.max(start) - start) as usize + 1;
            count = count.min(last);
        }
        let page = self.records[first.min(self.records.len())..][..count]
            .iter()
            .map(|&id| Rec(id))
            .collect();
        (n, Ok(page))
    }
}

/// Counts a request as in flight from its first poll until it completes or is dropped.
struct InFlight(Arc<Mutex<Fake>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut fake) = self.0.lock() {
            fake.in_flight -= 1;
        }
    }
}

type Fetch =
    Box<dyn FnMut(PageRequest) -> futures::future::BoxFuture<'static, Result<Vec<Rec>, FakeError>>>;

fn fetcher(fake: &Arc<Mutex<Fake>>) -> Fetch {
    let fake = fake.clone();
    Box::new(move |request| {
        let fake = fake.clone();
        Box::pin(async move {
            let (n, result, delay, guard) = {
                let mut f = fake.lock().unwrap();
                let (n, result) = f.answer(request);
                let delay = f.delays_ms.get(n).copied().unwrap_or(0);
                f.in_flight += 1;
                f.max_in_flight = f.max_in_flight.max(f.in_flight);
                (n, result, delay, InFlight(fake.clone()))
            };
            let _ = n;
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            fake.lock().unwrap().completed += 1;
            drop(guard);
            result
        })
    })
}

fn options(page_size: u32) -> WalkOptions {
    WalkOptions {
        page_size,
        ..WalkOptions::default()
    }
}

/// Walks to the end: the records handed out, the error that ended the walk, the starts sent.
async fn walk(
    fake: &Arc<Mutex<Fake>>,
    options: WalkOptions,
) -> (Vec<u64>, Option<FakeError>, Vec<u64>) {
    let stream = Walk::new(fetcher(fake), options).into_records();
    futures::pin_mut!(stream);
    let mut ids = Vec::new();
    let mut error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(Rec(id)) => ids.push(id),
            Err(e) => {
                assert!(error.is_none(), "a second error after the first: {e:?}");
                error = Some(e);
            }
        }
    }
    let starts = fake.lock().unwrap().log.iter().map(|r| r.start).collect();
    (ids, error, starts)
}

fn shared(fake: Fake) -> Arc<Mutex<Fake>> {
    Arc::new(Mutex::new(fake))
}

fn ids(range: std::ops::Range<u64>) -> Vec<u64> {
    range.collect()
}

#[tokio::test]
async fn zero_based_server_is_walked_from_0_and_ends_on_the_empty_page() {
    let fake = shared(Fake::new(25, 0));
    let (got, error, starts) = walk(&fake, options(10)).await;
    assert_eq!(got, ids(0..25));
    assert_eq!(error, None);
    assert_eq!(starts, vec![0, 10, 20, 25]);
    let log = fake.lock().unwrap().log.clone();
    assert!(log.iter().all(|r| r.limit == 10 && r.end.is_none()));
}

#[tokio::test]
async fn one_based_server_reading_0_as_1_overlaps_once_on_the_second_page() {
    let fake = shared(Fake::new(25, 1));
    let (got, error, starts) = walk(&fake, options(10)).await;
    assert_eq!(got, ids(0..25));
    assert_eq!(error, None);
    // Page 2 at start=10 is positions 10..19: record 9 again (dropped), then 10..18.
    assert_eq!(starts, vec![0, 10, 20, 26]);
}

#[tokio::test]
async fn one_based_server_rejecting_0_is_asked_again_at_1() {
    let mut server = Fake::new(25, 1);
    server.below_base = BelowBase::Reject;
    let fake = shared(server);
    let (got, error, starts) = walk(&fake, options(10)).await;
    assert_eq!(got, ids(0..25));
    assert_eq!(error, None);
    assert_eq!(starts, vec![0, 1, 11, 21, 26]);
}

#[tokio::test]
async fn one_based_server_answering_0_with_nothing_is_asked_again_at_1() {
    let mut server = Fake::new(25, 1);
    server.below_base = BelowBase::Empty;
    let fake = shared(server);
    let (got, error, starts) = walk(&fake, options(10)).await;
    assert_eq!(got, ids(0..25));
    assert_eq!(error, None);
    assert_eq!(starts, vec![0, 1, 11, 21, 26]);
}

#[tokio::test]
async fn a_known_base_skips_detection() {
    let one = shared(Fake::new(25, 1));
    let opts = WalkOptions {
        start_base: StartBase::One,
        ..options(10)
    };
    let (got, _, starts) = walk(&one, opts).await;
    assert_eq!(got, ids(0..25));
    assert_eq!(starts, vec![1, 11, 21, 26]);

    let zero = shared(Fake::new(25, 0));
    let opts = WalkOptions {
        start_base: StartBase::Zero,
        ..options(10)
    };
    let (got, _, starts) = walk(&zero, opts).await;
    assert_eq!(got, ids(0..25));
    assert_eq!(starts, vec![0, 10, 20, 25]);
}

#[tokio::test]
async fn an_empty_list_costs_one_probe_at_1_when_the_base_is_unknown() {
    for base in [0, 1] {
        let fake = shared(Fake::new(0, base));
        let (got, error, starts) = walk(&fake, options(10)).await;
        assert_eq!(
            (got, error, starts),
            (vec![], None, vec![0, 1]),
            "base {base}"
        );
    }
    let fake = shared(Fake::new(0, 1));
    let opts = WalkOptions {
        start_base: StartBase::One,
        ..options(10)
    };
    assert_eq!(walk(&fake, opts).await, (vec![], None, vec![1]));
}

#[tokio::test]
async fn a_single_record_on_a_zero_based_server_is_not_lost() {
    let fake = shared(Fake::new(1, 0));
    assert_eq!(walk(&fake, options(10)).await, (vec![0], None, vec![0, 1]));
}

#[tokio::test]
async fn a_total_that_is_a_multiple_of_the_page_size_ends_on_one_empty_page() {
    let fake = shared(Fake::new(20, 0));
    assert_eq!(
        walk(&fake, options(10)).await,
        (ids(0..20), None, vec![0, 10, 20])
    );
}

#[tokio::test]
async fn a_clamped_limit_is_a_short_page_not_the_end() {
    let mut server = Fake::new(10, 0);
    server.max_page = 4;
    let fake = shared(server);
    assert_eq!(
        walk(&fake, options(10)).await,
        (ids(0..10), None, vec![0, 4, 8, 10])
    );
    let log = fake.lock().unwrap().log.clone();
    assert!(
        log.iter().all(|r| r.limit == 10),
        "the asked limit stays: {log:?}"
    );
}

#[tokio::test]
async fn end_is_sent_only_when_asked_and_is_inclusive() {
    let fake = shared(Fake::new(25, 0));
    let opts = WalkOptions {
        send_end: true,
        ..options(10)
    };
    let (got, _, _) = walk(&fake, opts).await;
    assert_eq!(got, ids(0..25));
    let log = fake.lock().unwrap().log.clone();
    let sent: Vec<(u64, Option<u64>)> = log.iter().map(|r| (r.start, r.end)).collect();
    assert_eq!(
        sent,
        vec![(0, Some(9)), (10, Some(19)), (20, Some(29)), (25, Some(34))]
    );
}

#[tokio::test]
async fn an_ignored_end_changes_nothing() {
    let mut server = Fake::new(25, 1);
    server.honor_end = false;
    let fake = shared(server);
    let opts = WalkOptions {
        send_end: true,
        ..options(10)
    };
    let (got, error, starts) = walk(&fake, opts).await;
    assert_eq!(
        (got, error, starts),
        (ids(0..25), None, vec![0, 10, 20, 26])
    );
}

#[tokio::test]
async fn page_size_one_on_a_one_based_server_read_at_0_survives_the_overlap() {
    let fake = shared(Fake::new(3, 1));
    let (got, error, starts) = walk(&fake, options(1)).await;
    assert_eq!((got, error), (ids(0..3), None));
    // start=1 repeats record 0 (the overlap, which holds nothing new but does not end it).
    assert_eq!(starts, vec![0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn a_one_based_server_honouring_end_read_at_0_still_yields_everything() {
    let fake = shared(Fake::new(25, 1));
    let opts = WalkOptions {
        send_end: true,
        ..options(10)
    };
    let (got, error, starts) = walk(&fake, opts).await;
    assert_eq!(got, ids(0..25));
    assert_eq!(error, None);
    // start=0&end=9 reads positions 1..9 (9 records); start=9 repeats one; then they line up.
    assert_eq!(starts, vec![0, 9, 19, 26]);
}

#[tokio::test]
async fn a_server_ignoring_limit_is_walked_in_one_page() {
    let mut server = Fake::new(25, 0);
    server.honor_limit = false;
    let fake = shared(server);
    assert_eq!(
        walk(&fake, options(10)).await,
        (ids(0..25), None, vec![0, 25])
    );
}

#[tokio::test]
async fn a_server_ignoring_start_ends_the_walk_after_the_idle_bound() {
    let mut server = Fake::new(25, 0);
    server.ignore_start = true;
    let fake = shared(server);
    // The same page again is also what exactly a page of insertions per request looks
    // like, so it does not end the walk at once: IDLE_RECORDS_MAX records without
    // anything new do (1,000 pages of 10 after the first), with an error saying so.
    let (got, error, starts) = walk(&fake, options(10)).await;
    assert_eq!(
        (got, error),
        (
            ids(0..10),
            Some(FakeError::Stalled {
                start: IDLE_RECORDS_MAX + 10,
                idle_records: IDLE_RECORDS_MAX
            })
        )
    );
    assert_eq!(
        starts,
        (0..=IDLE_RECORDS_MAX).step_by(10).collect::<Vec<u64>>()
    );
}

#[tokio::test]
async fn without_updated_at_a_page_with_nothing_new_ends_the_walk() {
    // No sort key to follow: the id window alone, and the first page with nothing new ends
    // the walk (here: a server ignoring start, after one repeat).
    let mut server = Fake::new(0, 0);
    server.records = (UNSTAMPED..UNSTAMPED + 25).collect();
    server.ignore_start = true;
    let fake = shared(server);
    assert_eq!(
        walk(&fake, options(10)).await,
        ((UNSTAMPED..UNSTAMPED + 10).collect(), None, vec![0, 10])
    );
}

#[tokio::test]
async fn head_insertions_during_a_newest_first_walk_lose_nothing_and_repeat_nothing() {
    let mut server = Fake::new(30, 0);
    server.inserts = HashMap::from([(1, 3), (2, 9), (3, 1)]);
    let fake = shared(server);
    let (got, error, starts) = walk(&fake, options(10)).await;
    assert_eq!(got, ids(0..30));
    assert_eq!(error, None);
    // 3 then 9 then 1 new records push the old ones forward: 13 repeats, all dropped.
    assert_eq!(starts, vec![0, 10, 20, 30, 40, 43]);
}

#[tokio::test]
async fn a_page_of_insertions_between_two_requests_loses_and_repeats_nothing() {
    let mut server = Fake::new(30, 0);
    server.inserts = HashMap::from([(1, 10)]);
    let fake = shared(server);
    // Page 2 is page 1 again (nothing new, not the end); page 3 goes on where page 1 ended.
    assert_eq!(
        walk(&fake, options(10)).await,
        (ids(0..30), None, vec![0, 10, 20, 30, 40])
    );
}

#[tokio::test]
async fn bursts_of_several_pages_lose_and_repeat_nothing() {
    // Page size 10: 21 and 35 insertions used to repeat 1 and 10 records; 99 lost 20.
    for (k, starts) in [
        (21, vec![0, 10, 20, 30, 40, 50, 52]),
        (35, vec![0, 10, 20, 30, 40, 50, 60, 66]),
        (
            99,
            vec![0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130],
        ),
    ] {
        let mut server = Fake::new(30, 1);
        server.inserts = HashMap::from([(1, k)]);
        let fake = shared(server);
        assert_eq!(
            walk(&fake, options(10)).await,
            (ids(0..30), None, starts),
            "{k} insertions"
        );
    }
}

#[tokio::test]
async fn page_size_one_survives_insertions_between_every_request() {
    let mut server = Fake::new(5, 1);
    server.inserts = (1..12).map(|n| (n, 1 + n % 3)).collect();
    let fake = shared(server);
    let (got, error, _) = walk(&fake, options(1)).await;
    assert_eq!((got, error), (ids(0..5), None));
}

#[tokio::test]
async fn repeats_inside_one_page_are_dropped() {
    let mut server = Fake::new(0, 0);
    server.records = vec![1, 2, 2, 3, 1, 4];
    let fake = shared(server);
    assert_eq!(
        walk(&fake, options(10)).await,
        (vec![1, 2, 3, 4], None, vec![0, 6])
    );
}

#[tokio::test]
async fn a_fault_ends_the_stream_with_the_error_after_the_records_already_yielded() {
    let mut server = Fake::new(50, 0);
    server.fail_at = Some(2);
    let fake = shared(server);
    assert_eq!(
        walk(&fake, options(10)).await,
        (
            ids(0..20),
            Some(FakeError::Down { request: 2 }),
            vec![0, 10, 20]
        )
    );
}

#[tokio::test]
async fn a_400_for_another_reason_is_asked_once_more_at_1_then_ends_the_walk() {
    let mut server = Fake::new(50, 0);
    server.fail_at = None;
    server.below_base = BelowBase::Reject;
    server.base = 100; // every start is "below the base": the server refuses them all
    let fake = shared(server);
    assert_eq!(
        walk(&fake, options(10)).await,
        (vec![], Some(FakeError::BadRequest), vec![0, 1])
    );
}

#[tokio::test]
async fn a_fault_on_the_first_page_is_the_only_item() {
    let mut server = Fake::new(50, 0);
    server.fail_at = Some(0);
    let fake = shared(server);
    assert_eq!(
        walk(&fake, options(10)).await,
        (vec![], Some(FakeError::Down { request: 0 }), vec![0])
    );
}

#[tokio::test]
async fn prefetch_keeps_n_in_flight_yields_in_order_and_replans_after_a_short_page() {
    let mut server = Fake::new(95, 0);
    // Later requests answer sooner, so completion order is the reverse of walk order.
    server.delays_ms = (0..20).map(|n| 40u64.saturating_sub(n * 3)).collect();
    let fake = shared(server);
    let opts = WalkOptions {
        prefetch: 4,
        ..options(10)
    };
    let (got, error, starts) = walk(&fake, opts).await;
    assert_eq!(got, ids(0..95));
    assert_eq!(error, None);
    // Head alone, then 4 in flight; the short page at 90 drops 100..120 and sends one at 95.
    assert_eq!(
        starts,
        vec![0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 95]
    );
    let f = fake.lock().unwrap();
    assert_eq!(f.max_in_flight, 4);
    assert_eq!(f.in_flight, 0, "nothing left in flight after the walk");
}

#[tokio::test]
async fn prefetch_learns_a_clamped_page_size_before_fanning_out() {
    let mut server = Fake::new(40, 0);
    server.max_page = 4;
    server.delays_ms = vec![2; 20];
    let fake = shared(server);
    let opts = WalkOptions {
        prefetch: 3,
        ..options(10)
    };
    let (got, error, starts) = walk(&fake, opts).await;
    assert_eq!(got, ids(0..40));
    assert_eq!(error, None);
    // Requests pushed behind a page that had already arrived may never be polled, so never
    // sent: the log is every 4th position up to the empty page at 40, then at most 44 and 48.
    assert_eq!(starts[..11], (0..=40).step_by(4).collect::<Vec<u64>>()[..]);
    assert!(
        starts[11..].iter().all(|s| [44, 48].contains(s)),
        "{starts:?}"
    );
    assert!(starts.len() <= 13, "{starts:?}");
    let max_in_flight = fake.lock().unwrap().max_in_flight;
    assert!((2..=3).contains(&max_in_flight), "{max_in_flight}");
}

#[tokio::test]
async fn a_known_base_fans_out_from_the_first_request_and_replans_on_a_clamp() {
    let mut server = Fake::new(40, 1);
    server.max_page = 4;
    server.delays_ms = vec![2; 40];
    let fake = shared(server);
    let opts = WalkOptions {
        prefetch: 3,
        start_base: StartBase::One,
        ..options(10)
    };
    let (got, error, starts) = walk(&fake, opts).await;
    assert_eq!((got, error), (ids(0..40), None));
    // 1, 11, 21 planned at the asked size; the clamped page at 1 drops 11 and 21 and the
    // walk re-plans in steps of 4 (one request first, then 3 in flight) up to the empty 41.
    assert_eq!(
        starts[..13],
        [1, 11, 21, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41]
    );
    assert!(
        starts[13..].iter().all(|s| [45, 49].contains(s)),
        "{starts:?}"
    );
}

#[tokio::test]
async fn prefetch_fault_ends_the_stream_in_order() {
    let mut server = Fake::new(100, 0);
    server.fail_at = Some(3);
    server.delays_ms = vec![0, 30, 20, 0, 10, 10];
    let fake = shared(server);
    let opts = WalkOptions {
        prefetch: 3,
        ..options(10)
    };
    let (got, error, _) = walk(&fake, opts).await;
    assert_eq!(got, ids(0..30));
    assert_eq!(error, Some(FakeError::Down { request: 3 }));
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_requests_in_flight() {
    let mut server = Fake::new(1_000, 0);
    server.delays_ms = vec![0, 5, 5, 5, 10_000, 10_000, 10_000, 10_000, 10_000];
    let fake = shared(server);
    let opts = WalkOptions {
        prefetch: 4,
        ..options(10)
    };
    let stream = Walk::new(fetcher(&fake), opts).into_records();
    let first: Vec<Rec> =
        tokio::time::timeout(Duration::from_secs(5), stream.take(35).try_collect())
            .await
            .expect("the first pages arrive quickly")
            .expect("no error");
    assert_eq!(first.len(), 35);
    // `take` dropped the walk: the slow requests are gone, not waiting 10 s.
    let f = fake.lock().unwrap();
    assert_eq!(f.in_flight, 0);
    assert!(f.log.len() >= 5, "requests were in flight: {:?}", f.log);
    assert_eq!(f.completed, 4, "only the fast requests completed");
}

#[test]
fn options_never_ask_for_zero_records_or_zero_requests() {
    let fake = shared(Fake::new(3, 0));
    let walk = Walk::new(
        fetcher(&fake),
        WalkOptions {
            page_size: 0,
            prefetch: 0,
            ..WalkOptions::default()
        },
    );
    assert_eq!(walk.options.page_size, 1);
    assert_eq!(walk.options.prefetch, 1);
    assert_eq!(
        walk.options.request(7),
        PageRequest {
            start: 7,
            limit: 1,
            end: None
        }
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn run(fake: Fake, opts: WalkOptions) -> (Vec<u64>, Option<FakeError>, Vec<u64>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async { walk(&shared(fake), opts).await })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Every record exactly once, in order, whatever the server's paging dialect.
        #[test]
        fn every_record_once_in_order_on_every_stable_server(
            total in 0u64..120,
            base in 0u64..2,
            below in 0u8..3,
            page_size in 1u32..40,
            max_page in 1usize..50,
            honor_limit in any::<bool>(),
            honor_end in any::<bool>(),
            send_end in any::<bool>(),
            prefetch in 1usize..6,
            start_base in 0u8..3,
        ) {
            let mut server = Fake::new(total, base);
            server.below_base = [BelowBase::ReadAsFirst, BelowBase::Reject, BelowBase::Empty][below as usize];
            server.max_page = max_page;
            server.honor_limit = honor_limit;
            server.honor_end = honor_end;
            let start_base = match (start_base, base) {
                (0, _) => StartBase::Auto,
                (_, 0) => StartBase::Zero,
                _ => StartBase::One,
            };
            let opts = WalkOptions { page_size, prefetch, start_base, send_end, ..WalkOptions::default() };
            let (got, error, starts) = run(server, opts);
            prop_assert_eq!(error, None);
            prop_assert_eq!(got, (0..total).collect::<Vec<u64>>());
            // Bounded: never more than one page per record plus the detection, the end
            // probe and what prefetch had in flight.
            prop_assert!(starts.len() as u64 <= total + 3 + 2 * prefetch as u64, "{:?}", starts);
        }

        /// Insertions at the head of a newest-first list, up to three pages between two
        /// requests, at random points of the walk, on 0- and 1-based servers, with the base
        /// detected or known: every record present at the start comes out exactly once, in
        /// order, and no record twice. (Records inserted before the walk's first record may
        /// come out: an empty list's probe at 1 can find them.)
        #[test]
        fn head_insertions_of_up_to_three_pages_lose_and_repeat_nothing(
            total in 0u64..150,
            base in 0u64..2,
            known_base in any::<bool>(),
            page_size in 1u32..30,
            inserts in proptest::collection::vec((0usize..40, 0u32..=90), 0..20),
        ) {
            let mut server = Fake::new(total, base);
            server.inserts = inserts
                .iter()
                .map(|&(n, k)| (n + 1, (k % (3 * page_size + 1)) as usize))
                .collect();
            let start_base = match (known_base, base) {
                (false, _) => StartBase::Auto,
                (true, 0) => StartBase::Zero,
                (true, _) => StartBase::One,
            };
            let opts = WalkOptions { start_base, ..options(page_size) };
            let (got, error, _) = run(server, opts);
            prop_assert_eq!(error, None);
            let mut unique = got.clone();
            unique.sort_unstable();
            unique.dedup();
            prop_assert_eq!(unique.len(), got.len(), "a record came out twice: {:?}", got);
            let old: Vec<u64> = got.into_iter().filter(|&id| id < FIRST_NEW_ID).collect();
            prop_assert_eq!(old, (0..total).collect::<Vec<u64>>());
        }
    }
}

mod watermark {
    use super::*;

    /// A record with an explicit `updated_at` (µs), or none.
    #[derive(Debug, Clone, PartialEq)]
    struct S(u64, Option<i64>);

    impl Keyed for S {
        type Key = u64;
        fn key(&self) -> Option<u64> {
            Some(self.0)
        }
        fn updated_at_micros(&self) -> Option<i64> {
            self.1
        }
    }

    /// Serves `pages` one per request, whatever it asks, then empty pages; walks to the end
    /// and returns the ids handed out.
    async fn walk_scripted(pages: Vec<Vec<S>>, order: Sort) -> Vec<u64> {
        let mut pages = pages.into_iter();
        let fetch = move |_: PageRequest| {
            futures::future::ready(Ok::<_, FakeError>(pages.next().unwrap_or_default()))
        };
        let opts = WalkOptions {
            start_base: StartBase::Zero,
            order,
            ..options(2)
        };
        let stream = Walk::new(fetch, opts).into_records();
        stream
            .map(|r| r.expect("no error").0)
            .collect::<Vec<u64>>()
            .await
    }

    fn page(records: &[(u64, i64)]) -> Vec<S> {
        records.iter().map(|&(id, at)| S(id, Some(at))).collect()
    }

    #[tokio::test]
    async fn ties_with_the_watermark_are_recognised_beyond_the_id_window() {
        // Eight records share one updated_at; after three pages, six insertions shift
        // the first page back into view, older than the id window (two pages) remembers.
        let pages = vec![
            page(&[(1, 30), (2, 30)]),
            page(&[(3, 30), (4, 30)]),
            page(&[(5, 30), (6, 30)]),
            page(&[(1, 30), (2, 30)]),
            page(&[(3, 30), (4, 30)]),
            page(&[(5, 30), (6, 30)]),
            page(&[(7, 30), (8, 20)]),
        ];
        assert_eq!(
            walk_scripted(pages, Sort::Desc).await,
            vec![1, 2, 3, 4, 5, 6, 7, 8]
        );
    }

    #[tokio::test]
    async fn a_page_out_of_order_turns_the_watermark_off_and_nothing_is_dropped_by_it() {
        // Page 2 runs 30 then 45 in a newest-first walk: from there the watermark is not
        // trusted, so 4 (newer than 3) and 5 (newer than everything) are handed out.
        let pages = vec![
            page(&[(1, 50), (2, 40)]),
            page(&[(3, 30), (4, 45)]),
            page(&[(5, 60)]),
        ];
        assert_eq!(walk_scripted(pages, Sort::Desc).await, vec![1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn a_record_without_updated_at_is_never_dropped_by_the_watermark() {
        let pages = vec![
            page(&[(1, 50), (2, 40)]),
            vec![S(3, None), S(4, Some(30))],
            // Newer than the watermark: a repeat or a record inserted after the walk began.
            page(&[(9, 45), (5, 20)]),
        ];
        assert_eq!(walk_scripted(pages, Sort::Desc).await, vec![1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn an_oldest_first_walk_drops_what_is_older_than_its_watermark() {
        let pages = vec![
            page(&[(1, 10), (2, 20)]),
            page(&[(3, 30), (4, 40)]),
            page(&[(5, 50), (6, 60)]),
            // Beyond the id window: older than the watermark, so a repeat.
            page(&[(1, 10), (7, 70)]),
        ];
        assert_eq!(
            walk_scripted(pages, Sort::Asc).await,
            vec![1, 2, 3, 4, 5, 6, 7]
        );
    }
}
