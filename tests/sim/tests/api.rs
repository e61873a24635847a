//! Auth, envelopes, errors, dialects, filters and record shapes.

mod common;

use common::{client, get, get_data, ids_of};
use neon_sim::{Filter, PolById, RegistrationById, Resource, Simulator, SortOrder, MASK, POL_KEEP};
use serde_json::{json, Value};

async fn sim() -> Simulator {
    Simulator::builder()
        .seed(11)
        .start()
        .await
        .expect("simulator starts")
}

async fn raw(sim: &Simulator, path: &str, auth: Option<&str>) -> (u16, String) {
    let mut req = client().get(format!("{}{path}", sim.url()));
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let r = req.send().await.expect("request completes");
    (r.status().as_u16(), r.text().await.expect("body"))
}

#[tokio::test]
async fn missing_wrong_or_bearer_token_is_401_with_envelope() {
    let sim = sim().await;
    assert_eq!(
        raw(&sim, "/v1/events", None).await,
        (
            401,
            r#"{"error":"missing Authorization header","data":null}"#.into()
        )
    );
    assert_eq!(
        raw(&sim, "/v1/events", Some("nope")).await,
        (401, r#"{"error":"invalid API key","data":null}"#.into())
    );
    let bearer = format!("Bearer {}", sim.token());
    assert_eq!(raw(&sim, "/v1/clients", Some(&bearer)).await.0, 401);
    assert_eq!(raw(&sim, "/v1/clients", Some(sim.token())).await.0, 200);
}

#[tokio::test]
async fn every_list_route_answers_an_envelope_with_an_array() {
    let sim = sim().await;
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
        let data = get_data(&sim, &format!("{path}?limit=3")).await;
        assert_eq!(data.as_array().map(Vec::len), Some(3), "{path}");
    }
}

#[tokio::test]
async fn unknown_route_is_a_bare_404_and_unknown_record_is_an_envelope_404() {
    let sim = sim().await;
    assert_eq!(
        raw(&sim, "/v1/nothing", Some(sim.token())).await,
        (404, String::new())
    );
    // Unknown routes answer 404 even without a token, like a router would.
    assert_eq!(
        raw(&sim, "/v1/registrations", None).await,
        (404, String::new())
    );
    let nil = uuid::Uuid::nil();
    assert_eq!(
        get(&sim, &format!("/v1/events/{nil}")).await,
        (404, r#"{"error":"event not found","data":null}"#.into())
    );
    assert_eq!(
        get(&sim, &format!("/v1/detectionspol/{nil}")).await,
        (404, r#"{"error":"detection not found","data":null}"#.into())
    );
}

#[tokio::test]
async fn bad_uuid_filter_or_paging_value_is_400_with_envelope() {
    let sim = sim().await;
    assert_eq!(
        get(&sim, "/v1/clients/not-a-uuid").await,
        (
            400,
            r#"{"error":"invalid id 'not-a-uuid': not a uuid","data":null}"#.into()
        )
    );
    assert_eq!(
        get(&sim, "/v1/detections?type=intel&type=bogus").await,
        (400, r#"{"error":"invalid value 'bogus': expected one of intel, download, malware, form, phishing","data":null}"#.into())
    );
    assert_eq!(
        get(&sim, "/v1/events?limit=-5").await,
        (400, r#"{"error":"invalid value for 'limit': '-5' is not a non-negative integer","data":null}"#.into())
    );
    assert_eq!(get(&sim, "/v1/events?sort=sideways").await.0, 400);
    assert_eq!(get(&sim, "/v1/registration?enabled=maybe").await.0, 400);
    assert_eq!(get(&sim, "/v1/clients?status=gone").await.0, 400);
    assert_eq!(get(&sim, "/v1/events?start=abc").await.0, 400);
}

#[tokio::test]
async fn get_by_id_returns_the_list_record_for_every_resource() {
    let sim = sim().await;
    for (list, one) in [
        ("/v1/apps", "/v1/apps"),
        ("/v1/clients", "/v1/clients"),
        ("/v1/deployments", "/v1/deployments"),
        ("/v1/detections?type=phishing", "/v1/detections"),
        ("/v1/events?type=geo", "/v1/events"),
        ("/v1/policies", "/v1/policies"),
        ("/v1/registration", "/v1/registration"),
    ] {
        let data = get_data(
            &sim,
            &format!(
                "{list}{}limit=1",
                if list.contains('?') { "&" } else { "?" }
            ),
        )
        .await;
        let first = data[0].clone();
        let id = first["id"].as_str().expect("id");
        assert_eq!(get_data(&sim, &format!("{one}/{id}")).await, first, "{one}");
    }
}

#[tokio::test]
async fn dialects_decide_which_by_id_spellings_exist() {
    let default = sim().await;
    let det = default.detections_sorted(SortOrder::Desc)[0];
    let reg = default.ids(Resource::Registrations, SortOrder::Desc, &Filter::All)[0];
    assert_eq!(
        get(&default, &format!("/v1/detectionspol/{det}")).await.0,
        200
    );
    assert_eq!(
        get(&default, &format!("/v1/detections_pol/{det}")).await,
        (404, String::new())
    );
    assert_eq!(
        get(&default, &format!("/v1/registration/{reg}")).await.0,
        200
    );
    assert_eq!(
        get(&default, &format!("/v1/registrations/{reg}")).await,
        (404, String::new())
    );

    let other = Simulator::builder()
        .seed(11)
        .registration_by_id(RegistrationById::Plural)
        .pol_by_id(PolById::Underscore)
        .start()
        .await
        .expect("starts");
    assert_eq!(
        get(&other, &format!("/v1/detectionspol/{det}")).await,
        (404, String::new())
    );
    assert_eq!(
        get(&other, &format!("/v1/detections_pol/{det}")).await.0,
        200
    );
    assert_eq!(
        get(&other, &format!("/v1/registration/{reg}")).await,
        (404, String::new())
    );
    assert_eq!(
        get(&other, &format!("/v1/registrations/{reg}")).await.0,
        200
    );

    let both = Simulator::builder()
        .seed(11)
        .registration_by_id(RegistrationById::Both)
        .pol_by_id(PolById::Both)
        .start()
        .await
        .expect("starts");
    for p in [
        format!("/v1/detectionspol/{det}"),
        format!("/v1/detections_pol/{det}"),
        format!("/v1/registration/{reg}"),
        format!("/v1/registrations/{reg}"),
    ] {
        assert_eq!(get(&both, &p).await.0, 200, "{p}");
    }
}

#[tokio::test]
async fn filters_are_repeated_keys_and_match_the_expected_records() {
    let sim = sim().await;
    let data = get_data(&sim, "/v1/events?type=download&type=upload&limit=1000").await;
    let want = sim.ids(
        Resource::Events,
        SortOrder::Desc,
        &Filter::Types(vec!["download".into(), "upload".into()]),
    );
    assert!(want.len() > 50);
    assert_eq!(
        ids_of(&data),
        want.iter().map(|u| u.to_string()).collect::<Vec<_>>()
    );
    for r in data.as_array().expect("array") {
        assert!(matches!(
            r["event_type"].as_str(),
            Some("download" | "upload")
        ));
        // Filtered lists are not columnar: no other type's fields.
        assert!(r.get("frame_id").is_none());
    }
    for r in get_data(
        &sim,
        "/v1/clients?status=pending&status=unassigned&limit=1000",
    )
    .await
    .as_array()
    .expect("array")
    {
        assert!(
            matches!(r["status"].as_str(), Some("pending" | "unassigned")),
            "{r}"
        );
    }
    let enabled = get_data(&sim, "/v1/registration?enabled=false&limit=1000").await;
    assert!(!enabled.as_array().expect("array").is_empty());
    assert!(enabled
        .as_array()
        .expect("array")
        .iter()
        .all(|r| r["enabled"] == json!(false)));
    let apps = get_data(&sim, "/v1/apps?name=adobe").await;
    let names: Vec<_> = apps
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Adobe 2"), json!("Adobe")]);
}

#[tokio::test]
async fn records_point_at_real_clients_registrations_deployments_and_apps() {
    let sim = sim().await;
    let events = get_data(&sim, "/v1/events?type=app&limit=20").await;
    for e in events.as_array().expect("array") {
        let client = get_data(
            &sim,
            &format!("/v1/clients/{}", e["client_id"].as_str().expect("id")),
        )
        .await;
        let reg = get_data(
            &sim,
            &format!(
                "/v1/registration/{}",
                e["registration_id"].as_str().expect("id")
            ),
        )
        .await;
        let dep = get_data(
            &sim,
            &format!(
                "/v1/deployments/{}",
                e["deployment_id"].as_str().expect("id")
            ),
        )
        .await;
        let app = get_data(
            &sim,
            &format!("/v1/apps/{}", e["catalog_id"].as_str().expect("id")),
        )
        .await;
        assert_eq!(reg["client_id"], e["client_id"]);
        assert_eq!(client["deployment_id"], e["deployment_id"]);
        assert_eq!(dep["id"], e["deployment_id"]);
        assert_eq!(app["name"], e["catalog_name"]);
        assert_eq!(reg["ua"], e["ua"]);
        get_data(
            &sim,
            &format!("/v1/policies/{}", dep["policy_id"].as_str().expect("id")),
        )
        .await;
    }
}

#[tokio::test]
async fn pol_by_id_is_an_array_keeping_first_five_and_last_fifteen_positions() {
    let sim = Simulator::builder()
        .seed(11)
        .detections(200)
        .start()
        .await
        .expect("starts");
    let (mut full, mut short, mut none) = (0, 0, 0);
    for det in sim.detections_sorted(SortOrder::Asc) {
        let data = get_data(&sim, &format!("/v1/detectionspol/{det}")).await;
        let entries = data.as_array().expect("PoL data is an array");
        let positions: Vec<u64> = entries
            .iter()
            .map(|e| e["position"].as_u64().expect("position"))
            .collect();
        assert!(entries
            .iter()
            .all(|e| e["detection_id"] == json!(det.to_string())));
        assert!(positions.len() as u64 <= POL_KEEP);
        match positions.len() {
            0 => none += 1,
            20 => {
                full += 1;
                assert_eq!(positions[..5], [1, 2, 3, 4, 5]);
                let last = positions[19];
                assert_eq!(positions[5..], (last - 14..=last).collect::<Vec<_>>()[..]);
                let det_rec = get_data(&sim, &format!("/v1/detections/{det}")).await;
                assert_eq!(entries[19]["url"], det_rec["url"]);
            }
            n => {
                short += 1;
                assert_eq!(positions, (1..=n as u64).collect::<Vec<_>>());
            }
        }
    }
    assert!(
        full > 100 && short > 10 && none > 5,
        "full {full} short {short} none {none}"
    );
}

#[tokio::test]
async fn wire_quirks_are_served() {
    let sim = Simulator::builder()
        .seed(3)
        .events(2000)
        .unknown_enum_rate(0.01)
        .start()
        .await
        .expect("starts");
    let body = get(&sim, "/v1/events?limit=1000").await.1;
    let data: Value = serde_json::from_str(&body).expect("json");
    let rows = data["data"].as_array().expect("array");
    assert!(
        rows.iter().any(|r| r["event_type"] == json!("clipboard")),
        "an undocumented type"
    );
    assert!(body.contains(r#""latitude":0,"#), "an integer 0 latitude");
    assert!(
        rows.iter().any(|r| {
            let t = r["updated_at"].as_str().unwrap_or("");
            t.ends_with("+00:00") && t.split('.').nth(1).map(|f| f.len() == 5 + 6) == Some(true)
        }),
        "a 5-digit fraction"
    );
    let geo = rows
        .iter()
        .find(|r| r["event_type"] == json!("geo"))
        .expect("a geo event");
    assert_eq!(
        geo["tab_id"],
        Value::Null,
        "columnar null present in unfiltered list"
    );
    let off = Simulator::builder()
        .seed(3)
        .events(2000)
        .unknown_enum_rate(0.0)
        .start()
        .await
        .expect("starts");
    let data = get_data(&off, "/v1/events?limit=1000").await;
    assert!(data
        .as_array()
        .expect("array")
        .iter()
        .all(|r| r["event_type"] != json!("clipboard")));
}

#[tokio::test]
async fn the_same_seed_serves_the_same_records() {
    let a = Simulator::builder().seed(5).start().await.expect("starts");
    let b = Simulator::builder().seed(5).start().await.expect("starts");
    let c = Simulator::builder().seed(6).start().await.expect("starts");
    let page = "/v1/detections?limit=50&sort=asc";
    assert_eq!(get_data(&a, page).await, get_data(&b, page).await);
    assert_ne!(get_data(&a, page).await, get_data(&c, page).await);
    assert_eq!(a.token(), b.token());
}

#[tokio::test]
async fn the_request_log_records_method_path_query_and_masks_the_token() {
    let sim = sim().await;
    get(&sim, "/v1/events?type=geo&type=auth&limit=2").await;
    let log = sim.request_log();
    assert_eq!(log.len(), 1);
    let r = &log[0];
    assert_eq!(
        (r.number, r.method.as_str(), r.path.as_str()),
        (1, "GET", "/v1/events")
    );
    assert_eq!(r.query.as_deref(), Some("type=geo&type=auth&limit=2"));
    assert_eq!(r.header("authorization"), Some(MASK));
    assert!(!format!("{log:?}").contains(sim.token()));
    assert_eq!(r.fault, None);
}

#[tokio::test]
async fn hostile_queries_get_answers_not_panics() {
    let sim = Simulator::builder()
        .seed(11)
        .max_page_size(None)
        .start()
        .await
        .expect("starts");
    let cases: [(&str, u16); 8] = [
        ("/v1/events?limit=18446744073709551615&start=999", 200),
        ("/v1/events?start=99999999999999999999", 400),
        (
            "/v1/events?start=18446744073709551615&end=18446744073709551615",
            200,
        ),
        ("/v1/events?end=0", 200),
        ("/v1/events?type=%FF%FE", 400),
        ("/v1/apps?name=%00%22%5C", 200),
        ("/v1/events?&&=&limit", 400),
        ("/v1/detections_pol?start=0&limit=3&sort=asc", 200),
    ];
    for (path, status) in cases {
        assert_eq!(get(&sim, path).await.0, status, "{path}");
    }
    assert_eq!(get_data(&sim, "/v1/events?end=0").await, json!([]));
    assert_eq!(
        get_data(&sim, "/v1/events?limit=18446744073709551615&start=999")
            .await
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}
