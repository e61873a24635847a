//! The start base detected by one `StartBase::Auto` walk is remembered by the client and
//! its clones: against the simulator, both start bases, asserting the exact requests of the
//! walks that follow.

mod common;

use common::start;
use std::time::Duration;

use neon_api_ext::paging::StartBase;
use neon_api_ext::NeonClient;
use neon_sim::{PagingOptions, Simulator, SortOrder};
use uuid::Uuid;

/// Every walk is bounded: a hung walk fails instead of blocking the suite.
const LIMIT: Duration = Duration::from_secs(30);

/// The request lines (`path?query`) received since the log was last cleared, in order.
fn lines(sim: &Simulator) -> Vec<String> {
    sim.request_log()
        .into_iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query.unwrap_or_default()))
        .collect()
}

async fn event_ids(client: &NeonClient) -> Vec<Uuid> {
    let events = tokio::time::timeout(LIMIT, client.events().collect_all())
        .await
        .expect("bounded")
        .expect("walk succeeds");
    events.iter().map(|e| e.id.expect("an id")).collect()
}

#[tokio::test]
async fn a_one_based_server_detected_once_is_walked_from_1_by_later_walks_and_clones() {
    let (sim, client) = start(Simulator::builder().events(250).detections(120)).await;
    let expected = sim.events_sorted(SortOrder::Desc);

    // First walk: the probe at 0, which this server reads as 1 (one record of overlap).
    assert_eq!(event_ids(&client).await, expected);
    assert_eq!(
        lines(&sim),
        [
            "GET /v1/events?start=0&limit=100",
            "GET /v1/events?start=100&limit=100",
            "GET /v1/events?start=200&limit=100",
            "GET /v1/events?start=251&limit=100",
        ]
    );

    // Second walk, on a clone: straight from 1, no probe, no overlap.
    sim.clear_request_log();
    assert_eq!(event_ids(&client.clone()).await, expected);
    assert_eq!(
        lines(&sim),
        [
            "GET /v1/events?start=1&limit=100",
            "GET /v1/events?start=101&limit=100",
            "GET /v1/events?start=201&limit=100",
            "GET /v1/events?start=251&limit=100",
        ]
    );

    // Another list of the same client too.
    sim.clear_request_log();
    let detections = tokio::time::timeout(LIMIT, client.detections().collect_all())
        .await
        .expect("bounded")
        .expect("walk succeeds");
    let ids: Vec<Uuid> = detections.iter().map(|d| d.id.expect("an id")).collect();
    assert_eq!(ids, sim.detections_sorted(SortOrder::Desc));
    assert_eq!(
        lines(&sim),
        [
            "GET /v1/detections?start=1&limit=100",
            "GET /v1/detections?start=101&limit=100",
            "GET /v1/detections?start=121&limit=100",
        ]
    );

    // A base the caller sets still wins over the remembered one (wrongly here: this
    // server reads 0 as 1, so page 2 repeats record 200 and the walk drops it).
    sim.clear_request_log();
    let zero = tokio::time::timeout(
        LIMIT,
        client
            .events()
            .page_size(200)
            .start_base(StartBase::Zero)
            .collect_all(),
    )
    .await
    .expect("bounded")
    .expect("walk succeeds");
    let zero: Vec<Uuid> = zero.iter().map(|e| e.id.expect("an id")).collect();
    assert_eq!(zero, expected);
    assert_eq!(
        lines(&sim),
        [
            "GET /v1/events?start=0&limit=200",
            "GET /v1/events?start=200&limit=200",
            "GET /v1/events?start=251&limit=200",
        ]
    );
}

#[tokio::test]
async fn a_zero_based_server_is_detected_by_every_walk_at_no_extra_cost() {
    let paging = PagingOptions {
        start_base: neon_sim::StartBase::Zero,
        ..PagingOptions::default()
    };
    let (sim, client) = start(Simulator::builder().events(250).paging(paging)).await;
    let expected = sim.events_sorted(SortOrder::Desc);
    let exact = [
        "GET /v1/events?start=0&limit=100",
        "GET /v1/events?start=100&limit=100",
        "GET /v1/events?start=200&limit=100",
        "GET /v1/events?start=250&limit=100",
    ];
    assert_eq!(event_ids(&client).await, expected);
    assert_eq!(lines(&sim), exact);
    sim.clear_request_log();
    assert_eq!(event_ids(&client.clone()).await, expected);
    assert_eq!(lines(&sim), exact);
}

#[tokio::test]
async fn a_walk_that_cannot_tell_the_base_leaves_nothing_remembered() {
    // An empty list: `start=0` and the retry at `start=1` both come back empty, so the
    // walk cannot tell the base, and the next walk probes again.
    let (sim, client) = start(Simulator::builder().events(0)).await;
    assert_eq!(event_ids(&client).await, Vec::<Uuid>::new());
    sim.clear_request_log();
    assert_eq!(event_ids(&client).await, Vec::<Uuid>::new());
    assert_eq!(
        lines(&sim),
        [
            "GET /v1/events?start=0&limit=100",
            "GET /v1/events?start=1&limit=100",
        ]
    );
}
