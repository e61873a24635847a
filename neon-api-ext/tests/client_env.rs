//! `NeonClient::from_env` against the real process environment. One test in its own
//! binary, because it changes environment variables that other tests would race on.

use neon_api_ext::{Error, NeonClient, ENV_TOKEN, ENV_URL};

#[test]
fn from_env_needs_the_token_and_reads_the_optional_url() {
    std::env::remove_var(ENV_TOKEN);
    std::env::remove_var(ENV_URL);
    let err = NeonClient::from_env().unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid client configuration: no API token: set NEON_API_TOKEN or call \
         NeonClientBuilder::token"
    );

    std::env::set_var(ENV_TOKEN, "env-token-value\n");
    let client = NeonClient::from_env().unwrap();
    assert_eq!(client.base_url().as_str(), "https://api.neoncyber.io/");
    assert!(!format!("{client:?}").contains("env-token-value"));

    std::env::set_var(ENV_URL, "http://127.0.0.1:9");
    let client = NeonClient::from_env().unwrap();
    assert_eq!(client.base_url().as_str(), "http://127.0.0.1:9/");

    std::env::set_var(ENV_URL, "http://neon.example.com");
    let err = NeonClient::from_env().unwrap_err();
    assert!(
        err.to_string()
            .contains("plain http:// to neon.example.com is refused"),
        "{err}"
    );
    std::env::remove_var(ENV_TOKEN);
    std::env::remove_var(ENV_URL);
}
