//! Retry decisions seen from a loopback server that answers a script of responses in
//! order and counts requests: garbage and huge `Retry-After` values, `Retry-After` on a
//! 503, the statuses that are never retried, requests through a proxy, and a get-by-id
//! whose `data` is an array.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use neon_api_ext::{Error, NeonClient, RetryPolicy};
use uuid::Uuid;

const TOKEN: &str = "tok-retry-wire";
const ID: Uuid = Uuid::from_u128(0x1111_2222_3333_4444_8555_6666_7777_8888);

/// One scripted response: status, `Retry-After` (if any), body.
type Step = (u16, Option<&'static str>, &'static str);

const OK_BODY: &str = r#"{"error":null,"data":{"id":"11112222-3333-4444-8555-666677778888"}}"#;

struct Script {
    url: String,
    count: Arc<AtomicUsize>,
}

/// Serves `steps` in order (the last one repeats) on every path.
async fn script(steps: Vec<Step>) -> Script {
    let count = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counter = count.clone();
    let app = Router::new().fallback(get(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let (status, retry_after, body) = steps[n.min(steps.len() - 1)];
        async move {
            let mut response = (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, value.parse().unwrap());
            }
            response
        }
    }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Script { url, count }
}

fn client(url: &str) -> NeonClient {
    NeonClient::builder()
        .base_url(url)
        .token(TOKEN)
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(4)
                .with_base_delay(Duration::from_millis(2))
                .with_max_delay(Duration::from_millis(10))
                .with_retry_after_cap(Duration::from_secs(5)),
        )
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn garbage_retry_after_falls_back_to_jittered_backoff() {
    let s = script(vec![
        (429, Some("soon"), r#"{"error":"slow down","data":null}"#),
        (429, Some("-3"), r#"{"error":"slow down","data":null}"#),
        (200, None, OK_BODY),
    ])
    .await;
    let started = Instant::now();
    let event = client(&s.url).get_event(ID).await.unwrap();
    assert_eq!(event.id, Some(ID));
    assert_eq!(s.count.load(Ordering::SeqCst), 3);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_huge_retry_after_never_sleeps_and_never_overflows() {
    // (header, the delay carried, how the error shows it)
    let more = format!("more than {} s", u64::MAX);
    for (huge, delay, shown) in [
        ("99999999999999999999999999", Duration::MAX, more.as_str()),
        (
            "18446744073709551615",
            Duration::from_secs(u64::MAX),
            "18446744073709551615 s",
        ),
        ("86400", Duration::from_secs(86_400), "86400 s"),
    ] {
        let s = script(vec![(
            429,
            Some(huge),
            r#"{"error":"slow down","data":null}"#,
        )])
        .await;
        let started = Instant::now();
        let err = client(&s.url).get_event(ID).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2), "{huge}");
        assert!(
            matches!(err, Error::RateLimited { retry_after: Some(d) } if d == delay),
            "{huge}: unexpected {err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("rate limited (HTTP 429): the server asked to wait {shown}")
        );
        assert_eq!(s.count.load(Ordering::SeqCst), 1, "{huge}");
    }
    // An HTTP-date far in the future: a real (representable) delay, not slept.
    let s = script(vec![(
        429,
        Some("Fri, 31 Dec 9999 23:59:59 GMT"),
        r#"{"error":"slow down","data":null}"#,
    )])
    .await;
    let err = client(&s.url).get_event(ID).await.unwrap_err();
    match err.retry_after() {
        Some(d) => assert!(d > Duration::from_secs(86_400 * 365 * 7000), "{d:?}"),
        None => panic!("unexpected {err:?}"),
    }
    assert_eq!(s.count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_503_asking_for_more_than_the_cap_returns_at_once_with_the_servers_delay() {
    for (status, text) in [(503, "503 Service Unavailable"), (502, "502 Bad Gateway")] {
        let s = script(vec![
            (status, Some("60"), r#"{"error":"maintenance","data":null}"#),
            (200, None, OK_BODY),
        ])
        .await;
        let started = Instant::now();
        let err = client(&s.url).get_event(ID).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(s.count.load(Ordering::SeqCst), 1, "the 60 s were not slept");
        assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            err.to_string(),
            format!(
                "server unavailable (HTTP {text}, content-type application/json): \
                 maintenance; the server asked to wait 60 s"
            )
        );
    }
}

#[tokio::test]
async fn a_503_within_the_cap_on_every_attempt_carries_the_last_delay() {
    let s = script(vec![(
        503,
        Some("0"),
        r#"{"error":"maintenance","data":null}"#,
    )])
    .await;
    let err = client(&s.url).get_event(ID).await.unwrap_err();
    assert_eq!(s.count.load(Ordering::SeqCst), 4, "retried to the budget");
    assert!(
        matches!(
            err,
            Error::Unavailable { status, retry_after, ref snippet, .. }
                if status.as_u16() == 503 && retry_after == Duration::ZERO && snippet == "maintenance"
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn retry_after_on_a_503_is_honoured() {
    let s = script(vec![
        (503, Some("1"), r#"{"error":"maintenance","data":null}"#),
        (200, None, OK_BODY),
    ])
    .await;
    let started = Instant::now();
    client(&s.url).get_event(ID).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(s.count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn client_errors_and_500_are_never_retried() {
    for (status, expect) in [
        (400, "API error (HTTP 400 Bad Request): nope"),
        (401, "unauthorized (HTTP 401): nope"),
        (403, "forbidden (HTTP 403): nope"),
        (404, "not found: nope"),
        (409, "API error (HTTP 409 Conflict): nope"),
        (
            500,
            "server error (HTTP 500 Internal Server Error, content-type application/json): nope",
        ),
    ] {
        let s = script(vec![
            (status, Some("0"), r#"{"error":"nope","data":null}"#),
            (200, None, OK_BODY),
        ])
        .await;
        let err = client(&s.url).get_event(ID).await.unwrap_err();
        assert_eq!(err.to_string(), expect);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(s.count.load(Ordering::SeqCst), 1, "{status} was retried");
    }
}

/// Request target and `Authorization` of every request a server saw.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A loopback "proxy" that records the request target and answers for the origin.
async fn proxy() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let record = seen.clone();
    let app = Router::new().fallback(get(move |uri: Uri, headers: HeaderMap| {
        let record = record.clone();
        async move {
            let auth = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            record.lock().unwrap().push((uri.to_string(), auth));
            ([(header::CONTENT_TYPE, "application/json")], OK_BODY)
        }
    }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    let (proxy_url, seen) = proxy().await;
    // `.invalid` never resolves: only the proxy can answer. Plain http to a non-loopback
    // host needs the explicit opt-in.
    let client = NeonClient::builder()
        .base_url("http://neon.invalid")
        .allow_insecure_http(true)
        .token(TOKEN)
        .proxy(reqwest::Proxy::http(&proxy_url).unwrap())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let event = client.get_event(ID).await.unwrap();
    assert_eq!(event.id, Some(ID));
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            format!("http://neon.invalid/v1/events/{ID}"),
            Some(TOKEN.to_owned())
        )]
    );
}

#[tokio::test]
async fn a_get_by_id_whose_data_is_an_array_is_a_clear_decode_error() {
    let s = script(vec![(200, None, r#"{"error":null,"data":[]}"#)]).await;
    let err = client(&s.url).get_event(ID).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "could not decode response (HTTP 200 OK, content-type application/json) at `data`: \
         invalid type: sequence, expected a record (a JSON object) at line 1 column 21; \
         body starts: {\"error\":null,\"data\":[]}"
    );
    assert_eq!(s.count.load(Ordering::SeqCst), 1, "not retried");
}
