//! What the `reliability_*` tests share: a raw HTTP/1.1 server on 127.0.0.1 that answers
//! exactly the bytes a test scripts (so a server can lie, stall, loop or never answer), and
//! a client builder with short timeouts and retry delays.
//!
//! The server is hand-written on `tokio::net::TcpListener` on purpose: a framework would
//! refuse to send most of the broken answers these tests need.
#![allow(dead_code)] // each test file uses a different part

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use neon_api_ext::{NeonClient, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A token no test output could contain by accident.
pub const TOKEN: &str = "tok-RELIABILITY-7f3a9c2e41d84b6e";

/// One request as the raw server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRequest {
    /// `GET /v1/events?limit=1 HTTP/1.1` (or the absolute form a proxy sees).
    pub request_line: String,
    /// Header lines as sent, names lower-cased, values verbatim.
    pub headers: Vec<(String, String)>,
    /// The whole head as text (request line and headers), for "never contains" checks.
    pub head: String,
}

impl RawRequest {
    /// The value of header `name` (lower-case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The request target: `/v1/events?limit=1`, or `http://host/...` through a proxy.
    pub fn target(&self) -> &str {
        self.request_line.split(' ').nth(1).unwrap_or("")
    }
}

/// What the server does with one request.
pub enum Action {
    /// Write these bytes (a whole, correctly framed response) and keep the connection.
    Respond(Vec<u8>),
    /// Write these bytes, then close the connection.
    RespondAndClose(Vec<u8>),
    /// Write these bytes, then hold the connection open and send nothing more.
    Stall(Vec<u8>),
    /// Write `head`, then `chunk` over and over until the peer goes away.
    Endless {
        /// Status line and headers, ending with the blank line.
        head: Vec<u8>,
        /// Repeated forever.
        chunk: Vec<u8>,
    },
    /// Close the connection without answering.
    Close,
}

type Handler = dyn Fn(&RawRequest, usize) -> Action + Send + Sync;

/// A running raw server. Dropping it does not stop the accept loop; it lives as long as the
/// test's runtime.
pub struct RawServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The bound port.
    pub port: u16,
    seen: Arc<Mutex<Vec<RawRequest>>>,
    /// Bytes written by `Action::Endless`, all connections together.
    pub endless_written: Arc<AtomicU64>,
    /// Connections accepted.
    pub connections: Arc<AtomicUsize>,
}

impl RawServer {
    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.seen.lock().unwrap().clone()
    }
}

/// Starts a raw server; `handler(request, n)` decides the answer to the `n`-th request
/// (0-based, counting every connection).
pub async fn raw_server(
    handler: impl Fn(&RawRequest, usize) -> Action + Send + Sync + 'static,
) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<RawRequest>>> = Arc::default();
    let endless_written = Arc::new(AtomicU64::new(0));
    let connections = Arc::new(AtomicUsize::new(0));
    let handler: Arc<Handler> = Arc::new(handler);
    let counter = Arc::new(AtomicUsize::new(0));
    {
        let seen = seen.clone();
        let endless_written = endless_written.clone();
        let connections = connections.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve_connection(
                    socket,
                    handler.clone(),
                    seen.clone(),
                    counter.clone(),
                    endless_written.clone(),
                ));
            }
        });
    }
    RawServer {
        url: format!("http://127.0.0.1:{port}"),
        port,
        seen,
        endless_written,
        connections,
    }
}

async fn serve_connection(
    mut socket: TcpStream,
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<RawRequest>>>,
    counter: Arc<AtomicUsize>,
    endless_written: Arc<AtomicU64>,
) {
    let mut buffer = Vec::new();
    loop {
        let head = loop {
            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
                buffer.drain(..end + 4);
                break head;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or("").to_owned();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let request = RawRequest {
            request_line,
            headers,
            head,
        };
        seen.lock().unwrap().push(request.clone());
        let n = counter.fetch_add(1, Ordering::SeqCst);
        match handler(&request, n) {
            Action::Respond(bytes) => {
                if socket.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Action::RespondAndClose(bytes) => {
                let _ = socket.write_all(&bytes).await;
                let _ = socket.shutdown().await;
                return;
            }
            Action::Stall(bytes) => {
                let _ = socket.write_all(&bytes).await;
                // Hold the socket until the peer closes it (or a minute passes).
                let mut sink = [0u8; 64];
                let _ = tokio::time::timeout(Duration::from_secs(60), socket.read(&mut sink)).await;
                return;
            }
            Action::Endless { head, chunk } => {
                if socket.write_all(&head).await.is_err() {
                    return;
                }
                loop {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                    endless_written.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
            }
            Action::Close => return,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A complete response: status line, the given headers, `Content-Length`, then `body`.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// `200 OK`, `application/json`, with `body`.
pub fn json_200(body: &[u8]) -> Vec<u8> {
    response("200 OK", &[("Content-Type", "application/json")], body)
}

/// The empty list page: `{"error":null,"data":[]}`.
pub const EMPTY_PAGE: &[u8] = br#"{"error":null,"data":[]}"#;

/// Retries quick enough for tests: `attempts` in all, backoff ceiling 1 ms → 8 ms.
pub fn quick_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(8))
        .with_retry_after_cap(Duration::from_secs(2))
}

/// A client for `url` with [`TOKEN`], 2 s connect and request timeouts, `attempts` tries,
/// and no proxy from the environment.
pub fn client(url: &str, attempts: u32) -> NeonClient {
    NeonClient::builder()
        .base_url(url)
        .token(TOKEN)
        .connect_timeout(Duration::from_secs(2))
        .request_timeout(Duration::from_secs(2))
        .retry_policy(quick_retries(attempts))
        .no_proxy()
        .build()
        .unwrap()
}
