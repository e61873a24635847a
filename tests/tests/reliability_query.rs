//! Query building: an id always becomes exactly one canonical path segment, and an id that
//! is not a UUID is refused before anything reaches the network (the simulator's request
//! log stays empty).

mod reliability_support;

use neon_api_ext::{Error, NeonClient};
use neon_sim::{Simulator, SortOrder};
use reliability_support::quick_retries;

async fn sim_and_client() -> (Simulator, NeonClient) {
    let sim = Simulator::builder()
        .seed(7)
        .events(20)
        .detections(5)
        .start()
        .await
        .unwrap();
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .retry_policy(quick_retries(1))
        .no_proxy()
        .build()
        .unwrap();
    (sim, client)
}

/// Calls every get-by-id with `id`, returning the outcome of each (as a short text).
async fn every_get(client: &NeonClient, id: &str) -> Vec<Result<(), Error>> {
    vec![
        client.get_app(id).await.map(drop),
        client.get_client(id).await.map(drop),
        client.get_deployment(id).await.map(drop),
        client.get_detection(id).await.map(drop),
        client.get_event(id).await.map(drop),
        client.get_policy(id).await.map(drop),
        client.get_registration(id).await.map(drop),
        client.get_detection_pol(id).await.map(drop),
    ]
}

#[tokio::test]
async fn every_spelling_of_a_uuid_becomes_one_canonical_lowercase_segment() {
    let (sim, client) = sim_and_client().await;
    let id = sim.events_sorted(SortOrder::Desc)[0];
    let canonical = id.hyphenated().to_string();
    let spellings = [
        canonical.clone(),
        canonical.to_uppercase(),
        format!("{{{canonical}}}"),
        format!("urn:uuid:{canonical}"),
        id.simple().to_string(),
        format!("  {canonical}\n"),
    ];
    for spelling in &spellings {
        let event = client.get_event(spelling.as_str()).await.unwrap();
        assert_eq!(event.id, Some(id), "{spelling:?}");
    }
    let paths: Vec<String> = sim
        .request_log()
        .iter()
        .map(|r| r.path_and_query())
        .collect();
    assert_eq!(
        paths,
        vec![format!("/v1/events/{canonical}"); spellings.len()]
    );
}

#[tokio::test]
async fn each_get_by_id_puts_the_id_in_its_own_segment_under_the_right_collection() {
    let (sim, client) = sim_and_client().await;
    let id = "00000000-0000-4000-8000-000000000000";
    // Every record is missing: each call reaches the server and is told so.
    for outcome in every_get(&client, id).await {
        assert!(
            matches!(outcome, Err(Error::NotFound { message: Some(_) })),
            "{outcome:?}"
        );
    }
    let paths: Vec<String> = sim.request_log().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths,
        [
            format!("/v1/apps/{id}"),
            format!("/v1/clients/{id}"),
            format!("/v1/deployments/{id}"),
            format!("/v1/detections/{id}"),
            format!("/v1/events/{id}"),
            format!("/v1/policies/{id}"),
            format!("/v1/registration/{id}"),
            // The simulator's default dialect only has the document's PoL spelling: the
            // corrected path answers a route-level 404, then the fallback is tried once.
            format!("/v1/detections_pol/{id}"),
            format!("/v1/detectionspol/{id}"),
        ]
    );
}

#[tokio::test]
async fn an_id_that_is_not_a_uuid_is_refused_before_any_request() {
    let (sim, client) = sim_and_client().await;
    let long = "a".repeat(10_000);
    let hostile = [
        "",
        " ",
        "../apps",
        "..%2Fapps",
        "a/b",
        "?limit=1",
        "#fragment",
        "%00",
        "\0",
        "ü",
        "0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c1", // one digit short
        "0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11/", // a trailing slash
        "0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11/../../apps",
        "0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11?limit=1",
        "0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11%2F..",
        "0b7f4c6e 8d1a 4c52 9a53 2f1e6b9d3c11",
        "g b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11",
        long.as_str(),
    ];
    for id in hostile {
        for outcome in every_get(&client, id).await {
            match outcome {
                Err(Error::InvalidRequest { message }) => {
                    let shown: String = id.chars().take(64).collect();
                    assert!(
                        message.starts_with(&format!("{shown:?} is not a record id (a UUID): ")),
                        "{message}"
                    );
                    assert!(
                        message.len() < 300,
                        "message not bounded: {}",
                        message.len()
                    );
                }
                other => panic!("{id:?}: expected InvalidRequest, got {other:?}"),
            }
        }
    }
    assert_eq!(sim.request_count(), 0);
    assert_eq!(sim.request_log(), vec![]);
}
