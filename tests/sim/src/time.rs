//! Timestamps in the server's observed format.
//!
//! The API sends RFC 3339 with a `+00:00` offset and microsecond precision with trailing
//! zeros dropped (`2025-10-13T18:13:15.88219+00:00`, or no fraction at all when it is
//! zero). Internally every time is microseconds since the Unix epoch (`i64`).

/// 2025-01-01T00:00:00Z in microseconds: the start of every generated timeline.
pub(crate) const EPOCH_2025_US: i64 = 1_735_689_600_000_000;

/// Formats microseconds since the epoch the way the Neon API does.
///
/// Hand-rolled (Hinnant's days-to-civil) rather than `chrono::format`: it runs several
/// times per record on the serving hot path.
pub fn format_micros(us: i64) -> String {
    use std::fmt::Write;
    let secs = us.div_euclid(1_000_000);
    let micros = us.rem_euclid(1_000_000);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(32);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
    if micros != 0 {
        let mut frac = micros;
        let mut digits = 6;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        let _ = write!(out, ".{frac:0digits$}");
    }
    out.push_str("+00:00");
    out
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
    fn agrees_with_chrono_over_centuries() {
        let mut us: i64 = -2_208_988_800_000_000; // 1900
        while us < 4_102_444_800_000_000 {
            // 2100
            let dt = chrono::DateTime::<chrono::Utc>::from_timestamp_micros(us).expect("in range");
            let want = dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
            let got = format_micros(us);
            assert_eq!(
                chrono::DateTime::parse_from_rfc3339(&got).expect("parses"),
                dt,
                "{got} vs {want}"
            );
            us += 86_400_000_000 * 7 + 3_601_234_567;
        }
    }

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
