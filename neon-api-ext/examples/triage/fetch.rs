//! The data behind a triage view: the newest detections, each joined with its client,
//! browser registration and pattern-of-life trail by `neon-api-ext`'s detection join.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use neon_api_ext::join::PolStrategy;
use neon_api_ext::paging::Sort;
use neon_api_ext::types::{Client, Detection, DetectionTypeFilter, PolEntry, Registration};
use neon_api_ext::{Error, NeonClient};

/// What to fetch.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// Only these types (empty: all).
    pub types: Vec<DetectionTypeFilter>,
    /// Only detections updated at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// At most this many detections, newest first.
    pub limit: u32,
}

/// One detection with what a triage view shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The detection.
    pub detection: Detection,
    /// Who: the client the detection belongs to (its email), if the server has it.
    pub client: Option<Arc<Client>>,
    /// Which browser: the registration the detection came from, if the server has it.
    pub registration: Option<Arc<Registration>>,
    /// The pattern-of-life trail, in `position` order (empty when there is none).
    pub pol: Vec<PolEntry>,
}

/// The newest detections matching `query`, joined.
///
/// The list is walked newest first (`sort=desc` by `updated_at`), one page of `limit`
/// records at a time, and stops at the first detection older than `since` — every later
/// one is older still. Trails are fetched per detection (a triage view wants a handful of
/// detections, never a tenant-wide pass over every trail); clients and registrations are
/// fetched once per id.
pub async fn latest(client: &NeonClient, query: &Query) -> Result<Vec<Row>, Error> {
    let mut detections = client
        .detections()
        .sort(Sort::Desc)
        .page_size(query.limit.clamp(1, 1_000));
    if !query.types.is_empty() {
        detections = detections.types(query.types.iter().copied());
    }
    let since = query.since;
    detections
        .with_pol()
        .pol_strategy(PolStrategy::PerDetection)
        .with_client()
        .with_registration()
        .stream()
        .try_take_while(move |row| {
            let keep = match (since, row.detection.updated_at) {
                (Some(since), Some(updated)) => updated >= since,
                _ => true,
            };
            futures::future::ready(Ok(keep))
        })
        .take(query.limit as usize)
        .map_ok(|joined| Row {
            detection: joined.detection,
            client: joined.client,
            registration: joined.registration,
            pol: joined.pol,
        })
        .try_collect()
        .await
}

/// When the newest detection was last updated (`None` for an empty tenant): a page of one
/// record, newest first.
pub async fn newest_update(client: &NeonClient) -> Result<Option<DateTime<Utc>>, Error> {
    let newest = client
        .detections()
        .sort(Sort::Desc)
        .page_size(1)
        .stream()
        .take(1)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(newest.first().and_then(|d| d.updated_at))
}
