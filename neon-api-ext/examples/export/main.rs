//! `export`: every event (or, with `--detections`, every detection) of the chosen types as
//! NDJSON on stdout, with a progress line on stderr (records, pages, rate).
//!
//! ```text
//! cargo run -p neon-api-ext --example export > events.ndjson
//! cargo run -p neon-api-ext --example export -- --type auth --type download > auth.ndjson
//! cargo run --release -p neon-api-ext --example export -- --events 1000000 > /dev/null
//! cargo run -p neon-api-ext --example export -- --detections --type phishing
//! ```
//!
//! With no `NEON_API_TOKEN` it starts the embedded simulator (`--events N` sets its size)
//! and says so on stderr; with one it exports that tenant (`NEON_API_URL` optional). The
//! walk pages with prefetch (`--prefetch`, `--page-size`), oldest first by default: records
//! the tenant adds during an export land at the tail of an ascending list, so the offsets of
//! the records already there never shift and prefetched pages stay aligned (a newest-first
//! walk with prefetch > 1 is only safe on a list that does not change; see
//! `neon_api_ext::paging`). A record updated mid-export may come out again at the tail.
//! An error is one line on stderr and a non-zero exit (1 failed request, 2 bad argument);
//! what was written before it stays written.

#[path = "../triage/backend.rs"]
mod backend;
mod progress;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use futures::TryStreamExt;
use neon_api_ext::paging::{ListRecord, ListRequest, Sort};
use neon_api_ext::types::{DetectionTypeFilter, EventTypeFilter};
use neon_api_ext::NeonClient;
use neon_sim::Simulator;
use serde::Serialize;

use backend::{output_error, Backend};
use progress::Progress;

/// The event types `--type` accepts (without `--detections`), as the API spells them.
const EVENT_TYPES: [&str; 8] = [
    "download",
    "geo",
    "platform",
    "navigation",
    "app",
    "auth",
    "upload",
    "extension",
];
/// The detection types `--type` accepts with `--detections`.
const DETECTION_TYPES: [&str; 5] = ["intel", "download", "malware", "form", "phishing"];

/// Every Neon event (or detection) of the chosen types as NDJSON on stdout.
///
/// With no NEON_API_TOKEN, exports from an embedded simulator with generated data.
#[derive(Debug, Parser)]
#[command(name = "export", after_help = backend::ENVIRONMENT_HELP)]
struct Args {
    /// Export detections instead of events.
    #[arg(long)]
    detections: bool,

    /// Only this type (repeatable). Events: download, geo, platform, navigation, app, auth,
    /// upload, extension. Detections: intel, download, malware, form, phishing.
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,

    /// Number of events of the embedded simulator (ignored with NEON_API_TOKEN); it gets
    /// one detection per ten events, at least 200.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    events: u64,

    /// Records asked for per request (a server may clamp it).
    #[arg(long, value_name = "N", default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    page_size: u32,

    /// Page requests kept in flight.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    prefetch: u64,

    /// Oldest first (`asc`, the default here: safe with prefetch while the tenant adds
    /// records) or newest first (`desc`, the API's default).
    #[arg(long, value_parser = parse_sort, default_value = "asc")]
    sort: Sort,
}

fn parse_sort(value: &str) -> Result<Sort, String> {
    match value {
        "asc" => Ok(Sort::Asc),
        "desc" => Ok(Sort::Desc),
        _ => Err("expected `asc` or `desc`".into()),
    }
}

/// The chosen list with its typed filter, or the usage error naming the valid types.
enum Selection {
    Events(Vec<EventTypeFilter>),
    Detections(Vec<DetectionTypeFilter>),
}

fn select(args: &Args) -> Result<Selection, String> {
    fn parse_all<T: std::str::FromStr>(
        values: &[String],
        kind: &str,
        valid: &[&str],
    ) -> Result<Vec<T>, String> {
        values
            .iter()
            .map(|v| {
                v.parse().map_err(|_| {
                    format!(
                        "unknown {kind} type `{v}`; valid types: {}",
                        valid.join(", ")
                    )
                })
            })
            .collect()
    }
    if args.detections {
        parse_all(&args.types, "detection", &DETECTION_TYPES).map(Selection::Detections)
    } else {
        parse_all(&args.types, "event", &EVENT_TYPES).map(Selection::Events)
    }
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            return usage(first.strip_prefix("error: ").unwrap_or(first));
        }
    };
    let selection = match select(&args) {
        Ok(s) => s,
        Err(message) => return usage(&message),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("starting the async runtime: {e}")),
    };
    match runtime.block_on(run(args, selection)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("export: error: {message} (see --help)");
    ExitCode::from(2)
}

fn fail(message: &str) -> ExitCode {
    eprintln!("export: error: {}", message.replace('\n', " "));
    ExitCode::FAILURE
}

async fn run(args: Args, selection: Selection) -> Result<(), String> {
    let mut stderr = io::stderr();
    let sim = Simulator::builder()
        .events(args.events)
        .detections((args.events / 10).max(200));
    let backend = Backend::connect("export", sim, &mut stderr).await?;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let progress = Progress::new(io::stderr(), io::stderr().is_terminal());
    let result = export(&backend.client, &args, selection, &mut out, progress).await;
    backend.shutdown().await;
    result
}

/// The whole job against one client: walk the list, one JSON line per record to `out`.
async fn export<W: Write, E: Write>(
    client: &NeonClient,
    args: &Args,
    selection: Selection,
    out: &mut W,
    progress: Progress<E>,
) -> Result<(), String> {
    match selection {
        Selection::Events(types) => {
            let mut list = client.events();
            if !types.is_empty() {
                list = list.types(types);
            }
            walk(list, args, out, progress).await
        }
        Selection::Detections(types) => {
            let mut list = client.detections();
            if !types.is_empty() {
                list = list.types(types);
            }
            walk(list, args, out, progress).await
        }
    }
}

async fn walk<R, W, E>(
    list: ListRequest<R>,
    args: &Args,
    out: &mut W,
    mut progress: Progress<E>,
) -> Result<(), String>
where
    R: ListRecord + Serialize + Send + 'static,
    W: Write,
    E: Write,
{
    let list = list
        .page_size(args.page_size)
        .prefetch(usize::try_from(args.prefetch).unwrap_or(1))
        .sort(args.sort);
    let mut pages = Box::pin(list.pages());
    loop {
        let page = match pages.try_next().await {
            Ok(Some(page)) => page,
            Ok(None) => break,
            Err(e) => {
                // What was written stays written; say how far the export got.
                let _ = out.flush();
                progress.finish(" (stopped by the error below)");
                return Err(backend::describe(&e));
            }
        };
        let mut written = Ok(());
        for record in &page.records {
            written = serde_json::to_writer(&mut *out, record)
                .map_err(io::Error::from)
                .and_then(|()| out.write_all(b"\n"));
            if written.is_err() {
                break;
            }
        }
        if let Err(e) = written {
            progress.finish(" (output closed)");
            return output_error(e).map_or(Ok(()), Err);
        }
        progress.page(page.records.len());
    }
    if let Err(e) = out.flush() {
        progress.finish(" (output closed)");
        return output_error(e).map_or(Ok(()), Err);
    }
    progress.finish(", done");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use neon_sim::{Filter, Resource, SortOrder};
    use serde_json::Value;
    use std::time::Duration;

    fn args(argv: &[&str]) -> Result<Args, String> {
        Args::try_parse_from(std::iter::once("export").chain(argv.iter().copied()))
            .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())
    }

    #[test]
    fn types_are_checked_against_the_chosen_list() {
        let a = args(&["--type", "auth", "--type", "geo"]).expect("valid");
        assert!(matches!(
            select(&a),
            Ok(Selection::Events(t)) if t == [EventTypeFilter::Auth, EventTypeFilter::Geo]
        ));
        let a = args(&["--detections", "--type", "auth"]).expect("parses");
        assert_eq!(
            select(&a).err(),
            Some(
                "unknown detection type `auth`; valid types: intel, download, malware, form, phishing"
                    .to_string()
            )
        );
        for t in EVENT_TYPES {
            assert_eq!(
                t.parse::<EventTypeFilter>()
                    .map(|f| f.to_string())
                    .ok()
                    .as_deref(),
                Some(t)
            );
        }
        for t in DETECTION_TYPES {
            assert_eq!(
                t.parse::<DetectionTypeFilter>()
                    .map(|f| f.to_string())
                    .ok()
                    .as_deref(),
                Some(t)
            );
        }
    }

    #[test]
    fn sort_and_sizes_are_validated() {
        assert_eq!(
            args(&["--sort", "up"]).map(|_| ()),
            Err("error: invalid value 'up' for '--sort <SORT>': expected `asc` or `desc`".into())
        );
        assert!(args(&["--prefetch", "0"]).is_err());
        assert!(args(&["--page-size", "0"]).is_err());
    }

    async fn export_from(
        sim: &Simulator,
        argv: &[&str],
    ) -> (Result<(), String>, Vec<Value>, String) {
        let a = args(argv).expect("valid arguments");
        let selection = select(&a).expect("valid types");
        let client = NeonClient::builder()
            .base_url(sim.url())
            .token(sim.token())
            .build()
            .expect("a loopback client");
        let mut out = Vec::new();
        let mut err = Vec::new();
        let result = tokio::time::timeout(
            Duration::from_secs(30),
            export(
                &client,
                &a,
                selection,
                &mut out,
                Progress::new(&mut err, false),
            ),
        )
        .await
        .expect("the export finishes within 30 s");
        let lines = String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
            .collect();
        (result, lines, String::from_utf8(err).expect("utf-8"))
    }

    fn ids(lines: &[Value]) -> Vec<String> {
        lines
            .iter()
            .map(|v| v["id"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    #[tokio::test]
    async fn every_event_of_the_chosen_types_once_oldest_first() {
        let sim = Simulator::builder()
            .seed(5)
            .events(2_345)
            .start()
            .await
            .expect("simulator");
        let (result, lines, err) = export_from(
            &sim,
            &[
                "--type",
                "auth",
                "--type",
                "navigation",
                "--page-size",
                "100",
            ],
        )
        .await;
        assert_eq!(result, Ok(()));
        let want: Vec<String> = sim
            .ids(
                Resource::Events,
                SortOrder::Asc,
                &Filter::Types(vec!["auth".into(), "navigation".into()]),
            )
            .iter()
            .map(|id| id.to_string())
            .collect();
        assert!(!want.is_empty());
        assert_eq!(ids(&lines), want);
        assert!(
            err.starts_with(&format!(
                "export: {} records, ",
                progress::thousands(want.len() as u64)
            )) && err.ends_with(" records/s, done\n"),
            "{err}"
        );
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn detections_ascending_with_prefetch() {
        let sim = Simulator::builder()
            .seed(6)
            .detections(333)
            .start()
            .await
            .expect("simulator");
        let (result, lines, _) = export_from(
            &sim,
            &[
                "--detections",
                "--sort",
                "asc",
                "--page-size",
                "50",
                "--prefetch",
                "3",
            ],
        )
        .await;
        assert_eq!(result, Ok(()));
        let want: Vec<String> = sim
            .ids(Resource::Detections, SortOrder::Asc, &Filter::default())
            .iter()
            .map(|id| id.to_string())
            .collect();
        assert_eq!(want.len(), 333);
        assert_eq!(ids(&lines), want);
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn a_refused_token_is_an_error_after_nothing_written() {
        let sim = Simulator::builder().start().await.expect("simulator");
        let a = args(&[]).expect("valid");
        let client = NeonClient::builder()
            .base_url(sim.url())
            .token("wrong")
            .build()
            .expect("a loopback client");
        let mut out = Vec::new();
        let mut err = Vec::new();
        let result = export(
            &client,
            &a,
            Selection::Events(vec![]),
            &mut out,
            Progress::new(&mut err, false),
        )
        .await;
        let message = result.expect_err("401 is an error");
        assert!(message.starts_with("unauthorized (HTTP 401)"), "{message}");
        assert!(out.is_empty());
        assert!(String::from_utf8(err)
            .expect("utf-8")
            .starts_with("export: 0 records, 0 pages, "),);
        sim.shutdown().await;
    }
}
