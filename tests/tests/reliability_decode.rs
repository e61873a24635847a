//! Decoding never panics, whatever the bytes: property tests over the envelope and every
//! record type — arbitrary bytes, arbitrary JSON, real records with fields replaced by
//! arbitrary JSON — decoded through the client's own path (a loopback server serves the
//! bytes; every get-by-id and the first page of every list decode them). For `200`
//! responses the client's answer is also checked against a reference decode with
//! `serde_json`: `Ok` exactly when the reference succeeds, with the same records.
//!
//! The nasty cases worth keeping are below as regular tests with exact outcomes (deep
//! nesting, huge numbers, numbers as strings, wrong types, invalid UTF-8, a BOM, duplicate
//! keys, …); bodies awkward to write inline live in `tests/corpus/`.
//!
//! More cases for a long local run: `PROPTEST_CASES=5000 cargo test -p neon-tests --test
//! reliability_decode` (each block's default count applies otherwise).

mod reliability_support;

use std::sync::{Arc, Mutex};

use neon_api::types::Event;
use neon_api_ext::{Error, ListRecord, ListRequest, NeonClient};
use neon_sim::{Filter, Resource, Simulator, SortOrder};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use reliability_support::{client, raw_server, response, Action};
use serde::Deserialize;
use serde_json::{json, Value};

/// A runtime, a loopback server answering every request with the bytes in `slot`, and a
/// client of it (two attempts, millisecond backoff).
struct Harness {
    runtime: tokio::runtime::Runtime,
    slot: Arc<Mutex<Vec<u8>>>,
    client: NeonClient,
}

impl Harness {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let slot: Arc<Mutex<Vec<u8>>> = Arc::default();
        let server = {
            let slot = slot.clone();
            runtime.block_on(raw_server(move |_, _| {
                Action::Respond(slot.lock().unwrap().clone())
            }))
        };
        let client = client(&server.url, 2);
        Harness {
            runtime,
            slot,
            client,
        }
    }

    fn serve(&self, status: &str, content_type: &str, body: &[u8]) {
        *self.slot.lock().unwrap() = response(status, &[("Content-Type", content_type)], body);
    }

    /// The first page of `/v1/events`.
    fn events_page(&self) -> Result<Vec<Event>, Error> {
        self.runtime.block_on(first_page(self.client.events()))
    }

    /// Every decode path of the client on the bytes being served: 8 get-by-id calls and the
    /// first page of 8 lists. Only a panic can fail this.
    fn decode_everything(&self) {
        let id = "00000000-0000-4000-8000-000000000001";
        let c = &self.client;
        self.runtime.block_on(async {
            let _ = c.get_app(id).await;
            let _ = c.get_client(id).await;
            let _ = c.get_deployment(id).await;
            let _ = c.get_detection(id).await;
            let _ = c.get_event(id).await;
            let _ = c.get_policy(id).await;
            let _ = c.get_registration(id).await;
            let _ = c.get_detection_pol(id).await;
            let _ = first_page(c.apps()).await;
            let _ = first_page(c.clients()).await;
            let _ = first_page(c.deployments()).await;
            let _ = first_page(c.detections()).await;
            let _ = first_page(c.detections_pol()).await;
            let _ = first_page(c.events()).await;
            let _ = first_page(c.policies()).await;
            let _ = first_page(c.registrations()).await;
        });
    }
}

async fn first_page<R: ListRecord>(request: ListRequest<R>) -> Result<Vec<R>, Error> {
    use futures::TryStreamExt;
    let pages = request.page_size(50).pages();
    futures::pin_mut!(pages);
    Ok(pages
        .try_next()
        .await?
        .map(|page| page.records)
        .unwrap_or_default())
}

// ---------------------------------------------------------------------------------------
// The reference decode.

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    data: Option<Vec<Event>>,
}

/// What `serde_json` alone makes of a 200 list body: the records, or `None` when the body
/// is not a clean page. As a walk does, a record whose key was already handed out is
/// dropped — the key is the `id`, or for an id-less record its content (neon-api-ext
/// `paging/records.rs`: identical id-less records count as one).
fn reference_page(body: &[u8]) -> Option<Vec<Value>> {
    // Only an object is an envelope (a derived struct would also take an array).
    if !matches!(serde_json::from_slice::<Value>(body), Ok(Value::Object(_))) {
        return None;
    }
    let envelope: Reference = serde_json::from_slice(body).ok()?;
    let no_error = match &envelope.error {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    if !no_error {
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    Some(
        envelope
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .filter(|e| {
                let key = match e.get("id").and_then(Value::as_str) {
                    Some(id) => format!("id:{id}"),
                    None => format!("content:{e}"),
                };
                seen.insert(key)
            })
            .collect(),
    )
}

fn check_against_reference(h: &Harness, body: &[u8]) -> Result<(), TestCaseError> {
    h.serve("200 OK", "application/json", body);
    let client = h.events_page().map(|records| {
        records
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect::<Vec<_>>()
    });
    let reference = reference_page(body);
    match (&client, &reference) {
        (Ok(got), Some(want)) => prop_assert_eq!(got, want),
        (Err(_), None) => {}
        _ => prop_assert!(
            false,
            "client {:?} vs reference {:?}",
            client.as_ref().map(Vec::len),
            reference.as_ref().map(Vec::len)
        ),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// Strings a server might plausibly send in a typed field, and some it should not.
fn interesting_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("00000000-0000-4000-8000-000000000001".to_owned()),
        Just("2024-02-29T12:34:56.12345+00:00".to_owned()),
        Just("2024-02-29T12:34:56".to_owned()),
        Just("intel".to_owned()),
        Just("clipboard".to_owned()),
        Just("12.5".to_owned()),
        Just("1e400".to_owned()),
        Just(String::new()),
        "\\PC{0,24}",
        "[0-9a-f-]{30,40}",
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        interesting_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One record of each resource as the simulator serves it (every field present), and the
/// event fixtures.
fn sample_records() -> Vec<Value> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = Simulator::builder()
            .seed(3)
            .events(30)
            .detections(30)
            .columnar_nulls(false)
            .start()
            .await
            .unwrap();
        let mut records = Vec::new();
        for resource in [
            Resource::Apps,
            Resource::Clients,
            Resource::Deployments,
            Resource::Detections,
            Resource::DetectionsPol,
            Resource::Events,
            Resource::Policies,
            Resource::Registrations,
        ] {
            records.extend(
                sim.records(resource, SortOrder::Desc, &Filter::All)
                    .into_iter()
                    .take(1),
            );
        }
        for line in include_str!("../fixtures/events.ndjson").lines() {
            records.push(serde_json::from_str(line).unwrap());
        }
        records
    })
}

/// A real record with 1–4 fields replaced, removed, or added as arbitrary JSON.
fn mutated_record(samples: Vec<Value>) -> impl Strategy<Value = Value> {
    let n = samples.len();
    (
        0..n,
        prop::collection::vec((any::<prop::sample::Index>(), arb_json(), 0..4u8), 1..5),
    )
        .prop_map(move |(which, edits)| {
            let mut record = samples[which].clone();
            if let Value::Object(map) = &mut record {
                for (index, value, how) in edits {
                    let keys: Vec<String> = map.keys().cloned().collect();
                    if keys.is_empty() {
                        break;
                    }
                    let key = keys[index.index(keys.len())].clone();
                    match how {
                        0 => {
                            map.remove(&key);
                        }
                        1 => {
                            map.insert(format!("{key}_extra"), value);
                        }
                        _ => {
                            map.insert(key, value);
                        }
                    }
                }
            }
            record
        })
}

/// `cases` cases; a failing case is saved under `tests/corpus/proptest-regressions/` (paths
/// are relative to the package root, where `cargo test` runs) and replayed first next time.
fn config(cases: u32, file: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

const STATUSES: [&str; 9] = [
    "200 OK",
    "400 Bad Request",
    "401 Unauthorized",
    "403 Forbidden",
    "404 Not Found",
    "429 Too Many Requests",
    "500 Internal Server Error",
    "502 Bad Gateway",
    "503 Service Unavailable",
];

thread_local!(static SAMPLES: Vec<Value> = sample_records());

proptest! {
    #![proptest_config(config(160, "corpus/proptest-regressions/arbitrary_bytes.txt"))]

    #[test]
    fn arbitrary_bytes_never_panic_on_any_path(
        body in prop::collection::vec(any::<u8>(), 0..400),
        status in prop::sample::select(&STATUSES[..]),
        content_type in prop::sample::select(&["application/json", "text/html", ""][..]),
    ) {
        thread_local!(static H: Harness = Harness::new());
        H.with(|h| {
            h.serve(status, content_type, &body);
            h.decode_everything();
            check_against_reference(h, &body)
        })?;
    }
}

proptest! {
    #![proptest_config(config(160, "corpus/proptest-regressions/arbitrary_json.txt"))]

    #[test]
    fn arbitrary_json_envelopes_never_panic_and_agree_with_serde(
        error in prop_oneof![Just(Value::Null), arb_json()],
        data in arb_json(),
        extra in arb_json(),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let envelope = json!({"error": error, "data": data, "extra": extra});
        let mut body = serde_json::to_vec(&envelope).unwrap();
        if truncate {
            let at = cut.index(body.len());
            body.truncate(at);
        }
        thread_local!(static H: Harness = Harness::new());
        H.with(|h| {
            h.serve("200 OK", "application/json", &body);
            h.decode_everything();
            check_against_reference(h, &body)
        })?;
    }
}

proptest! {
    #![proptest_config(config(256, "corpus/proptest-regressions/mutated_records.txt"))]

    #[test]
    fn real_records_with_arbitrary_fields_never_panic_and_agree_with_serde(
        records in prop::collection::vec(mutated_record(SAMPLES.with(Clone::clone)), 1..4),
        as_object in any::<bool>(),
    ) {
        let data = if as_object { records[0].clone() } else { Value::Array(records) };
        let body = serde_json::to_vec(&json!({"error": null, "data": data})).unwrap();
        thread_local!(static H: Harness = Harness::new());
        H.with(|h| {
            h.serve("200 OK", "application/json", &body);
            h.decode_everything();
            check_against_reference(h, &body)
        })?;
    }
}

// ---------------------------------------------------------------------------------------
// The corpus: nasty cases with exact outcomes.

/// The outcome of the first page of `/v1/events`, as a short exact text.
fn outcome(result: Result<Vec<Event>, Error>) -> String {
    match result {
        Ok(events) => format!(
            "ok {:?}",
            events
                .iter()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect::<Vec<_>>()
        ),
        Err(Error::Decode { path, source, .. }) => format!("decode at {path}: {source}"),
        Err(Error::Api { status, message }) => format!("api {}: {message}", status.as_u16()),
        Err(Error::Truncated { received, .. }) => format!("truncated after {received} bytes"),
        Err(other) => format!("other: {other}"),
    }
}

fn page_outcome(body: &[u8]) -> String {
    thread_local!(static H: Harness = Harness::new());
    H.with(|h| {
        h.serve("200 OK", "application/json", body);
        outcome(h.events_page())
    })
}

/// Checks every `(body, expected outcome)` and reports all mismatches at once.
fn check_all<B: AsRef<[u8]>>(cases: &[(B, &str)]) {
    let mut mismatches = Vec::new();
    for (body, expected) in cases {
        let body = body.as_ref();
        let got = page_outcome(body);
        if got != *expected {
            let shown = String::from_utf8_lossy(&body[..body.len().min(90)]).into_owned();
            mismatches.push(format!(
                "body {shown:?}\n   got: {got:?}\n  want: {expected:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

const ID1: &str = "00000000-0000-4000-8000-000000000001";

fn page_of(record: &str) -> Vec<u8> {
    format!(r#"{{"error":null,"data":[{record}]}}"#).into_bytes()
}

fn records(cases: &[(&str, &'static str)]) -> Vec<(Vec<u8>, &'static str)> {
    cases.iter().map(|(r, e)| (page_of(r), *e)).collect()
}

#[test]
fn deep_nesting_is_an_error_where_it_is_read_and_skipped_where_it_is_not() {
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let error_path = format!("error{}", "[0]".repeat(126));
    let error_case =
        format!("decode at {error_path}: recursion limit exceeded at line 1 column 136");
    check_all(&[
        // An unknown field is skipped without recursion: 100,000 levels cost nothing.
        (
            page_of(&format!(r#"{{"id":"{ID1}","x":{}}}"#, deep(100_000))),
            format!(r#"ok ["{{\"id\":\"{ID1}\"}}"]"#).as_str(),
        ),
        // `error` is read as JSON: serde_json's recursion limit (128) stops it, no overflow.
        (
            format!(r#"{{"error":{},"data":[]}}"#, deep(100_000)).into_bytes(),
            error_case.as_str(),
        ),
        // `data` must be records: an array in a record's place is read as the struct's
        // sequence form, whose first field (`agent`) is a string, and fails there.
        (
            format!(r#"{{"error":null,"data":{}}}"#, deep(100_000)).into_bytes(),
            "decode at data[0][0]: invalid type: sequence, expected a string at line 1 column 23",
        ),
        // Nesting a real server could send (20 levels) in an unknown field is fine.
        (
            page_of(&format!(r#"{{"id":"{ID1}","x":{}}}"#, deep(20))),
            format!(r#"ok ["{{\"id\":\"{ID1}\"}}"]"#).as_str(),
        ),
    ]);
}

#[test]
fn huge_numbers_fail_with_the_field_path_or_decode_where_they_fit() {
    check_all(&records(&[
        // f64 fields: beyond f64's range is an error; a long integer is a float.
        (
            r#"{"latitude":1e400}"#,
            "decode at data[0].latitude: number out of range at line 1 column 39",
        ),
        (
            r#"{"latitude":123456789012345678901234567890}"#,
            r#"ok ["{\"latitude\":1.2345678901234568e+29}"]"#,
        ),
        (r#"{"latitude":-0.0}"#, r#"ok ["{\"latitude\":-0.0}"]"#),
        (r#"{"latitude":5e-324}"#, r#"ok ["{\"latitude\":5e-324}"]"#),
        // i64 fields: past i64 is an error naming the field; a float is a type error.
        (
            r#"{"total_bytes":9223372036854775807}"#,
            r#"ok ["{\"total_bytes\":9223372036854775807}"]"#,
        ),
        (
            r#"{"total_bytes":9223372036854775808}"#,
            "decode at data[0].total_bytes: invalid value: integer `9223372036854775808`, \
             expected i64 at line 1 column 56",
        ),
        (
            r#"{"total_bytes":99999999999999999999999}"#,
            "decode at data[0].total_bytes: invalid type: floating point `1e+23`, expected i64 \
             at line 1 column 60",
        ),
        (
            r#"{"total_bytes":1.5}"#,
            "decode at data[0].total_bytes: invalid type: floating point `1.5`, expected i64 at \
             line 1 column 40",
        ),
        // A huge number in an unknown field is skipped unread.
        (r#"{"unknown":1e999999}"#, r#"ok ["{}"]"#),
    ]));
}

#[test]
fn numbers_as_strings_and_wrong_types_fail_with_the_field_path() {
    check_all(&records(&[
        (
            r#"{"latitude":"45.5"}"#,
            r#"decode at data[0].latitude: invalid type: string "45.5", expected f64 at line 1 column 40"#,
        ),
        (
            r#"{"total_bytes":"10"}"#,
            r#"decode at data[0].total_bytes: invalid type: string "10", expected i64 at line 1 column 41"#,
        ),
        (
            r#"{"id":42}"#,
            "decode at data[0].id: invalid type: integer `42`, expected a formatted UUID string \
             at line 1 column 30",
        ),
        (
            r#"{"id":"not-a-uuid"}"#,
            "decode at data[0].id: UUID parsing failed: invalid character: found `n` at 0 at \
             line 1 column 40",
        ),
        (
            r#"{"incognito":"true"}"#,
            r#"decode at data[0].incognito: invalid type: string "true", expected a boolean at line 1 column 41"#,
        ),
        (
            r#"{"event_type":7}"#,
            "decode at data[0].event_type: invalid type: integer `7`, expected a string at line \
             1 column 37",
        ),
        (
            r#"{"updated_at":1709210096}"#,
            "decode at data[0].updated_at: invalid type: integer `1709210096`, expected an RFC \
             3339 formatted date and time string at line 1 column 46",
        ),
        (
            r#"{"extensions":"a.com"}"#,
            r#"decode at data[0].extensions: invalid type: string "a.com", expected a sequence at line 1 column 43"#,
        ),
        (
            r#"{"city":"\ud800"}"#,
            "decode at data[0].city: unexpected end of hex escape at line 1 column 38",
        ),
        (
            r#""just a string""#,
            r#"decode at data[0]: invalid type: string "just a string", expected struct Event at line 1 column 37"#,
        ),
        (
            "[]",
            "decode at data[0]: invalid length 0, expected struct Event with 59 elements at line \
             1 column 24",
        ),
        // Forward compatibility: an integer in a float field, an unknown enum value, nulls.
        (
            r#"{"latitude":0,"event_type":"clipboard","city":null}"#,
            r#"ok ["{\"event_type\":\"clipboard\",\"latitude\":0.0}"]"#,
        ),
    ]));
}

#[test]
fn envelopes_of_the_wrong_shape_have_exact_outcomes() {
    let not_an_envelope = "invalid type: sequence, expected the API's envelope, an object with \
                           `error` and `data` at line 1 column 0";
    let cases: Vec<(&[u8], String)> =
        vec![
        (br#"{"error":null,"data":null}"#, "ok []".into()),
        (br#"{}"#, "ok []".into()),
        (br#"{"data":[],"meta":{"total":1}}"#, "ok []".into()),
        (
            br#"{"error":null,"data":{}}"#,
            "decode at data: invalid type: map, expected a sequence at line 1 column 21".into(),
        ),
        (
            br#"{"error":null,"data":"x"}"#,
            r#"decode at data: invalid type: string "x", expected a sequence at line 1 column 24"#
                .into(),
        ),
        // A bare array is not the envelope, whatever it holds (a derived struct took `[]`
        // as an empty page and `[record]` as an error message).
        (b"[]", format!("decode at .: {not_an_envelope}")),
        (
            br#"[{"id":"00000000-0000-4000-8000-000000000001"}]"#,
            format!("decode at .: {not_an_envelope}"),
        ),
        (br#"[null,[]]"#, format!("decode at .: {not_an_envelope}")),
        (
            b"null",
            "decode at .: invalid type: null, expected the API's envelope, an object with \
             `error` and `data` at line 1 column 4"
                .into(),
        ),
        (
            b"42",
            "decode at .: invalid type: integer `42`, expected the API's envelope, an object \
             with `error` and `data` at line 1 column 2"
                .into(),
        ),
        (
            b"",
            "decode at .: EOF while parsing a value at line 1 column 0".into(),
        ),
        // Whitespace only: JSON that ends before it starts reads as a cut-off body (retried).
        (b"  \n ", "truncated after 4 bytes".into()),
        (br#"{"error":null,"data":[]"#, "truncated after 23 bytes".into()),
        (
            br#"{"error":null,"data":[]} {}"#,
            "decode at .: trailing characters at line 1 column 26".into(),
        ),
        (br#"{"error":true,"data":[]}"#, "api 200: true".into()),
        (br#"{"error":0,"data":[]}"#, "api 200: 0".into()),
        (br#"{"error":false,"data":[]}"#, "ok []".into()),
        (br#"{"error":{},"data":[]}"#, "ok []".into()),
        (br#"{"error":"  ","data":[]}"#, "ok []".into()),
        (
            br#"{"error":"boom","data":"not even a list"}"#,
            "api 200: boom".into(),
        ),
        (
            b"{\"error\":null,\"data\":[NaN]}",
            "decode at data[0]: expected value at line 1 column 23".into(),
        ),
        // A lone surrogate in an unknown field is skipped unread.
        (
            b"{\"error\":null,\"data\":[],\"x\":\"\\ud800\"}",
            "ok []".into(),
        ),
    ];
    let cases: Vec<(&[u8], &str)> = cases.iter().map(|(b, e)| (*b, e.as_str())).collect();
    check_all(&cases);
}

#[test]
fn duplicate_keys_are_refused_in_the_envelope_and_in_records() {
    let record = format!(r#"{{"id":"{ID1}","id":"{ID1}"}}"#);
    check_all(&[
        (
            br#"{"error":null,"data":[],"data":[]}"#.to_vec(),
            "decode at .: duplicate field `data` at line 1 column 30",
        ),
        (
            br#"{"error":null,"error":"x","data":[]}"#.to_vec(),
            "decode at .: duplicate field `error` at line 1 column 21",
        ),
        (
            page_of(&record),
            "decode at data[0]: duplicate field `id` at line 1 column 71",
        ),
    ]);
}

#[test]
fn invalid_utf8_and_a_bom_have_exact_outcomes() {
    let bom: &[u8] = include_bytes!("../corpus/bom_then_page.json");
    assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
    check_all(&[
        // Bytes that are not UTF-8 inside a known string field: refused, with its path.
        (
            &include_bytes!("../corpus/invalid_utf8_in_string.json")[..],
            "decode at data[0].city: invalid unicode code point at line 1 column 80",
        ),
        // Inside an unknown field: skipped unread.
        (
            &include_bytes!("../corpus/invalid_utf8_in_unknown_field.json")[..],
            r#"ok ["{\"id\":\"00000000-0000-4000-8000-000000000001\"}"]"#,
        ),
        // A UTF-8 byte-order mark before a valid page: RFC 8259 lets a parser refuse it,
        // and serde_json does; the error says where.
        (bom, "decode at .: expected value at line 1 column 1"),
    ]);
}
