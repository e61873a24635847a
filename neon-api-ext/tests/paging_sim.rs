//! Auto-paging against the simulator: every list, every paging dialect the simulator can
//! play, mutations and faults mid-walk — asserting the records and the exact requests.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use neon_api_ext::paging::{Sort, StartBase};
use neon_api_ext::types::{ClientStatusFilter, DetectionTypeFilter, EventTypeFilter};
use neon_api_ext::{Error, NeonClient, RetryPolicy};
use neon_sim::{
    ErrorBody, Fault, FaultPlan, Filter, PagingOptions, Resource, Simulator, SimulatorBuilder,
    SortOrder,
};
use uuid::Uuid;

/// Every test is bounded: a hung walk fails instead of blocking the suite.
const LIMIT: Duration = Duration::from_secs(60);

async fn start(builder: SimulatorBuilder) -> (Simulator, NeonClient) {
    let sim = builder.start().await.expect("simulator starts");
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(4)
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(5)),
        )
        .build()
        .expect("client builds");
    (sim, client)
}

/// The queries sent to `path`, in arrival order.
fn queries(sim: &Simulator, path: &str) -> Vec<String> {
    sim.request_log()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| r.query.unwrap_or_default())
        .collect()
}

fn ids<R>(records: &[R], id: impl Fn(&R) -> Option<Uuid>) -> Vec<Uuid> {
    records
        .iter()
        .map(|r| id(r).expect("every record has an id"))
        .collect()
}

#[tokio::test]
async fn a_one_based_server_is_walked_from_0_with_one_record_of_overlap() {
    let (sim, client) = start(Simulator::builder().events(250)).await;
    let events = tokio::time::timeout(LIMIT, client.events().collect_all())
        .await
        .expect("bounded")
        .expect("walk succeeds");
    assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
    // start=100 is position 100, the last record of page 1: dropped, and the pages line up.
    assert_eq!(
        queries(&sim, "/v1/events"),
        [
            "start=0&limit=100",
            "start=100&limit=100",
            "start=200&limit=100",
            "start=251&limit=100"
        ]
    );
}

#[tokio::test]
async fn a_zero_based_server_is_walked_without_overlap() {
    let paging = PagingOptions {
        start_base: neon_sim::StartBase::Zero,
        ..PagingOptions::default()
    };
    let (sim, client) = start(Simulator::builder().events(250).paging(paging)).await;
    let events = client.events().collect_all().await.expect("walk succeeds");
    assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
    assert_eq!(
        queries(&sim, "/v1/events"),
        [
            "start=0&limit=100",
            "start=100&limit=100",
            "start=200&limit=100",
            "start=250&limit=100"
        ]
    );
}

#[tokio::test]
async fn a_known_base_starts_at_1_and_a_multiple_of_the_page_size_ends_on_one_empty_page() {
    let (sim, client) = start(Simulator::builder().events(200)).await;
    let events = client
        .events()
        .start_base(StartBase::One)
        .collect_all()
        .await
        .expect("walk succeeds");
    assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
    assert_eq!(
        queries(&sim, "/v1/events"),
        [
            "start=1&limit=100",
            "start=101&limit=100",
            "start=201&limit=100"
        ]
    );
}

#[tokio::test]
async fn a_clamped_limit_gives_short_pages_that_are_not_the_end() {
    let (sim, client) = start(Simulator::builder().events(100).max_page_size(Some(30))).await;
    let events = client.events().collect_all().await.expect("walk succeeds");
    assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
    assert_eq!(
        queries(&sim, "/v1/events"),
        [
            "start=0&limit=100",
            "start=30&limit=100",
            "start=60&limit=100",
            "start=90&limit=100",
            "start=101&limit=100"
        ]
    );
}

#[tokio::test]
async fn end_is_sent_on_request_and_an_ignoring_server_changes_nothing() {
    for ignore_end in [false, true] {
        let (sim, client) = start(Simulator::builder().events(120).ignore_end(ignore_end)).await;
        let events = client
            .events()
            .start_base(StartBase::One)
            .send_end(true)
            .collect_all()
            .await
            .expect("walk succeeds");
        assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
        assert_eq!(
            queries(&sim, "/v1/events"),
            [
                "start=1&limit=100&end=100",
                "start=101&limit=100&end=200",
                "start=121&limit=100&end=220"
            ],
            "ignore_end={ignore_end}"
        );
    }
}

#[tokio::test]
async fn an_empty_list_costs_the_probe_at_1() {
    let (sim, client) = start(Simulator::builder().events(0)).await;
    let events = client.events().collect_all().await.expect("walk succeeds");
    assert!(events.is_empty());
    assert_eq!(
        queries(&sim, "/v1/events"),
        ["start=0&limit=100", "start=1&limit=100"]
    );
}

#[tokio::test]
async fn every_list_yields_what_the_server_holds_in_order() {
    let (sim, client) = start(
        Simulator::builder()
            .apps(130)
            .clients(120)
            .deployments(7)
            .detections(110)
            .events(101)
            .policies(3)
            .registrations(140),
    )
    .await;
    let expect = |r| sim.ids(r, SortOrder::Desc, &Filter::All);
    let got = client.apps().collect_all().await.expect("apps");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::Apps));
    let got = client.clients().collect_all().await.expect("clients");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::Clients));
    let got = client
        .deployments()
        .collect_all()
        .await
        .expect("deployments");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::Deployments));
    let got = client.detections().collect_all().await.expect("detections");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::Detections));
    let got = client.events().collect_all().await.expect("events");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::Events));
    let got = client.policies().collect_all().await.expect("policies");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::Policies));
    let got = client
        .registrations()
        .collect_all()
        .await
        .expect("registrations");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::Registrations));
    let got = client
        .detections_pol()
        .page_size(1000)
        .collect_all()
        .await
        .expect("pol");
    assert_eq!(ids(&got, |r| r.id), expect(Resource::DetectionsPol));
    let paths: Vec<String> = sim.request_log().into_iter().map(|r| r.path).collect();
    for path in [
        "/v1/apps",
        "/v1/clients",
        "/v1/deployments",
        "/v1/detections",
        "/v1/events",
        "/v1/policies",
        "/v1/registration",
        "/v1/detections_pol",
    ] {
        assert!(paths.iter().any(|p| p == path), "{path} was requested");
    }
}

#[tokio::test]
async fn typed_filters_and_sort_go_on_the_wire_as_documented() {
    let (sim, client) = start(Simulator::builder().detections(300).events(300).clients(80)).await;
    let got = client
        .detections()
        .types([DetectionTypeFilter::Intel, DetectionTypeFilter::Phishing])
        .sort(Sort::Asc)
        .page_size(50)
        .collect_all()
        .await
        .expect("detections");
    let filter = Filter::Types(vec!["intel".into(), "phishing".into()]);
    let expected = sim.ids(Resource::Detections, SortOrder::Asc, &filter);
    assert!(!expected.is_empty());
    assert_eq!(ids(&got, |r| r.id), expected);
    let sent = queries(&sim, "/v1/detections");
    assert_eq!(
        sent[0],
        "start=0&limit=50&sort=asc&type=intel&type=phishing"
    );
    assert!(sent
        .iter()
        .all(|q| q.ends_with("&sort=asc&type=intel&type=phishing")));

    let got = client
        .events()
        .types([EventTypeFilter::Auth])
        .collect_all()
        .await
        .expect("events");
    let expected = sim.ids(
        Resource::Events,
        SortOrder::Desc,
        &Filter::Types(vec!["auth".into()]),
    );
    assert_eq!(ids(&got, |r| r.id), expected);
    // The detection walk above found the server 1-based; the client remembers it.
    assert_eq!(
        queries(&sim, "/v1/events")[0],
        "start=1&limit=100&type=auth"
    );

    let got = client
        .clients()
        .statuses([ClientStatusFilter::Registered])
        .collect_all()
        .await
        .expect("clients");
    let filter = Filter::Statuses(vec!["registered".into()]);
    assert_eq!(
        ids(&got, |r| r.id),
        sim.ids(Resource::Clients, SortOrder::Desc, &filter)
    );
    assert_eq!(
        queries(&sim, "/v1/clients")[0],
        "start=1&limit=100&status=registered"
    );

    let got = client
        .registrations()
        .enabled(true)
        .collect_all()
        .await
        .expect("regs");
    let filter = Filter::Enabled(true);
    let expected = sim.ids(Resource::Registrations, SortOrder::Desc, &filter);
    assert_eq!(ids(&got, |r| r.id), expected);
    assert_eq!(
        queries(&sim, "/v1/registration")[0],
        "start=1&limit=100&enabled=true"
    );
}

#[tokio::test]
async fn insertions_at_the_head_during_a_newest_first_walk_lose_and_repeat_nothing() {
    let (sim, client) = start(Simulator::builder().detections(200)).await;
    let before = sim.detections_sorted(SortOrder::Desc);
    let pages = client.detections().page_size(50).pages();
    futures::pin_mut!(pages);
    let mut got = Vec::new();
    let mut inserted = Vec::new();
    let mut n = 0;
    while let Some(page) = tokio::time::timeout(LIMIT, pages.next())
        .await
        .expect("bounded")
    {
        got.extend(ids(&page.expect("page").records, |r| r.id));
        n += 1;
        if n <= 2 {
            // 7 then 5 new detections land between requests.
            inserted.extend(
                sim.insert(Resource::Detections, [7, 5][n - 1])
                    .expect("insert"),
            );
        }
    }
    assert_eq!(
        got, before,
        "every detection present at the start, once, in order"
    );
    assert!(inserted.iter().all(|id| !got.contains(id)));
    assert_eq!(
        queries(&sim, "/v1/detections"),
        [
            "start=0&limit=50",
            "start=50&limit=50",
            "start=100&limit=50",
            "start=150&limit=50",
            "start=200&limit=50",
            "start=213&limit=50"
        ]
    );
}

#[tokio::test]
async fn faults_mid_walk_are_retried_and_the_walk_goes_on_with_nothing_lost_or_repeated() {
    let plan = FaultPlan::new()
        .on_request(
            2,
            Fault::ServerError {
                status: 503,
                body: ErrorBody::Html,
            },
        )
        .on_request(3, Fault::TruncatedBody)
        .on_request(5, Fault::ConnectionReset)
        .on_request(6, Fault::TooManyRequests(None))
        .on_request(
            8,
            Fault::ServerError {
                status: 502,
                body: ErrorBody::Json,
            },
        );
    let (sim, client) = start(Simulator::builder().events(350).faults(plan)).await;
    let events = tokio::time::timeout(LIMIT, client.events().collect_all())
        .await
        .expect("bounded")
        .expect("walk succeeds");
    assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
    assert_eq!(
        queries(&sim, "/v1/events"),
        [
            "start=0&limit=100",
            "start=100&limit=100",
            "start=100&limit=100",
            "start=100&limit=100",
            "start=200&limit=100",
            "start=200&limit=100",
            "start=200&limit=100",
            "start=300&limit=100",
            "start=300&limit=100",
            "start=351&limit=100"
        ]
    );
}

#[tokio::test]
async fn a_fault_outlasting_the_retries_ends_the_stream_after_the_records_already_yielded() {
    let down = Fault::ServerError {
        status: 503,
        body: ErrorBody::Json,
    };
    let mut plan = FaultPlan::new();
    for n in 2..=5 {
        plan = plan.on_request(n, down);
    }
    let (sim, client) = start(Simulator::builder().events(300).faults(plan)).await;
    let items: Vec<Result<_, Error>> =
        tokio::time::timeout(LIMIT, client.events().stream().collect())
            .await
            .expect("bounded");
    assert_eq!(
        items.len(),
        101,
        "100 records, then the error, then the end"
    );
    let first: Vec<Uuid> = items[..100]
        .iter()
        .map(|r| r.as_ref().expect("a record").id.expect("id"))
        .collect();
    assert_eq!(first, sim.events_sorted(SortOrder::Desc)[..100]);
    match &items[100] {
        Err(Error::Server { status, .. }) => assert_eq!(status.as_u16(), 503),
        other => panic!("expected the 503, got {other:?}"),
    }
    assert_eq!(
        queries(&sim, "/v1/events"),
        ["start=0&limit=100"]
            .into_iter()
            .chain(["start=100&limit=100"; 4])
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn prefetch_yields_in_order_and_asks_only_for_planned_pages() {
    let latency = FaultPlan::new().with_rate(Fault::Latency(Duration::from_millis(5)), 1.0);
    let (sim, client) = start(
        Simulator::builder()
            .events(1_050)
            .paging(PagingOptions {
                start_base: neon_sim::StartBase::Zero,
                ..PagingOptions::default()
            })
            .faults(latency),
    )
    .await;
    let events = tokio::time::timeout(LIMIT, client.events().prefetch(4).collect_all())
        .await
        .expect("bounded")
        .expect("walk succeeds");
    assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
    let mut sent = queries(&sim, "/v1/events");
    // The head, every planned page to the short one at 1000, the one at 1050 that ends
    // the walk; pages planned past the end may or may not have left before the drop.
    let mut expected: Vec<String> = (0..=1000)
        .step_by(100)
        .chain([1050])
        .map(|s| format!("start={s}&limit=100"))
        .collect();
    sent.sort();
    expected.sort();
    let extra: Vec<&String> = sent.iter().filter(|q| !expected.contains(q)).collect();
    assert!(
        extra.iter().all(|q| [
            "start=1100&limit=100",
            "start=1200&limit=100",
            "start=1300&limit=100"
        ]
        .contains(&q.as_str())),
        "unplanned requests: {extra:?}"
    );
    assert!(expected.iter().all(|q| sent.contains(q)), "{sent:?}");
}

#[tokio::test]
async fn dropping_a_stream_stops_its_requests() {
    let latency = FaultPlan::new().with_rate(Fault::Latency(Duration::from_millis(200)), 1.0);
    let (sim, client) = start(Simulator::builder().events(5_000).faults(latency)).await;
    let first: Vec<_> = tokio::time::timeout(
        LIMIT,
        client
            .events()
            .prefetch(4)
            .stream()
            .take(150)
            .collect::<Vec<_>>(),
    )
    .await
    .expect("bounded");
    assert_eq!(first.len(), 150);
    let sent = sim.request_count();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        sim.request_count(),
        sent,
        "no request after the stream was dropped"
    );
    assert!(sent <= 7, "head + at most 4 in flight + refills: {sent}");
    let first: Vec<_> = first
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("records");
    assert_eq!(
        ids(&first, |e| e.id),
        sim.events_sorted(SortOrder::Desc)[..150]
    );
}

#[tokio::test]
async fn pages_report_what_was_asked_what_arrived_and_what_was_new() {
    let (sim, client) = start(Simulator::builder().events(150)).await;
    let pages: Vec<_> = client
        .events()
        .pages()
        .try_collect::<Vec<_>>()
        .await
        .expect("walk succeeds");
    let summary: Vec<(u64, u32, usize, usize)> = pages
        .iter()
        .map(|p| {
            (
                p.request.start,
                p.request.limit,
                p.received,
                p.records.len(),
            )
        })
        .collect();
    // Page 2 repeats the last record of page 1 (1-based server read at 0): 51 in, 50 new.
    assert_eq!(summary, [(0, 100, 100, 100), (100, 100, 51, 50)]);
    let all: Vec<Uuid> = pages
        .iter()
        .flat_map(|p| ids(&p.records, |e| e.id))
        .collect();
    assert_eq!(all, sim.events_sorted(SortOrder::Desc));
    assert_eq!(
        queries(&sim, "/v1/events"),
        [
            "start=0&limit=100",
            "start=100&limit=100",
            "start=151&limit=100"
        ]
    );
}

#[tokio::test]
async fn prefetch_survives_faults_mid_walk_with_records_in_order() {
    let plan = FaultPlan::new()
        .on_request(
            3,
            Fault::ServerError {
                status: 502,
                body: ErrorBody::Html,
            },
        )
        .on_request(6, Fault::ConnectionReset)
        .on_request(7, Fault::TruncatedBody)
        .on_request(9, Fault::TooManyRequests(None));
    let (sim, client) = start(Simulator::builder().events(1_000).faults(plan)).await;
    let events = tokio::time::timeout(LIMIT, client.events().prefetch(4).collect_all())
        .await
        .expect("bounded")
        .expect("walk succeeds");
    assert_eq!(ids(&events, |e| e.id), sim.events_sorted(SortOrder::Desc));
    let faults: u64 = sim.fault_counts().values().sum();
    assert_eq!(faults, 4, "every scripted fault was served");
}

/// Walks `events` page by page, calling `between(n)` after page `n` (1-based) has arrived
/// and before the next request is sent; returns the ids handed out, in order.
async fn walk_events_with<F>(
    request: neon_api_ext::ListRequest<neon_api_ext::types::Event>,
    mut between: F,
) -> Vec<Uuid>
where
    F: FnMut(usize),
{
    let pages = request.pages();
    futures::pin_mut!(pages);
    let mut got = Vec::new();
    let mut n = 0;
    while let Some(page) = tokio::time::timeout(LIMIT, pages.next())
        .await
        .expect("bounded")
    {
        got.extend(ids(&page.expect("page").records, |r| r.id));
        n += 1;
        between(n);
    }
    got
}

/// Issue 5: with the default newest-first order, records inserted at the head during a
/// walk cause no loss of the records there when it began — a page or more of them
/// included (these used to end the walk early with no error: 99 after the first page lost
/// 900 of 1,000 events).
#[tokio::test]
async fn a_burst_of_insertions_at_the_head_loses_and_repeats_nothing_whatever_its_size() {
    for k in [99, 100, 250] {
        let (sim, client) = start(Simulator::builder().events(1_000)).await;
        let before = sim.events_sorted(SortOrder::Desc);
        let mut inserted = Vec::new();
        let got = walk_events_with(client.events(), |n| {
            if n == 1 {
                inserted = sim.insert(Resource::Events, k).expect("insert");
            }
        })
        .await;
        assert_eq!(got, before, "{k} insertions after the first page");
        assert_eq!(inserted.len(), k as usize);
        // start moves on by what was received, over all 1,000 + k records: the head at 0,
        // every hundred up to the last record, the empty page after it.
        let expected: Vec<String> = [0]
            .into_iter()
            .chain((100..=1_000 + k).step_by(100))
            .chain([1_000 + k + 1])
            .map(|s| format!("start={s}&limit=100"))
            .collect();
        assert_eq!(queries(&sim, "/v1/events"), expected, "{k}");
    }
}

#[tokio::test]
async fn page_size_one_loses_nothing_to_insertions_at_the_head() {
    for k in [1, 3] {
        let (sim, client) = start(Simulator::builder().events(40)).await;
        let before = sim.events_sorted(SortOrder::Desc);
        let got = walk_events_with(client.events().page_size(1), |n| {
            if n == 1 || n == 20 {
                sim.insert(Resource::Events, k).expect("insert");
            }
        })
        .await;
        assert_eq!(got, before, "{k} insertions after pages 1 and 20");
    }
}

/// Oldest first, new records land at the tail: the walk reaches them too, after every
/// record there at the start, each once.
#[tokio::test]
async fn an_oldest_first_walk_hands_out_insertions_at_the_tail_after_the_rest() {
    let (sim, client) = start(Simulator::builder().events(230)).await;
    let before = sim.events_sorted(SortOrder::Asc);
    let mut inserted = Vec::new();
    let got = walk_events_with(client.events().sort(Sort::Asc).page_size(50), |n| {
        if n <= 2 {
            inserted.extend(
                sim.insert(Resource::Events, [7, 120][n - 1])
                    .expect("insert"),
            );
        }
    })
    .await;
    let expected: Vec<Uuid> = before.iter().chain(&inserted).copied().collect();
    assert_eq!(got, expected);
}

/// What an update during a newest-first walk does (documented in `paging`): the updated
/// record moves to the head, behind the walk. One already handed out is not handed out
/// again; one the walk had not reached yet is not handed out at all; every other record
/// comes out once, in order.
#[tokio::test]
async fn updates_during_a_newest_first_walk_repeat_nothing_and_skip_only_the_updated_record() {
    let (sim, client) = start(Simulator::builder().events(300)).await;
    let before = sim.events_sorted(SortOrder::Desc);
    let (walked, ahead) = (before[10], before[180]);
    let got = walk_events_with(client.events().page_size(50), |n| {
        if n == 2 {
            sim.update(Resource::Events, &[walked, ahead])
                .expect("update");
        }
    })
    .await;
    let expected: Vec<Uuid> = before.iter().copied().filter(|id| *id != ahead).collect();
    assert_eq!(got, expected);
}

/// What an update during an oldest-first walk does (documented in `paging`): the updated
/// record moves to the tail and comes out there (again, if the walk had passed it), and
/// the record that slid into the walk's last position is skipped — offset paging cannot
/// see a record move from behind it.
#[tokio::test]
async fn updates_during_an_oldest_first_walk_come_out_at_the_tail_and_can_skip_one() {
    let (sim, client) = start(Simulator::builder().events(300)).await;
    let before = sim.events_sorted(SortOrder::Asc);
    let walked = before[10];
    let got = walk_events_with(client.events().sort(Sort::Asc).page_size(50), |n| {
        if n == 2 {
            sim.update(Resource::Events, &[walked]).expect("update");
        }
    })
    .await;
    // Pages 1-2 (start=0, start=50: one record of overlap) handed out before[..99]; the
    // update shifts every later record back by one, so start=100 begins at before[100].
    let expected: Vec<Uuid> = before
        .iter()
        .copied()
        .filter(|id| *id != before[99])
        .chain([walked])
        .collect();
    assert_eq!(got, expected);
}
