//! Word tables the generators draw from. Values follow the shapes in
//! `observed-fields.md` and the fixtures in `tests/fixtures/`.

/// Where a client's browsers are: the geo-IP fields of their events.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place {
    pub(crate) city: &'static str,
    pub(crate) country: &'static str,
    pub(crate) postal_code: &'static str,
    pub(crate) region_code: &'static str,
    pub(crate) region_name: &'static str,
    pub(crate) latitude: f64,
    pub(crate) longitude: f64,
    pub(crate) asn: u32,
    pub(crate) asn_isp: &'static str,
}

macro_rules! places {
    ($(($city:expr, $country:expr, $postal:expr, $rc:expr, $rn:expr, $lat:expr, $lon:expr, $asn:expr, $isp:expr)),* $(,)?) => {
        &[$(Place {
            city: $city, country: $country, postal_code: $postal, region_code: $rc,
            region_name: $rn, latitude: $lat, longitude: $lon, asn: $asn, asn_isp: $isp,
        }),*]
    };
}

pub(crate) const PLACES: &[Place] = places![
    (
        "Portland",
        "US",
        "97214",
        "OR",
        "Oregon",
        45.5152,
        -122.6784,
        64500,
        "EXAMPLE-NET"
    ),
    (
        "Austin",
        "US",
        "78701",
        "TX",
        "Texas",
        30.2672,
        -97.7431,
        64501,
        "LONESTAR-FIBER"
    ),
    (
        "New York",
        "US",
        "10001",
        "NY",
        "New York",
        40.7128,
        -74.006,
        64502,
        "METRO-TRANSIT-NET"
    ),
    (
        "London",
        "GB",
        "EC1A",
        "ENG",
        "England",
        51.5074,
        -0.1278,
        64503,
        "THAMES-BROADBAND"
    ),
    (
        "Berlin",
        "DE",
        "10115",
        "BE",
        "Berlin",
        52.52,
        13.405,
        64504,
        "SPREE-NETZ"
    ),
    (
        "Toronto",
        "CA",
        "M5H",
        "ON",
        "Ontario",
        43.6532,
        -79.3832,
        64505,
        "MAPLE-LINK"
    ),
    (
        "Sydney",
        "AU",
        "2000",
        "NSW",
        "New South Wales",
        -33.8688,
        151.2093,
        64506,
        "HARBOUR-NET"
    ),
    (
        "Bangalore",
        "IN",
        "560001",
        "KA",
        "Karnataka",
        12.9716,
        77.5946,
        64507,
        "GARDEN-CITY-ISP"
    ),
];

/// (display, name, os, arch, ua template with {v}, version)
pub(crate) const BROWSERS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("Chrome", "chrome", "win", "x86-64", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v} Safari/537.36", "141.0.0.0"),
    ("Chrome", "chrome", "mac", "arm64", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v} Safari/537.36", "140.0.0.0"),
    ("Edge", "edge", "win", "x86-64", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 Edg/{v}", "141.0.3537.57"),
    ("Chrome", "chrome", "linux", "x86-64", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v} Safari/537.36", "139.0.0.0"),
    ("Brave", "brave", "mac", "arm64", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v} Safari/537.36", "141.1.83.112"),
];

pub(crate) const AGENTS: &[&str] = &["1.2.25", "1.2.24", "1.3.0", "1.2.19"];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "jordan", "alex", "sam", "taylor", "morgan", "casey", "riley", "avery", "quinn", "jamie",
    "drew", "robin",
];
pub(crate) const LAST_NAMES: &[&str] = &[
    "lee", "smith", "garcia", "chen", "patel", "nguyen", "kowalski", "okafor", "silva", "murphy",
];

pub(crate) const DEPARTMENTS: &[&str] = &[
    "Organization",
    "Engineering",
    "HR",
    "Sales",
    "Finance",
    "Support",
    "Marketing",
    "Legal",
    "Operations",
    "Research",
];

/// (company name, primary domain)
pub(crate) const COMPANIES: &[(&str, &str)] = &[
    ("Adobe", "adobe.com"),
    ("Atlassian", "atlassian.net"),
    ("Box", "box.com"),
    ("Dropbox", "dropbox.com"),
    ("Figma", "figma.com"),
    ("GitHub", "github.com"),
    ("Google Workspace", "google.com"),
    ("HubSpot", "hubspot.com"),
    ("Microsoft 365", "office.com"),
    ("Notion", "notion.so"),
    ("Okta", "okta.com"),
    ("Qualtrics", "qualtrics.com"),
    ("Salesforce", "salesforce.com"),
    ("ServiceNow", "service-now.com"),
    ("Slack", "slack.com"),
    ("Snowflake", "snowflakecomputing.com"),
    ("Workday", "workday.com"),
    ("Zoom", "zoom.us"),
    ("Zendesk", "zendesk.com"),
    ("Asana", "asana.com"),
];

pub(crate) const SITES: &[&str] = &[
    "https://portal.example.com",
    "https://mail.example.com/inbox",
    "https://files.example.org",
    "https://wiki.example.com/home",
    "https://news.example.net/today",
    "https://shop.example.org/cart",
    "https://docs.example.com/guide",
    "https://search.example.com/?q=report",
];

pub(crate) const BAD_SITES: &[&str] = &[
    "https://login.example-bank.test",
    "https://cdn.example-malicious.test/payload",
    "https://secure-update.example-phish.test/verify",
    "https://files.example-share.test/share",
];

/// (file name, mime)
pub(crate) const FILES: &[(&str, &str)] = &[
    (
        "q3_budget.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("onboarding.pdf", "application/pdf"),
    ("invoice_0931.zip", "application/zip"),
    ("setup.exe", "application/x-msdownload"),
    ("notes.txt", "text/plain"),
    ("diagram.png", "image/png"),
];

pub(crate) const DANGER: &[&str] = &[
    "SAFE",
    "SAFE",
    "SAFE",
    "DANGEROUS",
    "UNCOMMON",
    "DANGEROUS_HOST",
];

/// (ext_name, description, install type)
pub(crate) const EXTENSIONS: &[(&str, &str, &str)] = &[
    ("Neon Cyber", "Neon Cyber browser agent", "admin"),
    ("Password Vault", "Stores and fills passwords", "normal"),
    ("Grammar Helper", "Checks your writing", "normal"),
    ("Dark Reader", "Dark mode for every website", "normal"),
    ("Tab Saver", "Saves your open tabs", "development"),
];

pub(crate) const PERMISSIONS: &[&str] = &[
    "tabs",
    "storage",
    "cookies",
    "webRequest",
    "scripting",
    "identity",
];
