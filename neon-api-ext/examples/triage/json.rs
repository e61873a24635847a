//! The SIEM view: one JSON object per detection per line (NDJSON).
//!
//! Flat summary fields first, for a SIEM's field extraction (`time`, `type`, `source`,
//! `url`, `who`, `browser`, `pol_trimmed`), then the records themselves as the API sent
//! them (`detection`, `client`, `registration`, `pol`), so nothing is lost.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use neon_api_ext::types::{Client, Detection, PolEntry, Registration};
use serde::Serialize;
use uuid::Uuid;

use crate::fetch::Row;
use crate::table::{browser, time_of, trimmed_count, who};

/// One output line, fields in this order.
#[derive(Debug, Serialize)]
pub struct Line<'a> {
    id: Option<Uuid>,
    /// When the detection happened (its timestamp, else `updated_at`).
    time: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    #[serde(rename = "type")]
    kind: Option<String>,
    subtype: Option<&'a str>,
    source: Option<&'a str>,
    url: Option<&'a str>,
    /// The client's email (see `table::who`).
    who: Option<String>,
    client_id: Option<Uuid>,
    /// `Chrome 131.0.6778.86 (mac)` (see `table::browser`).
    browser: Option<String>,
    registration_id: Option<Uuid>,
    /// Trail entries received.
    pol_entries: usize,
    /// Trail positions the agent trimmed (never sent).
    pol_trimmed: u64,
    detection: &'a Detection,
    client: Option<&'a Client>,
    registration: Option<&'a Registration>,
    pol: &'a [PolEntry],
}

/// The line for one row.
pub fn line(row: &Row) -> Line<'_> {
    let d = &row.detection;
    Line {
        id: d.id,
        time: time_of(d),
        updated_at: d.updated_at,
        kind: d.detection_type.as_ref().map(|t| t.to_string()),
        subtype: d.detection_subtype.as_deref(),
        source: d.source.as_deref(),
        url: d.url.as_deref(),
        who: who(row),
        client_id: d.client_id,
        browser: browser(row),
        registration_id: d.registration_id,
        pol_entries: row.pol.len(),
        pol_trimmed: trimmed_count(&row.pol),
        detection: d,
        client: row.client.as_deref(),
        registration: row.registration.as_deref(),
        pol: &row.pol,
    }
}

/// Writes one line per row.
pub fn render(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    for row in rows {
        serde_json::to_writer(&mut *out, &line(row))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use neon_api_ext::types::DetectionType;
    use serde_json::{json, Value};
    use std::sync::Arc;

    #[test]
    fn each_detection_is_one_line_with_summary_and_records() {
        let id = uuid::Uuid::from_u128(1);
        let row = Row {
            detection: Detection {
                id: Some(id),
                detection_type: Some(DetectionType::Unknown("exfiltration".into())),
                source: Some("Intel Feed".into()),
                updated_at: Some("2025-03-04T10:11:12Z".parse().expect("literal")),
                ..Default::default()
            },
            client: Some(Arc::new(Client {
                email: Some("bo@acme.example".into()),
                ..Default::default()
            })),
            registration: None,
            pol: vec![
                PolEntry {
                    position: Some(1),
                    ..Default::default()
                },
                PolEntry {
                    position: Some(4),
                    ..Default::default()
                },
            ],
        };
        let mut out = Vec::new();
        render(&[row.clone(), row], &mut out).expect("writing to a Vec");
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        // Summary first, in a fixed order, for a SIEM's field extraction.
        assert!(
            lines[0].starts_with(&format!(r#"{{"id":"{id}","time":"2025-03-04T10:11:12Z","#)),
            "{}",
            lines[0]
        );
        let v: Value = serde_json::from_str(lines[0]).expect("a JSON object");
        assert_eq!(v["id"], json!(id.to_string()));
        assert_eq!(v["time"], json!("2025-03-04T10:11:12Z"));
        assert_eq!(v["type"], json!("exfiltration"));
        assert_eq!(v["source"], json!("Intel Feed"));
        assert_eq!(v["who"], json!("bo@acme.example"));
        assert_eq!(v["browser"], Value::Null);
        assert_eq!(v["pol_entries"], json!(2));
        assert_eq!(v["pol_trimmed"], json!(2));
        assert_eq!(v["client"]["email"], json!("bo@acme.example"));
        assert_eq!(v["registration"], Value::Null);
        assert_eq!(v["pol"][1]["position"], json!(4));
        assert_eq!(v["detection"]["detection_type"], json!("exfiltration"));
    }
}
