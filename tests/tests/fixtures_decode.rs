//! Every record in `tests/fixtures/*.ndjson` decodes through the generated types with
//! exact values: 5-digit fractional seconds with `+00:00`, integers in float fields,
//! nulls, unknown fields and unknown enum values.

use chrono::{DateTime, NaiveDate, Utc};
use neon_api::types::{
    ClientStatus, ClientStatusFilter, Deployment, DeploymentStatus, DeploymentStatusFilter,
    Detection, DetectionListResponse, DetectionType, DetectionTypeFilter, Event, EventListResponse,
    EventResponse, EventType, EventTypeFilter, PolEntryListResponse,
};
use serde_json::{json, Value};
use uuid::Uuid;

const EVENTS: &str = include_str!("../fixtures/events.ndjson");
const DETECTIONS: &str = include_str!("../fixtures/detections.ndjson");

fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_nano_opt(h, mi, s, nanos))
        .expect("valid test timestamp")
        .and_utc()
}

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("valid test uuid")
}

fn lines(ndjson: &str) -> Vec<Value> {
    ndjson
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture line is JSON"))
        .collect()
}

fn events() -> Vec<Event> {
    lines(EVENTS)
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("event decodes"))
        .collect()
}

fn detections() -> Vec<Detection> {
    lines(DETECTIONS)
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("detection decodes"))
        .collect()
}

/// The platform fields every fixture record shares, as an `Event`.
fn platform_event() -> Event {
    Event {
        deployment_id: Some(uuid("6513270e-269e-4d37-b2a7-4de452e6b438")),
        client_id: Some(uuid("d23f0824-128b-4f33-8c5c-7fd0a6a3a450")),
        registration_id: Some(uuid("9531985d-5d9d-49f8-9818-e811892f902b")),
        agent: Some("1.2.25".into()),
        arch: Some("x86-64".into()),
        display: Some("Chrome".into()),
        name: Some("chrome".into()),
        os: Some("win".into()),
        ua: Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36".into()),
        version: Some("141.0.0.0".into()),
        latitude: Some(45.5152),
        longitude: Some(-122.6784),
        ip_latitude: Some(45.52),
        ip_longitude: Some(-122.68),
        asn: Some(64500),
        asn_isp: Some("EXAMPLE-NET".into()),
        city: Some("Portland".into()),
        country: Some("US".into()),
        postal_code: Some("97214".into()),
        region_code: Some("OR".into()),
        region_name: Some("Oregon".into()),
        ip: Some("198.51.100.23".into()),
        ..Event::default()
    }
}

#[test]
fn every_fixture_record_decodes() {
    assert_eq!(events().len(), 6);
    assert_eq!(detections().len(), 3);
    let kinds: Vec<String> = events()
        .iter()
        .map(|e| {
            e.event_type
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        kinds,
        ["geo", "auth", "app", "upload", "download", "navigation"]
    );
    let kinds: Vec<DetectionType> = detections()
        .into_iter()
        .filter_map(|d| d.detection_type)
        .collect();
    assert_eq!(
        kinds,
        [
            DetectionType::Phishing,
            DetectionType::Download,
            DetectionType::Intel
        ]
    );
}

#[test]
fn a_geo_event_decodes_field_for_field_with_nulls_as_none() {
    let expected = Event {
        id: Some(uuid("90c192cf-d3ac-44af-8f21-ddb66cad4a26")),
        event_type: Some(EventType::Geo),
        event_timestamp: Some(ts(2025, 9, 30, 19, 24, 27, 909_000_000)),
        inserted_at: Some(ts(2025, 9, 30, 19, 24, 29, 837_364_000)),
        updated_at: Some(ts(2025, 9, 30, 19, 24, 29, 837_364_000)),
        ..platform_event()
    };
    assert_eq!(events()[0], expected);
}

#[test]
fn five_digit_fractional_seconds_with_offset_decode_to_the_exact_instant() {
    let auth = &events()[1];
    assert_eq!(
        auth.inserted_at,
        Some(ts(2025, 10, 13, 18, 13, 17, 312_370_000))
    );
    let phishing = &detections()[0];
    assert_eq!(
        phishing.inserted_at,
        Some(ts(2025, 10, 13, 18, 13, 15, 882_190_000))
    );
    assert_eq!(
        phishing.inserted_at.map(|t| t.timestamp_micros()),
        Some(1_760_379_195_882_190)
    );
    // One fractional digit, and none.
    assert_eq!(
        events()[3].inserted_at,
        Some(ts(2025, 10, 13, 18, 13, 17, 400_000_000))
    );
    assert_eq!(
        detections()[2].detection_timestamp,
        Some(ts(2025, 10, 11, 8, 0, 0, 500_000_000))
    );
    assert_eq!(
        detections()[2].inserted_at,
        Some(ts(2025, 10, 11, 8, 0, 1, 0))
    );
}

#[test]
fn event_type_specific_fields_decode() {
    let e = events();
    let (auth, app, upload, download, nav) = (&e[1], &e[2], &e[3], &e[4], &e[5]);
    assert_eq!(auth.auth_method.as_deref(), Some("userpass"));
    assert_eq!(auth.email.as_deref(), Some("jordan.lee@example.com"));
    assert_eq!(auth.autofill, Some(true));
    assert_eq!(auth.url.as_deref(), Some("https://portal.example.com"));
    assert_eq!(
        app.catalog_id,
        Some(uuid("8d116ece-1738-47d9-bd9c-172411e20b8f"))
    );
    assert_eq!(app.catalog_name.as_deref(), Some("Example Surveys"));
    assert_eq!(app.domains.as_deref(), Some("surveys.example.net"));
    assert_eq!(
        app.start_timestamp,
        Some(ts(2025, 10, 12, 23, 15, 8, 713_000_000))
    );
    assert_eq!(
        app.end_timestamp,
        Some(ts(2025, 10, 13, 0, 15, 8, 713_000_000))
    );
    assert_eq!(
        (app.cumulative, app.login, app.mfa),
        (Some(5939), Some(true), Some(false))
    );
    assert_eq!(
        upload.filehash.as_deref(),
        Some("3f786850e387550fdab836ed7e6dc881de23001b")
    );
    assert_eq!(
        (upload.total_bytes, upload.tab_id, upload.incognito),
        (Some(48213), None, None)
    );
    assert_eq!(download.download_id, Some(4242));
    assert_eq!(download.danger.as_deref(), Some("SAFE"));
    assert_eq!(
        download.referrer.as_deref(),
        Some("https://mail.example.com/inbox")
    );
    assert_eq!(
        (nav.tab_id, nav.frame_id, nav.incognito),
        (Some(1171), Some(0), Some(false))
    );
}

#[test]
fn a_detection_decodes_field_for_field() {
    let d = &detections()[1];
    assert_eq!(d.id, Some(uuid("ae97ba94-d0ed-482f-8f6d-05584ef8aa38")));
    assert_eq!(d.detection_type, Some(DetectionType::Download));
    assert_eq!(d.detection_subtype, None);
    assert_eq!(
        d.detection_timestamp,
        Some(ts(2025, 10, 10, 17, 11, 2, 101_000_000))
    );
    assert_eq!(
        d.inserted_at,
        Some(ts(2025, 10, 13, 18, 13, 16, 149_791_000))
    );
    assert_eq!(d.source.as_deref(), Some("Download Incognito"));
    assert_eq!(d.description, None);
    assert_eq!((d.tab_id, d.incognito), (Some(2201), Some(true)));
    assert_eq!(d.filename.as_deref(), Some("invoice_0931.zip"));
    assert_eq!(d.mime.as_deref(), Some("application/zip"));
    assert_eq!(d.danger.as_deref(), Some("DANGEROUS"));
    assert_eq!(d.total_bytes, Some(90112));
    assert_eq!(d.latitude, Some(45.5152));
    assert_eq!(d.asn, Some(64500));
    let intel = &detections()[2];
    assert_eq!(intel.detection_subtype.as_deref(), Some("known-bad-domain"));
    assert_eq!(
        intel.url.as_deref(),
        Some("https://cdn.example-malicious.test/payload")
    );
}

#[test]
fn an_integer_zero_decodes_into_a_float_field() {
    let mut v = lines(EVENTS).remove(0);
    v["latitude"] = json!(0);
    v["longitude"] = json!(0);
    let e: Event = serde_json::from_value(v).expect("integer 0 in a float field decodes");
    assert_eq!((e.latitude, e.longitude), (Some(0.0), Some(0.0)));
}

#[test]
fn an_unknown_event_type_keeps_its_string_and_does_not_fail_the_page() {
    let mut records = lines(EVENTS);
    records[2]["event_type"] = json!("clipboard");
    let page: EventListResponse =
        serde_json::from_value(json!({"error": null, "data": records})).expect("the page decodes");
    let data = page.data.expect("data present");
    assert_eq!(data.len(), 6);
    let t = data[2].event_type.clone().expect("event_type present");
    assert_eq!(t, EventType::Unknown("clipboard".into()));
    assert_eq!(t.as_str(), "clipboard");
    assert_eq!(t.to_string(), "clipboard");
    assert!(t.is_unknown());
    assert_eq!(data[1].event_type, Some(EventType::Auth));
    assert_eq!(serde_json::to_value(&t).unwrap(), json!("clipboard"));
    assert_eq!(page.error, None);
}

#[test]
fn unknown_detection_types_and_statuses_decode_as_unknown() {
    let mut v = lines(DETECTIONS).remove(0);
    v["detection_type"] = json!("ransomware");
    let d: Detection = serde_json::from_value(v).unwrap();
    assert_eq!(
        d.detection_type,
        Some(DetectionType::Unknown("ransomware".into()))
    );
    let dep: Deployment = serde_json::from_value(json!({"id": "6513270e-269e-4d37-b2a7-4de452e6b438", "status": "archived", "default": true})).unwrap();
    assert_eq!(
        dep.status.as_ref().map(DeploymentStatus::as_str),
        Some("archived")
    );
    assert_eq!(dep.default, Some(true));
    assert_eq!(
        "registered".parse::<ClientStatus>(),
        Ok(ClientStatus::Registered)
    );
    assert_eq!(
        "suspended".parse::<ClientStatus>(),
        Ok(ClientStatus::Unknown("suspended".into()))
    );
    assert_eq!(ClientStatus::from("unassigned").as_str(), "unassigned");
    assert_eq!(DeploymentStatus::KNOWN, ["pending", "enabled", "disabled"]);
}

#[test]
fn unknown_fields_and_explicit_nulls_are_tolerated() {
    let mut v = lines(DETECTIONS).remove(0);
    v["brand_new_field"] = json!({"nested": [1, 2]});
    v["email"] = Value::Null;
    v["detection_type"] = Value::Null;
    let d: Detection = serde_json::from_value(v).expect("unknown fields do not fail decoding");
    assert_eq!((d.email, d.detection_type), (None, None));
    assert_eq!(d.id, Some(uuid("92276658-1e27-41c0-8a6a-63ec24ede6a4")));
}

#[test]
fn envelopes_decode_with_null_data_and_string_or_object_errors() {
    let r: EventResponse =
        serde_json::from_value(json!({"error": "Event not found", "data": null})).unwrap();
    assert_eq!((r.error, r.data), (Some(json!("Event not found")), None));
    let r: DetectionListResponse =
        serde_json::from_value(json!({"error": {"code": 401}, "data": null})).unwrap();
    assert_eq!(r.error, Some(json!({"code": 401})));
    let page: DetectionListResponse =
        serde_json::from_value(json!({"error": null, "data": lines(DETECTIONS)})).unwrap();
    assert_eq!(page.data.map(|d| d.len()), Some(3));
}

#[test]
fn pol_entries_decode_from_an_array() {
    let page: PolEntryListResponse = serde_json::from_value(json!({"error": null, "data": [{
        "id": "11111111-2222-3333-4444-555555555555",
        "detection_id": "92276658-1e27-41c0-8a6a-63ec24ede6a4",
        "position": 1,
        "timestamp": "2025-10-10T17:09:30.1+00:00",
        "tab_id": 2201,
        "url": "https://mail.example.com/inbox",
        "referrer": null,
        "transition": "link",
        "resources": ["https://cdn.example.com/a.js"],
        "something_new": 1
    }]}))
    .unwrap();
    let entry = &page.data.expect("data")[0];
    assert_eq!(
        entry.detection_id,
        Some(uuid("92276658-1e27-41c0-8a6a-63ec24ede6a4"))
    );
    assert_eq!(entry.position, Some(1));
    assert_eq!(
        entry.timestamp,
        Some(ts(2025, 10, 10, 17, 9, 30, 100_000_000))
    );
    assert_eq!(entry.referrer, None);
    assert_eq!(entry.transition.as_deref(), Some("link"));
    assert_eq!(
        entry.resources,
        Some(vec!["https://cdn.example.com/a.js".to_string()])
    );
}

#[test]
fn request_filters_are_closed_and_display_their_wire_value() {
    assert_eq!(EventTypeFilter::Download.to_string(), "download");
    assert_eq!(DetectionTypeFilter::Intel.to_string(), "intel");
    assert_eq!(ClientStatusFilter::Deregistered.to_string(), "deregistered");
    assert_eq!(DeploymentStatusFilter::Enabled.to_string(), "enabled");
    assert_eq!(
        "phishing".parse::<DetectionTypeFilter>().ok(),
        Some(DetectionTypeFilter::Phishing)
    );
    assert!(
        "clipboard".parse::<EventTypeFilter>().is_err(),
        "a filter only takes documented values"
    );
}
