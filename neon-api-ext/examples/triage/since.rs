//! `--since`: an RFC 3339 time, or a duration back from now (`24h`, `90m`, `7d`, `1h30m`).

use chrono::{DateTime, Duration, Utc};

/// What `--since` accepts, for error messages.
pub const SINCE_FORMS: &str =
    "an RFC 3339 time (2025-06-01T00:00:00Z) or a duration back from now (24h, 90m, 7d, 1h30m)";

/// Parses `--since` relative to the current time.
pub fn parse_since(value: &str) -> Result<DateTime<Utc>, String> {
    parse_since_at(value, Utc::now())
}

/// Parses `--since` relative to `now` (so tests are exact).
pub fn parse_since_at(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let back = parse_duration(value).ok_or_else(|| format!("expected {SINCE_FORMS}"))?;
    now.checked_sub_signed(back)
        .ok_or_else(|| format!("`{value}` reaches before the earliest representable time"))
}

/// `1h30m`, `24h`, `7d`, `45s`, `2w`: one or more `<number><unit>` groups, units s m h d w.
fn parse_duration(value: &str) -> Option<Duration> {
    if value.is_empty() {
        return None;
    }
    let mut total = Duration::zero();
    let mut rest = value;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        let mut tail = rest[digits..].chars();
        let unit = tail.next()?;
        let seconds_per_unit: i64 = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        let part = Duration::try_seconds(n.checked_mul(seconds_per_unit)?)?;
        total = total.checked_add(&part)?;
        rest = tail.as_str();
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("a valid literal")
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("a valid literal")
    }

    #[test]
    fn rfc3339_times_are_taken_as_given_in_utc() {
        assert_eq!(
            parse_since_at("2025-06-01T02:00:00+02:00", now()),
            Ok(at("2025-06-01T00:00:00Z"))
        );
        assert_eq!(
            parse_since_at("2025-10-13T18:13:15.88219+00:00", now()),
            Ok(at("2025-10-13T18:13:15.88219Z"))
        );
    }

    #[test]
    fn durations_count_back_from_now() {
        assert_eq!(parse_since_at("24h", now()), Ok(at("2026-12-02T12:00:00Z")));
        assert_eq!(parse_since_at("7d", now()), Ok(at("2026-11-26T12:00:00Z")));
        assert_eq!(
            parse_since_at("1h30m", now()),
            Ok(at("2026-12-03T10:30:00Z"))
        );
        assert_eq!(parse_since_at("2w", now()), Ok(at("2026-11-19T12:00:00Z")));
        assert_eq!(parse_since_at("45s", now()), Ok(at("2026-12-03T11:59:15Z")));
    }

    #[test]
    fn anything_else_is_refused_with_the_accepted_forms() {
        for bad in [
            "",
            "yesterday",
            "24",
            "h",
            "24x",
            "1h30",
            "-5m",
            "2025-06-01",
        ] {
            assert_eq!(
                parse_since_at(bad, now()),
                Err(format!("expected {SINCE_FORMS}")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn huge_durations_fail_instead_of_overflowing() {
        assert!(parse_since_at("99999999999999999w", now()).is_err());
        assert!(parse_since_at("9999999999999d", now()).is_err());
    }
}
