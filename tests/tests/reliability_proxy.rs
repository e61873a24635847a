//! Proxy variables from the environment, with and without `NO_PROXY` for loopback.
//!
//! Every proxy here is a loopback listener this test owns (`HTTP_PROXY` and `HTTPS_PROXY`
//! always point at 127.0.0.1), so nothing leaves the machine. The environment is
//! process-wide, so this file holds one test that runs its cases in order, restoring the
//! variables after each.

mod reliability_support;

use std::time::Duration;

use neon_api_ext::{Error, NeonClient};
use reliability_support::{
    json_200, quick_retries, raw_server, response, Action, RawServer, TOKEN,
};

const PROXY_VARS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The environment is shared by the tests of this file: each holds this while it runs.
static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Sets exactly `vars` among the proxy variables (the others unset).
fn set_proxy_env(vars: &[(&str, &str)]) {
    for name in PROXY_VARS {
        std::env::remove_var(name);
    }
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
}

fn env_client(base: &str) -> NeonClient {
    NeonClient::builder()
        .base_url(base)
        .token(TOKEN)
        .request_timeout(Duration::from_secs(2))
        .retry_policy(quick_retries(2))
        .build()
        .unwrap()
}

async fn list(client: &NeonClient) -> Result<usize, Error> {
    use futures::TryStreamExt;
    // One request per call: the documented 1-based start, no start-base probe.
    let pages = client
        .events()
        .page_size(10)
        .start_base(neon_api_ext::StartBase::One)
        .pages();
    futures::pin_mut!(pages);
    Ok(pages.try_next().await?.map_or(0, |p| p.records.len()))
}

struct Servers {
    /// The API origin the client is configured with.
    target: RawServer,
    /// The loopback "proxy": answers absolute-form GETs with an empty page, refuses CONNECT.
    proxy: RawServer,
}

async fn servers() -> Servers {
    let page = json_200(br#"{"error":null,"data":[]}"#);
    let target = raw_server({
        let page = page.clone();
        move |_, _| Action::Respond(page.clone())
    })
    .await;
    let proxy = raw_server(move |request, _| {
        if request.request_line.starts_with("CONNECT ") {
            Action::RespondAndClose(response("403 Forbidden", &[], b""))
        } else {
            Action::Respond(page.clone())
        }
    })
    .await;
    Servers { target, proxy }
}

#[test]
fn proxy_variables_are_honoured_and_no_proxy_exempts_loopback() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // 1. NO_PROXY names loopback: straight to the target, the proxy sees nothing.
        for no_proxy in ["127.0.0.1", "127.0.0.1,localhost", "localhost, 127.0.0.0/8"] {
            let s = servers().await;
            set_proxy_env(&[("HTTP_PROXY", &s.proxy.url), ("NO_PROXY", no_proxy)]);
            assert_eq!(list(&env_client(&s.target.url)).await.unwrap(), 0);
            assert_eq!(s.proxy.requests(), vec![], "NO_PROXY={no_proxy}");
            assert_eq!(s.target.requests().len(), 1, "NO_PROXY={no_proxy}");
            // lower-case spelling too
            set_proxy_env(&[("http_proxy", &s.proxy.url), ("no_proxy", no_proxy)]);
            assert_eq!(list(&env_client(&s.target.url)).await.unwrap(), 0);
            assert_eq!(s.proxy.requests(), vec![], "no_proxy={no_proxy}");
        }

        // 2. The builder's `no_proxy()` ignores the environment entirely.
        let s = servers().await;
        set_proxy_env(&[("HTTP_PROXY", &s.proxy.url), ("ALL_PROXY", &s.proxy.url)]);
        let client = NeonClient::builder()
            .base_url(&s.target.url)
            .token(TOKEN)
            .no_proxy()
            .build()
            .unwrap();
        assert_eq!(list(&client).await.unwrap(), 0);
        assert_eq!(s.proxy.requests(), vec![]);
        assert_eq!(s.target.requests().len(), 1);

        // 3. NO_PROXY that does not name the host (`localhost` for 127.0.0.1) does not
        //    exempt it: matching is by the URL's host as written.
        let s = servers().await;
        set_proxy_env(&[("HTTP_PROXY", &s.proxy.url), ("NO_PROXY", "localhost")]);
        assert_eq!(list(&env_client(&s.target.url)).await.unwrap(), 0);
        assert_eq!(s.proxy.requests().len(), 1);
        assert_eq!(s.target.requests(), vec![]);

        // 4. HTTPS through an environment proxy: the proxy gets a CONNECT naming only host
        //    and port — never the token, which would travel inside the tunnel. (This proxy
        //    refuses the tunnel, so the call ends in a transport error after retries.)
        let s = servers().await;
        set_proxy_env(&[("HTTPS_PROXY", &s.proxy.url)]);
        let base = format!("https://127.0.0.1:{}", s.target.port);
        let err = list(&env_client(&base)).await.unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        let seen = s.proxy.requests();
        assert_eq!(seen.len(), 2, "one CONNECT per attempt");
        for request in &seen {
            assert_eq!(
                request.request_line,
                format!("CONNECT 127.0.0.1:{} HTTP/1.1", s.target.port)
            );
            assert_eq!(request.header("authorization"), None);
            assert!(!request.head.contains(TOKEN), "{}", request.head);
        }
        assert_eq!(s.target.requests(), vec![]);
        set_proxy_env(&[]);
    });
}

/// The crate lets plain `http://` go only to loopback "because the token would travel
/// unencrypted" otherwise — but an `HTTP_PROXY` in the environment (a corporate proxy on
/// another machine, say) then receives every request *with the token in clear*, because
/// proxies apply to loopback unless `NO_PROXY` names it. The right behaviour: a loopback
/// base URL goes direct (as Go's `net/http` does for loopback), unless the caller set a
/// proxy explicitly with `NeonClientBuilder::proxy`.
#[test]
#[ignore = "bug: an environment HTTP_PROXY receives plain-http loopback requests with the token (neon-api-ext config.rs should not apply env proxies to a loopback base URL)"]
fn an_environment_proxy_never_receives_the_token_of_a_loopback_request() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // With `NO_PROXY=*` too: hyper-util 0.1.21 matches `*` against host *names* only,
        // so an IP-literal base URL such as 127.0.0.1 is still proxied.
        for no_proxy in [None, Some("*")] {
            let s = servers().await;
            let mut vars = vec![("HTTP_PROXY", s.proxy.url.as_str())];
            vars.extend(no_proxy.map(|v| ("NO_PROXY", v)));
            set_proxy_env(&vars);
            let result = list(&env_client(&s.target.url)).await;
            set_proxy_env(&[]);
            assert_eq!(result.unwrap(), 0);
            assert_eq!(s.proxy.requests(), vec![], "NO_PROXY={no_proxy:?}: proxied");
            assert_eq!(s.target.requests().len(), 1);
        }
    });
}

/// What happens today (pinned so a change is noticed): the environment proxy gets the
/// request in absolute form, `Authorization` and all — also with `NO_PROXY=*`. Delete this
/// test when the ignored one above passes.
#[test]
fn today_an_environment_proxy_receives_plain_http_loopback_requests() {
    let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for no_proxy in [None, Some("*")] {
            let s = servers().await;
            let mut vars = vec![("HTTP_PROXY", s.proxy.url.as_str())];
            vars.extend(no_proxy.map(|v| ("NO_PROXY", v)));
            set_proxy_env(&vars);
            let result = list(&env_client(&s.target.url)).await;
            set_proxy_env(&[]);
            assert_eq!(result.unwrap(), 0);
            let seen = s.proxy.requests();
            assert_eq!(seen.len(), 1, "NO_PROXY={no_proxy:?}");
            assert_eq!(
                seen[0].request_line,
                format!(
                    "GET http://127.0.0.1:{}/v1/events?start=1&limit=10 HTTP/1.1",
                    s.target.port
                )
            );
            assert_eq!(seen[0].header("authorization"), Some(TOKEN));
            assert_eq!(s.target.requests(), vec![]);
        }
    });
}
