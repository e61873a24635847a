//! The HTTP surface: routes, the `{error, data}` envelope, auth, faults and the log.
//!
//! Auth is a *route* layer: a path no route matches answers axum's plain 404 with an empty
//! body (no envelope), as a real router does — the ext client relies on that to tell a
//! missing route from a missing record. Faults and the log wrap everything, unknown routes
//! included.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, HeaderValue, StatusCode};
use uuid::Uuid;

use crate::data::{Dataset, Resource};
use crate::faults::{ErrorBody, Fault, FaultKind, FaultPlan, RetryAfter};
use crate::log::RequestLog;
use crate::paging::{self, PagingOptions};
use crate::server::ConnControl;

/// Which spellings of registration-by-id exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistrationById {
    /// Only `/v1/registration/{id}` (singular, like the list) — the default.
    #[default]
    Singular,
    /// Only `/v1/registrations/{id}`.
    Plural,
    /// Both spellings.
    Both,
}

/// Which spellings of PoL-by-detection-id exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolById {
    /// Only `/v1/detections_pol/{id}` (like the list).
    Underscore,
    /// Only `/v1/detectionspol/{id}` — what the vendor document shows; the default.
    #[default]
    Joined,
    /// Both spellings.
    Both,
}

/// Route spellings a server offers for the document's inconsistent paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dialect {
    /// Registration by id.
    pub registration_by_id: RegistrationById,
    /// PoL by detection id.
    pub pol_by_id: PolById,
}

/// Everything a request handler shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) data: RwLock<Dataset>,
    pub(crate) paging: PagingOptions,
    pub(crate) token: String,
    pub(crate) log: RequestLog,
    pub(crate) faults: FaultPlan,
    pub(crate) requests: AtomicU64,
    pub(crate) fault_counts: Mutex<BTreeMap<FaultKind, u64>>,
}

type App = Arc<Shared>;

/// `{"error": <message>, "data": null}` with `status`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let message = serde_json::Value::String(message.to_string());
    json(
        status,
        format!(r#"{{"error":{message},"data":null}}"#).into_bytes(),
    )
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn data_response(data: &serde_json::Value) -> Response {
    let mut buf = Vec::with_capacity(1024);
    buf.extend_from_slice(br#"{"error":null,"data":"#);
    if serde_json::to_writer(&mut buf, data).is_err() {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "serialisation failed");
    }
    buf.push(b'}');
    json(StatusCode::OK, buf)
}

/// Builds the router for a dialect.
pub(crate) fn router(app: App, dialect: Dialect) -> Router {
    let mut r = Router::new();
    for res in Resource::ALL {
        let path = match res {
            Resource::Apps => "/v1/apps",
            Resource::Clients => "/v1/clients",
            Resource::Deployments => "/v1/deployments",
            Resource::Detections => "/v1/detections",
            Resource::DetectionsPol => "/v1/detections_pol",
            Resource::Events => "/v1/events",
            Resource::Policies => "/v1/policies",
            Resource::Registrations => "/v1/registration",
        };
        r = r.route(
            path,
            get(
                move |State(app): State<App>, RawQuery(q): RawQuery| async move {
                    list(&app, res, q.as_deref())
                },
            ),
        );
    }
    let by_id = [
        ("/v1/apps/{id}", Resource::Apps),
        ("/v1/clients/{id}", Resource::Clients),
        ("/v1/deployments/{id}", Resource::Deployments),
        ("/v1/detections/{id}", Resource::Detections),
        ("/v1/events/{id}", Resource::Events),
        ("/v1/policies/{id}", Resource::Policies),
    ];
    let mut by_id: Vec<(&str, Resource)> = by_id.to_vec();
    if dialect.registration_by_id != RegistrationById::Plural {
        by_id.push(("/v1/registration/{id}", Resource::Registrations));
    }
    if dialect.registration_by_id != RegistrationById::Singular {
        by_id.push(("/v1/registrations/{id}", Resource::Registrations));
    }
    if dialect.pol_by_id != PolById::Joined {
        by_id.push(("/v1/detections_pol/{id}", Resource::DetectionsPol));
    }
    if dialect.pol_by_id != PolById::Underscore {
        by_id.push(("/v1/detectionspol/{id}", Resource::DetectionsPol));
    }
    for (path, res) in by_id {
        r = r.route(
            path,
            get(
                move |State(app): State<App>, Path(id): Path<String>| async move {
                    get_one(&app, res, &id)
                },
            ),
        );
    }
    r.route_layer(middleware::from_fn_with_state(app.clone(), auth))
        .layer(middleware::from_fn_with_state(app.clone(), front))
        .with_state(app)
}

fn list(app: &Shared, res: Resource, raw: Option<&str>) -> Response {
    let q = match paging::parse(res, raw) {
        Ok(q) => q,
        Err(m) => return error(StatusCode::BAD_REQUEST, &m),
    };
    let Ok(data) = app.data.read() else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "simulator state poisoned",
        );
    };
    let listing = data.listing(res, &q.filter);
    let total = data.len(&listing);
    let window = paging::window(total, &q, &app.paging);
    let columnar = !Dataset::applies(res, &q.filter);
    // A first guess only (records are ~1.2 kB); capped so a huge `limit` reserves nothing silly.
    let mut buf = Vec::with_capacity(64 + (window.end - window.start).min(1000) as usize * 1200);
    buf.extend_from_slice(br#"{"error":null,"data":["#);
    let mut first = true;
    for p in window {
        let Some(item) = data.at(&listing, paging::ascending(total, q.sort, p)) else {
            continue;
        };
        if !first {
            buf.push(b',');
        }
        first = false;
        data.write_item(&mut buf, res, item, columnar);
    }
    buf.extend_from_slice(b"]}");
    json(StatusCode::OK, buf)
}

fn get_one(app: &Shared, res: Resource, raw_id: &str) -> Response {
    let Ok(id) = Uuid::parse_str(raw_id) else {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("invalid id '{raw_id}': not a uuid"),
        );
    };
    let Ok(data) = app.data.read() else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "simulator state poisoned",
        );
    };
    let lookup = if res == Resource::DetectionsPol {
        Resource::Detections
    } else {
        res
    };
    match data.find(lookup, &id) {
        None => error(
            StatusCode::NOT_FOUND,
            &format!("{} not found", lookup.noun()),
        ),
        Some(i) if res == Resource::DetectionsPol => {
            data_response(&serde_json::Value::Array(data.pol_of(i)))
        }
        Some(i) => data_response(&data.record(res, i, false)),
    }
}

async fn auth(State(app): State<App>, req: Request, next: Next) -> Response {
    match req.headers().get(header::AUTHORIZATION) {
        None => error(StatusCode::UNAUTHORIZED, "missing Authorization header"),
        Some(v) if v.as_bytes() == app.token.as_bytes() => next.run(req).await,
        Some(_) => error(StatusCode::UNAUTHORIZED, "invalid API key"),
    }
}

/// Numbers, logs and (maybe) sabotages every request.
async fn front(State(app): State<App>, req: Request, next: Next) -> Response {
    let n = app.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let (parts, body) = req.into_parts();
    let fault = app.faults.decide(n, parts.uri.path());
    app.log
        .push(crate::log::entry(n, &parts, fault.map(|f| f.kind())));
    if let Some(f) = fault {
        if let Ok(mut c) = app.fault_counts.lock() {
            *c.entry(f.kind()).or_default() += 1;
        }
    }
    let control = parts.extensions.get::<Arc<ConnControl>>().cloned();
    let req = Request::from_parts(parts, body);
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    match fault {
        Fault::Latency(d) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Fault::TooManyRequests(retry) => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
            let value = match retry {
                Some(RetryAfter::Seconds(s)) => Some(s.to_string()),
                Some(RetryAfter::HttpDate(d)) => {
                    Some(httpdate::fmt_http_date(SystemTime::now() + d))
                }
                None => None,
            };
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Fault::ServerError { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            match body {
                ErrorBody::Json => error(status, &reason.to_lowercase()),
                ErrorBody::Html => {
                    let page = format!(
                        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                        code = status.as_u16()
                    );
                    let mut r = (status, page).into_response();
                    r.headers_mut()
                        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
                    r
                }
            }
        }
        Fault::ConnectionReset => match control {
            Some(c) => {
                c.abort(true);
                std::future::pending::<Response>().await
            }
            None => error(StatusCode::BAD_GATEWAY, "connection reset unavailable"),
        },
        Fault::TruncatedBody => {
            let (parts, bytes) = collect(next.run(req).await).await;
            let full = bytes.len();
            let half = bytes.slice(..full / 2);
            let stream = futures::stream::unfold(0u8, move |state| {
                let half = half.clone();
                let control = control.clone();
                async move {
                    if state == 0 {
                        return Some((Ok::<Bytes, std::io::Error>(half), 1));
                    }
                    // Let the half go out, then close the connection under the client.
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    if let Some(c) = control {
                        c.abort(false);
                    }
                    std::future::pending::<()>().await;
                    None
                }
            });
            let mut r = Response::from_parts(parts, Body::from_stream(stream));
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            r
        }
        Fault::MalformedJson => {
            let (mut parts, bytes) = collect(next.run(req).await).await;
            let cut = bytes.slice(..bytes.len() / 2);
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Response::from_parts(parts, Body::from(cut))
        }
    }
}

async fn collect(r: Response) -> (http::response::Parts, Bytes) {
    let (parts, body) = r.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}
