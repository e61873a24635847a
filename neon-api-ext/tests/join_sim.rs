//! Detection joins against the simulator: both PoL strategies, the automatic choice, and
//! client / registration enrichment cached per id — asserting the exact requests.

mod common;

use common::start;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use futures::StreamExt;

use neon_api_ext::join::{JoinedDetection, PolStrategy};
use neon_api_ext::Error;
use neon_api_ext::NeonClient;
use neon_sim::{ErrorBody, Fault, FaultPlan, Resource, Simulator, SortOrder};
use serde_json::Value;
use uuid::Uuid;

const LIMIT: Duration = Duration::from_secs(60);

/// `path?query` of every request, in arrival order.
fn requests(sim: &Simulator) -> Vec<String> {
    sim.request_log()
        .iter()
        .map(|r| r.path_and_query())
        .collect()
}

/// The trail the server holds for a detection, as entry ids in trail order.
fn trail(sim: &Simulator, detection: Uuid) -> Vec<Uuid> {
    match sim.record(Resource::DetectionsPol, detection) {
        Some(Value::Array(entries)) => entries
            .iter()
            .map(|e| {
                e["id"]
                    .as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .expect("entry id")
            })
            .collect(),
        other => panic!("no trail for {detection}: {other:?}"),
    }
}

async fn join(client: &NeonClient, strategy: PolStrategy) -> Vec<JoinedDetection> {
    tokio::time::timeout(
        LIMIT,
        client
            .detections()
            .with_pol()
            .pol_strategy(strategy)
            .concurrency(4)
            .collect_all(),
    )
    .await
    .expect("bounded")
    .expect("join succeeds")
}

fn assert_trails_match_the_server(sim: &Simulator, rows: &[JoinedDetection]) {
    let expected = sim.detections_sorted(SortOrder::Desc);
    let got: Vec<Uuid> = rows.iter().map(|r| r.detection.id.expect("id")).collect();
    assert_eq!(got, expected);
    for row in rows {
        let id = row.detection.id.expect("id");
        let entries: Vec<Uuid> = row.pol.iter().map(|e| e.id.expect("entry id")).collect();
        assert_eq!(entries, trail(sim, id), "trail of {id}");
        assert!(row.pol.iter().all(|e| e.detection_id == Some(id)));
        assert_eq!((row.client.clone(), row.registration.clone()), (None, None));
    }
}

#[tokio::test]
async fn per_detection_lookups_fetch_each_trail_once_between_the_detection_pages() {
    let (sim, client) = start(Simulator::builder().detections(30)).await;
    let rows = join(&client, PolStrategy::PerDetection).await;
    assert_trails_match_the_server(&sim, &rows);
    assert!(
        rows.iter().any(|r| !r.pol.is_empty()),
        "some trails are not empty"
    );

    let sent = requests(&sim);
    let order = sim.detections_sorted(SortOrder::Desc);
    assert_eq!(sent.len(), 1 + 1 + 30 + 2, "{sent:#?}");
    assert_eq!(sent[0], "/v1/detections?start=0&limit=100");
    // The simulator speaks the vendor's `/v1/detectionspol/{id}`: the first lookup goes
    // alone, misses the corrected spelling once, and the client remembers the other one.
    assert_eq!(sent[1], format!("/v1/detections_pol/{}", order[0]));
    assert_eq!(sent[2], format!("/v1/detectionspol/{}", order[0]));
    // Then the other 29 trails, each once, in any arrival order (4 in flight), and the
    // walk's overlap check and its end (1-based server read at 0) once the first page's
    // detections are all taken: the list requests interleave with the last lookups.
    let (list, mut lookups): (Vec<String>, Vec<String>) = sent[3..]
        .iter()
        .cloned()
        .partition(|line| line.starts_with("/v1/detections?"));
    lookups.sort();
    let mut expected: Vec<String> = order[1..]
        .iter()
        .map(|id| format!("/v1/detectionspol/{id}"))
        .collect();
    expected.sort();
    assert_eq!(lookups, expected);
    assert_eq!(
        list,
        [
            "/v1/detections?start=30&limit=100",
            "/v1/detections?start=31&limit=100"
        ]
    );
}

#[tokio::test]
async fn the_default_join_streams_first_rows_after_one_page_and_as_many_lookups_as_rows() {
    // 1,000 detections: the old default read every detection and every trail before the
    // first row. Now five rows cost the first detection page and the lookups pulled.
    let (sim, client) = start(
        Simulator::builder()
            .detections(1000)
            .pol_by_id(neon_sim::PolById::Underscore),
    )
    .await;
    let order = sim.detections_sorted(SortOrder::Desc);
    let take5 = |concurrency: usize| {
        let rows = client
            .detections()
            .with_pol()
            .concurrency(concurrency)
            .stream()
            .take(5);
        tokio::time::timeout(LIMIT, futures::TryStreamExt::try_collect::<Vec<_>>(rows))
    };
    let lookup = |i: usize| format!("/v1/detections_pol/{}", order[i]);

    // One lookup in flight: exactly the page and five lookups, in the walk's order.
    let rows: Vec<JoinedDetection> = take5(1).await.expect("bounded").expect("join");
    let got: Vec<Uuid> = rows.iter().map(|r| r.detection.id.expect("id")).collect();
    assert_eq!(got, order[..5]);
    for row in &rows {
        let id = row.detection.id.expect("id");
        let entries: Vec<Uuid> = row.pol.iter().map(|e| e.id.expect("entry id")).collect();
        assert_eq!(entries, trail(&sim, id), "trail of {id}");
    }
    let mut expected = vec!["/v1/detections?start=0&limit=100".to_owned()];
    expected.extend((0..5).map(lookup));
    assert_eq!(requests(&sim), expected);

    // The default concurrency (8): the first lookup alone, then 8 in flight, and at most
    // one more started per row pulled (a lookup already done may be yielded before the
    // new one is polled, so the count is 9 to 12): rows 2..=5 start lookups of detections
    // 2..=12 at most, never more detection pages, never the tenant.
    sim.clear_request_log();
    let rows = take5(8).await.expect("bounded").expect("join");
    assert_eq!(rows.len(), 5);
    let sent = requests(&sim);
    assert_eq!(
        sent[..2],
        ["/v1/detections?start=0&limit=100".to_owned(), lookup(0)]
    );
    let rest: BTreeSet<String> = sent[2..].iter().cloned().collect();
    assert_eq!(rest.len(), sent.len() - 2, "no lookup twice: {sent:#?}");
    let allowed: BTreeSet<String> = (1..12).map(lookup).collect();
    let started_at_once: BTreeSet<String> = (1..9).map(lookup).collect();
    assert!(rest.is_subset(&allowed), "{sent:#?}");
    assert!(started_at_once.is_subset(&rest), "{sent:#?}");
}

#[tokio::test]
async fn one_pass_walks_the_pol_list_once_and_gives_the_same_trails() {
    let (sim, client) = start(Simulator::builder().detections(30)).await;
    let rows = join(&client, PolStrategy::OnePass).await;
    assert_trails_match_the_server(&sim, &rows);
    let entries = sim.count(Resource::DetectionsPol);
    assert!(entries > 0 && entries < 1000);
    assert_eq!(
        requests(&sim),
        [
            "/v1/detections?start=0&limit=100".to_owned(),
            "/v1/detections?start=30&limit=100".to_owned(),
            "/v1/detections?start=31&limit=100".to_owned(),
            // The detection walk found the server 1-based; the client remembers it, so
            // the PoL walk starts at 1 with no probe.
            "/v1/detections_pol?start=1&limit=1000&sort=asc".to_owned(),
            format!(
                "/v1/detections_pol?start={}&limit=1000&sort=asc",
                entries + 1
            ),
        ]
    );
    sim.clear_request_log();
    let per_detection = join(&client, PolStrategy::PerDetection).await;
    assert_eq!(rows, per_detection, "both strategies join the same trails");
}

#[tokio::test]
async fn auto_picks_one_pass_for_a_walk_that_ends_within_the_read_ahead_and_lookups_otherwise() {
    let by_id = |r: &&neon_sim::LoggedRequest| {
        r.path.starts_with("/v1/detections_pol/") || r.path.starts_with("/v1/detectionspol/")
    };
    let (sim, client) = start(Simulator::builder().detections(40)).await;
    let rows = join(&client, PolStrategy::Auto).await;
    assert_trails_match_the_server(&sim, &rows);
    let log = sim.request_log();
    // 40 detections end within the 200 read ahead: one pass, no lookups.
    assert_eq!(log.iter().filter(by_id).count(), 0);
    assert!(log.iter().any(|r| r.path == "/v1/detections_pol"));

    let (sim, client) = start(Simulator::builder().detections(250)).await;
    let rows = tokio::time::timeout(
        LIMIT,
        client
            .detections()
            .with_pol()
            .pol_strategy(PolStrategy::Auto)
            .auto_threshold(100)
            .collect_all(),
    )
    .await
    .expect("bounded")
    .expect("join succeeds");
    assert_trails_match_the_server(&sim, &rows);
    let log = sim.request_log();
    // 250 detections outrun the read-ahead of 100: lookups, plus the one miss of the
    // corrected spelling; no tenant-wide walk.
    assert_eq!(log.iter().filter(by_id).count(), 251);
    assert!(log.iter().all(|r| r.path != "/v1/detections_pol"));
    // Only two pages (200 detections) were read before the first lookup.
    let first_lookup = log.iter().position(|r| by_id(&r)).expect("a lookup");
    let before: Vec<String> = log[..first_lookup]
        .iter()
        .map(|r| r.path_and_query())
        .collect();
    assert_eq!(
        before,
        [
            "/v1/detections?start=0&limit=100",
            "/v1/detections?start=100&limit=100"
        ]
    );
}

#[tokio::test]
async fn clients_and_registrations_are_fetched_once_per_id() {
    let (sim, client) = start(
        Simulator::builder()
            .detections(150)
            .clients(20)
            .registrations(30),
    )
    .await;
    let rows = tokio::time::timeout(
        LIMIT,
        client
            .detections()
            .with_client()
            .with_registration()
            .collect_all(),
    )
    .await
    .expect("bounded")
    .expect("join succeeds");
    assert_eq!(rows.len(), 150);

    let log = sim.request_log();
    let mut client_gets: BTreeMap<String, usize> = BTreeMap::new();
    let mut registration_gets: BTreeMap<String, usize> = BTreeMap::new();
    for r in &log {
        if let Some(id) = r.path.strip_prefix("/v1/clients/") {
            *client_gets.entry(id.to_owned()).or_default() += 1;
        }
        if let Some(id) = r.path.strip_prefix("/v1/registration/") {
            *registration_gets.entry(id.to_owned()).or_default() += 1;
        }
    }
    let distinct_clients: HashSet<String> = rows
        .iter()
        .filter_map(|r| r.detection.client_id.map(|id| id.to_string()))
        .collect();
    let distinct_registrations: HashSet<String> = rows
        .iter()
        .filter_map(|r| r.detection.registration_id.map(|id| id.to_string()))
        .collect();
    assert!(
        distinct_clients.len() < rows.len(),
        "the join had repeats to save"
    );
    assert_eq!(
        client_gets.keys().cloned().collect::<HashSet<_>>(),
        distinct_clients
    );
    assert!(client_gets.values().all(|&n| n == 1), "{client_gets:?}");
    assert_eq!(
        registration_gets.keys().cloned().collect::<HashSet<_>>(),
        distinct_registrations
    );
    assert!(
        registration_gets.values().all(|&n| n == 1),
        "{registration_gets:?}"
    );
    assert!(
        log.iter()
            .all(|r| !r.path.starts_with("/v1/detections_pol")),
        "no PoL asked"
    );

    for row in &rows {
        let cid = row.detection.client_id.expect("client id");
        let served = sim.record(Resource::Clients, cid).expect("client exists");
        let joined = row.client.as_ref().expect("client joined");
        assert_eq!(joined.id, Some(cid));
        assert_eq!(joined.email.as_deref(), served["email"].as_str());
        let rid = row.detection.registration_id.expect("registration id");
        let joined = row.registration.as_ref().expect("registration joined");
        assert_eq!(joined.id, Some(rid));
        assert!(row.pol.is_empty());
    }
}

#[tokio::test]
async fn a_lookup_fault_outlasting_the_retries_ends_the_join_with_that_error() {
    let down = Fault::ServerError {
        status: 503,
        body: ErrorBody::Json,
    };
    let plan = FaultPlan::new()
        .with_rate(down, 1.0)
        .only_paths("/v1/clients/");
    let (sim, client) = start(Simulator::builder().detections(30).faults(plan)).await;
    let items: Vec<Result<JoinedDetection, Error>> = tokio::time::timeout(
        LIMIT,
        futures::StreamExt::collect(client.detections().with_client().stream()),
    )
    .await
    .expect("bounded");
    assert_eq!(items.len(), 1, "the error alone: its page was never joined");
    match &items[0] {
        Err(Error::Server { status, .. }) => assert_eq!(status.as_u16(), 503),
        other => panic!("expected the 503, got {other:?}"),
    }
    // One detection page, then the first client lookup alone, retried to the budget (4
    // attempts by default), and nothing after it.
    let log = sim.request_log();
    assert_eq!(log.len(), 1 + 4, "{log:#?}");
    assert_eq!(log[0].path_and_query(), "/v1/detections?start=0&limit=100");
    let client_paths: Vec<&str> = log[1..].iter().map(|r| r.path.as_str()).collect();
    assert!(client_paths.iter().all(|p| p.starts_with("/v1/clients/")));
    assert!(
        client_paths.windows(2).all(|w| w[0] == w[1]),
        "one id, retried: {client_paths:?}"
    );
}
