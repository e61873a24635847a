//! Each named correction: applied to the published vendor document, reported as no
//! longer needed on a copy where the vendor fixed the mistake, and failing with its own
//! id on a copy where its target moved.

use neon_api_gen::corrections::{self, CorrectionError, Outcome, Status, ALL};
use serde_json::{json, Value};

const PUBLISHED: &str = include_str!("../../spec/upstream/neon-cyber-developer-api-1.0.3.json");

fn published() -> Value {
    serde_json::from_str(PUBLISHED).expect("the committed vendor document is JSON")
}

/// `doc` with every correction *before* `id` applied, as the pipeline would hand it to `id`.
fn prepared_for(id: &str, mut doc: Value) -> Value {
    for c in ALL.iter().take_while(|c| c.id != id) {
        let outcome = (c.apply)(&mut doc);
        assert!(
            outcome.is_ok(),
            "{} failed while preparing for {id}: {outcome:?}",
            c.id
        );
    }
    doc
}

fn apply(id: &str, doc: &mut Value) -> Result<Outcome, CorrectionError> {
    let c = corrections::by_id(id).unwrap_or_else(|| panic!("no correction `{id}`"));
    (c.apply)(doc)
}

/// Applies `id` to the prepared `doc` and asserts it fails naming itself, with `needle`
/// in the message.
fn assert_moved(id: &'static str, mut doc: Value, needle: &str) {
    let err = apply(id, &mut doc).expect_err("a moved target must fail the correction");
    assert_eq!(err.id(), id);
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("correction `{id}` failed: its target moved: ")),
        "{msg}"
    );
    assert!(msg.contains(needle), "`{needle}` not in: {msg}");
}

/// Applies `id` to `doc` and asserts it reports no longer needed and changes nothing.
fn assert_no_longer_needed(id: &str, mut doc: Value) {
    let before = doc.clone();
    assert_eq!(apply(id, &mut doc), Ok(Outcome::NoLongerNeeded));
    assert_eq!(
        doc, before,
        "`{id}` changed a document it reported as already fixed"
    );
}

fn get<'a>(doc: &'a Value, path: &str) -> &'a Value {
    &doc["paths"][path]["get"]
}

fn path_keys(doc: &Value) -> Vec<String> {
    doc["paths"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn corrections_run_in_documented_order_and_all_apply_to_the_published_document() {
    let ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "registration-by-id-path",
            "pol-by-id-spelling",
            "operation-ids",
            "filters-as-string-enums",
            "filter-enum-names",
            "paging-semantics",
            "record-schemas",
            "open-response-enums",
            "typos",
        ]
    );
    let mut doc = published();
    let report = corrections::apply_all(&mut doc);
    for (id, status) in &report.entries {
        assert_eq!(status, &Status::Done(Outcome::Applied), "{id}");
    }
    // Every id is documented in spec/CORRECTIONS.md.
    let doc_md = include_str!("../../spec/CORRECTIONS.md");
    for id in ids {
        assert!(
            doc_md.contains(&format!("`{id}`")),
            "{id} missing from spec/CORRECTIONS.md"
        );
    }
}

#[test]
fn a_failed_correction_is_named_and_later_ones_are_skipped() {
    let mut doc = published();
    doc["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/v1/detectionspol/{detectionId}");
    let report = corrections::apply_all(&mut doc);
    assert_eq!(
        report.status("registration-by-id-path"),
        Some(&Status::Done(Outcome::Applied))
    );
    assert!(
        matches!(report.status("pol-by-id-spelling"), Some(Status::Failed(e)) if e.id() == "pol-by-id-spelling")
    );
    assert_eq!(report.status("typos"), Some(&Status::Skipped));
    assert_eq!(
        report.failure().map(CorrectionError::id),
        Some("pol-by-id-spelling")
    );
    let text = report.to_string();
    assert!(
        text.contains(
            "pol-by-id-spelling           FAILED: correction `pol-by-id-spelling` failed"
        ),
        "{text}"
    );
    // And the whole pipeline refuses to generate.
    let err = neon_api_gen::generate(&doc.to_string()).expect_err("generation must fail");
    assert!(
        err.to_string()
            .starts_with("correction `pol-by-id-spelling` failed"),
        "{err}"
    );
}

// ---- registration-by-id-path -------------------------------------------------------------

const REG: &str = "registration-by-id-path";

#[test]
fn registration_by_id_moves_from_policies_to_registrations() {
    let mut doc = prepared_for(REG, published());
    assert_eq!(
        get(&doc, "/v1/policies/{registrationId}")["tags"],
        json!(["Policies"])
    );
    assert_eq!(apply(REG, &mut doc), Ok(Outcome::Applied));
    assert!(!path_keys(&doc).contains(&"/v1/policies/{registrationId}".to_string()));
    let op = get(&doc, "/v1/registration/{registrationId}");
    assert_eq!(op["tags"], json!(["Registrations"]));
    assert_eq!(op["summary"], json!("Get registration by id"));
    assert_eq!(op["parameters"][0]["name"], json!("registrationId"));
    assert_eq!(
        op["x-neon-alternate-paths"],
        json!(["/v1/registrations/{registrationId}"])
    );
    assert_eq!(
        op["x-neon-published-path"],
        json!("/v1/policies/{policyId}")
    );
    assert_eq!(
        op["x-codeSamples"][0]["source"],
        json!("curl -X GET https://api.neoncyber.io/v1/registration/<registrationId> \\\n      -H 'Authorization: <token>'")
    );
    // Get-policy-by-id is untouched.
    assert_eq!(
        get(&doc, "/v1/policies/{policyId}")["summary"],
        json!("Get policy by id")
    );
}

#[test]
fn registration_by_id_is_no_longer_needed_when_the_vendor_files_it_correctly() {
    let mut doc = published();
    let paths = doc["paths"].as_object_mut().unwrap();
    let item = paths.remove("/v1/policies/{registrationId}").unwrap();
    paths.insert("/v1/registration/{registrationId}".into(), item);
    assert_no_longer_needed(REG, prepared_for(REG, doc));
}

#[test]
fn registration_by_id_fails_when_the_operation_is_gone() {
    let mut doc = published();
    doc["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/v1/policies/{registrationId}");
    assert_moved(REG, prepared_for(REG, doc), "registrationId");
}

// ---- pol-by-id-spelling ------------------------------------------------------------------

const POL: &str = "pol-by-id-spelling";

#[test]
fn pol_by_id_takes_the_list_spelling_and_records_the_published_one() {
    let mut doc = prepared_for(POL, published());
    assert_eq!(apply(POL, &mut doc), Ok(Outcome::Applied));
    assert!(!path_keys(&doc).contains(&"/v1/detectionspol/{detectionId}".to_string()));
    let op = get(&doc, "/v1/detections_pol/{detectionId}");
    assert_eq!(
        op["summary"],
        json!("Get detection pattern-of-life by detection id")
    );
    assert_eq!(
        op["x-neon-alternate-paths"],
        json!(["/v1/detectionspol/{detectionId}"])
    );
    assert_eq!(
        op["x-neon-published-path"],
        json!("/v1/detectionspol/{detectionId}")
    );
}

#[test]
fn pol_by_id_is_no_longer_needed_when_the_vendor_uses_one_spelling() {
    let mut doc = published();
    let paths = doc["paths"].as_object_mut().unwrap();
    let item = paths.remove("/v1/detectionspol/{detectionId}").unwrap();
    paths.insert("/v1/detections_pol/{detectionId}".into(), item);
    assert_no_longer_needed(POL, prepared_for(POL, doc));
}

#[test]
fn pol_by_id_fails_when_neither_spelling_is_documented() {
    let mut doc = published();
    let paths = doc["paths"].as_object_mut().unwrap();
    let item = paths.remove("/v1/detectionspol/{detectionId}").unwrap();
    paths.insert("/v1/detections/{detectionId}/pol".into(), item);
    assert_moved(
        POL,
        prepared_for(POL, doc),
        "neither GET /v1/detectionspol/{detectionId}",
    );
}

// ---- operation-ids -----------------------------------------------------------------------

const OPS: &str = "operation-ids";

#[test]
fn operation_ids_name_all_16_operations() {
    let mut doc = prepared_for(OPS, published());
    assert_eq!(apply(OPS, &mut doc), Ok(Outcome::Applied));
    let mut ids: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(p, i)| {
            (
                i["get"]["operationId"].as_str().unwrap().to_string(),
                p.clone(),
            )
        })
        .collect();
    ids.sort();
    let expected = [
        ("get_app", "/v1/apps/{appId}"),
        ("get_client", "/v1/clients/{clientId}"),
        ("get_deployment", "/v1/deployments/{deploymentId}"),
        ("get_detection", "/v1/detections/{detectionId}"),
        ("get_detection_pol", "/v1/detections_pol/{detectionId}"),
        ("get_event", "/v1/events/{eventId}"),
        ("get_policy", "/v1/policies/{policyId}"),
        ("get_registration", "/v1/registration/{registrationId}"),
        ("list_apps", "/v1/apps"),
        ("list_clients", "/v1/clients"),
        ("list_deployments", "/v1/deployments"),
        ("list_detections", "/v1/detections"),
        ("list_detections_pol", "/v1/detections_pol"),
        ("list_events", "/v1/events"),
        ("list_policies", "/v1/policies"),
        ("list_registrations", "/v1/registration"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(ids, expected);
}

#[test]
fn operation_ids_are_no_longer_needed_when_the_vendor_uses_ours() {
    let mut doc = prepared_for(OPS, published());
    for (path, id) in corrections::OPERATION_IDS {
        doc["paths"][*path]["get"]["operationId"] = json!(id);
    }
    assert_no_longer_needed(OPS, doc);
}

#[test]
fn operation_ids_overwrite_a_different_vendor_id_and_keep_it() {
    let mut doc = prepared_for(OPS, published());
    doc["paths"]["/v1/events"]["get"]["operationId"] = json!("getEvents");
    assert_eq!(apply(OPS, &mut doc), Ok(Outcome::Applied));
    assert_eq!(get(&doc, "/v1/events")["operationId"], json!("list_events"));
    assert_eq!(
        get(&doc, "/v1/events")["x-neon-vendor-operation-id"],
        json!("getEvents")
    );
}

#[test]
fn operation_ids_fail_on_an_operation_not_in_the_table() {
    let mut doc = prepared_for(OPS, published());
    let alerts = get(&doc, "/v1/events").clone();
    doc["paths"]["/v1/alerts"] = json!({ "get": alerts });
    assert_moved(OPS, doc, "GET /v1/alerts is not in the operation id table");
}

// ---- filters-as-string-enums -------------------------------------------------------------

const FILTERS: &str = "filters-as-string-enums";

fn filter_param<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    get(doc, path)["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == json!(name))
        .unwrap_or_else(|| panic!("{path} has no {name}"))
}

#[test]
fn filters_become_string_arrays_sent_as_repeated_keys() {
    let mut doc = prepared_for(FILTERS, published());
    assert_eq!(
        filter_param(&doc, "/v1/detections", "type")["schema"],
        json!({"type": "array", "items": {"enum": ["intel", "download", "malware", "form", "phishing"]}})
    );
    assert_eq!(apply(FILTERS, &mut doc), Ok(Outcome::Applied));
    let p = filter_param(&doc, "/v1/detections", "type");
    assert_eq!(
        p["schema"],
        json!({"type": "array", "items": {"type": "string", "enum": ["intel", "download", "malware", "form", "phishing"]}})
    );
    assert_eq!((&p["style"], &p["explode"]), (&json!("form"), &json!(true)));
    for (path, name) in [
        ("/v1/events", "type"),
        ("/v1/clients", "status"),
        ("/v1/deployments", "status"),
    ] {
        assert_eq!(
            filter_param(&doc, path, name)["schema"]["items"]["type"],
            json!("string"),
            "{path}"
        );
    }
}

#[test]
fn filters_are_no_longer_needed_when_the_vendor_types_the_items() {
    let mut doc = prepared_for(FILTERS, published());
    for (path, name) in [
        ("/v1/events", "type"),
        ("/v1/detections", "type"),
        ("/v1/clients", "status"),
        ("/v1/deployments", "status"),
    ] {
        let params = doc["paths"][path]["get"]["parameters"]
            .as_array_mut()
            .unwrap();
        let p = params
            .iter_mut()
            .find(|p| p["name"] == json!(name))
            .unwrap();
        p["schema"]["items"]["type"] = json!("string");
    }
    assert_no_longer_needed(FILTERS, doc);
}

#[test]
fn filters_fail_when_a_filter_is_no_longer_an_array() {
    let mut doc = prepared_for(FILTERS, published());
    let params = doc["paths"]["/v1/events"]["get"]["parameters"]
        .as_array_mut()
        .unwrap();
    let p = params
        .iter_mut()
        .find(|p| p["name"] == json!("type"))
        .unwrap();
    p["schema"] = json!({"type": "string"});
    assert_moved(
        FILTERS,
        doc,
        "`list_events` parameter `type` is no longer an array",
    );
}

// ---- filter-enum-names -------------------------------------------------------------------

const NAMES: &str = "filter-enum-names";

#[test]
fn filter_enums_get_the_sdk_names() {
    let mut doc = prepared_for(NAMES, published());
    assert_eq!(apply(NAMES, &mut doc), Ok(Outcome::Applied));
    assert_eq!(
        filter_param(&doc, "/v1/events", "type")["schema"]["items"],
        json!({"$ref": "#/components/schemas/EventTypeFilter"})
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["EventTypeFilter"]["enum"],
        json!([
            "download",
            "geo",
            "platform",
            "navigation",
            "app",
            "auth",
            "upload",
            "extension"
        ])
    );
    assert_eq!(
        schemas["DetectionTypeFilter"]["enum"],
        json!(["intel", "download", "malware", "form", "phishing"])
    );
    assert_eq!(
        schemas["ClientStatusFilter"]["enum"],
        json!(["pending", "registered", "deregistered", "unassigned"])
    );
    assert_eq!(
        schemas["DeploymentStatusFilter"]["enum"],
        json!(["pending", "enabled", "disabled"])
    );
    assert_eq!(schemas["DeploymentStatusFilter"]["type"], json!("string"));
}

#[test]
fn filter_enum_names_are_no_longer_needed_when_the_vendor_names_them_so() {
    // The vendor's document already carries the named schemas and the `$ref`s.
    let mut doc = prepared_for(NAMES, published());
    assert_eq!(apply(NAMES, &mut doc), Ok(Outcome::Applied));
    assert_no_longer_needed(NAMES, doc);
}

#[test]
fn filter_enum_names_fail_when_the_vendor_names_them_differently() {
    let mut doc = prepared_for(NAMES, published());
    let params = doc["paths"]["/v1/clients"]["get"]["parameters"]
        .as_array_mut()
        .unwrap();
    let p = params
        .iter_mut()
        .find(|p| p["name"] == json!("status"))
        .unwrap();
    p["schema"]["items"] = json!({"$ref": "#/components/schemas/Status"});
    assert_moved(NAMES, doc, "now refers to `#/components/schemas/Status`");
}

// ---- paging-semantics --------------------------------------------------------------------

const PAGING: &str = "paging-semantics";

#[test]
fn paging_parameters_are_explained_and_sort_is_typed() {
    let mut doc = prepared_for(PAGING, published());
    assert_eq!(apply(PAGING, &mut doc), Ok(Outcome::Applied));
    for path in [
        "/v1/apps",
        "/v1/clients",
        "/v1/deployments",
        "/v1/detections",
        "/v1/detections_pol",
        "/v1/events",
        "/v1/policies",
        "/v1/registration",
    ] {
        let start = filter_param(&doc, path, "start");
        assert!(
            start["description"].as_str().unwrap().contains("1-based"),
            "{path}"
        );
        assert_eq!(
            start["schema"],
            json!({"type": "integer", "format": "int32"}),
            "{path}"
        );
        assert!(filter_param(&doc, path, "end")["description"]
            .as_str()
            .unwrap()
            .contains("inclusive"));
        assert!(filter_param(&doc, path, "limit")["description"]
            .as_str()
            .unwrap()
            .contains("clamp"));
        assert_eq!(
            filter_param(&doc, path, "sort")["schema"],
            json!({"$ref": "#/components/schemas/SortOrder"})
        );
        assert_eq!(
            get(&doc, path)["x-neon-paging"]["start_base"],
            json!(1),
            "{path}"
        );
        assert_eq!(
            get(&doc, path)["x-neon-paging"]["sort_key"],
            json!("updated_at")
        );
    }
    assert_eq!(
        doc["components"]["schemas"]["SortOrder"]["enum"],
        json!(["asc", "desc"])
    );
}

#[test]
fn paging_semantics_are_no_longer_needed_when_the_vendor_documents_them() {
    let mut doc = prepared_for(PAGING, published());
    for path in [
        "/v1/apps",
        "/v1/clients",
        "/v1/deployments",
        "/v1/detections",
        "/v1/detections_pol",
        "/v1/events",
        "/v1/policies",
        "/v1/registration",
    ] {
        for p in doc["paths"][path]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
        {
            if p["name"] == json!("sort") {
                p["schema"] = json!({"type": "string", "enum": ["asc", "desc"]});
            }
            if p["name"] == json!("start") {
                p["description"] = json!("1-based position of the first record");
            }
        }
    }
    assert_no_longer_needed(PAGING, doc);
}

#[test]
fn paging_semantics_fail_when_a_list_loses_a_paging_parameter() {
    let mut doc = prepared_for(PAGING, published());
    doc["paths"]["/v1/apps"]["get"]["parameters"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["name"] != json!("end"));
    assert_moved(PAGING, doc, "operation `list_apps` has no parameter `end`");
}

// ---- record-schemas ----------------------------------------------------------------------

const RECORDS: &str = "record-schemas";

#[test]
fn record_schemas_type_every_envelope() {
    let mut doc = prepared_for(RECORDS, published());
    assert_eq!(apply(RECORDS, &mut doc), Ok(Outcome::Applied));
    let schema_of = |path: &str| {
        get(&doc, path)["responses"]["200"]["content"]["application/json"]["schema"].clone()
    };
    assert_eq!(
        schema_of("/v1/events"),
        json!({"$ref": "#/components/schemas/EventListResponse"})
    );
    assert_eq!(
        schema_of("/v1/events/{eventId}"),
        json!({"$ref": "#/components/schemas/EventResponse"})
    );
    assert_eq!(
        schema_of("/v1/detections_pol"),
        json!({"$ref": "#/components/schemas/PolEntryListResponse"})
    );
    assert_eq!(
        schema_of("/v1/detections_pol/{detectionId}"),
        json!({"$ref": "#/components/schemas/PolEntryListResponse"})
    );
    assert_eq!(
        schema_of("/v1/registration/{registrationId}"),
        json!({"$ref": "#/components/schemas/RegistrationResponse"})
    );
    let s = &doc["components"]["schemas"];
    for record in [
        "App",
        "Client",
        "Deployment",
        "Detection",
        "Event",
        "Policy",
        "Registration",
        "PolEntry",
    ] {
        let props = s[record]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{record}"));
        assert!(
            s[record].get("required").is_none(),
            "{record} must not require fields"
        );
        assert!(
            s[record].get("additionalProperties").is_none(),
            "{record} must tolerate unknown fields"
        );
        assert_eq!(
            props["id"],
            json!({"type": "string", "format": "uuid", "nullable": true, "description": props["id"]["description"]}),
            "{record}"
        );
        assert_eq!(
            props["updated_at"]["format"],
            json!("date-time"),
            "{record}"
        );
    }
    assert_eq!(
        s["Event"]["properties"]["latitude"]["type"],
        json!("number")
    );
    assert_eq!(s["Event"]["properties"]["domains"]["type"], json!("string"));
    assert_eq!(
        s["Event"]["properties"]["extensions"]["items"],
        json!({"$ref": "#/components/schemas/EventExtension"})
    );
    assert_eq!(
        s["EventListResponse"]["properties"]["data"]["items"],
        json!({"$ref": "#/components/schemas/Event"})
    );
    assert_eq!(
        s["EventResponse"]["properties"]["data"],
        json!({"$ref": "#/components/schemas/Event"})
    );
    let pol: Vec<&String> = s["PolEntry"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    for f in [
        "id",
        "detection_id",
        "position",
        "timestamp",
        "tab_id",
        "url",
        "referrer",
        "transition",
        "resources",
        "inserted_at",
        "updated_at",
    ] {
        assert!(pol.iter().any(|k| *k == f), "PolEntry.{f}");
    }
    assert!(s["PolEntry"]["description"]
        .as_str()
        .unwrap()
        .contains("Inferred"));
    assert!(!s["Event"]["description"]
        .as_str()
        .unwrap()
        .contains("Inferred"));
}

#[test]
fn record_schemas_are_no_longer_needed_when_the_vendor_publishes_them() {
    let mut doc = prepared_for(RECORDS, published());
    for item in doc["paths"].as_object_mut().unwrap().values_mut() {
        let data = &mut item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["properties"]["data"];
        if data["type"] == json!("array") {
            data["items"] = json!({"$ref": "#/components/schemas/VendorRecord"});
        } else {
            data["properties"] = json!({"id": {"type": "string"}});
        }
    }
    assert_no_longer_needed(RECORDS, doc);
}

#[test]
fn record_schemas_fail_when_a_response_loses_its_envelope() {
    let mut doc = prepared_for(RECORDS, published());
    doc["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"] = json!({"type": "array", "items": {"type": "object"}});
    assert_moved(
        RECORDS,
        doc,
        "`list_events`'s 200 body has no `data` envelope field",
    );
}

#[test]
fn record_schemas_fail_when_the_vendor_defines_a_schema_of_the_same_name() {
    let mut doc = prepared_for(RECORDS, published());
    doc["components"]["schemas"]["Event"] = json!({"type": "object"});
    assert_moved(RECORDS, doc, "the vendor now defines a schema `Event`");
}

// ---- open-response-enums -----------------------------------------------------------------

const OPEN: &str = "open-response-enums";

#[test]
fn response_enums_are_marked_open_with_the_documented_values() {
    let mut doc = prepared_for(OPEN, published());
    assert_eq!(
        doc["components"]["schemas"]["Event"]["properties"]["event_type"]["type"],
        json!("string")
    );
    assert_eq!(apply(OPEN, &mut doc), Ok(Outcome::Applied));
    let s = &doc["components"]["schemas"];
    assert_eq!(
        s["Event"]["properties"]["event_type"],
        json!({"$ref": "#/components/schemas/EventType"})
    );
    assert_eq!(
        s["Detection"]["properties"]["detection_type"],
        json!({"$ref": "#/components/schemas/DetectionType"})
    );
    assert_eq!(
        s["Client"]["properties"]["status"],
        json!({"$ref": "#/components/schemas/ClientStatus"})
    );
    assert_eq!(
        s["Deployment"]["properties"]["status"],
        json!({"$ref": "#/components/schemas/DeploymentStatus"})
    );
    for name in [
        "EventType",
        "DetectionType",
        "ClientStatus",
        "DeploymentStatus",
    ] {
        assert_eq!(s[name]["x-neon-open-enum"], json!(true), "{name}");
        assert_eq!(
            s[name]["enum"],
            s[format!("{name}Filter").as_str()]["enum"],
            "{name}"
        );
    }
}

#[test]
fn response_enums_are_no_longer_needed_when_already_open() {
    let mut doc = prepared_for(OPEN, published());
    assert_eq!(apply(OPEN, &mut doc), Ok(Outcome::Applied));
    assert_no_longer_needed(OPEN, doc);
}

#[test]
fn response_enums_fail_when_a_record_loses_the_field() {
    let mut doc = prepared_for(OPEN, published());
    doc["components"]["schemas"]["Detection"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("detection_type");
    assert_moved(OPEN, doc, "no schema property `Detection.detection_type`");
}

// ---- typos -------------------------------------------------------------------------------

const TYPOS: &str = "typos";
const WRONG: &[&str] = &[
    "investiation",
    "occured",
    "supressed",
    "lead to the detection",
    "post basic",
    "can can",
    "better understand of",
    "mostly likely",
    "its important",
    "you API key",
];

#[test]
fn typos_are_fixed_everywhere() {
    let mut doc = prepared_for(TYPOS, published());
    let text = doc.to_string();
    for w in WRONG {
        assert!(
            text.contains(w),
            "the published document should contain {w:?}"
        );
    }
    assert_eq!(apply(TYPOS, &mut doc), Ok(Outcome::Applied));
    let text = doc.to_string();
    for w in WRONG {
        assert!(!text.contains(w), "{w:?} survived");
    }
    assert!(doc["tags"][3]["description"]
        .as_str()
        .unwrap()
        .contains("require investigation"));
    assert!(get(&doc, "/v1/detections_pol")["description"]
        .as_str()
        .unwrap()
        .ends_with("the detection occurred"));
}

#[test]
fn typos_are_no_longer_needed_when_the_vendor_fixed_its_prose() {
    let mut text = PUBLISHED.to_string();
    for (wrong, right) in [
        ("At their post basic", "At their most basic"),
        ("what we can can see", "what we can see"),
        ("a better understand of", "a better understanding of"),
        ("mostly likely", "most likely"),
        ("we think its important", "we think it's important"),
        ("supressed", "suppressed"),
        ("with you API key", "with your API key"),
        ("require investiation", "require investigation"),
        ("what lead to the detection", "what led to the detection"),
        ("the detection occured", "the detection occurred"),
    ] {
        text = text.replace(wrong, right);
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_no_longer_needed(TYPOS, prepared_for(TYPOS, doc));
}

#[test]
fn typos_fail_when_the_prose_was_rewritten() {
    let mut doc = prepared_for(TYPOS, published());
    doc["tags"][3]["description"] = json!("Security events.");
    assert_moved(
        TYPOS,
        doc,
        "Tag(\"Detections\") contains neither \"require investiation\"",
    );
}
