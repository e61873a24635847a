//! Detection pattern-of-life (PoL) entries — *inferred* shapes (nothing public shows them).
//!
//! The document says the agent keeps 20 entries per detection: always the first 5 (how the
//! tab was opened) and the last 5 (up to and including the page that triggered it), the
//! middle trimmed. We read "continuously trim the middle 10" as a ring buffer: a trail
//! of `M > 20` navigations keeps positions `1..=5` and `M-14..=M`, so `position` jumps
//! after 5. Some detections have a short trail (`M < 20`, all kept) and some none.
//!
//! All entries of a detection are sent with it: their `inserted_at`/`updated_at` are the
//! detection's insert time plus `k+1` µs, so `/v1/detections_pol` in updated order lists
//! detections in insert order, each one's entries in trail order. Updating a detection
//! does not touch its trail.

use serde_json::{json, Value};

use super::activity::{detection_tab, detection_url, detection_us};
use super::tables::SITES;
use super::{Dataset, Resource};
use crate::ids::{record_id, Rng};
use crate::time::{format_micros, format_millis};

/// Entries the agent keeps per detection.
pub const POL_KEEP: u64 = 20;
const HEAD: u64 = 5;
/// Room per detection in the entry numbering (`detection * 32 + k`).
pub(crate) const STRIDE: u64 = 32;

/// How many navigations the tab saw before detection `index` fired (before trimming).
pub(crate) fn trail_len(ds: &Dataset, index: u64) -> u64 {
    let mut rng = Rng::new(ds.cfg.seed, Resource::DetectionsPol.salt() ^ 0x7A, index);
    match rng.below(100) {
        0..=9 => 0,
        10..=24 => 1 + rng.below(POL_KEEP - 1),
        _ => POL_KEEP + rng.below(180),
    }
}

/// Entries served for detection `index`.
pub(crate) fn kept_len(ds: &Dataset, index: u64) -> u64 {
    trail_len(ds, index).min(POL_KEEP)
}

/// The trail position (1-based) of kept entry `k`, for a trail of `total` navigations.
pub(crate) fn position(total: u64, k: u64) -> u64 {
    if total <= POL_KEEP || k < HEAD {
        k + 1
    } else {
        total - (POL_KEEP - 1 - k)
    }
}

/// Every kept entry of detection `index`, trail order.
pub(crate) fn entries(ds: &Dataset, index: u64) -> Vec<Value> {
    let total = trail_len(ds, index);
    let kept = total.min(POL_KEEP);
    if kept == 0 {
        return Vec::new();
    }
    (0..kept).map(|k| entry_with(ds, index, k, total)).collect()
}

/// Kept entry `k` of detection `index`.
pub(crate) fn entry(ds: &Dataset, index: u64, k: u64) -> Value {
    entry_with(ds, index, k, trail_len(ds, index))
}

fn entry_with(ds: &Dataset, index: u64, k: u64, total: u64) -> Value {
    let kept = total.min(POL_KEEP);
    let mut rng = Rng::new(
        ds.cfg.seed,
        Resource::DetectionsPol.salt(),
        index * STRIDE + k,
    );
    let gap = 2_000_000 + Rng::new(ds.cfg.seed, 0x6A9, index).below(28_000_000) as i64;
    let at = detection_us(ds, index) - (kept - 1 - k) as i64 * gap;
    let pos = position(total, k);
    let last = k + 1 == kept;
    let url = if last {
        json!(detection_url(ds, index))
    } else {
        json!(rng.pick(SITES))
    };
    let opened_by = if pos == 1 {
        json!(["new_tab", "link_from_tab", "typed", "redirect"][rng.below(4) as usize])
    } else {
        Value::Null
    };
    let inserted = ds
        .order(Resource::Detections)
        .inserted_us(index)
        .unwrap_or_default()
        + k as i64
        + 1;
    let resources: Vec<String> = (0..rng.below(4))
        .map(|n| format!("https://cdn{n}.example.net/asset{}.js", rng.below(100)))
        .collect();
    json!({
        "id": record_id(ds.cfg.seed, Resource::DetectionsPol.salt(), index * STRIDE + k),
        "detection_id": ds.id(Resource::Detections, index),
        "position": pos,
        "timestamp": format_millis(at),
        "tab_id": detection_tab(ds, index),
        "url": url,
        "referrer": if pos == 1 { Value::Null } else { json!(rng.pick(SITES)) },
        "opened_by": opened_by,
        "transition": if pos == 1 { "start" } else { ["link", "typed", "form_submit", "reload"][rng.below(4) as usize] },
        "resources": resources,
        "inserted_at": format_micros(inserted),
        "updated_at": format_micros(inserted),
    })
}
