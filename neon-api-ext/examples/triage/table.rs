//! The human view: one line per detection — when, what, who, which browser, where — and
//! under it the pattern-of-life trail that led there, its trimmed middle shown as such.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use neon_api_ext::types::{Detection, PolEntry};

use crate::fetch::Row;

/// Widest a column may grow before its text is cut with `…`.
const MAX_SOURCE: usize = 24;
const MAX_WHO: usize = 32;
const MAX_BROWSER: usize = 30;
const MAX_URL: usize = 60;
const MAX_TRAIL_URL: usize = 90;
/// Trail lines start under the TYPE column.
const TRAIL_INDENT: &str = "    ";

/// When the detection happened: its own timestamp, else when it was last updated.
pub fn time_of(d: &Detection) -> Option<DateTime<Utc>> {
    d.detection_timestamp.or(d.updated_at)
}

/// Who: the client's email; a form detection's own email; else the client id.
pub fn who(row: &Row) -> Option<String> {
    row.client
        .as_ref()
        .and_then(|c| c.email.clone())
        .or_else(|| row.detection.email.clone())
        .or_else(|| row.detection.client_id.map(|id| format!("client {id}")))
}

/// Which browser, as `Chrome 131.0.6778.86 (mac)`: from the registration, else from the
/// browser fields the detection carries itself.
pub fn browser(row: &Row) -> Option<String> {
    let d = &row.detection;
    let (display, version, os) = match &row.registration {
        Some(r) => (
            r.display.clone().or_else(|| r.name.clone()),
            r.version.clone(),
            r.os.clone(),
        ),
        None => (
            d.display.clone().or_else(|| d.name.clone()),
            d.version.clone(),
            d.os.clone(),
        ),
    };
    let mut out = [display, version]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(os) = os {
        if out.is_empty() {
            out = os;
        } else {
            out = format!("{out} ({os})");
        }
    }
    (!out.is_empty()).then_some(out)
}

/// One line of a rendered trail.
#[derive(Debug, Clone, PartialEq)]
pub enum TrailLine<'a> {
    /// An entry shown.
    Entry(&'a PolEntry),
    /// Positions missing before the next entry shown: `trimmed` never reached us (the agent
    /// keeps the first and last entries of a long trail), `hidden` we have but do not show.
    Gap { trimmed: u64, hidden: usize },
}

/// The trail as shown: the first and last `each_end` entries (every entry when 0 or when
/// the trail is short), and a gap wherever `position` jumps or entries are hidden.
pub fn trail_lines(pol: &[PolEntry], each_end: usize) -> Vec<TrailLine<'_>> {
    let show_all = each_end == 0 || pol.len() <= each_end * 2;
    let mut lines = Vec::new();
    let mut previous: Option<i64> = Some(0);
    let mut hidden = 0usize;
    for (i, entry) in pol.iter().enumerate() {
        if !show_all && i >= each_end && i < pol.len() - each_end {
            hidden += 1;
            continue;
        }
        let missing = match (previous, entry.position) {
            (Some(prev), Some(pos)) if pos > prev + 1 => (pos - prev - 1) as u64,
            _ => 0,
        };
        let trimmed = missing.saturating_sub(hidden as u64);
        if trimmed > 0 || hidden > 0 {
            lines.push(TrailLine::Gap { trimmed, hidden });
        }
        hidden = 0;
        previous = entry.position;
        lines.push(TrailLine::Entry(entry));
    }
    lines
}

/// How many positions of the trail the agent trimmed (never sent): every jump in
/// `position`, counting from 1.
pub fn trimmed_count(pol: &[PolEntry]) -> u64 {
    let mut previous = 0i64;
    let mut trimmed = 0u64;
    for pos in pol.iter().filter_map(|e| e.position) {
        if pos > previous + 1 {
            trimmed += (pos - previous - 1) as u64;
        }
        previous = previous.max(pos);
    }
    trimmed
}

fn gap_text(trimmed: u64, hidden: usize) -> String {
    let plural = |n: u64| if n == 1 { "entry" } else { "entries" };
    match (trimmed, hidden) {
        (0, h) => format!("… {h} more {} (--trail 0 shows all) …", plural(h as u64)),
        (t, 0) => format!("… {t} {} trimmed …", plural(t)),
        (t, h) => format!(
            "… {t} {} trimmed, {h} more not shown (--trail 0 shows all) …",
            plural(t)
        ),
    }
}

/// Cuts `text` to `max` characters, ending in `…` when cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

/// Writes the table: a header, then per detection its line and its trail.
pub fn render(rows: &[Row], each_end: usize, out: &mut dyn Write) -> io::Result<()> {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            let d = &row.detection;
            [
                time_of(d)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_else(|| "-".into()),
                d.detection_type
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "-".into()),
                fit(d.source.as_deref().unwrap_or("-"), MAX_SOURCE),
                fit(who(row).as_deref().unwrap_or("-"), MAX_WHO),
                fit(browser(row).as_deref().unwrap_or("-"), MAX_BROWSER),
                fit(d.url.as_deref().unwrap_or("-"), MAX_URL),
            ]
        })
        .collect();
    let header = ["TIME (UTC)", "TYPE", "SOURCE", "WHO", "BROWSER", "URL"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let last = cells.len() - 1;
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c.clone()
                } else {
                    pad(c, widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(&header.map(String::from)))?;
    for (row, cells) in rows.iter().zip(&cells) {
        writeln!(out)?;
        writeln!(out, "{}", line(cells))?;
        render_trail(&row.pol, each_end, out)?;
    }
    Ok(())
}

fn render_trail(pol: &[PolEntry], each_end: usize, out: &mut dyn Write) -> io::Result<()> {
    if pol.is_empty() {
        return writeln!(out, "{TRAIL_INDENT}(no pattern-of-life trail)");
    }
    let pos_width = pol
        .iter()
        .filter_map(|e| e.position)
        .map(|p| p.to_string().len())
        .max()
        .unwrap_or(1);
    let transition_width = pol
        .iter()
        .map(|e| e.transition.as_deref().unwrap_or("-").chars().count())
        .max()
        .unwrap_or(1);
    for line in trail_lines(pol, each_end) {
        match line {
            TrailLine::Gap { trimmed, hidden } => {
                writeln!(out, "{TRAIL_INDENT}{}", gap_text(trimmed, hidden))?
            }
            TrailLine::Entry(e) => {
                let pos = e
                    .position
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "?".into());
                let time = e
                    .timestamp
                    .map(|t| t.format("%H:%M:%S").to_string())
                    .unwrap_or_else(|| "--:--:--".into());
                writeln!(
                    out,
                    "{TRAIL_INDENT}#{pos:<pos_width$}  {time}  {}  {}",
                    pad(e.transition.as_deref().unwrap_or("-"), transition_width),
                    fit(e.url.as_deref().unwrap_or("-"), MAX_TRAIL_URL),
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use neon_api_ext::types::{Client, DetectionType, Registration};
    use std::sync::Arc;

    fn entry(position: i64, url: &str) -> PolEntry {
        PolEntry {
            position: Some(position),
            url: Some(url.into()),
            transition: Some("link".into()),
            timestamp: Some("2025-03-04T10:11:12Z".parse().expect("literal")),
            ..Default::default()
        }
    }

    fn trail(positions: impl IntoIterator<Item = i64>) -> Vec<PolEntry> {
        positions
            .into_iter()
            .map(|p| entry(p, &format!("https://example.com/{p}")))
            .collect()
    }

    fn shape(lines: &[TrailLine<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match l {
                TrailLine::Entry(e) => format!("#{}", e.position.unwrap_or(-1)),
                TrailLine::Gap { trimmed, hidden } => format!("gap {trimmed}+{hidden}"),
            })
            .collect()
    }

    #[test]
    fn a_short_contiguous_trail_is_shown_whole() {
        let pol = trail(1..=4);
        assert_eq!(shape(&trail_lines(&pol, 5)), ["#1", "#2", "#3", "#4"]);
        assert_eq!(trimmed_count(&pol), 0);
    }

    #[test]
    fn a_jump_in_positions_is_shown_as_the_agents_trimmed_gap() {
        // First 5 and last 15 of 56 navigations, as the agent keeps them.
        let pol = trail((1..=5).chain(42..=56));
        assert_eq!(
            shape(&trail_lines(&pol, 0)),
            ["#1", "#2", "#3", "#4", "#5", "gap 36+0"]
                .into_iter()
                .map(String::from)
                .chain((42..=56).map(|p| format!("#{p}")))
                .collect::<Vec<_>>()
        );
        assert_eq!(trimmed_count(&pol), 36);
    }

    #[test]
    fn entries_hidden_here_are_counted_apart_from_those_the_agent_trimmed() {
        let pol = trail((1..=5).chain(42..=56));
        assert_eq!(
            shape(&trail_lines(&pol, 3)),
            ["#1", "#2", "#3", "gap 36+14", "#54", "#55", "#56"]
        );
        // Hidden entries only, no jump: the gap says so.
        let pol = trail(1..=10);
        assert_eq!(
            shape(&trail_lines(&pol, 2)),
            ["#1", "#2", "gap 0+6", "#9", "#10"]
        );
    }

    #[test]
    fn a_trail_that_does_not_start_at_one_opens_with_a_gap() {
        let pol = trail(3..=4);
        assert_eq!(shape(&trail_lines(&pol, 5)), ["gap 2+0", "#3", "#4"]);
        assert_eq!(trimmed_count(&pol), 2);
    }

    #[test]
    fn gap_text_reads_as_the_brief_says() {
        assert_eq!(gap_text(36, 0), "… 36 entries trimmed …");
        assert_eq!(gap_text(1, 0), "… 1 entry trimmed …");
        assert_eq!(
            gap_text(36, 10),
            "… 36 entries trimmed, 10 more not shown (--trail 0 shows all) …"
        );
        assert_eq!(gap_text(0, 6), "… 6 more entries (--trail 0 shows all) …");
    }

    #[test]
    fn the_table_shows_who_which_browser_what_and_the_trail() {
        let row = Row {
            detection: Detection {
                detection_type: Some(DetectionType::Phishing),
                source: Some("Phishing AI".into()),
                url: Some("https://login.example.net/".into()),
                detection_timestamp: Some("2025-03-04T10:11:12.5Z".parse().expect("literal")),
                ..Default::default()
            },
            client: Some(Arc::new(Client {
                email: Some("ana@acme.example".into()),
                ..Default::default()
            })),
            registration: Some(Arc::new(Registration {
                display: Some("Chrome".into()),
                version: Some("131.0.6778.86".into()),
                os: Some("mac".into()),
                ..Default::default()
            })),
            pol: trail([1, 2, 9]),
        };
        let mut out = Vec::new();
        render(&[row], 5, &mut out).expect("writing to a Vec");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "TIME (UTC)           TYPE      SOURCE       WHO               BROWSER                     URL\n\
             \n\
             2025-03-04 10:11:12  phishing  Phishing AI  ana@acme.example  Chrome 131.0.6778.86 (mac)  https://login.example.net/\n\
             \x20   #1  10:11:12  link  https://example.com/1\n\
             \x20   #2  10:11:12  link  https://example.com/2\n\
             \x20   … 6 entries trimmed …\n\
             \x20   #9  10:11:12  link  https://example.com/9\n"
        );
    }

    #[test]
    fn missing_joins_fall_back_to_the_detections_own_fields() {
        let id = uuid::Uuid::from_u128(7);
        let row = Row {
            detection: Detection {
                client_id: Some(id),
                display: Some("Firefox".into()),
                os: Some("linux".into()),
                ..Default::default()
            },
            client: None,
            registration: None,
            pol: vec![],
        };
        assert_eq!(who(&row), Some(format!("client {id}")));
        assert_eq!(browser(&row).as_deref(), Some("Firefox (linux)"));
        let mut out = Vec::new();
        render(&[row], 5, &mut out).expect("writing to a Vec");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.ends_with("\n    (no pattern-of-life trail)\n"),
            "{text}"
        );
    }

    #[test]
    fn long_cells_are_cut_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abcd", 4), "abcd");
    }
}
