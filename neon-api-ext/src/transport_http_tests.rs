//! What the client sends and where it goes, checked with small loopback servers that record
//! the raw headers (the simulator masks `Authorization` in its log): the exact auth header,
//! and redirects across origins.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use crate::operations::Operation;
use crate::{Error, NeonClient, RetryPolicy};

const TOKEN: &str = "tok-0123456789abcdef";

/// Every request a recording server saw: path and `Authorization` (if any).
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A loopback server answering every path with `respond(path)`, recording requests.
async fn server(respond: fn(&str, u16) -> Response) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let handler = move |State(seen): State<Seen>, uri: Uri, headers: HeaderMap| async move {
        let auth = headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("<binary>").to_owned());
        seen.lock().unwrap().push((uri.to_string(), auth));
        respond(uri.path(), port)
    };
    let app = Router::new()
        .fallback(get(handler))
        .with_state(seen.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{port}"), seen)
}

fn empty_page(_path: &str, _port: u16) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":null,"data":[]}"#,
    )
        .into_response()
}

fn client_for(url: &str) -> NeonClient {
    NeonClient::builder()
        .base_url(url)
        .token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn list(client: &NeonClient) -> Result<Vec<Value>, Error> {
    client.get_list::<Value>(Operation::ListEvents, &[]).await
}

#[tokio::test]
async fn authorization_is_exactly_the_raw_token() {
    let (url, seen) = server(empty_page).await;
    assert_eq!(list(&client_for(&url)).await.unwrap(), Vec::<Value>::new());
    assert_eq!(
        *seen.lock().unwrap(),
        [("/v1/events".to_owned(), Some(TOKEN.to_owned()))]
    );
}

#[tokio::test]
async fn a_callers_own_http_client_still_sends_the_token() {
    let (url, seen) = server(empty_page).await;
    let client = NeonClient::builder()
        .base_url(&url)
        .token(TOKEN)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    list(&client).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [("/v1/events".to_owned(), Some(TOKEN.to_owned()))]
    );
}

/// The port of the "other origin" server, set before the redirecting server starts.
static OTHER_PORT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);

fn redirect_to_other_port(_path: &str, _port: u16) -> Response {
    let other = OTHER_PORT.load(std::sync::atomic::Ordering::SeqCst);
    (
        StatusCode::FOUND,
        [(
            header::LOCATION,
            format!("http://127.0.0.1:{other}/v1/events"),
        )],
    )
        .into_response()
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let (other_url, other_seen) = server(empty_page).await;
    let other_port: u16 = other_url.rsplit(':').next().unwrap().parse().unwrap();
    OTHER_PORT.store(other_port, std::sync::atomic::Ordering::SeqCst);
    let (url, seen) = server(redirect_to_other_port).await;

    let err = list(&client_for(&url)).await.unwrap_err();
    match err {
        Error::UnexpectedResponse {
            status, snippet, ..
        } => {
            assert_eq!(status, StatusCode::FOUND);
            assert_eq!(
                snippet,
                format!(
                    "redirect to http://127.0.0.1:{other_port}/v1/events not followed: only \
                     redirects within the API's origin are followed (at most 5), so the token \
                     never reaches another host"
                )
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(
        other_seen.lock().unwrap().is_empty(),
        "the other origin got a request"
    );

    // With a caller's own reqwest client, reqwest's policy follows, but drops the header.
    let client = NeonClient::builder()
        .base_url(&url)
        .token(TOKEN)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    list(&client).await.unwrap();
    assert_eq!(
        *other_seen.lock().unwrap(),
        [("/v1/events".to_owned(), None)],
        "Authorization reached another origin"
    );
}

fn redirect_same_origin(path: &str, port: u16) -> Response {
    if path == "/v1/events" {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [(
                header::LOCATION,
                format!("http://127.0.0.1:{port}/v2/events"),
            )],
        )
            .into_response()
    } else {
        empty_page(path, port)
    }
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_token() {
    let (url, seen) = server(redirect_same_origin).await;
    list(&client_for(&url)).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("/v1/events".to_owned(), Some(TOKEN.to_owned())),
            ("/v2/events".to_owned(), Some(TOKEN.to_owned())),
        ]
    );
}

fn redirect_loop(_path: &str, port: u16) -> Response {
    (
        StatusCode::FOUND,
        [(
            header::LOCATION,
            format!("http://127.0.0.1:{port}/v1/events"),
        )],
    )
        .into_response()
}

#[tokio::test]
async fn a_redirect_loop_stops() {
    let (url, seen) = server(redirect_loop).await;
    let err = list(&client_for(&url)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnexpectedResponse {
                status: StatusCode::FOUND,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 6, "the request and 5 redirects");
}

#[test]
fn url_segments_are_encoded_one_each_and_queries_in_order() {
    let client = NeonClient::builder()
        .base_url("https://gw.example/neon/")
        .token(TOKEN)
        .build()
        .unwrap();
    let url = client
        .url(
            &["registration", "a/b?c d%"],
            &[
                ("name", "Adobe Reader&Co".to_owned()),
                ("type", "intel".to_owned()),
                ("type", "phishing".to_owned()),
            ],
        )
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://gw.example/neon/v1/registration/a%2Fb%3Fc%20d%25?name=Adobe+Reader%26Co&type=intel&type=phishing"
    );
    let url = client.url(&["events"], &[]).unwrap();
    assert_eq!(url.as_str(), "https://gw.example/neon/v1/events");
}
