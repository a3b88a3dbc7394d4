//! The service's pages as a browser meets them: a page about one image, tags newest first, binary
//! units, HTML error pages for browsers and JSON for API clients, `Vary: Accept`, the login form's
//! whole flow (a refused login shows the form again, a login returns to the page asked for, the
//! cookie is `Secure` behind a trusted HTTPS proxy) and a port already taken. A real registry and,
//! for the login, a real LDAP server.

use serde_json::Value;

use crate::common::ldap::{BASE, TestLdap};
use crate::common::service::Service;
use crate::common::{Sandbox, TestRegistry, stderr};

const HTML: &str = "text/html,application/xhtml+xml";

/// A form post, as a browser sends it.
fn post_form(
    request: reqwest::blocking::RequestBuilder,
    fields: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    request
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .unwrap()
}

fn json(response: reqwest::blocking::Response) -> Value {
    serde_json::from_str(&response.text().unwrap()).unwrap()
}

fn vary_accept(response: &reqwest::blocking::Response) -> bool {
    response.headers().get_all("vary").iter().any(|v| {
        v.to_str()
            .unwrap_or("")
            .to_ascii_lowercase()
            .contains("accept")
    })
}

#[test]
fn pages_show_an_image_errors_as_pages_and_say_they_vary_by_accept() {
    let registry = TestRegistry::with_sample();
    let sandbox = Sandbox::new();
    let service = Service::start(&sandbox, &registry.url(), &["--no-auth"]);
    let tags = json(
        service
            .get("/images/app/tags/1.2?newer=true")
            .send()
            .unwrap(),
    );
    let digest = tags["digest"].as_str().unwrap().to_owned();

    // A page about one image: its full digest, binary sizes, the newer version as a link, no raw
    // JSON or nanoseconds.
    let response = service
        .get("/images/app/tags/1.2")
        .header("accept", HTML)
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(vary_accept(&response));
    let page = response.text().unwrap();
    assert!(page.contains(&digest), "{page}");
    let size = tags["size"].as_u64().unwrap();
    assert!(
        size < 1024 && page.contains(&format!("<dd>{size} B</dd>")),
        "{page}"
    );
    assert!(
        page.contains("A newer version exists: <a href=\"/images/app/tags/1.10\">app:1.10</a>"),
        "{page}"
    );
    assert!(
        !page.contains("{\"") && !page.contains("\"status\""),
        "{page}"
    );
    assert!(
        !regex::Regex::new(r"\d\d:\d\d:\d\d\.\d")
            .unwrap()
            .is_match(&page),
        "{page}"
    );
    // An index lists its platforms' manifests.
    let multi = service
        .get("/images/multi/tags/1.0")
        .header("accept", HTML)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        multi.contains("<h2>Platforms</h2>") && multi.contains("linux/arm64"),
        "{multi}"
    );
    // Sizes in the CLI's binary units.
    let all = service
        .get("/images")
        .header("accept", HTML)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(all.contains(" KiB<") && !all.contains(" kB<"), "{all}");
    // An image's tags, newest version first.
    let image = service
        .get("/images/app")
        .header("accept", HTML)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let at = |tag: &str| {
        image
            .find(&format!(">{tag}</a>"))
            .unwrap_or_else(|| panic!("{tag}: {image}"))
    };
    assert!(at("1.10") < at("1.9") && at("1.9") < at("1.2"), "{image}");

    // A browser's 404 is a page; an API client's is JSON; both vary by Accept.
    let missing = service
        .get("/images/nothing-here")
        .header("accept", HTML)
        .send()
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(vary_accept(&missing));
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = missing.text().unwrap();
    assert!(
        page.contains("404 Not Found") && page.contains("no such image in the registry"),
        "{page}"
    );
    let missing = service.get("/images/nothing-here").send().unwrap();
    assert!(vary_accept(&missing));
    let body = json(missing);
    assert_eq!(body["error"]["status"], 404);
    let json = service.get("/images/app").send().unwrap();
    assert!(vary_accept(&json));

    // A port already taken is a one-line usage error with a hint.
    let port = service.base.rsplit(':').next().unwrap().to_owned();
    let taken = sandbox
        .run(
            &registry.url(),
            &[
                "serve",
                "--no-auth",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ],
        )
        .code(2);
    let err = stderr(&taken);
    assert!(
        err.starts_with(&format!(
            "regsweep: error: cannot listen on 127.0.0.1:{port}: the address is already in use\nhint: "
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    service.stop();
}

/// `token_secret_file`, the LDAP server's user DN template, and a trusted proxy on loopback.
fn login_config(sandbox: &Sandbox, ldap: &TestLdap) -> String {
    let dir = sandbox.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("secret"),
        "0123456789abcdef0123456789abcdef-pages\n",
    )
    .unwrap();
    let config = dir.join("pages.toml");
    std::fs::write(
        &config,
        format!(
            "token_secret_file = \"{}\"\ntrusted_proxies = [\"127.0.0.1\"]\n[ldap]\nurl = \"{}\"\n\
             user_dn = \"uid={{user}},ou=people,{BASE}\"\n",
            dir.join("secret").display(),
            ldap.url()
        ),
    )
    .unwrap();
    config.to_str().unwrap().to_owned()
}

#[test]
fn the_login_form_shows_refusals_on_itself_and_returns_to_the_page_asked_for() {
    let registry = TestRegistry::with_sample();
    let ldap = TestLdap::start();
    let sandbox = Sandbox::new();
    let config = login_config(&sandbox, &ldap);
    let service = Service::start(&sandbox, &registry.url(), &["--config", &config]);

    // A browser without a token goes to the form, which remembers where it was going.
    let sent = service
        .get("/images/app?links=true")
        .header("accept", HTML)
        .send()
        .unwrap();
    assert_eq!(sent.status(), 303);
    let location = sent.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/login?next=%2Fimages%2Fapp%3Flinks%3Dtrue");
    let form = service.get(&location).send().unwrap().text().unwrap();
    assert!(
        form.contains("name=\"next\" value=\"/images/app?links=true\"") && form.contains("<style>"),
        "{form}"
    );

    // A wrong password: the form again, with why, and no challenge that would raise the
    // browser's own dialog.
    let refused = post_form(
        service.post("/login").header("accept", HTML),
        &[
            ("user", "alice"),
            ("password", "wrong"),
            ("next", "/images/app"),
        ],
    );
    assert_eq!(refused.status(), 401);
    assert!(!refused.headers().contains_key("www-authenticate"));
    assert!(refused.headers().get("set-cookie").is_none());
    let page = refused.text().unwrap();
    assert!(
        page.contains("wrong user name or password")
            && page.contains("<form")
            && page.contains("value=\"alice\""),
        "{page}"
    );

    // The right one: back to the page asked for, with a cookie that works there.
    let logged_in = post_form(
        service.post("/login"),
        &[
            ("user", "alice"),
            ("password", "alice-pw"),
            ("next", "/images/app"),
        ],
    );
    assert_eq!(logged_in.status(), 303);
    assert_eq!(logged_in.headers()["location"], "/images/app");
    let cookie = logged_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let page = service
        .get("/images/app")
        .header("accept", HTML)
        .header("cookie", &pair)
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);

    // Behind a trusted proxy that ended TLS the cookie is Secure; a `next` off this service is
    // never followed.
    let behind_https = post_form(
        service.post("/login").header("x-forwarded-proto", "https"),
        &[
            ("user", "alice"),
            ("password", "alice-pw"),
            ("next", "//elsewhere.example/images"),
        ],
    );
    assert_eq!(behind_https.headers()["location"], "/images");
    let cookie = behind_https.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    service.stop();
}
