//! Helpers shared by the simulator's own tests.
#![allow(dead_code)]

use std::time::Duration;

use neon_sim::Simulator;
use serde_json::Value;

/// One client for the whole test binary (building one is slow). No idle pooling: each
/// `#[tokio::test]` has its own runtime, and a pooled connection must not outlive it.
pub fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .pool_max_idle_per_host(0)
                .build()
                .expect("reqwest client builds")
        })
        .clone()
}

/// GET `path_and_query` with the simulator's token; (status, body text).
pub async fn get(sim: &Simulator, path_and_query: &str) -> (u16, String) {
    let r = client()
        .get(format!("{}{}", sim.url(), path_and_query))
        .header("Authorization", sim.token())
        .send()
        .await
        .expect("request completes");
    let status = r.status().as_u16();
    (status, r.text().await.expect("body reads"))
}

/// GET and parse the envelope; panics unless 200 with `error: null`.
pub async fn get_data(sim: &Simulator, path_and_query: &str) -> Value {
    let (status, body) = get(sim, path_and_query).await;
    assert_eq!(status, 200, "GET {path_and_query}: {body}");
    let v: Value = serde_json::from_str(&body).expect("body is JSON");
    assert_eq!(v["error"], Value::Null, "GET {path_and_query}");
    v["data"].clone()
}

pub fn ids_of(data: &Value) -> Vec<String> {
    data.as_array()
        .expect("data is an array")
        .iter()
        .map(|r| {
            r["id"]
                .as_str()
                .expect("record has a string id")
                .to_string()
        })
        .collect()
}
