//! Secrets: with a recognisable token and a server that echoes it back everywhere it can
//! (error messages, HTML pages, JSON values that fail to decode, redirect targets), every
//! error kind is provoked; `Debug` of the client and builder, `Debug`/`Display` of every
//! error and of its source chain, and everything tracing emits at TRACE level (including
//! `log` records of the HTTP stack, bridged) are captured — and the token is asserted to
//! appear nowhere, not even a 10-character piece of it.
//!
//! One test per process: the tracing subscriber is global.

mod reliability_support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use neon_api_ext::{Error, NeonClient, RetryPolicy};
use reliability_support::{raw_server, response, Action, RawServer};

/// Recognisable, and long enough that a 10-character piece of it is not a coincidence.
const SECRET: &str = "nsk_Q9v7ZxKp2LmW8rT4yB6cD1fH3jN5sA0eUu";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every piece of the secret at least `len` characters long that `text` contains.
fn pieces_of_secret_in(text: &str, len: usize) -> Vec<String> {
    let chars: Vec<char> = SECRET.chars().collect();
    let mut found = Vec::new();
    for start in 0..=chars.len() - len {
        let piece: String = chars[start..start + len].iter().collect();
        if text.contains(&piece) {
            found.push(piece);
        }
    }
    found
}

/// What the echoing server answers on each path (`/v1/<kind>...`), the token spliced in.
fn echo(path: &str, token: &str, port: u16) -> Action {
    let envelope = |message: String| format!(r#"{{"error":"{message}","data":null}}"#);
    let json = |status: &str, body: String| {
        Action::Respond(response(
            status,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        ))
    };
    let kind = path
        .trim_start_matches("/v1/")
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    match kind {
        "unauthorized" => json("401 Unauthorized", envelope(format!("bad token {token}"))),
        "forbidden" => json("403 Forbidden", envelope(format!("{token} may not"))),
        "notfound" => json("404 Not Found", envelope(format!("no record for {token}"))),
        "route" => Action::Respond(response(
            "404 Not Found",
            &[("Content-Type", "text/plain")],
            format!("no route; you sent {token}").as_bytes(),
        )),
        "ratelimited" => Action::Respond(response(
            "429 Too Many Requests",
            &[
                ("Retry-After", "99999"),
                ("Content-Type", "application/json"),
            ],
            envelope(format!("slow down {token}")).as_bytes(),
        )),
        "server" => Action::Respond(response(
            "500 Internal Server Error",
            &[("Content-Type", "text/html")],
            format!("<html><body>crash while handling {token}</body></html>").as_bytes(),
        )),
        "unavailable" => Action::Respond(response(
            "503 Service Unavailable",
            &[("Retry-After", "99999"), ("Content-Type", "text/html")],
            format!("<html>maintenance; you sent {token}</html>").as_bytes(),
        )),
        "badgateway" => Action::Respond(response(
            "502 Bad Gateway",
            &[("Content-Type", "text/html")],
            format!("<html>upstream said {token}</html>").as_bytes(),
        )),
        "api400" => json(
            "400 Bad Request",
            envelope(format!("bad filter from {token}")),
        ),
        "api200" => json("200 OK", envelope(format!("quota for {token}"))),
        "apiobject" => json(
            "200 OK",
            format!(r#"{{"error":{{"code":7,"token":"{token}"}},"data":null}}"#),
        ),
        "unexpected" => Action::Respond(response(
            "409 Conflict",
            &[("Content-Type", "text/plain")],
            format!("conflict for {token}").as_bytes(),
        )),
        "redirect" => Action::Respond(response(
            "302 Found",
            &[(
                "Location",
                &format!("http://localhost:{port}/login?token={token}"),
            )],
            b"",
        )),
        // A JSON value that fails to decode carries the token: serde_json quotes it.
        "decodefloat" => json(
            "200 OK",
            format!(r#"{{"error":null,"data":[{{"latitude":"{token}"}}]}}"#),
        ),
        "decodeuuid" => json(
            "200 OK",
            format!(r#"{{"error":null,"data":[{{"id":"{token}"}}]}}"#),
        ),
        "decodeenum" => json(
            "200 OK",
            format!(r#"{{"error":null,"data":[{{"event_type":{{"{token}":1}}}}]}}"#),
        ),
        "decodetime" => json(
            "200 OK",
            format!(r#"{{"error":null,"data":[{{"updated_at":"{token}"}}]}}"#),
        ),
        // The token straddles the 200-character snippet limit of a decode error.
        "straddle" => {
            let body = format!("{}{token} and more text after it", "x".repeat(190));
            Action::Respond(response(
                "200 OK",
                &[("Content-Type", "text/html")],
                body.as_bytes(),
            ))
        }
        "truncated" => {
            let body = format!(r#"{{"error":null,"data":[{{"name":"{token}"#);
            json("200 OK", body)
        }
        "timeout" => Action::Stall(Vec::new()),
        "reset" => Action::Close,
        "huge" => Action::Endless {
            head: b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n".to_vec(),
            chunk: token.as_bytes().to_vec(),
        },
        // get-by-id of a record the server does not have.
        "events" => json("200 OK", r#"{"error":null,"data":null}"#.to_owned()),
        _ => json("200 OK", r#"{"error":null,"data":[]}"#.to_owned()),
    }
}

fn client(server: &RawServer) -> NeonClient {
    NeonClient::builder()
        .base_url(&server.url)
        .token(SECRET)
        .request_timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(2)
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(2))
                .with_retry_after_cap(Duration::from_secs(1)),
        )
        .no_proxy()
        .build()
        .unwrap()
}

/// Every way `err` can be shown.
fn renderings(err: &Error) -> String {
    let mut out = format!("{err}\n{err:?}\n{err:#?}\n");
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        out.push_str(&format!("{inner}\n{inner:?}\n"));
        source = inner.source();
    }
    out
}

/// A list call against `/v1/<kind>` through the raw client API: `get_list` is crate-private,
/// so the stream of a list whose collection path is `kind` is reached through a base URL
/// that ends in the kind and a get-by-id under it.
async fn provoke(server: &RawServer, kind: &str) -> Error {
    // Base URL `http://127.0.0.1:port/v1/<kind>/..`: the client then calls
    // `<base>/v1/events?...`, whose path starts with `/v1/<kind>`.
    let client = NeonClient::builder()
        .base_url(format!("{}/v1/{kind}", server.url))
        .token(SECRET)
        .request_timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(2)
                .with_base_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(2))
                .with_retry_after_cap(Duration::from_secs(1)),
        )
        .no_proxy()
        .build()
        .unwrap();
    client
        .events()
        .page_size(5)
        .collect_all()
        .await
        .expect_err(kind)
}

#[test]
fn the_token_appears_in_no_debug_display_error_or_trace_output() {
    let logs = Buffer::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .try_init()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut shown = String::new();
    let mut kinds_seen = std::collections::BTreeSet::new();
    runtime.block_on(async {
        let server = raw_server(|request, _| {
            let port = request
                .header("host")
                .and_then(|h| h.rsplit(':').next())
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            let path = request.target().to_owned();
            echo(&path, SECRET, port)
        })
        .await;

        let builder = NeonClient::builder().token(SECRET).base_url(&server.url);
        shown.push_str(&format!("{builder:?}\n{builder:#?}\n"));
        let client = client(&server);
        shown.push_str(&format!("{client:?}\n{client:#?}\n"));
        // The generated raw client shares the HTTP client, whose default headers hold the
        // token (marked sensitive).
        let raw = client.raw();
        let raw_debug = format!("{raw:?}\n{raw:#?}\n");
        assert!(raw_debug.contains("Sensitive"), "{raw_debug}");
        shown.push_str(&raw_debug);

        for kind in [
            "unauthorized",
            "forbidden",
            "notfound",
            "route",
            "ratelimited",
            "server",
            "badgateway",
            "unavailable",
            "api400",
            "api200",
            "apiobject",
            "unexpected",
            "redirect",
            "decodefloat",
            "decodeuuid",
            "decodeenum",
            "decodetime",
            "straddle",
            "truncated",
            "timeout",
            "reset",
            "huge",
        ] {
            let err = provoke(&server, kind).await;
            kinds_seen.insert(variant(&err));
            shown.push_str(&format!("--- {kind}\n{}", renderings(&err)));
        }
        // get-by-id: a record that is missing (data: null on a 200).
        let err = client
            .get_event("00000000-0000-4000-8000-000000000000")
            .await
            .unwrap_err();
        kinds_seen.insert(variant(&err));
        shown.push_str(&renderings(&err));
        // Refused before sending: a bad id, a token that cannot be a header.
        let err = client.get_event("not-a-uuid").await.unwrap_err();
        kinds_seen.insert(variant(&err));
        shown.push_str(&renderings(&err));
        let err = NeonClient::builder()
            .token(format!("{SECRET}\u{7}"))
            .build()
            .unwrap_err();
        kinds_seen.insert(variant(&err));
        shown.push_str(&renderings(&err));
        let err = NeonClient::builder()
            .token(SECRET)
            .base_url(format!("https://user:{SECRET}@api.example.com"))
            .build()
            .unwrap_err();
        shown.push_str(&renderings(&err));
    });
    drop(runtime);

    let expected_kinds = [
        "Api",
        "BodyTooLarge",
        "Config",
        "Decode",
        "Forbidden",
        "InvalidRequest",
        "NotFound",
        "RateLimited",
        "RouteNotFound",
        "Server",
        "Timeout",
        "Transport",
        "Truncated",
        "Unauthorized",
        "Unavailable",
        "UnexpectedResponse",
    ];
    assert_eq!(
        kinds_seen.iter().copied().collect::<Vec<_>>(),
        expected_kinds,
        "every error kind was provoked"
    );
    let trace = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(trace.contains("neon_api_request"), "tracing was captured");
    assert!(trace.contains("TRACE"), "TRACE-level events were captured");
    assert!(
        shown.contains("<redacted>"),
        "the server's echoes were scrubbed"
    );
    let leaks_shown = pieces_of_secret_in(&shown, 10);
    let leaks_traced = pieces_of_secret_in(&trace, 10);
    if !leaks_shown.is_empty() || !leaks_traced.is_empty() {
        let lines: Vec<&str> = shown
            .lines()
            .chain(trace.lines())
            .filter(|l| {
                leaks_shown
                    .iter()
                    .chain(&leaks_traced)
                    .any(|p| l.contains(p.as_str()))
            })
            .take(20)
            .collect();
        panic!("the token leaked:\n{}", lines.join("\n"));
    }
}

fn variant(err: &Error) -> &'static str {
    match err {
        Error::Unauthorized { .. } => "Unauthorized",
        Error::Forbidden { .. } => "Forbidden",
        Error::NotFound { .. } => "NotFound",
        Error::RouteNotFound { .. } => "RouteNotFound",
        Error::RateLimited { .. } => "RateLimited",
        Error::Server { .. } => "Server",
        Error::Api { .. } => "Api",
        Error::UnexpectedResponse { .. } => "UnexpectedResponse",
        Error::Decode { .. } => "Decode",
        Error::Timeout { .. } => "Timeout",
        Error::Transport { .. } => "Transport",
        Error::Truncated { .. } => "Truncated",
        Error::BodyTooLarge { .. } => "BodyTooLarge",
        Error::InvalidRequest { .. } => "InvalidRequest",
        Error::Config { .. } => "Config",
        Error::Unavailable { .. } => "Unavailable",
        _ => "unknown variant",
    }
}
