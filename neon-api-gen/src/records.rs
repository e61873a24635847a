//! The record schemas the vendor does not publish (used by the `record-schemas`
//! correction).
//!
//! Source: fields a SIEM integration observed on `/v1/events` and `/v1/detections`, and
//! the vendor's prose for the other resources (marked *inferred*). Every field is
//! optional and nullable; nothing forbids unknown fields.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// The kind of a field, mapped to an OpenAPI 3.0 schema by [`field`].
#[derive(Clone, Copy)]
enum Kind {
    Uuid,
    DateTime,
    Str,
    /// `type: number` (f64), so an integer `0` on the wire decodes.
    Number,
    /// `type: integer, format: int64`.
    Int,
    Bool,
    /// An array of strings.
    Strings,
    /// Any JSON value: structure not published.
    Any,
    /// An array of `$ref`s.
    Refs(&'static str),
}

fn field(kind: Kind, description: &str) -> Value {
    let mut s = match kind {
        Kind::Uuid => json!({"type": "string", "format": "uuid"}),
        Kind::DateTime => json!({"type": "string", "format": "date-time"}),
        Kind::Str => json!({"type": "string"}),
        Kind::Number => json!({"type": "number", "format": "double"}),
        Kind::Int => json!({"type": "integer", "format": "int64"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Strings => json!({"type": "array", "items": {"type": "string"}}),
        Kind::Any => json!({}),
        Kind::Refs(name) => {
            json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}})
        }
    };
    if let Some(m) = s.as_object_mut() {
        if !matches!(kind, Kind::Any) {
            m.insert("nullable".into(), json!(true));
        }
        m.insert("description".into(), json!(description));
    }
    s
}

type Fields = &'static [(&'static str, Kind, &'static str)];

const TIMESTAMPS: Fields = &[
    ("inserted_at", Kind::DateTime, "When the record was stored (RFC 3339; microseconds with trailing zeros dropped, `+00:00`)."),
    ("updated_at", Kind::DateTime, "When the record last changed; listings sort on it."),
];

/// Browser platform fields shared by events, detections and registrations.
const PLATFORM: Fields = &[
    ("agent", Kind::Str, "Neon agent version, e.g. `1.2.25`."),
    (
        "arch",
        Kind::Str,
        "CPU architecture, e.g. `arm64`, `x86-64`.",
    ),
    (
        "display",
        Kind::Str,
        "Browser vendor display name, e.g. `Chrome`.",
    ),
    ("name", Kind::Str, "Browser short name, e.g. `chrome`."),
    ("os", Kind::Str, "Operating system: `linux`, `mac`, `win`."),
    ("ua", Kind::Str, "Full User-Agent."),
    ("version", Kind::Str, "Browser version."),
    (
        "latitude",
        Kind::Number,
        "Browser-reported latitude (an integer `0` occurs).",
    ),
    (
        "longitude",
        Kind::Number,
        "Browser-reported longitude (an integer `0` occurs).",
    ),
    ("ip_latitude", Kind::Number, "Geo-IP latitude."),
    ("ip_longitude", Kind::Number, "Geo-IP longitude."),
    ("ip", Kind::Str, "Egress IP address."),
    (
        "asn",
        Kind::Int,
        "Autonomous system number of the egress IP.",
    ),
    ("asn_isp", Kind::Str, "Name of the ASN's ISP."),
    ("city", Kind::Str, "Geo-IP city."),
    ("country", Kind::Str, "Geo-IP country, a 2-letter code."),
    ("postal_code", Kind::Str, "Geo-IP postal code."),
    ("region_code", Kind::Str, "Geo-IP region code."),
    ("region_name", Kind::Str, "Geo-IP region name."),
];

/// Fields shared by events and detections.
const ACTIVITY: Fields = &[
    ("id", Kind::Uuid, "Record id."),
    ("deployment_id", Kind::Uuid, "The deployment of the client."),
    (
        "client_id",
        Kind::Uuid,
        "The client (employee) the browser belongs to.",
    ),
    (
        "registration_id",
        Kind::Uuid,
        "The registration (browser) that reported it.",
    ),
    ("description", Kind::Str, "Free text, often null."),
    ("url", Kind::Str, "Page URL."),
    ("referrer", Kind::Str, "Referrer of the page."),
    ("tab_id", Kind::Int, "Browser tab id."),
    (
        "frame_id",
        Kind::Int,
        "Frame id within the tab (`0` is the top frame).",
    ),
    ("parent_frame_id", Kind::Int, "Parent frame id."),
    ("download_id", Kind::Int, "Browser download id."),
    ("incognito", Kind::Bool, "Whether the tab was incognito."),
    ("filename", Kind::Str, "Downloaded or uploaded file name."),
    ("mime", Kind::Str, "MIME type of the file."),
    ("danger", Kind::Str, "Safe-browsing verdict, e.g. `SAFE`."),
    ("total_bytes", Kind::Int, "File size in bytes."),
    ("catalog_id", Kind::Uuid, "SaaS catalog app id (an `App`)."),
];

const EVENT: Fields = &[
    ("event_type", Kind::Str, "Kind of event."),
    (
        "event_timestamp",
        Kind::DateTime,
        "When the browser saw it (milliseconds, `+00:00`).",
    ),
    ("auth_method", Kind::Str, "Auth events: e.g. `userpass`."),
    ("email", Kind::Str, "Auth events: the account used."),
    (
        "autofill",
        Kind::Bool,
        "Whether credentials were autofilled.",
    ),
    ("login", Kind::Bool, "Whether this was a login."),
    ("mfa", Kind::Bool, "Whether MFA was used."),
    ("catalog_name", Kind::Str, "App events: catalog app name."),
    (
        "domains",
        Kind::Str,
        "App events: the app's domain(s) as one string (not an array), e.g. `qualtrics.com`.",
    ),
    (
        "start_timestamp",
        Kind::DateTime,
        "App events: start of the usage window.",
    ),
    (
        "end_timestamp",
        Kind::DateTime,
        "App events: end of the usage window.",
    ),
    ("cumulative", Kind::Int, "App events: seconds of usage."),
    (
        "filehash",
        Kind::Str,
        "Upload events: hex SHA-1 of the file.",
    ),
    ("ext_id", Kind::Str, "Extension events: extension id."),
    ("ext_name", Kind::Str, "Extension events: extension name."),
    (
        "ext_description",
        Kind::Str,
        "Extension events: extension description.",
    ),
    (
        "ext_install_type",
        Kind::Str,
        "Extension events: how it was installed.",
    ),
    (
        "ext_enabled",
        Kind::Bool,
        "Extension events: whether it is enabled.",
    ),
    (
        "ext_permissions",
        Kind::Strings,
        "Extension events: API permissions.",
    ),
    (
        "ext_host_permissions",
        Kind::Strings,
        "Extension events: host permissions.",
    ),
    (
        "extensions",
        Kind::Refs("EventExtension"),
        "Platform events: installed extensions.",
    ),
];

const DETECTION: Fields = &[
    ("detection_type", Kind::Str, "Kind of detection."),
    ("detection_subtype", Kind::Str, "Finer kind, often null."),
    (
        "detection_timestamp",
        Kind::DateTime,
        "When the detection fired in the browser.",
    ),
    (
        "source",
        Kind::Str,
        "What raised it, e.g. `Phishing AI`, `Compromised Credential`, `Download Incognito`.",
    ),
    (
        "action",
        Kind::Str,
        "Form detections: the form's action, e.g. `/login?`.",
    ),
    ("email", Kind::Str, "Form detections: the email entered."),
    (
        "password",
        Kind::Bool,
        "Form detections: a password was entered.",
    ),
    (
        "pii",
        Kind::Bool,
        "Form detections: personal data was entered.",
    ),
    (
        "compromised",
        Kind::Bool,
        "Form detections: the credential is known compromised.",
    ),
    (
        "autofill",
        Kind::Bool,
        "Form detections: the form was autofilled.",
    ),
];

const EVENT_EXTENSION: Fields = &[
    ("id", Kind::Str, "Extension id."),
    ("name", Kind::Str, "Extension name."),
    ("enabled", Kind::Bool, "Whether it is enabled."),
    ("description", Kind::Str, "Extension description."),
    ("homepageUrl", Kind::Str, "Extension homepage."),
    ("installType", Kind::Str, "How it was installed."),
    ("permissions", Kind::Strings, "API permissions."),
    ("hostPermissions", Kind::Strings, "Host permissions."),
];

const CLIENT: Fields = &[
    ("id", Kind::Uuid, "Client id."),
    ("email", Kind::Str, "Corporate email of the employee."),
    (
        "deployment_id",
        Kind::Uuid,
        "The deployment the client is assigned to.",
    ),
    ("status", Kind::Str, "Client status."),
];

const REGISTRATION: Fields = &[
    ("id", Kind::Uuid, "Registration id."),
    (
        "client_id",
        Kind::Uuid,
        "The client this browser belongs to.",
    ),
    ("deployment_id", Kind::Uuid, "The client's deployment."),
    (
        "enabled",
        Kind::Bool,
        "Whether the registration is enabled.",
    ),
];

const DEPLOYMENT: Fields = &[
    ("id", Kind::Uuid, "Deployment id."),
    (
        "name",
        Kind::Str,
        "Deployment (group) name, e.g. `Engineering`.",
    ),
    ("status", Kind::Str, "Deployment status."),
    ("policy_id", Kind::Uuid, "The policy applied to the group."),
    (
        "settings",
        Kind::Any,
        "Which events the group collects (structure not published).",
    ),
    (
        "default",
        Kind::Bool,
        "Whether this is the immutable organisation-wide default deployment.",
    ),
];

const POLICY: Fields = &[
    ("id", Kind::Uuid, "Policy id."),
    ("name", Kind::Str, "Policy name."),
    ("description", Kind::Str, "Policy description."),
    (
        "detections",
        Kind::Any,
        "Which detections it enforces and emits (structure not published).",
    ),
    (
        "events",
        Kind::Any,
        "Which events it collects and emits (structure not published).",
    ),
];

const APP: Fields = &[
    ("id", Kind::Uuid, "Catalog app id (events' `catalog_id`)."),
    ("name", Kind::Str, "Company name."),
    ("summary", Kind::Str, "Summary of the company."),
    (
        "authentication",
        Kind::Any,
        "Authentication facts (structure not published).",
    ),
    (
        "compliance",
        Kind::Any,
        "Compliance facts (structure not published).",
    ),
];

const POL_ENTRY: Fields = &[
    ("id", Kind::Uuid, "Entry id."),
    (
        "detection_id",
        Kind::Uuid,
        "The detection this entry belongs to.",
    ),
    (
        "position",
        Kind::Int,
        "Position of the entry in the detection's pattern-of-life.",
    ),
    (
        "timestamp",
        Kind::DateTime,
        "When the browser recorded the entry.",
    ),
    ("tab_id", Kind::Int, "Browser tab id."),
    ("url", Kind::Str, "URL navigated to."),
    ("referrer", Kind::Str, "Referrer of the navigation."),
    (
        "transition",
        Kind::Str,
        "How the tab or page was opened (e.g. link, typed).",
    ),
    (
        "resources",
        Kind::Strings,
        "Remote resources the page loaded.",
    ),
];

fn object(description: &str, groups: &[Fields]) -> Value {
    let mut props = Map::new();
    for group in groups {
        for (name, kind, desc) in group.iter() {
            props.insert((*name).to_string(), field(*kind, desc));
        }
    }
    json!({"type": "object", "description": description, "properties": props})
}

/// Every record schema by name (the envelopes are built per operation by [`envelope`]).
pub(crate) fn definitions() -> BTreeMap<String, Value> {
    let inferred = "Inferred: nothing public shows these records; modelled from the vendor's prose, every field optional, unknown fields kept out of the way.";
    BTreeMap::from([
        ("Event".into(), object("A browser telemetry event. Columnar: fields of other event types are present and null.", &[ACTIVITY, PLATFORM, EVENT, TIMESTAMPS])),
        ("Detection".into(), object("A detection: a processed, opinionated event worth investigating. Columnar: fields of other detection types are present and null.", &[ACTIVITY, PLATFORM, DETECTION, TIMESTAMPS])),
        ("EventExtension".into(), object("A browser extension listed by a platform event (camelCase keys, as sent).", &[EVENT_EXTENSION])),
        ("Client".into(), object(&format!("A client: an employee with a corporate email, in one deployment. {inferred}"), &[CLIENT, TIMESTAMPS])),
        ("Registration".into(), object(&format!("A registration: one browser of a client. {inferred}"), &[REGISTRATION, PLATFORM, TIMESTAMPS])),
        ("Deployment".into(), object(&format!("A deployment: a group of clients with settings and a policy. {inferred}"), &[DEPLOYMENT, TIMESTAMPS])),
        ("Policy".into(), object(&format!("A policy: which events and detections are collected and enforced. {inferred}"), &[POLICY, TIMESTAMPS])),
        ("App".into(), object(&format!("A SaaS app of the catalog. {inferred}"), &[APP, TIMESTAMPS])),
        ("PolEntry".into(), object(&format!("One pattern-of-life entry: a step of the browsing that led to a detection (by default 20 per detection: the first 5, the last 5, the middle trimmed). {inferred}"), &[POL_ENTRY, TIMESTAMPS])),
    ])
}

/// The envelope every response body is wrapped in.
pub(crate) fn envelope(record: &str, is_list: bool) -> Value {
    let item = json!({"$ref": format!("#/components/schemas/{record}")});
    let data = if is_list {
        json!({"type": "array", "items": item, "nullable": true,
               "description": format!("The `{record}` records; may be null when nothing is found.")})
    } else {
        // A nullable `$ref` needs `allOf` in OpenAPI 3.0; an absent `data` and a JSON
        // `null` both decode as `None` for an optional field, so the plain `$ref` suffices.
        item
    };
    json!({
        "type": "object",
        "description": format!("Response envelope: `error` is null on success; `data` holds the {}.", if is_list { "records" } else { "record" }),
        "properties": {
            "error": {"description": "Null on success; otherwise the server's error (a string, or an object)."},
            "data": data,
        },
    })
}
