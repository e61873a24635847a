//! Generators for events and detections, in the shapes of `observed-fields.md` and
//! `tests/fixtures/*.ndjson`.
//!
//! Each record points at a real registration, its client and the client's deployment, and
//! carries the registration's browser platform fields; app events point at a real app.
//! Quirks a real server shows are reproduced: latitude/longitude sometimes the integer
//! `0`, and (at `unknown_enum_rate`) a type value the document does not list.
//! Columnar nulls (fields of other types present as `null`) are added by the list view.

use serde_json::{json, Map, Value};

use super::directory::{
    app_domain, app_name, client_deployment, client_email, client_place, platform,
    registration_client, timestamps,
};
use super::tables::*;
use super::{Dataset, Resource};
use crate::ids::Rng;
use crate::time::format_millis;

/// Event types the document lists.
pub(crate) const EVENT_TYPES: &[&str] = &[
    "download",
    "geo",
    "platform",
    "navigation",
    "app",
    "auth",
    "upload",
    "extension",
];
/// The undocumented event type served at `unknown_enum_rate`.
pub(crate) const UNKNOWN_EVENT_TYPE: &str = "clipboard";
/// Detection types the document lists.
pub(crate) const DETECTION_TYPES: &[&str] = &["intel", "download", "malware", "form", "phishing"];
/// The undocumented detection type served at `unknown_enum_rate`.
pub(crate) const UNKNOWN_DETECTION_TYPE: &str = "exfiltration";

/// Event fields that a list without a type filter sends as `null` when the record's type
/// does not have them (the document's "columnar view").
pub(crate) const EVENT_COLUMNAR: &[&str] = &[
    "tab_id",
    "url",
    "frame_id",
    "download_id",
    "filename",
    "mime",
    "incognito",
    "referrer",
    "danger",
    "total_bytes",
];
/// Detection fields sent as `null` by an unfiltered list when absent.
pub(crate) const DETECTION_COLUMNAR: &[&str] = &[
    "filename",
    "mime",
    "danger",
    "total_bytes",
    "action",
    "email",
    "password",
    "pii",
    "compromised",
    "autofill",
];

pub(crate) fn event_type(ds: &Dataset, index: u64) -> &'static str {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Events.salt() ^ 0x7E9E, index);
    if rng.chance(ds.cfg.unknown_enum_rate) {
        return UNKNOWN_EVENT_TYPE;
    }
    match rng.below(100) {
        0..=34 => "navigation",
        35..=49 => "app",
        50..=59 => "auth",
        60..=69 => "download",
        70..=74 => "upload",
        75..=84 => "geo",
        85..=89 => "platform",
        _ => "extension",
    }
}

pub(crate) fn detection_type(ds: &Dataset, index: u64) -> &'static str {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Detections.salt() ^ 0x7E9E, index);
    if rng.chance(ds.cfg.unknown_enum_rate) {
        return UNKNOWN_DETECTION_TYPE;
    }
    match rng.below(100) {
        0..=29 => "phishing",
        30..=54 => "intel",
        55..=69 => "download",
        70..=89 => "form",
        _ => "malware",
    }
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// Fields shared by events and detections: ids, platform, geo, timestamps.
fn common(ds: &Dataset, r: Resource, index: u64, rng: &mut Rng) -> (Map<String, Value>, u64) {
    let registration = rng.below(ds.base(Resource::Registrations));
    let client = registration_client(ds, registration);
    let mut obj = Map::new();
    obj.insert("id".into(), json!(ds.id(r, index)));
    obj.insert(
        "deployment_id".into(),
        json!(ds.id(Resource::Deployments, client_deployment(ds, client))),
    );
    obj.insert("client_id".into(), json!(ds.id(Resource::Clients, client)));
    obj.insert(
        "registration_id".into(),
        json!(ds.id(Resource::Registrations, registration)),
    );
    platform(ds, registration, &mut obj);
    let (city, country, postal, region_code, region_name, lat, lon, asn, isp) =
        PLACES[client_place(ds, client)];
    if rng.chance(0.03) {
        obj.insert("latitude".into(), json!(0));
        obj.insert("longitude".into(), json!(0));
    } else {
        obj.insert(
            "latitude".into(),
            json!(round(lat + rng.range_f64(-0.05, 0.05), 4)),
        );
        obj.insert(
            "longitude".into(),
            json!(round(lon + rng.range_f64(-0.05, 0.05), 4)),
        );
    }
    obj.insert("ip_latitude".into(), json!(round(lat, 2)));
    obj.insert("ip_longitude".into(), json!(round(lon, 2)));
    obj.insert("asn".into(), json!(asn));
    obj.insert("asn_isp".into(), json!(isp));
    obj.insert("city".into(), json!(city));
    obj.insert("country".into(), json!(country));
    obj.insert("postal_code".into(), json!(postal));
    obj.insert("region_code".into(), json!(region_code));
    obj.insert("region_name".into(), json!(region_name));
    obj.insert(
        "ip".into(),
        json!(format!("198.51.100.{}", client % 254 + 1)),
    );
    timestamps(ds, r, index, &mut obj);
    (obj, client)
}

fn inserted_us(ds: &Dataset, r: Resource, index: u64) -> i64 {
    ds.order(r).inserted_us(index).unwrap_or_default()
}

fn put(obj: &mut Map<String, Value>, pairs: Value) {
    if let Value::Object(m) = pairs {
        obj.extend(m);
    }
}

/// Event `index`; `columnar` adds the other types' fields as `null`.
pub(crate) fn event(ds: &Dataset, index: u64, columnar: bool) -> Value {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Events.salt(), index);
    let (mut obj, client) = common(ds, Resource::Events, index, &mut rng);
    let kind = event_type(ds, index);
    let inserted = inserted_us(ds, Resource::Events, index);
    let happened = inserted - rng.below(3 * 86_400_000_000) as i64 - 1_000;
    obj.insert("event_type".into(), json!(kind));
    obj.insert("event_timestamp".into(), json!(format_millis(happened)));
    let site = *rng.pick(SITES);
    let (file, mime) = *rng.pick(FILES);
    let tab = 1000 + rng.below(4000);
    match kind {
        "geo" => {}
        "auth" => put(
            &mut obj,
            json!({
                "description": format!("User authenticated using userpass for {site}"),
                "url": site,
                "auth_method": "userpass",
                "email": client_email(ds, client),
                "autofill": rng.chance(0.5),
            }),
        ),
        "app" => {
            let app = rng.below(ds.base(Resource::Apps));
            let seconds = 60 + rng.below(8 * 3600);
            let start = happened - seconds as i64 * 1_000_000;
            put(
                &mut obj,
                json!({
                    "description": format!("User used {} for {seconds} seconds", app_name(app)),
                    "catalog_id": ds.id(Resource::Apps, app),
                    "catalog_name": app_name(app),
                    "domains": app_domain(app),
                    "start_timestamp": format_millis(start),
                    "end_timestamp": format_millis(happened),
                    "cumulative": seconds,
                    "login": rng.chance(0.6),
                    "mfa": rng.chance(0.4),
                }),
            );
        }
        "upload" => put(
            &mut obj,
            json!({
                "description": format!("User uploaded {file} to {site}"),
                "url": site,
                "tab_id": null,
                "filename": file,
                "mime": mime,
                "incognito": null,
                "filehash": format!("{:016x}{:016x}{:08x}", rng.next_u64(), rng.next_u64(), rng.next_u64() as u32),
                "referrer": null,
                "total_bytes": 1_000 + rng.below(50_000_000),
            }),
        ),
        "download" => put(
            &mut obj,
            json!({
                "description": format!("User downloaded {file} from {site}"),
                "url": site,
                "tab_id": null,
                "download_id": rng.below(10_000),
                "filename": file,
                "mime": mime,
                "incognito": rng.chance(0.1),
                "referrer": rng.pick(SITES),
                "danger": rng.pick(DANGER),
                "total_bytes": 1_000 + rng.below(50_000_000),
            }),
        ),
        "navigation" => put(
            &mut obj,
            json!({
                "description": format!("User navigated to {site}"),
                "url": site,
                "tab_id": tab,
                "frame_id": 0,
                "referrer": rng.pick(SITES),
                "incognito": rng.chance(0.1),
            }),
        ),
        "extension" => {
            let (name, description, install) = *rng.pick(EXTENSIONS);
            put(
                &mut obj,
                json!({
                    "description": format!("Extension {name} is installed"),
                    "ext_id": format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64()),
                    "ext_name": name,
                    "ext_description": description,
                    "ext_install_type": install,
                    "ext_enabled": rng.chance(0.9),
                    "ext_permissions": &PERMISSIONS[..1 + rng.below(PERMISSIONS.len() as u64) as usize],
                    "ext_host_permissions": ["<all_urls>"],
                }),
            );
        }
        "platform" => {
            let count = 1 + rng.below(3) as usize;
            let extensions: Vec<Value> = EXTENSIONS[..count]
                .iter()
                .map(|(name, description, install)| {
                    json!({
                        "id": format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64()),
                        "name": name,
                        "enabled": true,
                        "description": description,
                        "homepageUrl": "https://extensions.example.com",
                        "installType": install,
                        "permissions": &PERMISSIONS[..2],
                        "hostPermissions": ["<all_urls>"],
                    })
                })
                .collect();
            put(
                &mut obj,
                json!({ "description": "Browser platform report", "extensions": extensions }),
            );
        }
        _ => put(
            &mut obj,
            json!({
                "description": format!("User copied text on {site}"),
                "url": site,
                "tab_id": tab,
            }),
        ),
    }
    if columnar {
        for key in EVENT_COLUMNAR {
            obj.entry(*key).or_insert(Value::Null);
        }
    }
    Value::Object(obj)
}

/// Detection `index`; `columnar` adds the other types' fields as `null`.
pub(crate) fn detection(ds: &Dataset, index: u64, columnar: bool) -> Value {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Detections.salt(), index);
    let (mut obj, client) = common(ds, Resource::Detections, index, &mut rng);
    let kind = detection_type(ds, index);
    obj.insert("detection_type".into(), json!(kind));
    obj.insert(
        "detection_timestamp".into(),
        json!(format_millis(detection_us(ds, index))),
    );
    let bad = *rng.pick(BAD_SITES);
    let (source, subtype) = match kind {
        "phishing" => ("Phishing AI", Value::Null),
        "intel" => ("Threat Intelligence", json!("known-bad-domain")),
        "download" => ("Download Incognito", Value::Null),
        "form" => ("Compromised Credential", json!("password-reuse")),
        "malware" => ("Malware Scan", json!("trojan")),
        _ => ("Data Loss", Value::Null),
    };
    put(
        &mut obj,
        json!({
            "detection_subtype": subtype,
            "source": source,
            "description": null,
            "tab_id": detection_tab(ds, index),
            "incognito": kind == "download",
            "url": bad,
        }),
    );
    match kind {
        "download" | "malware" => {
            let (file, mime) = *rng.pick(FILES);
            put(
                &mut obj,
                json!({
                    "filename": file,
                    "mime": mime,
                    "danger": "DANGEROUS",
                    "total_bytes": 1_000 + rng.below(5_000_000),
                }),
            );
        }
        "form" => put(
            &mut obj,
            json!({
                "action": "/login?",
                "email": client_email(ds, client),
                "password": true,
                "pii": rng.chance(0.3),
                "compromised": rng.chance(0.5),
                "autofill": rng.chance(0.5),
            }),
        ),
        _ => {}
    }
    if columnar {
        for key in DETECTION_COLUMNAR {
            obj.entry(*key).or_insert(Value::Null);
        }
    }
    Value::Object(obj)
}

/// When detection `index` fired (µs): shortly before it was inserted.
pub(crate) fn detection_us(ds: &Dataset, index: u64) -> i64 {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Detections.salt() ^ 0xD7, index);
    inserted_us(ds, Resource::Detections, index) - 1_000 - rng.below(3_600_000_000) as i64
}

/// The tab detection `index` fired in (its pattern-of-life entries share it).
pub(crate) fn detection_tab(ds: &Dataset, index: u64) -> u64 {
    1000 + Rng::new(ds.cfg.seed, Resource::Detections.salt() ^ 0x7AB, index).below(4000)
}
