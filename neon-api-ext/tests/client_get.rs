//! The eight get-by-id calls against the simulator: records unwrapped and equal to what the
//! server holds, exact request lines, both path dialects of the two quirky routes, record vs
//! route 404, and ids checked before anything is sent.

use std::time::Duration;

use neon_api_ext::types::{
    App, Client, Deployment, Detection, DetectionType, Event, PolEntry, Policy, Registration,
};
use neon_api_ext::{Error, NeonClient, RetryPolicy};
use neon_sim::{
    ErrorBody, Fault, FaultPlan, Filter, PolById, RegistrationById, Resource, Simulator, SortOrder,
};
use serde::de::DeserializeOwned;
use uuid::Uuid;

async fn sim(builder: neon_sim::SimulatorBuilder) -> Simulator {
    builder
        .seed(5)
        .events(30)
        .detections(30)
        .start()
        .await
        .expect("simulator starts")
}

fn client(sim: &Simulator) -> NeonClient {
    NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .retry_policy(RetryPolicy::none())
        .request_timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

fn lines(sim: &Simulator) -> Vec<String> {
    sim.request_log()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path_and_query()))
        .collect()
}

fn first_id(sim: &Simulator, resource: Resource) -> Uuid {
    sim.ids(resource, SortOrder::Desc, &Filter::All)[0]
}

/// What the simulator serves for `id`, decoded into the generated type.
fn expected<T: DeserializeOwned>(sim: &Simulator, resource: Resource, id: Uuid) -> T {
    let value = sim.record(resource, id).expect("the record exists");
    serde_json::from_value(value).expect("the simulator's record decodes")
}

#[tokio::test]
async fn each_get_returns_the_record_itself_from_its_path() {
    let sim = sim(Simulator::builder().pol_by_id(PolById::Underscore)).await;
    let client = client(&sim);

    let id = first_id(&sim, Resource::Apps);
    let app: App = client.get_app(id).await.unwrap();
    assert_eq!(app, expected::<App>(&sim, Resource::Apps, id));
    assert_eq!(app.id, Some(id));
    let mut want = vec![format!("GET /v1/apps/{id}")];

    let id = first_id(&sim, Resource::Clients);
    let got: Client = client.get_client(id).await.unwrap();
    assert_eq!(got, expected::<Client>(&sim, Resource::Clients, id));
    want.push(format!("GET /v1/clients/{id}"));

    let id = first_id(&sim, Resource::Deployments);
    let got: Deployment = client.get_deployment(id).await.unwrap();
    assert_eq!(got, expected::<Deployment>(&sim, Resource::Deployments, id));
    want.push(format!("GET /v1/deployments/{id}"));

    let id = first_id(&sim, Resource::Detections);
    let got: Detection = client.get_detection(id).await.unwrap();
    assert_eq!(got, expected::<Detection>(&sim, Resource::Detections, id));
    want.push(format!("GET /v1/detections/{id}"));

    let id = first_id(&sim, Resource::Events);
    let got: Event = client.get_event(id).await.unwrap();
    assert_eq!(got, expected::<Event>(&sim, Resource::Events, id));
    want.push(format!("GET /v1/events/{id}"));

    let id = first_id(&sim, Resource::Policies);
    let got: Policy = client.get_policy(id).await.unwrap();
    assert_eq!(got, expected::<Policy>(&sim, Resource::Policies, id));
    want.push(format!("GET /v1/policies/{id}"));

    let id = first_id(&sim, Resource::Registrations);
    let got: Registration = client.get_registration(id).await.unwrap();
    assert_eq!(
        got,
        expected::<Registration>(&sim, Resource::Registrations, id)
    );
    want.push(format!("GET /v1/registration/{id}"));

    let id = first_id(&sim, Resource::Detections);
    let trail: Vec<PolEntry> = client.get_detection_pol(id).await.unwrap();
    assert_eq!(
        trail,
        expected::<Vec<PolEntry>>(&sim, Resource::DetectionsPol, id)
    );
    want.push(format!("GET /v1/detections_pol/{id}"));

    assert_eq!(lines(&sim), want);
}

#[tokio::test]
async fn pol_trails_come_back_in_order_and_an_empty_trail_is_ok() {
    let sim = sim(Simulator::builder().pol_by_id(PolById::Both)).await;
    let client = client(&sim);
    let mut saw_empty = false;
    let mut saw_long = false;
    for id in sim.ids(Resource::Detections, SortOrder::Desc, &Filter::All) {
        let trail = client.get_detection_pol(id).await.unwrap();
        let want: Vec<PolEntry> = expected(&sim, Resource::DetectionsPol, id);
        assert_eq!(trail, want, "trail of {id}");
        saw_empty |= trail.is_empty();
        saw_long |= trail.len() > 1;
    }
    assert!(saw_empty, "seed 5 has a detection without a trail");
    assert!(
        saw_long,
        "seed 5 has a detection with a trail of several entries"
    );
}

#[tokio::test]
async fn registration_by_id_falls_back_once_to_the_plural_spelling_and_remembers_it() {
    let sim = sim(Simulator::builder().registration_by_id(RegistrationById::Plural)).await;
    let client = client(&sim);
    let ids = sim.ids(Resource::Registrations, SortOrder::Desc, &Filter::All);
    let (a, b, c) = (ids[0], ids[1], ids[2]);

    let got = client.get_registration(a).await.unwrap();
    assert_eq!(
        got,
        expected::<Registration>(&sim, Resource::Registrations, a)
    );
    // A clone shares what was learned.
    let clone = client.clone();
    clone.get_registration(b).await.unwrap();
    client.get_registration(c.to_string()).await.unwrap();
    assert_eq!(
        lines(&sim),
        [
            format!("GET /v1/registration/{a}"),
            format!("GET /v1/registrations/{a}"),
            format!("GET /v1/registrations/{b}"),
            format!("GET /v1/registrations/{c}"),
        ]
    );
}

#[tokio::test]
async fn registration_by_id_on_a_singular_or_both_server_uses_the_canonical_path_only() {
    for dialect in [RegistrationById::Singular, RegistrationById::Both] {
        let sim = sim(Simulator::builder().registration_by_id(dialect)).await;
        let client = client(&sim);
        let id = first_id(&sim, Resource::Registrations);
        client.get_registration(id).await.unwrap();
        client.get_registration(id).await.unwrap();
        assert_eq!(
            lines(&sim),
            [
                format!("GET /v1/registration/{id}"),
                format!("GET /v1/registration/{id}")
            ],
            "{dialect:?}"
        );
    }
}

#[tokio::test]
async fn pol_by_id_falls_back_to_the_documents_spelling_and_remembers_it() {
    // The simulator's default dialect serves only /v1/detectionspol/{id}, as documented.
    let sim = sim(Simulator::builder().pol_by_id(PolById::Joined)).await;
    let client = client(&sim);
    let ids = sim.ids(Resource::Detections, SortOrder::Desc, &Filter::All);
    let first = client.get_detection_pol(ids[0]).await.unwrap();
    assert_eq!(
        first,
        expected::<Vec<PolEntry>>(&sim, Resource::DetectionsPol, ids[0])
    );
    client.get_detection_pol(ids[1]).await.unwrap();
    assert_eq!(
        lines(&sim),
        [
            format!("GET /v1/detections_pol/{}", ids[0]),
            format!("GET /v1/detectionspol/{}", ids[0]),
            format!("GET /v1/detectionspol/{}", ids[1]),
        ]
    );
}

#[tokio::test]
async fn a_spelling_is_remembered_only_after_an_answer_that_proves_the_route() {
    // The canonical spelling is missing (route 404); the other one then fails with a 503,
    // a timeout, or a cut-off body — none proves that route exists, so the next call
    // starts over from the canonical spelling. Only its success is remembered.
    let faults = [
        Fault::ServerError {
            status: 503,
            body: ErrorBody::Json,
        },
        Fault::Latency(Duration::from_secs(3)),
        Fault::TruncatedBody,
    ];
    for fault in faults {
        let sim = sim(Simulator::builder()
            .pol_by_id(PolById::Joined)
            .faults(FaultPlan::new().on_request(2, fault)))
        .await;
        let client = NeonClient::builder()
            .base_url(sim.url())
            .token(sim.token())
            .retry_policy(RetryPolicy::none())
            .request_timeout(Duration::from_millis(500))
            .build()
            .expect("client builds");
        let ids = sim.ids(Resource::Detections, SortOrder::Desc, &Filter::All);
        let err = client.get_detection_pol(ids[0]).await.unwrap_err();
        assert!(
            !matches!(err, Error::RouteNotFound { .. } | Error::NotFound { .. }),
            "{fault:?}: {err:?}"
        );
        client.get_detection_pol(ids[1]).await.unwrap();
        client.get_detection_pol(ids[2]).await.unwrap();
        assert_eq!(
            lines(&sim),
            [
                format!("GET /v1/detections_pol/{}", ids[0]),
                format!("GET /v1/detectionspol/{}", ids[0]),
                format!("GET /v1/detections_pol/{}", ids[1]),
                format!("GET /v1/detectionspol/{}", ids[1]),
                format!("GET /v1/detectionspol/{}", ids[2]),
            ],
            "{fault:?}"
        );
    }
}

#[tokio::test]
async fn a_fault_on_the_first_attempt_of_the_canonical_path_changes_no_spelling() {
    // A server that speaks the canonical spelling; the first attempt gets a 503 (or a
    // reset), the retry succeeds on the same path: no fallback, nothing remembered.
    for fault in [
        Fault::ServerError {
            status: 503,
            body: ErrorBody::Html,
        },
        Fault::ConnectionReset,
    ] {
        let sim = sim(Simulator::builder()
            .registration_by_id(RegistrationById::Singular)
            .faults(FaultPlan::new().on_request(1, fault)))
        .await;
        let client = NeonClient::builder()
            .base_url(sim.url())
            .token(sim.token())
            .retry_policy(RetryPolicy::new().with_base_delay(Duration::from_millis(1)))
            .request_timeout(Duration::from_secs(5))
            .build()
            .expect("client builds");
        let ids = sim.ids(Resource::Registrations, SortOrder::Desc, &Filter::All);
        let got = client.get_registration(ids[0]).await.unwrap();
        assert_eq!(
            got,
            expected::<Registration>(&sim, Resource::Registrations, ids[0])
        );
        client.get_registration(ids[1]).await.unwrap();
        assert_eq!(
            lines(&sim),
            [
                format!("GET /v1/registration/{}", ids[0]),
                format!("GET /v1/registration/{}", ids[0]),
                format!("GET /v1/registration/{}", ids[1]),
            ],
            "{fault:?}"
        );
    }
}

#[tokio::test]
async fn a_missing_record_is_not_found_and_never_triggers_the_fallback() {
    let sim = sim(Simulator::builder().pol_by_id(PolById::Underscore)).await;
    let client = client(&sim);
    let missing = Uuid::from_u128(0x0123_4567_89ab_4def_8123_4567_89ab_cdef);
    let err = client.get_detection(missing).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { message: Some(ref m) } if m == "detection not found"),
        "{err:?}"
    );
    let err = client.get_registration(missing).await.unwrap_err();
    assert!(
        matches!(err, Error::NotFound { message: Some(ref m) } if m == "registration not found"),
        "{err:?}"
    );
    let err = client.get_detection_pol(missing).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        lines(&sim),
        [
            format!("GET /v1/detections/{missing}"),
            format!("GET /v1/registration/{missing}"),
            format!("GET /v1/detections_pol/{missing}"),
        ]
    );
}

#[tokio::test]
async fn a_route_missing_under_both_spellings_is_route_not_found() {
    // A server with neither spelling of PoL-by-id: the list path plus a suffix that no
    // router knows stands in for it.
    let sim = sim(Simulator::builder().pol_by_id(PolById::Joined)).await;
    let client = NeonClient::builder()
        .base_url(format!("{}/nothing-here", sim.url()))
        .token(sim.token())
        .build()
        .unwrap();
    let id = first_id(&sim, Resource::Detections);
    let err = client.get_detection_pol(id).await.unwrap_err();
    assert!(
        matches!(err, Error::RouteNotFound { ref path } if *path == format!("/nothing-here/v1/detectionspol/{id}")),
        "{err:?}"
    );
    assert_eq!(
        lines(&sim),
        [
            format!("GET /nothing-here/v1/detections_pol/{id}"),
            format!("GET /nothing-here/v1/detectionspol/{id}"),
        ]
    );
}

#[tokio::test]
async fn string_ids_are_checked_before_any_request() {
    let sim = sim(Simulator::builder()).await;
    let client = client(&sim);
    for bad in ["", "not-a-uuid", "../events", "0123"] {
        let err = client.get_event(bad).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{bad}: {err:?}"
        );
        let err = client.get_detection_pol(bad).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{bad}: {err:?}"
        );
    }
    assert_eq!(sim.request_count(), 0);
    let id = first_id(&sim, Resource::Events);
    let by_string = client.get_event(id.to_string()).await.unwrap();
    assert_eq!(by_string.id, Some(id));
    // Upper-case and braced forms parse to the same id and go out canonical.
    let by_upper = client
        .get_event(id.to_string().to_uppercase().as_str())
        .await
        .unwrap();
    assert_eq!(by_upper, by_string);
    assert_eq!(
        lines(&sim),
        [
            format!("GET /v1/events/{id}"),
            format!("GET /v1/events/{id}")
        ]
    );
}

#[tokio::test]
async fn unknown_enum_values_and_columnar_nulls_decode() {
    let sim = Simulator::builder()
        .seed(9)
        .detections(40)
        .events(10)
        .unknown_enum_rate(1.0)
        .start()
        .await
        .unwrap();
    let client = client(&sim);
    let id = first_id(&sim, Resource::Detections);
    let detection = client.get_detection(id).await.unwrap();
    match detection.detection_type {
        Some(DetectionType::Unknown(ref value)) => {
            let served = sim.record(Resource::Detections, id).unwrap();
            assert_eq!(served["detection_type"].as_str(), Some(value.as_str()));
        }
        other => panic!("expected an unknown detection type, got {other:?}"),
    }
    // Every record of every resource decodes, whatever nulls or integers it holds.
    for id in sim.ids(Resource::Events, SortOrder::Asc, &Filter::All) {
        client.get_event(id).await.unwrap();
    }
    for id in sim.ids(Resource::Clients, SortOrder::Asc, &Filter::All) {
        client.get_client(id).await.unwrap();
    }
    for id in sim.ids(Resource::Deployments, SortOrder::Asc, &Filter::All) {
        client.get_deployment(id).await.unwrap();
    }
}

#[tokio::test]
async fn raw_client_shares_the_connection_and_the_token() {
    let sim = sim(Simulator::builder()).await;
    let client = client(&sim);
    let id = first_id(&sim, Resource::Events);
    let response = client
        .raw()
        .get_event()
        .event_id(id)
        .send()
        .await
        .expect("raw call succeeds with the token");
    let envelope = response.into_inner();
    assert_eq!(envelope.data.and_then(|e| e.id), Some(id));
    assert_eq!(lines(&sim), [format!("GET /v1/events/{id}")]);
}

#[tokio::test]
async fn debug_of_the_client_never_shows_the_token() {
    let sim = sim(Simulator::builder().token("very-secret-token-value")).await;
    let client = client(&sim);
    let text = format!("{client:?} {client:#?}");
    assert!(!text.contains("very-secret-token-value"), "{text}");
    assert!(text.contains("ApiToken(<redacted>)"), "{text}");
}

#[tokio::test]
async fn clients_and_their_futures_can_move_across_tasks() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    let sim = sim(Simulator::builder()).await;
    let client = client(&sim);
    assert_send_sync(&client);
    let id = first_id(&sim, Resource::Events);
    // `tokio::spawn` requires the future to be `Send + 'static`.
    let task = tokio::spawn({
        let client = client.clone();
        async move { client.get_event(id).await }
    });
    assert_eq!(task.await.unwrap().unwrap().id, Some(id));
}
