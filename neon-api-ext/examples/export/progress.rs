//! The export's progress line on stderr: records, pages, rate.
//!
//! On a terminal the line is redrawn in place a few times a second; otherwise (a log file,
//! CI) a line is written every few seconds, so a long export still shows it is alive.

use std::io::Write;
use std::time::{Duration, Instant};

/// Redraw interval on a terminal.
const TTY_EVERY: Duration = Duration::from_millis(200);
/// Line interval when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// Counts and prints.
pub struct Progress<W: Write> {
    out: W,
    tty: bool,
    started: Instant,
    last: Instant,
    /// Records written so far.
    pub records: u64,
    /// Pages received so far.
    pub pages: u64,
}

impl<W: Write> Progress<W> {
    /// Starts the clock; `tty` picks in-place redraws.
    pub fn new(out: W, tty: bool) -> Self {
        let now = Instant::now();
        Progress {
            out,
            tty,
            started: now,
            last: now,
            records: 0,
            pages: 0,
        }
    }

    /// Counts one page of `records` and prints if it is time to.
    pub fn page(&mut self, records: usize) {
        self.pages += 1;
        self.records += records as u64;
        let every = if self.tty { TTY_EVERY } else { LOG_EVERY };
        if self.last.elapsed() >= every {
            self.last = Instant::now();
            let line = self.line(self.started.elapsed());
            // Progress is best effort: a failed write to stderr must not stop the export.
            let _ = if self.tty {
                write!(self.out, "\r\x1b[2K{line}")
            } else {
                writeln!(self.out, "{line}")
            };
            let _ = self.out.flush();
        }
    }

    /// Prints the final line, with a newline, and gives the writer back.
    pub fn finish(mut self, how: &str) -> W {
        let line = self.line(self.started.elapsed());
        let clear = if self.tty { "\r\x1b[2K" } else { "" };
        let _ = writeln!(self.out, "{clear}{line}{how}");
        let _ = self.out.flush();
        self.out
    }

    /// `export: 12,345 records, 13 pages, 45,678 records/s`.
    pub fn line(&self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            (self.records as f64 / secs).round() as u64
        } else {
            0
        };
        format!(
            "export: {} records, {} pages, {} records/s",
            thousands(self.records),
            thousands(self.pages),
            thousands(rate)
        )
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_line_names_records_pages_and_rate() {
        let mut p = Progress::new(Vec::new(), false);
        p.page(1_000);
        p.page(500);
        assert_eq!(
            p.line(Duration::from_millis(500)),
            "export: 1,500 records, 2 pages, 3,000 records/s"
        );
        let out = p.finish(" (done)");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.starts_with("export: 1,500 records, 2 pages, ") && text.ends_with(" (done)\n"),
            "{text}"
        );
    }
}
