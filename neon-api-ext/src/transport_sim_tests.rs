//! `get_list` and the retry loop against the simulator: what went on the wire (the
//! simulator's request log) and what came back, for every fault kind.

use std::time::{Duration, Instant};

use neon_sim::{
    ErrorBody, Fault, FaultKind, FaultPlan, Filter, Resource, RetryAfter, Simulator, SortOrder,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::operations::Operation;
use crate::{Error, NeonClient, RetryPolicy};

/// Fast retries so fault tests take milliseconds, not seconds.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(4)
        .with_base_delay(Duration::from_millis(2))
        .with_max_delay(Duration::from_millis(10))
}

async fn sim_with(faults: FaultPlan) -> Simulator {
    Simulator::builder()
        .seed(11)
        .detections(30)
        .events(40)
        .faults(faults)
        .start()
        .await
        .expect("simulator starts")
}

fn client(sim: &Simulator) -> NeonClient {
    NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .retry_policy(fast_retries())
        .request_timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

/// `path?query` of every logged request, in order.
fn lines(sim: &Simulator) -> Vec<String> {
    sim.request_log()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path_and_query()))
        .collect()
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap_or("?").to_owned())
        .collect()
}

async fn list_events(client: &NeonClient) -> Result<Vec<Value>, Error> {
    client
        .get_list::<Value>(Operation::ListEvents, &[("limit", "5".to_owned())])
        .await
}

fn first_events(sim: &Simulator, n: usize) -> Vec<String> {
    let mut all = sim.records(Resource::Events, SortOrder::Desc, &Filter::All);
    all.truncate(n);
    ids(&all)
}

#[tokio::test]
async fn filters_go_out_as_repeated_keys_in_the_given_order() {
    let sim = sim_with(FaultPlan::new()).await;
    let client = client(&sim);
    let records = client
        .get_list::<Value>(
            Operation::ListDetections,
            &[
                ("type", "intel".to_owned()),
                ("type", "phishing".to_owned()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(lines(&sim), ["GET /v1/detections?type=intel&type=phishing"]);
    let expected = sim.records(
        Resource::Detections,
        SortOrder::Desc,
        &Filter::Types(vec!["intel".into(), "phishing".into()]),
    );
    assert!(
        !expected.is_empty(),
        "the seed yields intel/phishing detections"
    );
    assert_eq!(ids(&records), ids(&expected));
}

#[tokio::test]
async fn every_list_operation_hits_its_documented_path() {
    let sim = sim_with(FaultPlan::new()).await;
    let client = client(&sim);
    for op in [
        Operation::ListApps,
        Operation::ListClients,
        Operation::ListDeployments,
        Operation::ListDetections,
        Operation::ListDetectionsPol,
        Operation::ListEvents,
        Operation::ListPolicies,
        Operation::ListRegistrations,
    ] {
        let records = client
            .get_list::<Value>(op, &[("limit", "2".to_owned())])
            .await
            .unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(records.len(), 2, "{op}");
    }
    assert_eq!(
        lines(&sim),
        [
            "GET /v1/apps?limit=2",
            "GET /v1/clients?limit=2",
            "GET /v1/deployments?limit=2",
            "GET /v1/detections?limit=2",
            "GET /v1/detections_pol?limit=2",
            "GET /v1/events?limit=2",
            "GET /v1/policies?limit=2",
            "GET /v1/registration?limit=2",
        ]
    );
}

#[tokio::test]
async fn headers_carry_the_user_agent_and_accept_json() {
    let sim = sim_with(FaultPlan::new()).await;
    list_events(&client(&sim)).await.unwrap();
    let log = sim.request_log();
    assert_eq!(
        log[0].header("user-agent"),
        Some(concat!("neon-api-ext/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(log[0].header("accept"), Some("application/json"));
    // The simulator masks the value in its log; it answered 200, so the raw token matched.
    assert_eq!(log[0].header("authorization"), Some(neon_sim::MASK));
}

#[tokio::test]
async fn a_non_list_operation_is_refused_before_sending() {
    let sim = sim_with(FaultPlan::new()).await;
    let err = client(&sim)
        .get_list::<Value>(Operation::GetEvent, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidRequest { ref message } if message == "get_event is not a list operation"),
        "{err:?}"
    );
    assert_eq!(sim.request_count(), 0);
}

/// Each retryable fault on the first request: the second attempt succeeds with the
/// right page, and the log shows the same request twice.
#[tokio::test]
async fn retryable_faults_are_retried_and_the_page_is_whole() {
    let faults = [
        Fault::TooManyRequests(None),
        Fault::TooManyRequests(Some(RetryAfter::Seconds(0))),
        Fault::ServerError {
            status: 502,
            body: ErrorBody::Html,
        },
        Fault::ServerError {
            status: 503,
            body: ErrorBody::Json,
        },
        Fault::ServerError {
            status: 504,
            body: ErrorBody::Html,
        },
        Fault::ConnectionReset,
        Fault::TruncatedBody,
        Fault::MalformedJson,
    ];
    for fault in faults {
        let sim = sim_with(FaultPlan::new().on_request(1, fault)).await;
        let records = list_events(&client(&sim))
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(ids(&records), first_events(&sim, 5), "{fault:?}");
        assert_eq!(
            lines(&sim),
            ["GET /v1/events?limit=5", "GET /v1/events?limit=5"],
            "{fault:?}"
        );
        assert_eq!(sim.fault_counts().get(&fault.kind()), Some(&1), "{fault:?}");
    }
}

#[tokio::test]
async fn a_500_is_not_retried() {
    let sim = sim_with(FaultPlan::new().on_request(
        1,
        Fault::ServerError {
            status: 500,
            body: ErrorBody::Json,
        },
    ))
    .await;
    let err = list_events(&client(&sim)).await.unwrap_err();
    match err {
        Error::Server {
            status,
            content_type,
            snippet,
        } => {
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(content_type.as_deref(), Some("application/json"));
            assert_eq!(snippet, "internal server error");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(sim.request_count(), 1);
}

#[tokio::test]
async fn gateway_html_after_the_last_attempt_is_a_readable_server_error() {
    let mut plan = FaultPlan::new();
    for n in 1..=4 {
        plan = plan.on_request(
            n,
            Fault::ServerError {
                status: 502,
                body: ErrorBody::Html,
            },
        );
    }
    let sim = sim_with(plan).await;
    let err = list_events(&client(&sim)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "server error (HTTP 502 Bad Gateway, content-type text/html): <html> <head><title>502 \
         Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr>\
         <center>nginx</center> </body> </html>"
    );
    assert_eq!(sim.request_count(), 4, "4 attempts, then the error");
}

#[tokio::test]
async fn truncated_bodies_every_time_end_in_a_transport_error_never_a_short_page() {
    let mut plan = FaultPlan::new();
    for n in 1..=4 {
        plan = plan.on_request(n, Fault::TruncatedBody);
    }
    let sim = sim_with(plan).await;
    let err = list_events(&client(&sim)).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(sim.request_count(), 4);
}

#[tokio::test]
async fn a_json_document_cut_in_half_every_time_is_a_truncation_error() {
    let mut plan = FaultPlan::new();
    for n in 1..=4 {
        plan = plan.on_request(n, Fault::MalformedJson);
    }
    let sim = sim_with(plan).await;
    let err = list_events(&client(&sim)).await.unwrap_err();
    assert!(
        matches!(err, Error::Truncated { status: StatusCode::OK, received } if received > 0),
        "{err:?}"
    );
    assert_eq!(sim.request_count(), 4);
}

#[tokio::test]
async fn retry_after_in_seconds_is_slept() {
    let sim = sim_with(
        FaultPlan::new().on_request(1, Fault::TooManyRequests(Some(RetryAfter::Seconds(1)))),
    )
    .await;
    let started = Instant::now();
    let records = list_events(&client(&sim)).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(records.len(), 5);
    assert!(elapsed >= Duration::from_secs(1), "slept only {elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "slept {elapsed:?}");
    assert_eq!(sim.request_count(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_slept() {
    // The date has whole-second resolution: "2 s from now" is 1–2 s away when parsed.
    let sim = sim_with(FaultPlan::new().on_request(
        1,
        Fault::TooManyRequests(Some(RetryAfter::HttpDate(Duration::from_secs(2)))),
    ))
    .await;
    let started = Instant::now();
    let records = list_events(&client(&sim)).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(records.len(), 5);
    assert!(
        elapsed >= Duration::from_millis(900),
        "slept only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "slept {elapsed:?}");
    assert_eq!(sim.request_count(), 2);
}

#[tokio::test]
async fn retry_after_beyond_the_cap_fails_at_once_with_the_servers_delay() {
    let sim = sim_with(FaultPlan::new().on_request(
        1,
        Fault::TooManyRequests(Some(RetryAfter::Seconds(86_400 * 365))),
    ))
    .await;
    let started = Instant::now();
    let err = list_events(&client(&sim)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(86_400 * 365)),
        "{err:?}"
    );
    assert_eq!(sim.request_count(), 1);
}

#[tokio::test]
async fn rate_limited_until_attempts_run_out() {
    let mut plan = FaultPlan::new();
    for n in 1..=4 {
        plan = plan.on_request(n, Fault::TooManyRequests(None));
    }
    let sim = sim_with(plan).await;
    let err = list_events(&client(&sim)).await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: None }),
        "{err:?}"
    );
    assert_eq!(sim.request_count(), 4);
    assert_eq!(
        sim.fault_counts().get(&FaultKind::TooManyRequests),
        Some(&4)
    );
}

#[tokio::test]
async fn a_slow_response_times_out_and_is_retried() {
    let sim =
        sim_with(FaultPlan::new().on_request(1, Fault::Latency(Duration::from_millis(1500)))).await;
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .retry_policy(fast_retries())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let records = list_events(&client).await.unwrap();
    assert_eq!(ids(&records), first_events(&sim, 5));
    assert_eq!(sim.request_count(), 2);

    let sim =
        sim_with(FaultPlan::new().on_request(1, Fault::Latency(Duration::from_millis(1500)))).await;
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .retry_policy(RetryPolicy::none())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = list_events(&client).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_not_retried() {
    let sim = sim_with(FaultPlan::new()).await;
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token("wrong-token")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let err = list_events(&client).await.unwrap_err();
    assert!(
        matches!(err, Error::Unauthorized { message: Some(ref m) } if m == "invalid API key"),
        "{err:?}"
    );
    assert_eq!(sim.request_count(), 1);
}

#[tokio::test]
async fn a_bearer_prefixed_token_is_refused_by_the_server_so_we_never_send_one() {
    let sim = sim_with(FaultPlan::new()).await;
    let bearer = NeonClient::builder()
        .base_url(sim.url())
        .token(format!("Bearer {}", sim.token()))
        .build()
        .unwrap();
    assert!(matches!(
        list_events(&bearer).await,
        Err(Error::Unauthorized { .. })
    ));
    assert!(list_events(&client(&sim)).await.is_ok());
}

#[tokio::test]
async fn a_bad_filter_value_is_an_api_error_and_not_retried() {
    let sim = sim_with(FaultPlan::new()).await;
    let err = client(&sim)
        .get_list::<Value>(Operation::ListEvents, &[("type", "nonsense".to_owned())])
        .await
        .unwrap_err();
    match err {
        Error::Api { status, message } => {
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(message.contains("nonsense"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(lines(&sim), ["GET /v1/events?type=nonsense"]);
}

#[tokio::test]
async fn connection_refused_is_retried_then_a_transport_error() {
    // Bind, learn the port, close: nothing listens there now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = NeonClient::builder()
        .base_url(url)
        .token("t")
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let err = list_events(&client).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}
