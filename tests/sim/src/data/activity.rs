//! Generators for events and detections, in the shapes of `observed-fields.md` and
//! `tests/fixtures/*.ndjson`.
//!
//! Each record points at a real registration, its client and the client's deployment, and
//! carries the registration's browser platform fields; app events point at a real app.
//! Quirks a real server shows are reproduced: latitude/longitude sometimes the integer
//! `0`, and (at `unknown_enum_rate`) a type value the document does not list.
//! Columnar nulls (fields of other types present as `null`) are added by the list view.

use serde_json::{json, Value};

use super::directory::{
    app_domain, app_name, client_deployment, client_email, client_place, platform_of,
    registration_client,
};
use super::json::JsonObj;
use super::tables::*;
use super::{Dataset, Resource};
use crate::ids::Rng;
use crate::time::{format_micros, format_millis};

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
/// Returns the client index.
fn common(ds: &Dataset, r: Resource, index: u64, rng: &mut Rng, o: &mut JsonObj) -> u64 {
    let registration = rng.below(ds.base(Resource::Registrations));
    let client = registration_client(ds, registration);
    o.uuid("id", ds.id(r, index));
    o.uuid(
        "deployment_id",
        ds.id(Resource::Deployments, client_deployment(ds, client)),
    );
    o.uuid("client_id", ds.id(Resource::Clients, client));
    o.uuid(
        "registration_id",
        ds.id(Resource::Registrations, registration),
    );
    let p = platform_of(ds, registration);
    o.plain("agent", p.agent);
    o.plain("arch", p.arch);
    o.plain("display", p.display);
    o.plain("name", p.name);
    o.plain("os", p.os);
    o.put("ua", &p.ua);
    o.plain("version", p.version);
    let place = &PLACES[client_place(ds, client)];
    if rng.chance(0.03) {
        o.put("latitude", &0);
        o.put("longitude", &0);
    } else {
        o.put(
            "latitude",
            &round(place.latitude + rng.range_f64(-0.05, 0.05), 4),
        );
        o.put(
            "longitude",
            &round(place.longitude + rng.range_f64(-0.05, 0.05), 4),
        );
    }
    o.put("ip_latitude", &round(place.latitude, 2));
    o.put("ip_longitude", &round(place.longitude, 2));
    o.put("asn", &place.asn);
    o.plain("asn_isp", place.asn_isp);
    o.plain("city", place.city);
    o.plain("country", place.country);
    o.plain("postal_code", place.postal_code);
    o.plain("region_code", place.region_code);
    o.plain("region_name", place.region_name);
    o.plain("ip", &format!("198.51.100.{}", client % 254 + 1));
    client
}

fn times(ds: &Dataset, r: Resource, index: u64, o: &mut JsonObj) {
    let order = ds.order(r);
    let updated = order.updated_us(index).unwrap_or_default();
    let inserted = order.inserted_us(index).unwrap_or(updated);
    o.plain("inserted_at", &format_micros(inserted));
    o.plain("updated_at", &format_micros(updated));
}

fn inserted_us(ds: &Dataset, r: Resource, index: u64) -> i64 {
    ds.order(r).inserted_us(index).unwrap_or_default()
}

fn hex(rng: &mut Rng, words: usize) -> String {
    (0..words)
        .map(|_| format!("{:016x}", rng.next_u64()))
        .collect()
}

/// Writes event `index` into `buf`; `columnar` adds the other types' fields as `null`.
pub(crate) fn write_event(ds: &Dataset, index: u64, columnar: bool, buf: &mut Vec<u8>) {
    let mut o = JsonObj::new(buf, EVENT_COLUMNAR);
    let mut rng = Rng::new(ds.cfg.seed, Resource::Events.salt(), index);
    let client = common(ds, Resource::Events, index, &mut rng, &mut o);
    let kind = event_type(ds, index);
    let inserted = inserted_us(ds, Resource::Events, index);
    let happened = inserted - rng.below(3 * 86_400_000_000) as i64 - 1_000;
    o.plain("event_type", kind);
    o.plain("event_timestamp", &format_millis(happened));
    times(ds, Resource::Events, index, &mut o);
    let site = *rng.pick(SITES);
    let (file, mime) = *rng.pick(FILES);
    let tab = 1000 + rng.below(4000);
    match kind {
        "geo" => {}
        "auth" => {
            o.put(
                "description",
                &format!("User authenticated using userpass for {site}"),
            );
            o.put("url", site);
            o.plain("auth_method", "userpass");
            o.put("email", &client_email(ds, client));
            o.put("autofill", &rng.chance(0.5));
        }
        "app" => {
            let app = rng.below(ds.base(Resource::Apps));
            let seconds = 60 + rng.below(8 * 3600);
            let start = happened - seconds as i64 * 1_000_000;
            let name = app_name(app);
            o.put(
                "description",
                &format!("User used {name} for {seconds} seconds"),
            );
            o.uuid("catalog_id", ds.id(Resource::Apps, app));
            o.put("catalog_name", &name);
            o.put("domains", &app_domain(app));
            o.plain("start_timestamp", &format_millis(start));
            o.plain("end_timestamp", &format_millis(happened));
            o.put("cumulative", &seconds);
            o.put("login", &rng.chance(0.6));
            o.put("mfa", &rng.chance(0.4));
        }
        "upload" => {
            o.put("description", &format!("User uploaded {file} to {site}"));
            o.put("url", site);
            o.null("tab_id");
            o.put("filename", file);
            o.put("mime", mime);
            o.null("incognito");
            o.plain("filehash", &hex(&mut rng, 3)[..40]);
            o.null("referrer");
            o.put("total_bytes", &(1_000 + rng.below(50_000_000)));
        }
        "download" => {
            o.put(
                "description",
                &format!("User downloaded {file} from {site}"),
            );
            o.put("url", site);
            o.null("tab_id");
            o.put("download_id", &rng.below(10_000));
            o.put("filename", file);
            o.put("mime", mime);
            o.put("incognito", &rng.chance(0.1));
            o.put("referrer", rng.pick(SITES));
            o.plain("danger", rng.pick::<&str>(DANGER));
            o.put("total_bytes", &(1_000 + rng.below(50_000_000)));
        }
        "navigation" => {
            o.put("description", &format!("User navigated to {site}"));
            o.put("url", site);
            o.put("tab_id", &tab);
            o.put("frame_id", &0);
            o.put("referrer", rng.pick(SITES));
            o.put("incognito", &rng.chance(0.1));
        }
        "extension" => {
            let (name, description, install) = *rng.pick(EXTENSIONS);
            o.put("description", &format!("Extension {name} is installed"));
            o.plain("ext_id", &hex(&mut rng, 2));
            o.put("ext_name", name);
            o.put("ext_description", description);
            o.plain("ext_install_type", install);
            o.put("ext_enabled", &rng.chance(0.9));
            o.put(
                "ext_permissions",
                &PERMISSIONS[..1 + rng.below(PERMISSIONS.len() as u64) as usize],
            );
            o.put("ext_host_permissions", &["<all_urls>"]);
        }
        "platform" => {
            let count = 1 + rng.below(3) as usize;
            let extensions: Vec<Value> = EXTENSIONS[..count]
                .iter()
                .map(|(name, description, install)| {
                    json!({
                        "id": hex(&mut rng, 2),
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
            o.plain("description", "Browser platform report");
            o.put("extensions", &extensions);
        }
        _ => {
            o.put("description", &format!("User copied text on {site}"));
            o.put("url", site);
            o.put("tab_id", &tab);
        }
    }
    if columnar {
        o.finish_columnar();
    } else {
        o.finish();
    }
}

/// The URL detection `index` fired on (its last PoL entry's URL).
pub(crate) fn detection_url(ds: &Dataset, index: u64) -> &'static str {
    Rng::new(ds.cfg.seed, Resource::Detections.salt() ^ 0xBAD, index).pick::<&str>(BAD_SITES)
}

/// Writes detection `index` into `buf`; `columnar` adds other types' fields as `null`.
pub(crate) fn write_detection(ds: &Dataset, index: u64, columnar: bool, buf: &mut Vec<u8>) {
    let mut o = JsonObj::new(buf, DETECTION_COLUMNAR);
    let mut rng = Rng::new(ds.cfg.seed, Resource::Detections.salt(), index);
    let client = common(ds, Resource::Detections, index, &mut rng, &mut o);
    let kind = detection_type(ds, index);
    o.plain("detection_type", kind);
    let (source, subtype) = match kind {
        "phishing" => ("Phishing AI", None),
        "intel" => ("Threat Intelligence", Some("known-bad-domain")),
        "download" => ("Download Incognito", None),
        "form" => ("Compromised Credential", Some("password-reuse")),
        "malware" => ("Malware Scan", Some("trojan")),
        _ => ("Data Loss", None),
    };
    o.put("detection_subtype", &subtype);
    o.plain(
        "detection_timestamp",
        &format_millis(detection_us(ds, index)),
    );
    times(ds, Resource::Detections, index, &mut o);
    o.plain("source", source);
    o.null("description");
    o.put("tab_id", &detection_tab(ds, index));
    o.put("incognito", &(kind == "download"));
    o.put("url", detection_url(ds, index));
    match kind {
        "download" | "malware" => {
            let (file, mime) = *rng.pick(FILES);
            o.put("filename", file);
            o.put("mime", mime);
            o.plain("danger", "DANGEROUS");
            o.put("total_bytes", &(1_000 + rng.below(5_000_000)));
        }
        "form" => {
            o.plain("action", "/login?");
            o.put("email", &client_email(ds, client));
            o.put("password", &true);
            o.put("pii", &rng.chance(0.3));
            o.put("compromised", &rng.chance(0.5));
            o.put("autofill", &rng.chance(0.5));
        }
        _ => {}
    }
    if columnar {
        o.finish_columnar();
    } else {
        o.finish();
    }
}

/// Event `index` as a `Value` (get-by-id, expectations for tests).
pub(crate) fn event(ds: &Dataset, index: u64, columnar: bool) -> Value {
    let mut buf = Vec::with_capacity(1500);
    write_event(ds, index, columnar, &mut buf);
    serde_json::from_slice(&buf).unwrap_or(Value::Null)
}

/// Detection `index` as a `Value`.
pub(crate) fn detection(ds: &Dataset, index: u64, columnar: bool) -> Value {
    let mut buf = Vec::with_capacity(1500);
    write_detection(ds, index, columnar, &mut buf);
    serde_json::from_slice(&buf).unwrap_or(Value::Null)
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
