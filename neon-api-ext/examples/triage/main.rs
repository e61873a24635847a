//! `triage`: the latest Neon detections, each with who (client email), which browser
//! (registration), what (type, source, URL, time) and the pattern-of-life trail that led
//! there — as a table, or one JSON object per line for a SIEM.
//!
//! ```text
//! cargo run -p neon-api-ext --example triage
//! cargo run -p neon-api-ext --example triage -- --type phishing --type intel --limit 5
//! cargo run -p neon-api-ext --example triage -- --since 24h --json
//! ```
//!
//! With no `NEON_API_TOKEN` it starts the embedded simulator (and says so on stderr); with
//! one it queries that tenant (`NEON_API_URL` optional). An error is one line on stderr and
//! a non-zero exit: 1 when a request fails, 2 for a bad argument.

mod backend;
mod fetch;
mod json;
mod since;
mod table;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Parser;
use neon_api_ext::types::DetectionTypeFilter;
use neon_api_ext::NeonClient;
use neon_sim::Simulator;

use backend::{output_error, Backend};
use fetch::Query;

/// The detection types `--type` accepts, as the API spells them.
const DETECTION_TYPES: [&str; 5] = ["intel", "download", "malware", "form", "phishing"];

/// The latest Neon detections: who, which browser, what, and the pattern-of-life trail.
///
/// With no NEON_API_TOKEN, runs against an embedded simulator with generated data.
#[derive(Debug, Parser)]
#[command(name = "triage", after_help = backend::ENVIRONMENT_HELP)]
struct Args {
    /// Only detections of this type (repeatable): intel, download, malware, form, phishing.
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_type)]
    types: Vec<DetectionTypeFilter>,

    /// Only detections updated at or after this time: RFC 3339 (2025-06-01T00:00:00Z) or a
    /// duration back from now (24h, 90m, 7d, 1h30m).
    #[arg(long, value_name = "WHEN", value_parser = since::parse_since)]
    since: Option<DateTime<Utc>>,

    /// How many detections, newest first.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    limit: u32,

    /// Trail entries shown from each end of a trail; 0 shows every entry received.
    #[arg(long, value_name = "N", default_value_t = 5)]
    trail: usize,

    /// Print one JSON object per detection per line (for a SIEM) instead of the table.
    #[arg(long)]
    json: bool,
}

fn parse_type(value: &str) -> Result<DetectionTypeFilter, String> {
    value.parse().map_err(|_| {
        format!(
            "unknown detection type `{value}`; valid types: {}",
            DETECTION_TYPES.join(", ")
        )
    })
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => return usage_error(e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("starting the async runtime: {e}")),
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

/// clap's help and version go to stdout as usual; a bad argument is one line and exit 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    eprintln!("triage: error: {first} (see --help)");
    ExitCode::from(2)
}

/// Prints one line (an error's text never spans lines here) and exits 1.
fn fail(message: &str) -> ExitCode {
    eprintln!("triage: error: {}", message.replace('\n', " "));
    ExitCode::FAILURE
}

async fn run(args: Args) -> Result<(), String> {
    let mut stderr = io::stderr();
    let backend = Backend::connect("triage", Simulator::builder(), &mut stderr).await?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = triage(&backend.client, &args, &mut out, &mut stderr).await;
    backend.shutdown().await;
    result
}

/// The whole job against one client: fetch, then render to `out`; a summary to `notice`.
async fn triage(
    client: &NeonClient,
    args: &Args,
    out: &mut dyn Write,
    notice: &mut dyn Write,
) -> Result<(), String> {
    let query = Query {
        types: args.types.clone(),
        since: args.since,
        limit: args.limit,
    };
    let started = Instant::now();
    let rows = fetch::latest(client, &query)
        .await
        .map_err(|e| backend::describe(&e))?;
    let written = if args.json {
        json::render(&rows, out)
    } else {
        table::render(&rows, args.trail, out)
    }
    .and_then(|()| out.flush());
    if let Err(e) = written {
        return output_error(e).map_or(Ok(()), Err);
    }
    let _ = writeln!(
        notice,
        "triage: {} detection{}{}{} from {} in {:.1} s",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if query.types.is_empty() {
            String::new()
        } else {
            let types: Vec<String> = query.types.iter().map(|t| t.to_string()).collect();
            format!(" of type {}", types.join(", "))
        },
        query
            .since
            .map(|s| format!(
                " updated since {}",
                s.to_rfc3339_opts(SecondsFormat::Secs, true)
            ))
            .unwrap_or_default(),
        client.base_url(),
        started.elapsed().as_secs_f64(),
    );
    if rows.is_empty() && query.since.is_some() {
        // An empty answer to `--since 24h` is puzzling on old data (the embedded simulator's
        // is from 2025): say how recent the newest detection is. Best effort.
        if let Ok(Some(newest)) = fetch::newest_update(client).await {
            let _ = writeln!(
                notice,
                "triage: the newest detection was updated at {}",
                newest.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use neon_sim::{Filter, Resource, SortOrder};
    use serde_json::Value;
    use std::time::Duration;

    fn args(argv: &[&str]) -> Result<Args, String> {
        Args::try_parse_from(std::iter::once("triage").chain(argv.iter().copied()))
            .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())
    }

    #[test]
    fn defaults_are_twenty_detections_of_every_type_as_a_table() {
        let a = args(&[]).expect("no arguments is valid");
        assert_eq!(a.limit, 20);
        assert!(a.types.is_empty());
        assert_eq!(a.since, None);
        assert_eq!(a.trail, 5);
        assert!(!a.json);
    }

    #[test]
    fn type_is_repeatable_and_typed() {
        let a = args(&["--type", "phishing", "--type", "intel"]).expect("valid types");
        assert_eq!(
            a.types,
            [DetectionTypeFilter::Phishing, DetectionTypeFilter::Intel]
        );
        for t in DETECTION_TYPES {
            assert_eq!(parse_type(t).map(|f| f.to_string()).as_deref(), Ok(t));
        }
    }

    #[test]
    fn a_bad_type_names_the_valid_ones() {
        assert_eq!(
            args(&["--type", "phish"]).map(|_| ()),
            Err(
                "error: invalid value 'phish' for '--type <TYPE>': unknown detection type \
                 `phish`; valid types: intel, download, malware, form, phishing"
                    .to_string()
            )
        );
    }

    #[test]
    fn limit_must_be_positive() {
        assert!(args(&["--limit", "0"]).is_err());
        assert_eq!(args(&["--limit", "3"]).map(|a| a.limit), Ok(3));
    }

    fn uuid_of(v: &Value) -> uuid::Uuid {
        v.as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not a uuid: {v}"))
    }

    async fn simulator() -> Simulator {
        Simulator::builder()
            .seed(3)
            .detections(60)
            .start()
            .await
            .expect("the simulator starts on a free port")
    }

    fn client(sim: &Simulator) -> NeonClient {
        NeonClient::builder()
            .base_url(sim.url())
            .token(sim.token())
            .build()
            .expect("a loopback client")
    }

    async fn run_on(sim: &Simulator, argv: &[&str]) -> (Result<(), String>, String, String) {
        let a = args(argv).expect("valid arguments");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = tokio::time::timeout(
            Duration::from_secs(30),
            triage(&client(sim), &a, &mut out, &mut err),
        )
        .await
        .expect("triage finishes within 30 s");
        let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8 output");
        (result, text(out), text(err))
    }

    #[tokio::test]
    async fn json_lines_are_the_newest_detections_with_their_joins() {
        let sim = simulator().await;
        let (result, out, err) = run_on(&sim, &["--json", "--limit", "7"]).await;
        assert_eq!(result, Ok(()));
        let expected = sim.ids(Resource::Detections, SortOrder::Desc, &Filter::default());
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
            .collect();
        let ids: Vec<String> = lines
            .iter()
            .map(|v| v["id"].as_str().unwrap_or_default().to_string())
            .collect();
        let want: Vec<String> = expected.iter().take(7).map(|id| id.to_string()).collect();
        assert_eq!(ids, want);
        let all_pol = sim.records(Resource::DetectionsPol, SortOrder::Asc, &Filter::default());
        for v in &lines {
            let detection = sim
                .record(Resource::Detections, uuid_of(&v["id"]))
                .expect("the detection exists");
            // who: the email of the detection's client, as the simulator holds it
            let client = sim
                .record(Resource::Clients, uuid_of(&detection["client_id"]))
                .expect("the client exists");
            assert_eq!(v["who"], client["email"]);
            // which browser: the registration's display name, version and os
            let registration = sim
                .record(
                    Resource::Registrations,
                    uuid_of(&detection["registration_id"]),
                )
                .expect("the registration exists");
            let browser = format!(
                "{} {} ({})",
                registration["display"].as_str().unwrap_or_default(),
                registration["version"].as_str().unwrap_or_default(),
                registration["os"].as_str().unwrap_or_default()
            );
            assert_eq!(v["browser"], serde_json::json!(browser));
            // the trail: exactly the simulator's entries for this detection, by position
            let mut want: Vec<i64> = all_pol
                .iter()
                .filter(|e| e["detection_id"] == v["id"])
                .filter_map(|e| e["position"].as_i64())
                .collect();
            want.sort_unstable();
            let got: Vec<i64> = v["pol"]
                .as_array()
                .expect("pol is an array")
                .iter()
                .filter_map(|e| e["position"].as_i64())
                .collect();
            assert_eq!(got, want);
            assert_eq!(v["pol_entries"], serde_json::json!(want.len()));
        }
        assert!(
            err.starts_with("triage: 7 detections from http://127.0.0.1:"),
            "{err}"
        );
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn the_type_filter_goes_on_the_wire_as_repeated_keys() {
        let sim = simulator().await;
        let (result, out, _) =
            run_on(&sim, &["--json", "--type", "phishing", "--type", "intel"]).await;
        assert_eq!(result, Ok(()));
        let want: Vec<String> = sim
            .ids(
                Resource::Detections,
                SortOrder::Desc,
                &Filter::Types(vec!["phishing".into(), "intel".into()]),
            )
            .iter()
            .take(20)
            .map(|id| id.to_string())
            .collect();
        let got: Vec<String> = out
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("a JSON object");
                assert!(v["type"] == "phishing" || v["type"] == "intel", "{v}");
                v["id"].as_str().unwrap_or_default().to_string()
            })
            .collect();
        assert_eq!(got, want);
        let listed = sim
            .request_log()
            .into_iter()
            .find(|r| r.path == "/v1/detections")
            .expect("the detections list was requested");
        let query = listed.query.unwrap_or_default();
        assert!(query.contains("type=phishing&type=intel"), "{query}");
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn since_in_the_future_prints_an_empty_table_not_an_error() {
        let sim = simulator().await;
        let (result, out, err) = run_on(&sim, &["--since", "2999-01-01T00:00:00Z"]).await;
        assert_eq!(result, Ok(()));
        assert_eq!(
            out, "TIME (UTC)  TYPE  SOURCE  WHO  BROWSER  URL\n",
            "header only"
        );
        let newest = sim
            .records(Resource::Detections, SortOrder::Desc, &Filter::default())
            .first()
            .and_then(|d| d["updated_at"].as_str())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                t.with_timezone(&Utc)
                    .to_rfc3339_opts(SecondsFormat::Secs, true)
            })
            .expect("the simulator has detections");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{err}");
        assert!(
            lines[0].starts_with("triage: 0 detections updated since 2999-01-01T00:00:00Z"),
            "{err}"
        );
        assert_eq!(
            lines[1],
            format!("triage: the newest detection was updated at {newest}")
        );
        sim.shutdown().await;
    }

    #[tokio::test]
    async fn a_refused_token_is_one_line_naming_401() {
        let sim = simulator().await;
        let client = NeonClient::builder()
            .base_url(sim.url())
            .token("not-the-token")
            .build()
            .expect("a loopback client");
        let a = args(&[]).expect("valid");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = triage(&client, &a, &mut out, &mut err).await;
        let message = result.expect_err("401 is an error");
        assert!(message.starts_with("unauthorized (HTTP 401)"), "{message}");
        assert!(!message.contains('\n'));
        assert!(out.is_empty());
        sim.shutdown().await;
    }
}
