//! Query strings of list requests: paging and filters.
//!
//! # The paging interpretation the simulator serves
//!
//! A list is ordered by `updated_at` then id, ascending for `sort=asc`, descending for
//! `sort=desc` (the default). *Positions* number that order from the start base
//! ([`StartBase::One`] by default, as documented; [`StartBase::Zero`] as an option).
//!
//! - `start`: position of the first record returned; default the first position.
//!   A `start` below the base is treated as the base.
//! - `end`: position of the last record returned, **inclusive**; `end < start` gives an
//!   empty page. With [`PagingOptions::ignore_end`] the server disregards it.
//! - `limit`: most records returned; default [`PagingOptions::default_limit`], clamped to
//!   [`PagingOptions::max_page_size`] when set — so a short page is not proof of the end.
//!   `limit=0` gives an empty page.
//! - The page is positions `start ..= min(end, start + limit - 1)`, cut at the list's end.
//!   Past the end, `data` is `[]`.
//! - Not an integer (or negative `limit`/`start`/`end`), or `sort` other than `asc`/`desc`:
//!   400 with the envelope. Unknown parameters are ignored.
//!
//! Filters are repeated keys: `type=intel&type=phishing` (events, detections),
//! `status=…` (clients, deployments), `enabled=true|false` (registrations), `name=…`
//! (apps; case-insensitive substring). A value the document does not list is a 400.
//! A filter parameter on a resource that has none is ignored like any unknown parameter.

use std::ops::Range;

use percent_encoding::percent_decode_str;

use crate::data::{Filter, Resource, SortOrder};

/// Whether positions count from 0 or from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartBase {
    /// `start=0` is the first record.
    Zero,
    /// `start=1` is the first record (the document's examples).
    #[default]
    One,
}

impl StartBase {
    /// The first position's number.
    pub fn first(self) -> u64 {
        match self {
            StartBase::Zero => 0,
            StartBase::One => 1,
        }
    }
}

/// Server-side paging behaviour: the edges a real server may differ on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagingOptions {
    /// 0- or 1-based `start`/`end`. Default 1-based.
    pub start_base: StartBase,
    /// Page size the server clamps `limit` to; `None` means no clamp. Default `Some(1000)`.
    pub max_page_size: Option<u64>,
    /// Page size when `limit` is absent. Default 100.
    pub default_limit: u64,
    /// Disregard `end` entirely. Default false.
    pub ignore_end: bool,
}

impl Default for PagingOptions {
    fn default() -> Self {
        Self {
            start_base: StartBase::One,
            max_page_size: Some(1000),
            default_limit: 100,
            ignore_end: false,
        }
    }
}

/// A parsed list request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ListQuery {
    pub(crate) start: Option<u64>,
    pub(crate) end: Option<u64>,
    pub(crate) limit: Option<u64>,
    pub(crate) sort: SortOrder,
    pub(crate) filter: Filter,
}

/// Splits a raw query string into decoded pairs (`+` is a space).
pub(crate) fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        percent_decode_str(&s).decode_utf8_lossy().into_owned()
    };
    raw.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

fn number(key: &str, value: &str) -> Result<u64, String> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("invalid value for '{key}': '{value}' is not a non-negative integer"))
}

/// Parses paging and the filter for `resource`; the error is the envelope message.
pub(crate) fn parse(resource: Resource, raw: Option<&str>) -> Result<ListQuery, String> {
    let mut q = ListQuery::default();
    let mut many: Vec<String> = Vec::new();
    for (k, v) in pairs(raw) {
        match k.as_str() {
            "start" => q.start = Some(number(&k, &v)?),
            "end" => q.end = Some(number(&k, &v)?),
            "limit" => q.limit = Some(number(&k, &v)?),
            "sort" => {
                q.sort = match v.as_str() {
                    "asc" => SortOrder::Asc,
                    "desc" => SortOrder::Desc,
                    _ => {
                        return Err(format!(
                            "invalid value for 'sort': '{v}' (expected asc or desc)"
                        ))
                    }
                }
            }
            "type" if matches!(resource, Resource::Events | Resource::Detections) => many.push(v),
            "status" if matches!(resource, Resource::Clients | Resource::Deployments) => {
                many.push(v)
            }
            "enabled" if resource == Resource::Registrations => {
                q.filter = match v.as_str() {
                    "true" => Filter::Enabled(true),
                    "false" => Filter::Enabled(false),
                    _ => {
                        return Err(format!(
                            "invalid value for 'enabled': '{v}' (expected true or false)"
                        ))
                    }
                }
            }
            "name" if resource == Resource::Apps => q.filter = Filter::Name(v),
            _ => {}
        }
    }
    if !many.is_empty() {
        q.filter = match resource {
            Resource::Events | Resource::Detections => Filter::Types(many),
            _ => Filter::Statuses(many),
        };
    }
    crate::data::Dataset::accepts(resource, &q.filter)?;
    Ok(q)
}

/// The 0-based positions, in the requested sort order, a query selects from `total`.
pub(crate) fn window(total: u64, q: &ListQuery, opts: &PagingOptions) -> Range<u64> {
    let base = opts.start_base.first();
    let first = q.start.map(|s| s.saturating_sub(base)).unwrap_or(0);
    let mut count = q.limit.unwrap_or(opts.default_limit);
    if let Some(max) = opts.max_page_size {
        count = count.min(max);
    }
    if let (Some(end), false) = (q.end, opts.ignore_end) {
        let last = end.saturating_sub(base);
        if end < base || last < first {
            count = 0;
        } else {
            count = count.min(last - first + 1);
        }
    }
    let from = first.min(total);
    from..first.saturating_add(count).min(total)
}

/// The ascending position of sort-order position `p` in a list of `total`.
pub(crate) fn ascending(total: u64, sort: SortOrder, p: u64) -> u64 {
    match sort {
        SortOrder::Asc => p,
        SortOrder::Desc => total - 1 - p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(raw: &str) -> ListQuery {
        parse(Resource::Events, Some(raw)).unwrap_or_default()
    }

    #[test]
    fn window_is_start_to_end_inclusive_capped_by_limit() {
        let o = PagingOptions::default();
        assert_eq!(window(50, &q("start=1&end=10"), &o), 0..10);
        assert_eq!(window(50, &q("start=11&end=20&limit=5"), &o), 10..15);
        assert_eq!(window(50, &q("start=45&limit=100"), &o), 44..50);
        assert_eq!(window(50, &q("start=60"), &o), 50..50);
        assert_eq!(window(50, &q("start=5&end=4"), &o), 4..4);
        assert_eq!(window(50, &q("limit=0"), &o), 0..0);
        assert_eq!(window(5000, &q("limit=5000"), &o), 0..1000);
    }

    #[test]
    fn zero_base_and_ignored_end() {
        let o = PagingOptions {
            start_base: StartBase::Zero,
            ignore_end: true,
            ..Default::default()
        };
        assert_eq!(window(50, &q("start=0&end=1&limit=7"), &o), 0..7);
        assert_eq!(window(50, &q("start=7&limit=7"), &o), 7..14);
    }

    #[test]
    fn filters_are_repeated_keys_and_bad_values_are_errors() {
        assert_eq!(
            q("type=download&type=geo").filter,
            Filter::Types(vec!["download".into(), "geo".into()])
        );
        assert_eq!(
            parse(Resource::Events, Some("type=clipboard")),
            Err("invalid value 'clipboard': expected one of download, geo, platform, navigation, app, auth, upload, extension".into())
        );
        assert!(parse(Resource::Events, Some("limit=-1")).is_err());
        assert!(parse(Resource::Events, Some("sort=up")).is_err());
        assert_eq!(
            parse(Resource::Apps, Some("name=Google+Work%73pace")).map(|q| q.filter),
            Ok(Filter::Name("Google Workspace".into()))
        );
        assert_eq!(
            parse(Resource::Clients, Some("type=intel")).map(|q| q.filter),
            Ok(Filter::All)
        );
    }
}
