//! Each fault kind, observed on the wire with a raw TCP client (so nothing between the
//! server and the assertion can smooth it over).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use neon_sim::{ErrorBody, Fault, FaultKind, FaultPlan, RetryAfter, Simulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// What came back on one connection.
#[derive(Debug)]
enum Wire {
    /// Bytes read until EOF.
    Closed(Vec<u8>),
    /// The read failed (e.g. connection reset), after these bytes.
    Failed(std::io::ErrorKind, Vec<u8>),
}

/// Sends one `GET path` with `Connection: close` and reads until EOF or error.
async fn exchange(sim: &Simulator, path: &str) -> Wire {
    let mut s = TcpStream::connect(sim.addr()).await.expect("connects");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        sim.token()
    );
    s.write_all(req.as_bytes()).await.expect("request written");
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .expect("no hang")
        {
            Ok(0) => return Wire::Closed(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return Wire::Failed(e.kind(), got),
        }
    }
}

struct Http {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Http {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse(bytes: &[u8]) -> Http {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("complete head");
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .expect("status line")
        .split(' ')
        .nth(1)
        .expect("code")
        .parse()
        .expect("number");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    Http {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    }
}

fn closed(w: Wire) -> Http {
    match w {
        Wire::Closed(b) => parse(&b),
        Wire::Failed(k, b) => panic!("read failed with {k:?} after {} bytes", b.len()),
    }
}

async fn with(plan: FaultPlan) -> Simulator {
    Simulator::builder()
        .events(50)
        .faults(plan)
        .start()
        .await
        .expect("simulator starts")
}

#[tokio::test]
async fn scripted_latency_delays_only_that_request() {
    let sim =
        with(FaultPlan::new().on_request(2, Fault::Latency(Duration::from_millis(600)))).await;
    let t = Instant::now();
    assert_eq!(
        closed(exchange(&sim, "/v1/events?limit=1").await).status,
        200
    );
    assert!(t.elapsed() < Duration::from_millis(500));
    let t = Instant::now();
    assert_eq!(
        closed(exchange(&sim, "/v1/events?limit=1").await).status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(600));
    assert_eq!(
        sim.fault_counts(),
        BTreeMap::from([(FaultKind::Latency, 1)])
    );
    assert_eq!(sim.request_log()[1].fault, Some(FaultKind::Latency));
}

#[tokio::test]
async fn too_many_requests_carries_retry_after_in_seconds_or_as_a_date() {
    let sim = with(
        FaultPlan::new()
            .on_request(1, Fault::TooManyRequests(Some(RetryAfter::Seconds(7))))
            .on_request(
                2,
                Fault::TooManyRequests(Some(RetryAfter::HttpDate(Duration::from_secs(120)))),
            )
            .on_request(3, Fault::TooManyRequests(None)),
    )
    .await;
    let r = closed(exchange(&sim, "/v1/events").await);
    assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
    assert_eq!(
        r.body,
        br#"{"error":"rate limit exceeded","data":null}"#.to_vec()
    );
    let r = closed(exchange(&sim, "/v1/events").await);
    assert_eq!(r.status, 429);
    let date = httpdate::parse_http_date(r.header("retry-after").expect("retry-after"))
        .expect("an HTTP date");
    let ahead = date
        .duration_since(std::time::SystemTime::now())
        .expect("in the future");
    assert!(
        ahead > Duration::from_secs(100) && ahead <= Duration::from_secs(121),
        "{ahead:?}"
    );
    let r = closed(exchange(&sim, "/v1/events").await);
    assert_eq!((r.status, r.header("retry-after")), (429, None));
    assert_eq!(closed(exchange(&sim, "/v1/events").await).status, 200);
}

#[tokio::test]
async fn server_errors_come_with_a_json_envelope_or_an_html_page() {
    let sim = with(
        FaultPlan::new()
            .on_request(
                1,
                Fault::ServerError {
                    status: 500,
                    body: ErrorBody::Json,
                },
            )
            .on_request(
                2,
                Fault::ServerError {
                    status: 502,
                    body: ErrorBody::Html,
                },
            )
            .on_request(
                3,
                Fault::ServerError {
                    status: 503,
                    body: ErrorBody::Json,
                },
            ),
    )
    .await;
    let r = closed(exchange(&sim, "/v1/events").await);
    assert_eq!(r.status, 500);
    assert_eq!(
        r.body,
        br#"{"error":"internal server error","data":null}"#.to_vec()
    );
    let r = closed(exchange(&sim, "/v1/events").await);
    assert_eq!(
        (r.status, r.header("content-type")),
        (502, Some("text/html"))
    );
    assert!(String::from_utf8_lossy(&r.body).contains("<h1>502 Bad Gateway</h1>"));
    let r = closed(exchange(&sim, "/v1/events").await);
    assert_eq!(r.status, 503);
    assert_eq!(
        r.body,
        br#"{"error":"service unavailable","data":null}"#.to_vec()
    );
    assert_eq!(
        sim.fault_counts(),
        BTreeMap::from([(FaultKind::ServerError, 3)])
    );
}

#[tokio::test]
async fn connection_reset_sends_no_response_at_all() {
    let sim = with(FaultPlan::new().on_request(1, Fault::ConnectionReset)).await;
    match exchange(&sim, "/v1/events").await {
        Wire::Failed(kind, bytes) => {
            assert_eq!(kind, std::io::ErrorKind::ConnectionReset);
            assert!(bytes.is_empty());
        }
        Wire::Closed(bytes) => panic!("expected a reset, got a close after {} bytes", bytes.len()),
    }
    // The server is fine afterwards; reqwest sees the reset as an error too.
    assert_eq!(closed(exchange(&sim, "/v1/events").await).status, 200);
    let sim = with(FaultPlan::new().on_request(1, Fault::ConnectionReset)).await;
    let err = reqwest::Client::new()
        .get(format!("{}/v1/events", sim.url()))
        .header("Authorization", sim.token())
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect_err("a reset is an error");
    assert!(!err.is_timeout(), "{err}");
}

#[tokio::test]
async fn truncated_body_declares_the_full_length_and_sends_half() {
    let sim = with(FaultPlan::new().on_request(1, Fault::TruncatedBody)).await;
    let bytes = match exchange(&sim, "/v1/events?limit=5").await {
        Wire::Closed(b) | Wire::Failed(_, b) => b,
    };
    let r = parse(&bytes);
    assert_eq!(r.status, 200);
    let declared: usize = r
        .header("content-length")
        .expect("content-length")
        .parse()
        .expect("number");
    assert!(declared > 1000);
    assert_eq!(r.body.len(), declared / 2);
    assert!(r.body.starts_with(br#"{"error":null,"data":[{"#));
    assert_eq!(
        sim.fault_counts(),
        BTreeMap::from([(FaultKind::TruncatedBody, 1)])
    );
}

#[tokio::test]
async fn malformed_json_is_a_well_framed_200_that_does_not_parse() {
    let sim = with(FaultPlan::new().on_request(1, Fault::MalformedJson)).await;
    let r = closed(exchange(&sim, "/v1/events?limit=5").await);
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("application/json"))
    );
    let declared: usize = r
        .header("content-length")
        .expect("content-length")
        .parse()
        .expect("number");
    assert_eq!(r.body.len(), declared);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
}

#[tokio::test]
async fn rate_faults_are_reproducible_from_the_seed_and_counted() {
    let plan = FaultPlan::new()
        .seed(42)
        .with_rate(
            Fault::ServerError {
                status: 503,
                body: ErrorBody::Json,
            },
            0.3,
        )
        .with_rate(Fault::TooManyRequests(Some(RetryAfter::Seconds(1))), 0.2)
        .only_paths("/v1/events");
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = with(plan.clone()).await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(closed(exchange(&sim, "/v1/events?limit=1").await).status);
        }
        // Paths outside the prefix never get rate faults.
        assert_eq!(
            closed(exchange(&sim, "/v1/clients?limit=1").await).status,
            200
        );
        let counts = sim.fault_counts();
        let s503 = statuses.iter().filter(|s| **s == 503).count() as u64;
        let s429 = statuses.iter().filter(|s| **s == 429).count() as u64;
        assert_eq!(
            counts.get(&FaultKind::ServerError).copied().unwrap_or(0),
            s503
        );
        assert_eq!(
            counts
                .get(&FaultKind::TooManyRequests)
                .copied()
                .unwrap_or(0),
            s429
        );
        assert!(s503 > 3 && s429 > 2 && s503 + s429 < 35, "{statuses:?}");
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
}
