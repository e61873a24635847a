//! Turning a complete HTTP response into records or an [`Error`].
//!
//! Every Neon response body is the envelope `{"error": null|string|object, "data": ...}`.
//! The envelope is decoded generically over the record type, with `serde_path_to_error` so
//! that a failure names the JSON path (`data[3].latitude`). The records themselves are the
//! generated `neon_api::types`, which tolerate unknown fields and enum values.

use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::ApiToken;
use crate::Error;

/// The longest body excerpt kept in an error, in characters.
const SNIPPET_CHARS: usize = 200;

/// How much of a body [`snippet`] looks at, in bytes.
const SNIPPET_WINDOW_BYTES: usize = 8 * 1024;

/// The envelope, generic over what `data` holds.
///
/// Decoded by hand rather than derived: a derived struct also accepts a JSON *array*
/// (serde's sequence form of a struct), so a body of `[]` would pass as an envelope with
/// no error and no data — an empty page — and `[{...record...}]` as an envelope whose
/// `error` is that record. Only an object is the API's envelope; anything else is
/// [`Error::Decode`]. A repeated `error` or `data` key is refused, unknown keys are skipped.
struct Envelope<T> {
    error: Option<Value>,
    data: Option<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for EnvelopeVisitor<T> {
            type Value = Envelope<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the API's envelope, an object with `error` and `data`")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Envelope<T>, A::Error> {
                use serde::de::Error as _;
                let mut error: Option<Option<Value>> = None;
                let mut data: Option<Option<T>> = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "error" if error.is_some() => {
                            return Err(A::Error::duplicate_field("error"))
                        }
                        "error" => error = Some(map.next_value()?),
                        "data" if data.is_some() => return Err(A::Error::duplicate_field("data")),
                        "data" => data = Some(map.next_value()?),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Envelope {
                    error: error.flatten(),
                    data: data.flatten(),
                })
            }
        }

        deserializer.deserialize_map(EnvelopeVisitor(std::marker::PhantomData))
    }
}

/// One record where the API sends a JSON object (`data` of a get-by-id).
///
/// The generated records derive `Deserialize`, which also accepts a JSON *array* (serde's
/// sequence form of a struct): `data: []` would fail with the baffling "invalid length 0,
/// expected struct Event with 59 elements", and an array of the right length would pass
/// as a record. Like [`Envelope`], only an object is accepted; anything else is
/// [`Error::Decode`] at `data` saying a record object was expected.
pub(crate) struct RecordObject<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for RecordObject<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a record (a JSON object)")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(RecordObject)
    }
}

/// The envelope with `data` left unread: for error responses and for finding the
/// envelope's message when `data` failed to decode.
type LooseEnvelope = Envelope<serde::de::IgnoredAny>;

/// A response read in full.
pub(crate) struct Response<'a> {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<String>,
    /// The `Location` header, reported when a redirect is not followed.
    pub(crate) location: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: &'a [u8],
    /// The request path (no host, no query), for [`Error::RouteNotFound`].
    pub(crate) path: &'a str,
}

/// A failed attempt: the error, and whether the same request may succeed if repeated.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) retryable: bool,
    /// The server's `Retry-After`, when it sent one with a retryable status.
    pub(crate) retry_after: Option<Duration>,
}

impl Failure {
    pub(crate) fn fatal(error: Error) -> Self {
        Failure {
            error,
            retryable: false,
            retry_after: None,
        }
    }

    pub(crate) fn retryable(error: Error, retry_after: Option<Duration>) -> Self {
        Failure {
            error,
            retryable: true,
            retry_after,
        }
    }
}

/// Classifies a complete response and decodes its `data` as `T`.
/// `Ok(None)` is a success whose `data` was `null` or absent.
pub(crate) fn classify<T: DeserializeOwned>(
    response: &Response<'_>,
    token: &ApiToken,
) -> Result<Option<T>, Failure> {
    let status = response.status;
    if status.is_success() {
        return decode_success(response, token);
    }
    let message = || envelope_message(response.body).map(|m| token.scrub(&m));
    let error = match status.as_u16() {
        300..=399 => {
            return Err(Failure::fatal(Error::UnexpectedResponse {
                status,
                content_type: response.content_type.clone(),
                snippet: format!(
                    "redirect to {} not followed: only redirects within the API's origin are \
                     followed (at most 5), so the token never reaches another host",
                    // A server may put anything in `Location`, the token included.
                    response
                        .location
                        .as_deref()
                        .map_or_else(|| "(no Location)".to_owned(), |l| token.scrub(l))
                ),
            }));
        }
        401 => Error::Unauthorized { message: message() },
        403 => Error::Forbidden { message: message() },
        404 if is_envelope(response.body) => Error::NotFound { message: message() },
        404 => Error::RouteNotFound {
            path: response.path.to_owned(),
        },
        429 => {
            return Err(Failure::retryable(
                Error::RateLimited {
                    retry_after: response.retry_after,
                },
                response.retry_after,
            ))
        }
        500..=599 => {
            let content_type = response.content_type.clone();
            let snippet = message().unwrap_or_else(|| snippet(response.body, token));
            return Err(match (status.as_u16(), response.retry_after) {
                // The server's delay travels with the error: the caller gets it when it is
                // longer than the retry cap (not slept) or the attempts run out.
                (502..=504, Some(retry_after)) => Failure::retryable(
                    Error::Unavailable {
                        status,
                        retry_after,
                        content_type,
                        snippet,
                    },
                    Some(retry_after),
                ),
                (502..=504, None) => Failure::retryable(
                    Error::Server {
                        status,
                        content_type,
                        snippet,
                    },
                    None,
                ),
                _ => Failure::fatal(Error::Server {
                    status,
                    content_type,
                    snippet,
                }),
            });
        }
        _ => match message() {
            Some(message) => Error::Api { status, message },
            None => Error::UnexpectedResponse {
                status,
                content_type: response.content_type.clone(),
                snippet: snippet(response.body, token),
            },
        },
    };
    Err(Failure::fatal(error))
}

fn decode_success<T: DeserializeOwned>(
    response: &Response<'_>,
    token: &ApiToken,
) -> Result<Option<T>, Failure> {
    // The plain decoder is the hot path (every page of every walk); tracking the JSON path
    // costs ~25% of throughput, so it is paid only to explain a body that failed.
    let decoded = serde_json::from_slice::<Envelope<T>>(response.body)
        .or_else(|_| decode_with_path::<T>(response.body));
    match decoded {
        Ok(envelope) => match envelope.error.as_ref().and_then(error_text) {
            Some(message) => Err(Failure::fatal(Error::Api {
                status: response.status,
                message: token.scrub(&message),
            })),
            None => Ok(envelope.data),
        },
        Err((path, source)) => {
            // A document that ends early is a body cut off in transit: worth retrying.
            if source.is_eof() && !response.body.is_empty() {
                return Err(Failure::retryable(
                    Error::Truncated {
                        status: response.status,
                        received: response.body.len(),
                    },
                    None,
                ));
            }
            // The envelope may carry an error next to `data` we cannot read.
            if let Some(message) = envelope_message(response.body) {
                return Err(Failure::fatal(Error::Api {
                    status: response.status,
                    message: token.scrub(&message),
                }));
            }
            Err(Failure::fatal(Error::Decode {
                status: response.status,
                content_type: response.content_type.clone(),
                path,
                snippet: snippet(response.body, token),
                source: scrub_json_error(source, token),
            }))
        }
    }
}

/// Decodes again, tracking where in the document decoding fails, for [`Error::Decode`].
fn decode_with_path<T: DeserializeOwned>(
    body: &[u8],
) -> Result<Envelope<T>, (String, serde_json::Error)> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize(&mut deserializer) {
        // Trailing bytes after the document are an error too.
        Ok(envelope) => match deserializer.end() {
            Ok(()) => Ok(envelope),
            Err(err) => Err((".".to_owned(), err)),
        },
        Err(err) => Err((err.path().to_string(), err.into_inner())),
    }
}

/// serde_json quotes the offending value in its message (`invalid type: string "…"`), so a
/// server that puts the token in a field of the wrong type would carry it into the error:
/// such a message is rebuilt with the token scrubbed out (same text otherwise).
fn scrub_json_error(error: serde_json::Error, token: &ApiToken) -> serde_json::Error {
    let text = error.to_string();
    let scrubbed = token.scrub(&text);
    if scrubbed == text {
        error
    } else {
        <serde_json::Error as serde::de::Error>::custom(scrubbed)
    }
}

/// True when `body` is a JSON object with an `error` or `data` key: the API's envelope
/// (as opposed to a framework's or a gateway's own 404 page).
pub(crate) fn is_envelope(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, Value>>(body)
        .map(|map| map.contains_key("error") || map.contains_key("data"))
        .unwrap_or(false)
}

/// The envelope's `error` as text, when the body is an envelope and `error` is set.
fn envelope_message(body: &[u8]) -> Option<String> {
    let envelope: LooseEnvelope = serde_json::from_slice(body).ok()?;
    let _ = envelope.data;
    envelope.error.as_ref().and_then(error_text)
}

/// The text of an envelope `error`. `null`, `false`, `""`, `{}` and `[]` mean "no error";
/// a string is used as is; an object's `message` string is preferred, else compact JSON.
fn error_text(error: &Value) -> Option<String> {
    match error {
        Value::Null | Value::Bool(false) => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Object(map) if map.is_empty() => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Object(map) => match map.get("message") {
            Some(Value::String(message)) if !message.trim().is_empty() => Some(message.clone()),
            _ => Some(error.to_string()),
        },
        other => Some(other.to_string()),
    }
}

/// The start of a body for an error message: lossy UTF-8, whitespace runs collapsed, at
/// most [`SNIPPET_CHARS`] characters (then `…`), the token scrubbed out. Only the first
/// [`SNIPPET_WINDOW_BYTES`] of the body are looked at, whatever its size; the token is
/// scrubbed before the text is cut, so no part of it can survive at the cut.
pub(crate) fn snippet(body: &[u8], token: &ApiToken) -> String {
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let window = &body[..body.len().min(SNIPPET_WINDOW_BYTES)];
    let cut_short = window.len() < body.len();
    let mut text = token.scrub(&String::from_utf8_lossy(window));
    if cut_short {
        // A token straddling the window's end is not matched by `scrub`: drop as many
        // trailing characters as the token has, which removes any such fragment.
        let keep = text.chars().count().saturating_sub(token.char_len());
        let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
        text.truncate(end);
    }
    let mut out = String::new();
    let mut count = 0;
    let mut truncated = cut_short;
    'words: for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= SNIPPET_CHARS {
                truncated = true;
                break 'words;
            }
            out.push(if c.is_control() { '\u{fffd}' } else { c });
            count += 1;
        }
    }
    if truncated {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Rec {
        id: Option<u32>,
        lat: Option<f64>,
    }

    fn token() -> ApiToken {
        ApiToken::new("tok-SECRET").unwrap()
    }

    fn response(status: u16, body: &[u8]) -> Response<'_> {
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            content_type: Some("application/json".into()),
            location: None,
            retry_after: None,
            body,
            path: "/v1/things/1",
        }
    }

    fn classify_list(status: u16, body: &[u8]) -> Result<Option<Vec<Rec>>, Failure> {
        classify::<Vec<Rec>>(&response(status, body), &token())
    }

    #[test]
    fn success_decodes_records_in_order_and_tolerates_extra_fields() {
        let body =
            br#"{"error":null,"data":[{"id":2,"lat":0,"x":1},{"id":1,"lat":null}],"meta":{}}"#;
        let data = classify_list(200, body).unwrap();
        assert_eq!(
            data,
            Some(vec![
                Rec {
                    id: Some(2),
                    lat: Some(0.0)
                },
                Rec {
                    id: Some(1),
                    lat: None
                }
            ])
        );
    }

    #[test]
    fn null_or_missing_data_is_none() {
        assert_eq!(
            classify_list(200, br#"{"error":null,"data":null}"#).unwrap(),
            None
        );
        assert_eq!(classify_list(200, br#"{"error":null}"#).unwrap(), None);
        assert_eq!(
            classify_list(200, br#"{"error":"","data":[]}"#).unwrap(),
            Some(vec![])
        );
    }

    #[test]
    fn error_on_a_200_is_an_api_error() {
        let failure = classify_list(200, br#"{"error":"quota exceeded","data":null}"#).unwrap_err();
        assert!(!failure.retryable);
        match failure.error {
            Error::Api { status, message } => {
                assert_eq!(status, StatusCode::OK);
                assert_eq!(message, "quota exceeded");
            }
            other => panic!("unexpected {other:?}"),
        }
        let failure = classify_list(
            200,
            br#"{"error":{"code":7,"message":"nope"},"data":"weird"}"#,
        )
        .unwrap_err();
        assert!(matches!(failure.error, Error::Api { ref message, .. } if message == "nope"));
        let failure = classify_list(200, br#"{"error":{"code":7},"data":null}"#).unwrap_err();
        assert!(
            matches!(failure.error, Error::Api { ref message, .. } if message == r#"{"code":7}"#)
        );
    }

    #[test]
    fn decode_error_names_the_json_path_and_shows_a_snippet() {
        let body = br#"{"error":null,"data":[{"id":1},{"id":"two"}]}"#;
        let failure = classify_list(200, body).unwrap_err();
        assert!(!failure.retryable);
        match failure.error {
            Error::Decode {
                status,
                path,
                snippet,
                ..
            } => {
                assert_eq!(status, StatusCode::OK);
                assert_eq!(path, "data[1].id");
                assert_eq!(snippet, r#"{"error":null,"data":[{"id":1},{"id":"two"}]}"#);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_array_where_a_record_object_is_expected_is_a_clear_decode_error() {
        type Event = neon_api::types::Event;
        for body in [
            &br#"{"error":null,"data":[]}"#[..],
            br#"{"error":null,"data":[null,null]}"#,
        ] {
            let failure = classify::<RecordObject<Event>>(&response(200, body), &token())
                .err()
                .expect("an array is not a record");
            assert!(!failure.retryable);
            match failure.error {
                Error::Decode { path, source, .. } => {
                    assert_eq!(path, "data");
                    assert!(
                        source.to_string().starts_with(
                            "invalid type: sequence, expected a record (a JSON object)"
                        ),
                        "{source}"
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        // An object still decodes, and a bad field inside still names its path.
        let id = "0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11";
        let body = format!(r#"{{"error":null,"data":{{"id":"{id}","extra":1}}}}"#);
        let event = classify::<RecordObject<Event>>(&response(200, body.as_bytes()), &token())
            .map_err(|f| f.error)
            .expect("decodes")
            .expect("data present");
        assert_eq!(event.0.id, Some(uuid::Uuid::parse_str(id).unwrap()));
        let failure = classify::<RecordObject<Event>>(
            &response(200, br#"{"error":null,"data":{"id":"not-a-uuid"}}"#),
            &token(),
        )
        .err()
        .expect("a bad id");
        assert!(
            matches!(failure.error, Error::Decode { ref path, .. } if path == "data.id"),
            "{:?}",
            failure.error
        );
        // `null` is still "no record".
        let none = classify::<RecordObject<Event>>(
            &response(200, br#"{"error":null,"data":null}"#),
            &token(),
        )
        .map_err(|f| f.error)
        .expect("decodes");
        assert!(none.is_none());
    }

    #[test]
    fn html_on_a_200_is_a_decode_error_with_content_type_and_snippet() {
        let body = b"<html>\n  <body>Please   log in</body></html>";
        let mut resp = response(200, body);
        resp.content_type = Some("text/html; charset=utf-8".into());
        let failure = classify::<Vec<Rec>>(&resp, &token()).unwrap_err();
        let text = failure.error.to_string();
        assert!(
            text.starts_with(
                "could not decode response (HTTP 200 OK, content-type text/html; charset=utf-8) at `.`: expected value"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("body starts: <html> <body>Please log in</body></html>"),
            "{text}"
        );
    }

    #[test]
    fn a_document_cut_off_mid_way_is_retryable_truncation() {
        let failure = classify_list(200, br#"{"error":null,"data":[{"id":1},{"id""#).unwrap_err();
        assert!(failure.retryable);
        assert!(matches!(
            failure.error,
            Error::Truncated {
                status: StatusCode::OK,
                received: 36
            }
        ));
        // An empty body did not get cut off: the server sent nothing.
        let failure = classify_list(200, b"").unwrap_err();
        assert!(!failure.retryable);
        assert!(matches!(failure.error, Error::Decode { .. }));
    }

    #[test]
    fn a_bare_array_is_not_an_envelope() {
        for body in [&b"[]"[..], br#"[null,[]]"#, br#"[{"id":1}]"#] {
            let failure = classify_list(200, body).unwrap_err();
            assert!(!failure.retryable);
            match failure.error {
                Error::Decode { path, source, .. } => {
                    assert_eq!(path, ".");
                    assert!(
                        source.to_string().starts_with(
                            "invalid type: sequence, expected the API's envelope, an object"
                        ),
                        "{source}"
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        // On an error status, an array carries no envelope message.
        let failure = classify_list(400, br#"["bad filter"]"#).unwrap_err();
        assert!(matches!(failure.error, Error::UnexpectedResponse { .. }));
    }

    #[test]
    fn trailing_garbage_is_a_decode_error() {
        let failure = classify_list(200, br#"{"error":null,"data":[]} xyz"#).unwrap_err();
        assert!(
            matches!(failure.error, Error::Decode { .. }),
            "{:?}",
            failure.error
        );
    }

    #[test]
    fn record_404_is_not_found_and_route_404_is_route_not_found() {
        let failure =
            classify_list(404, br#"{"error":"detection not found","data":null}"#).unwrap_err();
        assert!(!failure.retryable);
        assert!(matches!(
            failure.error,
            Error::NotFound { message: Some(ref m) } if m == "detection not found"
        ));
        for body in [&b""[..], b"Not Found", b"<h1>404</h1>", b"{}"] {
            let failure = classify_list(404, body).unwrap_err();
            assert!(
                matches!(failure.error, Error::RouteNotFound { ref path } if path == "/v1/things/1"),
                "{body:?}"
            );
        }
    }

    #[test]
    fn statuses_map_to_variants_and_retryability() {
        let f =
            classify_list(401, br#"{"error":"invalid token tok-SECRET","data":null}"#).unwrap_err();
        assert!(!f.retryable);
        assert!(matches!(
            f.error,
            Error::Unauthorized { message: Some(ref m) } if m == "invalid token <redacted>"
        ));
        let f = classify_list(403, b"").unwrap_err();
        assert!(!f.retryable);
        assert!(matches!(f.error, Error::Forbidden { message: None }));
        let f = classify_list(400, br#"{"error":"bad type","data":null}"#).unwrap_err();
        assert!(!f.retryable);
        assert!(matches!(
            f.error,
            Error::Api { status: StatusCode::BAD_REQUEST, ref message } if message == "bad type"
        ));
        let f = classify_list(500, br#"{"error":"boom","data":null}"#).unwrap_err();
        assert!(!f.retryable, "500 is not retried");
        assert!(matches!(f.error, Error::Server { ref snippet, .. } if snippet == "boom"));
        for status in [502, 503, 504] {
            let f = classify_list(status, b"<html>gateway</html>").unwrap_err();
            assert!(f.retryable, "{status}");
        }
        let mut resp = response(429, b"");
        resp.retry_after = Some(Duration::from_secs(2));
        let f = classify::<Vec<Rec>>(&resp, &token()).unwrap_err();
        assert!(f.retryable);
        assert_eq!(f.retry_after, Some(Duration::from_secs(2)));
        assert!(matches!(
            f.error,
            Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(2)
        ));
        let f = classify_list(409, b"conflict").unwrap_err();
        assert!(!f.retryable);
        assert!(
            matches!(f.error, Error::UnexpectedResponse { ref snippet, .. } if snippet == "conflict")
        );
    }

    #[test]
    fn gateway_html_gives_status_content_type_and_snippet() {
        let body =
            b"<html><head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body></html>";
        let mut resp = response(502, body);
        resp.content_type = Some("text/html".into());
        let f = classify::<Vec<Rec>>(&resp, &token()).unwrap_err();
        assert_eq!(
            f.error.to_string(),
            "server error (HTTP 502 Bad Gateway, content-type text/html): \
             <html><head><title>502 Bad Gateway</title></head> <body>nginx</body></html>"
        );
    }

    #[test]
    fn snippet_is_bounded_collapsed_and_scrubbed() {
        let long = "x".repeat(500);
        let s = snippet(long.as_bytes(), &token());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(snippet(b"a \n\t b", &token()), "a b");
        assert_eq!(snippet(b"echo tok-SECRET!", &token()), "echo <redacted>!");
        assert_eq!(snippet(b"", &token()), "(empty body)");
        assert_eq!(snippet(&[0xff, b'a'], &token()), "\u{fffd}a");
    }

    #[test]
    fn snippet_never_keeps_part_of_a_token_cut_at_the_edge() {
        // Whitespace first, so the window's end is inside the first 200 characters shown.
        for offset in 0..12 {
            let mut body = " ".repeat(SNIPPET_WINDOW_BYTES - offset);
            body.push_str("tok-SECRET and more");
            let s = snippet(body.as_bytes(), &token());
            assert!(!s.contains("tok"), "offset {offset}: {s:?}");
            assert!(s.ends_with('…'), "offset {offset}: {s:?}");
        }
        // A token right at the 200-character cut is scrubbed before cutting.
        let body = format!("{}tok-SECRET", "y".repeat(SNIPPET_CHARS - 3));
        let s = snippet(body.as_bytes(), &token());
        assert_eq!(s, format!("{}<re…", "y".repeat(SNIPPET_CHARS - 3)));
    }

    #[test]
    fn snippet_of_a_huge_body_reads_only_the_window() {
        let body = vec![b'z'; 10 * 1024 * 1024];
        let s = snippet(&body, &token());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
    }
}
