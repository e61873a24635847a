//! Paging covers every record exactly once, whatever the page size, sort and start base.

mod common;

use std::collections::HashSet;

use common::{get_data, ids_of};
use neon_sim::{Filter, Resource, Simulator, SortOrder, StartBase};

/// Walks `/v1/events` by `start`/`limit` (and `end` when `with_end`) until an empty page.
async fn walk(sim: &Simulator, path: &str, page: u64, sort: &str, with_end: bool) -> Vec<String> {
    let base = sim.paging().start_base.first();
    let mut start = base;
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut q = format!("{path}{sep}sort={sort}&start={start}&limit={page}");
        if with_end {
            q.push_str(&format!("&end={}", start + page - 1));
        }
        let ids = ids_of(&get_data(sim, &q).await);
        if ids.is_empty() {
            return out;
        }
        start += ids.len() as u64;
        out.extend(ids);
    }
    panic!("walk did not end");
}

fn strings(ids: Vec<uuid::Uuid>) -> Vec<String> {
    ids.into_iter().map(|u| u.to_string()).collect()
}

#[tokio::test]
async fn every_event_is_seen_exactly_once_for_all_page_sizes_sorts_and_bases() {
    const N: u64 = 250;
    for base in [StartBase::One, StartBase::Zero] {
        let sim = Simulator::builder()
            .events(N)
            .tie_rate(0.2)
            .start_base(base)
            .start()
            .await
            .expect("simulator starts");
        for (sort, order) in [("asc", SortOrder::Asc), ("desc", SortOrder::Desc)] {
            let expected = strings(sim.events_sorted(order));
            assert_eq!(expected.len() as u64, N);
            for page in [1, 7, 100, N] {
                let got = walk(&sim, "/v1/events", page, sort, page % 2 == 1).await;
                assert_eq!(got, expected, "base {base:?} sort {sort} page {page}");
                let unique: HashSet<_> = got.iter().collect();
                assert_eq!(unique.len() as u64, N);
            }
        }
    }
}

#[tokio::test]
async fn desc_is_the_default_and_the_reverse_of_asc() {
    let sim = Simulator::builder()
        .events(30)
        .start()
        .await
        .expect("starts");
    let default = ids_of(&get_data(&sim, "/v1/events?limit=30").await);
    let mut asc = ids_of(&get_data(&sim, "/v1/events?limit=30&sort=asc").await);
    asc.reverse();
    assert_eq!(default, asc);
    assert_eq!(default, strings(sim.events_sorted(SortOrder::Desc)));
}

#[tokio::test]
async fn updated_at_is_non_decreasing_in_asc_and_ties_are_ordered_by_id() {
    let sim = Simulator::builder()
        .events(400)
        .tie_rate(0.3)
        .start()
        .await
        .expect("starts");
    let data = get_data(&sim, "/v1/events?sort=asc&limit=400").await;
    let rows = data.as_array().expect("array");
    let mut ties = 0;
    for w in rows.windows(2) {
        let t = |r: &serde_json::Value| {
            chrono::DateTime::parse_from_rfc3339(r["updated_at"].as_str().expect("str"))
                .expect("rfc3339")
        };
        assert!(t(&w[0]) <= t(&w[1]));
        if t(&w[0]) == t(&w[1]) {
            ties += 1;
            assert!(w[0]["id"].as_str() < w[1]["id"].as_str());
        }
    }
    assert!(ties > 10, "only {ties} ties at rate 0.3");
}

#[tokio::test]
async fn a_clamped_limit_gives_short_pages_that_are_not_the_end() {
    let sim = Simulator::builder()
        .events(120)
        .max_page_size(Some(25))
        .start()
        .await
        .expect("starts");
    let first = ids_of(&get_data(&sim, "/v1/events?limit=100").await);
    assert_eq!(first.len(), 25);
    let all = walk(&sim, "/v1/events", 100, "desc", false).await;
    assert_eq!(all, strings(sim.events_sorted(SortOrder::Desc)));
}

#[tokio::test]
async fn end_is_inclusive_unless_the_server_ignores_it() {
    let sim = Simulator::builder()
        .events(50)
        .start()
        .await
        .expect("starts");
    let expected = strings(sim.events_sorted(SortOrder::Desc));
    assert_eq!(
        ids_of(&get_data(&sim, "/v1/events?start=3&end=5").await),
        expected[2..5].to_vec()
    );
    assert_eq!(
        ids_of(&get_data(&sim, "/v1/events?start=5&end=4").await),
        Vec::<String>::new()
    );
    assert_eq!(
        ids_of(&get_data(&sim, "/v1/events?start=51").await),
        Vec::<String>::new()
    );
    let lax = Simulator::builder()
        .events(50)
        .ignore_end(true)
        .default_limit(10)
        .start()
        .await
        .expect("starts");
    assert_eq!(
        ids_of(&get_data(&lax, "/v1/events?start=3&end=5").await),
        expected[2..12].to_vec()
    );
}

#[tokio::test]
async fn zero_based_server_serves_the_first_record_at_start_0() {
    let sim = Simulator::builder()
        .events(20)
        .start_base(StartBase::Zero)
        .start()
        .await
        .expect("starts");
    let expected = strings(sim.events_sorted(SortOrder::Desc));
    assert_eq!(
        ids_of(&get_data(&sim, "/v1/events?start=0&limit=2").await),
        expected[0..2].to_vec()
    );
    assert_eq!(
        ids_of(&get_data(&sim, "/v1/events?start=1&limit=2").await),
        expected[1..3].to_vec()
    );
}

#[tokio::test]
async fn filtered_and_pol_lists_page_completely() {
    let sim = Simulator::builder()
        .events(300)
        .detections(40)
        .start()
        .await
        .expect("starts");
    let got = walk(
        &sim,
        "/v1/events?type=navigation&type=app&x=1",
        7,
        "asc",
        false,
    )
    .await;
    let want = strings(sim.ids(
        Resource::Events,
        SortOrder::Asc,
        &Filter::Types(vec!["navigation".into(), "app".into()]),
    ));
    assert!(want.len() > 50, "{} navigation/app events", want.len());
    assert_eq!(got, want);
    let pol = walk(&sim, "/v1/detections_pol", 7, "asc", false).await;
    assert_eq!(pol.len() as u64, sim.count(Resource::DetectionsPol));
    assert_eq!(
        pol,
        strings(sim.ids(Resource::DetectionsPol, SortOrder::Asc, &Filter::All))
    );
}

#[tokio::test]
async fn inserts_appear_at_the_head_and_updates_move_a_record_there() {
    let sim = Simulator::builder()
        .events(30)
        .start()
        .await
        .expect("starts");
    let before = strings(sim.events_sorted(SortOrder::Desc));
    let new = strings(sim.insert(Resource::Events, 2).expect("insert"));
    let head = ids_of(&get_data(&sim, "/v1/events?limit=3").await);
    assert_eq!(
        head,
        vec![new[1].clone(), new[0].clone(), before[0].clone()]
    );
    let moved: uuid::Uuid = before[10].parse().expect("uuid");
    sim.update(Resource::Events, &[moved]).expect("update");
    let all = ids_of(&get_data(&sim, "/v1/events?limit=100").await);
    assert_eq!(all.len(), 32);
    assert_eq!(all[0], moved.to_string());
    assert_eq!(all.iter().filter(|i| **i == moved.to_string()).count(), 1);
    let last = ids_of(&get_data(&sim, "/v1/events?limit=1&sort=asc").await);
    assert_eq!(last, vec![before[29].clone()]);
    let rec = get_data(&sim, &format!("/v1/events/{moved}")).await;
    assert_ne!(rec["updated_at"], rec["inserted_at"]);
    assert!(sim.update(Resource::Events, &[uuid::Uuid::nil()]).is_err());
}

#[tokio::test]
async fn a_million_events_page_from_both_ends_without_materialising() {
    let sim = Simulator::builder()
        .events(1_000_000)
        .start()
        .await
        .expect("starts");
    assert_eq!(sim.count(Resource::Events), 1_000_000);
    let desc = sim.events_sorted(SortOrder::Desc);
    assert_eq!(desc.len(), 1_000_000);
    let deep = ids_of(&get_data(&sim, "/v1/events?start=999998&limit=10").await);
    assert_eq!(deep, strings(desc[999_997..].to_vec()));
    let head = ids_of(&get_data(&sim, "/v1/events?sort=asc&limit=2").await);
    assert_eq!(head, strings(vec![desc[999_999], desc[999_998]]));
    let one = get_data(&sim, &format!("/v1/events/{}", desc[500_000])).await;
    assert_eq!(one["id"], serde_json::json!(desc[500_000].to_string()));
}
