//! Timestamps in the server's observed format.
//!
//! The API sends RFC 3339 with a `+00:00` offset and microsecond precision with trailing
//! zeros dropped (`2025-10-13T18:13:15.88219+00:00`, or no fraction at all when it is
//! zero). Internally every time is microseconds since the Unix epoch (`i64`).

use chrono::{DateTime, Timelike, Utc};

/// 2025-01-01T00:00:00Z in microseconds: the start of every generated timeline.
pub(crate) const EPOCH_2025_US: i64 = 1_735_689_600_000_000;

/// Formats microseconds since the epoch the way the Neon API does.
pub fn format_micros(us: i64) -> String {
    let dt = DateTime::<Utc>::from_timestamp_micros(us).unwrap_or_default();
    let micros = dt.nanosecond() / 1000 % 1_000_000;
    let base = dt.format("%Y-%m-%dT%H:%M:%S").to_string();
    if micros == 0 {
        return format!("{base}+00:00");
    }
    let frac = format!("{micros:06}");
    format!("{base}.{}+00:00", frac.trim_end_matches('0'))
}

/// Formats with millisecond precision (sub-millisecond part dropped, trailing zeros dropped),
/// as `event_timestamp` and `detection_timestamp` are.
pub fn format_millis(us: i64) -> String {
    format_micros(us - us.rem_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_zeros_are_dropped_and_offset_is_plus_zero() {
        assert_eq!(
            format_micros(EPOCH_2025_US + 882_190),
            "2025-01-01T00:00:00.88219+00:00"
        );
        assert_eq!(format_micros(EPOCH_2025_US), "2025-01-01T00:00:00+00:00");
        assert_eq!(
            format_micros(EPOCH_2025_US + 1_000_001),
            "2025-01-01T00:00:01.000001+00:00"
        );
        assert_eq!(
            format_millis(EPOCH_2025_US + 500_999),
            "2025-01-01T00:00:00.5+00:00"
        );
    }
}
