//! Generators for the slow-changing resources: deployments, policies, clients,
//! registrations and the SaaS app catalog. Shapes are *inferred* (nothing public shows
//! these records): see `observed-fields.md`.
//!
//! Foreign keys: deployment `d` uses policy `d % policies`; deployment 0 is the immutable
//! organisation-wide default; client `c` belongs to a deployment drawn from the seed;
//! registration `r` belongs to client `r % clients` (so every client has one or more
//! registrations when `registrations >= clients`).

use serde_json::{json, Map, Value};

use super::tables::*;
use super::{Dataset, Resource};
use crate::ids::Rng;
use crate::time::format_micros;

/// Documented client statuses, and an undocumented one served at `unknown_enum_rate`.
pub(crate) const CLIENT_STATUSES: &[&str] =
    &["pending", "registered", "deregistered", "unassigned"];
pub(crate) const UNKNOWN_CLIENT_STATUS: &str = "suspended";
/// Documented deployment statuses, and an undocumented one served at `unknown_enum_rate`.
pub(crate) const DEPLOYMENT_STATUSES: &[&str] = &["pending", "enabled", "disabled"];
pub(crate) const UNKNOWN_DEPLOYMENT_STATUS: &str = "archived";

pub(crate) fn timestamps(ds: &Dataset, r: Resource, index: u64, obj: &mut Map<String, Value>) {
    let order = ds.order(r);
    let updated = order.updated_us(index).unwrap_or_default();
    let inserted = order.inserted_us(index).unwrap_or(updated);
    obj.insert("inserted_at".into(), Value::String(format_micros(inserted)));
    obj.insert("updated_at".into(), Value::String(format_micros(updated)));
}

fn into_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

pub(crate) fn client_status(ds: &Dataset, index: u64) -> &'static str {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Clients.salt() ^ 0x57A7, index);
    if rng.chance(ds.cfg.unknown_enum_rate) {
        return UNKNOWN_CLIENT_STATUS;
    }
    match rng.below(10) {
        0 => "pending",
        1 => "deregistered",
        2 => "unassigned",
        _ => "registered",
    }
}

pub(crate) fn deployment_status(ds: &Dataset, index: u64) -> &'static str {
    if index == 0 {
        return "enabled";
    }
    let mut rng = Rng::new(ds.cfg.seed, Resource::Deployments.salt() ^ 0x57A7, index);
    if rng.chance(ds.cfg.unknown_enum_rate) {
        return UNKNOWN_DEPLOYMENT_STATUS;
    }
    match rng.below(10) {
        0 => "pending",
        1 => "disabled",
        _ => "enabled",
    }
}

pub(crate) fn registration_enabled(ds: &Dataset, index: u64) -> bool {
    !Rng::new(ds.cfg.seed, Resource::Registrations.salt() ^ 0xE4AB, index).chance(0.15)
}

/// The company name of app `index`; names repeat with a numeric suffix past the table.
pub(crate) fn app_name(index: u64) -> String {
    let (name, _) = COMPANIES[(index % COMPANIES.len() as u64) as usize];
    let round = index / COMPANIES.len() as u64;
    if round == 0 {
        name.to_string()
    } else {
        format!("{name} {}", round + 1)
    }
}

pub(crate) fn app_domain(index: u64) -> String {
    let (_, domain) = COMPANIES[(index % COMPANIES.len() as u64) as usize];
    let round = index / COMPANIES.len() as u64;
    if round == 0 {
        domain.to_string()
    } else {
        format!("app{}.{domain}", round + 1)
    }
}

/// The deployment client `index` belongs to.
pub(crate) fn client_deployment(ds: &Dataset, index: u64) -> u64 {
    Rng::new(ds.cfg.seed, Resource::Clients.salt() ^ 0xDE91, index)
        .below(ds.base(Resource::Deployments))
}

/// The client registration `index` belongs to.
pub(crate) fn registration_client(ds: &Dataset, index: u64) -> u64 {
    index % ds.base(Resource::Clients).max(1)
}

/// The corporate email of client `index`.
pub(crate) fn client_email(ds: &Dataset, index: u64) -> String {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Clients.salt() ^ 0xE3A1, index);
    let first = rng.pick(FIRST_NAMES);
    let last = rng.pick(LAST_NAMES);
    format!("{first}.{last}{index}@example.com")
}

/// Index into [`PLACES`] for client `index` (where their browsers are).
pub(crate) fn client_place(ds: &Dataset, index: u64) -> usize {
    Rng::new(ds.cfg.seed, Resource::Clients.salt() ^ 0x91AC, index).below(PLACES.len() as u64)
        as usize
}

/// Browser platform of a registration: what it and every event/detection it sends carry.
pub(crate) struct Platform {
    pub(crate) agent: &'static str,
    pub(crate) arch: &'static str,
    pub(crate) display: &'static str,
    pub(crate) name: &'static str,
    pub(crate) os: &'static str,
    pub(crate) ua: String,
    pub(crate) version: &'static str,
}

pub(crate) fn platform_of(ds: &Dataset, registration: u64) -> Platform {
    let mut rng = Rng::new(
        ds.cfg.seed,
        Resource::Registrations.salt() ^ 0x91A7,
        registration,
    );
    let (display, name, os, arch, ua, version) = *rng.pick(BROWSERS);
    Platform {
        agent: rng.pick::<&str>(AGENTS),
        arch,
        display,
        name,
        os,
        ua: ua.replace("{v}", version),
        version,
    }
}

/// Browser platform fields as JSON members.
pub(crate) fn platform(ds: &Dataset, registration: u64, obj: &mut Map<String, Value>) {
    let p = platform_of(ds, registration);
    obj.insert("agent".into(), json!(p.agent));
    obj.insert("arch".into(), json!(p.arch));
    obj.insert("display".into(), json!(p.display));
    obj.insert("name".into(), json!(p.name));
    obj.insert("os".into(), json!(p.os));
    obj.insert("ua".into(), json!(p.ua));
    obj.insert("version".into(), json!(p.version));
}

pub(crate) fn deployment(ds: &Dataset, index: u64) -> Value {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Deployments.salt(), index);
    let dept = DEPARTMENTS[(index % DEPARTMENTS.len() as u64) as usize];
    let name = if index == 0 {
        "Organization".to_string()
    } else if index < DEPARTMENTS.len() as u64 {
        dept.to_string()
    } else {
        format!("{dept} {}", index / DEPARTMENTS.len() as u64 + 1)
    };
    let policy = index % ds.base(Resource::Policies).max(1);
    let mut obj = into_map(json!({
        "id": ds.id(Resource::Deployments, index),
        "name": name,
        "status": deployment_status(ds, index),
        "default": index == 0,
        "policy_id": ds.id(Resource::Policies, policy),
        "settings": {
            "auto_register": rng.chance(0.7),
            "incognito_allowed": rng.chance(0.5),
            "pol_entries": 20,
        },
    }));
    timestamps(ds, Resource::Deployments, index, &mut obj);
    Value::Object(obj)
}

pub(crate) fn policy(ds: &Dataset, index: u64) -> Value {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Policies.salt(), index);
    let detections: Vec<&str> = super::activity::DETECTION_TYPES
        .iter()
        .copied()
        .filter(|_| rng.chance(0.8))
        .collect();
    let events: Vec<&str> = super::activity::EVENT_TYPES
        .iter()
        .copied()
        .filter(|_| rng.chance(0.8))
        .collect();
    let name = if index == 0 {
        "Default policy".to_string()
    } else {
        format!("Policy {}", index + 1)
    };
    let mut obj = into_map(json!({
        "id": ds.id(Resource::Policies, index),
        "name": name,
        "detections": detections,
        "events": events,
        "enforce": rng.chance(0.6),
    }));
    timestamps(ds, Resource::Policies, index, &mut obj);
    Value::Object(obj)
}

pub(crate) fn client(ds: &Dataset, index: u64) -> Value {
    let mut obj = into_map(json!({
        "id": ds.id(Resource::Clients, index),
        "email": client_email(ds, index),
        "deployment_id": ds.id(Resource::Deployments, client_deployment(ds, index)),
        "status": client_status(ds, index),
    }));
    timestamps(ds, Resource::Clients, index, &mut obj);
    Value::Object(obj)
}

pub(crate) fn registration(ds: &Dataset, index: u64) -> Value {
    let client = registration_client(ds, index);
    let mut obj = into_map(json!({
        "id": ds.id(Resource::Registrations, index),
        "client_id": ds.id(Resource::Clients, client),
        "deployment_id": ds.id(Resource::Deployments, client_deployment(ds, client)),
        "enabled": registration_enabled(ds, index),
    }));
    platform(ds, index, &mut obj);
    timestamps(ds, Resource::Registrations, index, &mut obj);
    Value::Object(obj)
}

pub(crate) fn app(ds: &Dataset, index: u64) -> Value {
    let mut rng = Rng::new(ds.cfg.seed, Resource::Apps.salt(), index);
    let name = app_name(index);
    let compliance: Vec<&str> = ["SOC 2", "ISO 27001", "HIPAA", "GDPR", "FedRAMP"]
        .into_iter()
        .filter(|_| rng.chance(0.5))
        .collect();
    let methods = &["userpass", "saml", "oidc"][..(1 + rng.below(3) as usize)];
    let mut obj = into_map(json!({
        "id": ds.id(Resource::Apps, index),
        "name": name,
        "domains": app_domain(index),
        "summary": format!("{name} provides software as a service to businesses."),
        "authentication": {
            "sso": rng.chance(0.7),
            "mfa": rng.chance(0.8),
            "methods": methods,
        },
        "compliance": compliance,
    }));
    let updated = ds
        .order(Resource::Apps)
        .updated_us(index)
        .unwrap_or_default();
    obj.insert("updated_at".into(), Value::String(format_micros(updated)));
    Value::Object(obj)
}
