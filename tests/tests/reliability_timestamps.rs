//! Timestamps: every RFC 3339 shape a server may send — 0 to 9 fractional digits, `Z`/`z`
//! or a numeric offset — decodes to the exact instant it names, in every timestamp field,
//! both straight through serde and through the client's own path (a loopback server).
//! Shapes RFC 3339 does not allow are pinned too (what they give, exactly).

mod reliability_support;

use chrono::{DateTime, Utc};
use neon_api::types::{Detection, Event};
use neon_api_ext::Error;
use reliability_support::{client, json_200, raw_server, Action};
use serde_json::json;

/// The instant `secs` seconds and `nanos` nanoseconds after the Unix epoch.
fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, nanos).unwrap()
}

/// 2024-02-29T12:34:56Z, a leap day.
const BASE: i64 = 1_709_210_096;

/// (wire text, exact instant) for every fraction length and offset shape.
fn shapes() -> Vec<(String, DateTime<Utc>)> {
    let mut cases = Vec::new();
    // 0..=9 fractional digits, with `Z`: the digits are a decimal fraction of a second.
    let digits = "123456789";
    for n in 0..=9 {
        let fraction = &digits[..n];
        let text = if n == 0 {
            "2024-02-29T12:34:56Z".to_owned()
        } else {
            format!("2024-02-29T12:34:56.{fraction}Z")
        };
        let nanos = if n == 0 {
            0
        } else {
            fraction.parse::<u32>().unwrap() * 10u32.pow(9 - n as u32)
        };
        cases.push((text, at(BASE, nanos)));
    }
    // Leading zeros in the fraction are kept in place.
    cases.push(("2024-02-29T12:34:56.000000001Z".into(), at(BASE, 1)));
    cases.push(("2024-02-29T12:34:56.050Z".into(), at(BASE, 50_000_000)));
    cases.push(("2024-02-29T12:34:56.00001+00:00".into(), at(BASE, 10_000)));
    // Offsets: the same wall-clock time names a different instant.
    for (offset, shift) in [
        ("+00:00", 0),
        ("-00:00", 0),
        ("-05:00", 5 * 3600),
        ("+05:30", -(5 * 3600 + 30 * 60)),
        ("+14:00", -14 * 3600),
        ("-12:00", 12 * 3600),
        ("+00:01", -60),
        ("-09:30", 9 * 3600 + 30 * 60),
    ] {
        cases.push((format!("2024-02-29T12:34:56{offset}"), at(BASE + shift, 0)));
        cases.push((
            format!("2024-02-29T12:34:56.123456789{offset}"),
            at(BASE + shift, 123_456_789),
        ));
    }
    // Lower-case `t` and `z` are RFC 3339 too.
    cases.push(("2024-02-29t12:34:56z".into(), at(BASE, 0)));
    // Offsets that cross a date line and a year boundary.
    cases.push(("2024-12-31T23:30:00-05:00".into(), at(1_735_705_800, 0)));
    cases.push(("2025-01-01T01:00:00+14:00".into(), at(1_735_642_800, 0)));
    // The epoch and the far ends a server may send.
    cases.push(("1970-01-01T00:00:00Z".into(), at(0, 0)));
    cases.push(("1969-12-31T23:59:59.999999999Z".into(), at(-1, 999_999_999)));
    cases.push((
        "9999-12-31T23:59:59.999999999Z".into(),
        at(253_402_300_799, 999_999_999),
    ));
    // A leap second: chrono keeps it as the 61st second (nanos ≥ 1e9) of 23:59:59.
    cases.push((
        "2016-12-31T23:59:60Z".into(),
        DateTime::from_timestamp(1_483_228_799, 1_000_000_000).unwrap(),
    ));
    cases
}

#[test]
fn every_rfc3339_shape_decodes_to_the_exact_instant_in_every_timestamp_field() {
    for (text, instant) in shapes() {
        let event: Event = serde_json::from_value(json!({
            "event_timestamp": text,
            "end_timestamp": text,
            "inserted_at": text,
            "updated_at": text,
        }))
        .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(event.event_timestamp, Some(instant), "{text}");
        assert_eq!(event.end_timestamp, Some(instant), "{text}");
        assert_eq!(event.inserted_at, Some(instant), "{text}");
        assert_eq!(event.updated_at, Some(instant), "{text}");
        let detection: Detection =
            serde_json::from_value(json!({ "detection_timestamp": text })).unwrap();
        assert_eq!(detection.detection_timestamp, Some(instant), "{text}");
    }
}

#[test]
fn more_than_nine_fractional_digits_are_truncated_to_nanoseconds() {
    let event: Event =
        serde_json::from_value(json!({ "updated_at": "2024-02-29T12:34:56.1234567899999Z" }))
            .unwrap();
    assert_eq!(event.updated_at, Some(at(BASE, 123_456_789)));
}

#[test]
fn an_offset_without_a_colon_is_accepted_and_still_exact() {
    // ISO 8601's basic form, not RFC 3339; chrono accepts it. Harmless: the instant is right.
    let event: Event =
        serde_json::from_value(json!({ "updated_at": "2024-02-29T12:34:56+0500" })).unwrap();
    assert_eq!(event.updated_at, Some(at(BASE - 5 * 3600, 0)));
}

#[test]
fn shapes_rfc3339_does_not_allow_fail_to_decode() {
    for text in [
        "2024-02-29T12:34:56",    // no offset: which instant is it?
        "2024-02-29",             // a date
        "2024-02-29T12:34Z",      // no seconds
        "2024-02-29T12:34:56.Z",  // a dot without digits
        "2024-02-30T12:34:56Z",   // no such day
        "2024-02-29T24:00:00Z",   // hour 24
        "2024-02-29T12:34:56+05", // offset without minutes
        "1709210096",             // epoch seconds as a string
        "",                       // empty
    ] {
        let result = serde_json::from_value::<Event>(json!({ "updated_at": text }));
        assert!(
            result.is_err(),
            "{text:?} decoded to {:?}",
            result.map(|e| e.updated_at)
        );
    }
    // A number where a timestamp belongs is a type error, not an instant.
    assert!(serde_json::from_value::<Event>(json!({ "updated_at": 1_709_210_096 })).is_err());
    // null is "not sent".
    let event: Event = serde_json::from_value(json!({ "updated_at": null })).unwrap();
    assert_eq!(event.updated_at, None);
}

/// The server's shape today (5 fractional digits, `+00:00`) and a few others, through the
/// client itself: the records of a page carry the exact instants.
#[tokio::test]
async fn timestamps_through_the_client_keep_the_exact_instant() {
    let cases = shapes();
    let records: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(i, (text, _))| {
            json!({
                "id": format!("00000000-0000-4000-8000-{i:012}"),
                "updated_at": text,
                "event_timestamp": text,
            })
        })
        .collect();
    let body = serde_json::to_vec(&json!({ "error": null, "data": records })).unwrap();
    let page = json_200(&body);
    let server = raw_server(move |request, _| {
        if request.target().contains("start=0") {
            Action::Respond(page.clone())
        } else {
            Action::Respond(json_200(br#"{"error":null,"data":[]}"#))
        }
    })
    .await;
    let client = client(&server.url, 1);
    let events = client.events().collect_all().await.unwrap();
    assert_eq!(events.len(), cases.len());
    for (event, (text, instant)) in events.iter().zip(&cases) {
        assert_eq!(event.updated_at, Some(*instant), "{text}");
        assert_eq!(event.event_timestamp, Some(*instant), "{text}");
    }
}

/// A bad timestamp through the client is a decode error naming the record and field.
#[tokio::test]
async fn a_timestamp_without_an_offset_is_a_decode_error_naming_its_path() {
    let body = br#"{"error":null,"data":[{"updated_at":"2024-02-29T12:34:56Z"},{"updated_at":"2024-02-29T12:34:56"}]}"#;
    let server = raw_server(|_, _| Action::Respond(json_200(body))).await;
    let err = client(&server.url, 1)
        .events()
        .collect_all()
        .await
        .unwrap_err();
    match err {
        Error::Decode { path, .. } => assert_eq!(path, "data[1].updated_at"),
        other => panic!("unexpected {other:?}"),
    }
}
