//! Responses the simulator does not send on its own, served verbatim by a loopback server:
//! forward-compatible records, errors inside a 200, `data: null`, HTML where JSON was
//! expected, decode errors with their JSON path, and a server that echoes the token.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use neon_api_ext::types::DetectionType;
use neon_api_ext::{Error, NeonClient, RetryPolicy};
use uuid::Uuid;

const TOKEN: &str = "tok-wire-abcdef";
const ID: Uuid = Uuid::from_u128(0x6f1c_2d3e_4a5b_4c6d_8e7f_0a1b_2c3d_4e5f);

/// (status, content type, body) per path.
type Routes = HashMap<String, (u16, &'static str, String)>;

async fn serve(routes: Routes) -> NeonClient {
    let routes = Arc::new(routes);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(get(move |uri: Uri| {
        let routes = routes.clone();
        async move {
            match routes.get(uri.path()) {
                Some((status, content_type, body)) => (
                    StatusCode::from_u16(*status).unwrap(),
                    [(header::CONTENT_TYPE, *content_type)],
                    body.clone(),
                )
                    .into_response(),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
    }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    NeonClient::builder()
        .base_url(url)
        .token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn detection_path() -> String {
    format!("/v1/detections/{ID}")
}

async fn get_detection_served(
    status: u16,
    content_type: &'static str,
    body: &str,
) -> Result<neon_api_ext::types::Detection, Error> {
    let client = serve(HashMap::from([(
        detection_path(),
        (status, content_type, body.to_owned()),
    )]))
    .await;
    client.get_detection(ID).await
}

#[tokio::test]
async fn unknown_values_extra_fields_nulls_and_integer_floats_all_decode() {
    let body = format!(
        r#"{{"error":null,"meta":{{"next":1}},"data":{{
            "id":"{ID}",
            "detection_type":"exfiltration",
            "latitude":0,
            "longitude":-71,
            "ip_latitude":42.5,
            "asn":null,
            "city":null,
            "email":"a@b.example",
            "brand_new_field":{{"nested":[1,2,3]}},
            "updated_at":"2025-10-13T18:13:15.88219+00:00"
        }}}}"#
    );
    let detection = get_detection_served(200, "application/json", &body)
        .await
        .unwrap();
    assert_eq!(detection.id, Some(ID));
    assert_eq!(
        detection.detection_type,
        Some(DetectionType::Unknown("exfiltration".to_owned()))
    );
    assert_eq!(detection.latitude, Some(0.0));
    assert_eq!(detection.longitude, Some(-71.0));
    assert_eq!(detection.ip_latitude, Some(42.5));
    assert_eq!(detection.asn, None);
    assert_eq!(detection.city, None);
    assert_eq!(detection.email.as_deref(), Some("a@b.example"));
    assert_eq!(
        detection.updated_at.map(|t| t.timestamp_micros()),
        Some(1_760_379_195_882_190)
    );
}

#[tokio::test]
async fn an_error_inside_a_200_envelope_is_an_api_error() {
    let err = get_detection_served(
        200,
        "application/json",
        r#"{"error":"tenant suspended","data":null}"#,
    )
    .await
    .unwrap_err();
    match err {
        Error::Api { status, message } => {
            assert_eq!(status, StatusCode::OK);
            assert_eq!(message, "tenant suspended");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn data_null_on_a_200_get_is_not_found() {
    let err = get_detection_served(200, "application/json", r#"{"error":null,"data":null}"#)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { message: None }), "{err:?}");
}

#[tokio::test]
async fn data_null_on_a_pol_get_is_an_empty_trail() {
    let client = serve(HashMap::from([(
        format!("/v1/detections_pol/{ID}"),
        (
            200,
            "application/json",
            r#"{"error":null,"data":null}"#.to_owned(),
        ),
    )]))
    .await;
    assert_eq!(client.get_detection_pol(ID).await.unwrap(), vec![]);
}

#[tokio::test]
async fn html_where_json_was_expected_names_status_content_type_and_snippet() {
    let err = get_detection_served(
        200,
        "text/html; charset=utf-8",
        "<!DOCTYPE html>\n<html><body><h1>Sign in to continue</h1></body></html>",
    )
    .await
    .unwrap_err();
    match &err {
        Error::Decode {
            status,
            content_type,
            path,
            snippet,
            ..
        } => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
            assert_eq!(path, ".");
            assert_eq!(
                snippet,
                "<!DOCTYPE html> <html><body><h1>Sign in to continue</h1></body></html>"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_decode_error_names_the_json_path() {
    let body = format!(r#"{{"error":null,"data":{{"id":"{ID}","latitude":"north"}}}}"#);
    let err = get_detection_served(200, "application/json", &body)
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "data.latitude"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string().starts_with(
            "could not decode response (HTTP 200 OK, content-type application/json) at `data.latitude`: "
        ),
        "{err}"
    );
}

#[tokio::test]
async fn forbidden_is_its_own_error() {
    let err = get_detection_served(
        403,
        "application/json",
        r#"{"error":"not allowed","data":null}"#,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden { message: Some(ref m) } if m == "not allowed"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_token_echoed_by_the_server_is_scrubbed_from_errors() {
    let body = format!(r#"{{"error":"bad key {TOKEN}","data":null}}"#);
    let err = get_detection_served(401, "application/json", &body)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unauthorized (HTTP 401): bad key <redacted>"
    );
    let page = format!("<html>proxy saw Authorization: {TOKEN}</html>");
    let err = get_detection_served(500, "text/html", &page)
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains(TOKEN), "{text}");
    assert_eq!(
        err.to_string(),
        "server error (HTTP 500 Internal Server Error, content-type text/html): \
         <html>proxy saw Authorization: <redacted></html>"
    );
}

#[tokio::test]
async fn an_unexpected_status_without_an_envelope_shows_the_body() {
    let err = get_detection_served(418, "text/plain", "I'm a teapot")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected response (HTTP 418 I'm a teapot, content-type text/plain): I'm a teapot"
    );
}
