//! Integration-test support: a real Distribution registry on a free loopback port with its own
//! storage directory, and a `regsweep` command that can see neither the developer's credentials nor
//! their cache.

pub mod dregutil;
pub mod ggcr;
pub mod gitlab;
pub mod ldap;
pub mod native;
pub mod oci11;
pub mod postgres;
pub mod pulp;
pub mod scripted;
pub mod seed;
pub mod service;
pub mod tls;
pub mod token;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

pub use seed::Seeder;

const PACKAGE_HINT: &str = "the integration tests need the Distribution registry: install Debian's \
     `docker-registry` package (`apt-get install docker-registry`, or run scripts/test, which does), \
     or set REGSWEEP_TEST_REGISTRY to a registry binary";

/// The registry binary: `REGSWEEP_TEST_REGISTRY`, else `docker-registry` on PATH. Never skips: a
/// missing registry fails the test with the package to install.
pub fn registry_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("REGSWEEP_TEST_REGISTRY") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "REGSWEEP_TEST_REGISTRY={} is not a file; {PACKAGE_HINT}",
            path.display()
        );
        return path;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("docker-registry"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("docker-registry not found; {PACKAGE_HINT}"))
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("binding a loopback port")
        .port()
}

/// How to configure a test registry.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    pub delete_enabled: bool,
    /// Serve HTTPS with this certificate and key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// With `tls`: require client certificates signed by this CA.
    pub client_ca: Option<PathBuf>,
    /// Basic authentication against this htpasswd file (bcrypt).
    pub htpasswd: Option<PathBuf>,
    /// Token authentication: `auth.token` with this realm, service, issuer and root bundle.
    pub token: Option<TokenAuth>,
    /// Send notifications to this URL with this `Authorization` header value.
    pub notify: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct TokenAuth {
    pub realm: String,
    pub service: String,
    pub issuer: String,
    pub rootcertbundle: PathBuf,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            delete_enabled: true,
            tls: None,
            client_ca: None,
            htpasswd: None,
            token: None,
            notify: None,
        }
    }
}

/// A running registry; stopped and its storage removed when dropped.
pub struct TestRegistry {
    child: Child,
    pub port: u16,
    tls: bool,
    dir: TempDir,
}

impl TestRegistry {
    pub fn start() -> Self {
        Self::start_with(&RegistryOptions::default())
    }

    /// A registry holding the sample repositories of `seed::sample`.
    pub fn with_sample() -> Self {
        let registry = Self::start();
        seed::sample(&registry.seeder());
        registry
    }

    pub fn start_with(options: &RegistryOptions) -> Self {
        let binary = registry_binary();
        let mut last_log = String::new();
        // The port is free when picked but could be taken before the registry binds it: try again.
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("registry temp dir");
            let port = free_port();
            let config = dir.path().join("config.yml");
            fs::write(&config, config_yaml(dir.path(), port, options)).expect("writing config");
            let log = fs::File::create(dir.path().join("registry.log")).expect("registry log");
            let child = Command::new(&binary)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log handle"))
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}; {PACKAGE_HINT}", binary.display()));
            let tls = options.tls.is_some();
            let mut registry = TestRegistry {
                child,
                port,
                tls,
                dir,
            };
            if registry.wait_ready() {
                return registry;
            }
            last_log =
                fs::read_to_string(registry.dir.path().join("registry.log")).unwrap_or_default();
        }
        panic!("the registry did not start; its log:\n{last_log}");
    }

    /// Restarts the registry on the same port and storage with other options: seed it open, then
    /// turn on authentication.
    pub fn reconfigure(&mut self, options: &RegistryOptions) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let config = self.dir.path().join("config.yml");
        fs::write(&config, config_yaml(self.dir.path(), self.port, options)).expect("config");
        let log = fs::File::create(self.dir.path().join("registry.log")).expect("registry log");
        self.child = Command::new(registry_binary())
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .expect("restarting the registry");
        self.tls = options.tls.is_some();
        assert!(
            self.wait_ready(),
            "the registry did not restart: {}",
            fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
        );
    }

    /// Polls `GET /v2/` until the registry answers (over TLS, its 400 to plain HTTP will do), it exits,
    /// or 20 s pass.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            // 401 when authentication is on; over TLS its 400 to plain HTTP will do.
            let status = http_status(self.port, "/v2/");
            if matches!(status, Some(200 | 401)) || (self.tls && status.is_some()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// The registry's storage directory (the filesystem driver's root).
    pub fn storage(&self) -> PathBuf {
        self.dir.path().join("storage")
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Runs the registry's garbage collector (`garbage-collect --delete-untagged`) on its storage.
    pub fn garbage_collect(&self) {
        let output = Command::new(registry_binary())
            .args(["garbage-collect", "--delete-untagged"])
            .arg(self.dir.path().join("config.yml"))
            .output()
            .expect("running garbage-collect");
        assert!(
            output.status.success(),
            "garbage-collect failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    pub fn seeder(&self) -> Seeder {
        Seeder::new(&self.url())
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config_yaml(dir: &Path, port: u16, options: &RegistryOptions) -> String {
    let mut tls = match &options.tls {
        Some((cert, key)) => format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            cert.display(),
            key.display()
        ),
        None => String::new(),
    };
    if let Some(ca) = &options.client_ca {
        tls.push_str(&format!("    clientcas:\n      - {}\n", ca.display()));
    }
    let auth = match (&options.htpasswd, &options.token) {
        (Some(path), _) => format!(
            "auth:\n  htpasswd:\n    realm: regsweep-test\n    path: {}\n",
            path.display()
        ),
        (None, Some(token)) => format!(
            "auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
            token.realm,
            token.service,
            token.issuer,
            token.rootcertbundle.display()
        ),
        (None, None) => String::new(),
    };
    let notifications = match &options.notify {
        // Deliveries retried quickly, so a test sees an event soon after the endpoint is up.
        Some((url, authorization)) => format!(
            "notifications:\n  endpoints:\n    - name: regsweep\n      url: {url}\n      \
             headers:\n        Authorization: [\"{authorization}\"]\n      timeout: 2s\n      \
             threshold: 1\n      backoff: 200ms\n      ignoredmediatypes:\n        - \
             application/octet-stream\n"
        ),
        None => String::new(),
    };
    format!(
        "version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: {delete}
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{port}
{tls}{auth}{notifications}",
        root = dir.join("storage").display(),
        delete = options.delete_enabled,
    )
}

/// The status of a plain HTTP GET to 127.0.0.1, or None when nothing answers.
fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A home of its own for each test: `regsweep` runs with an empty environment but for PATH, and HOME,
/// XDG and Docker directories inside this temporary directory.
pub struct Sandbox {
    pub home: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().expect("sandbox home"),
        }
    }

    /// A directory on the sandbox's PATH, for credential helpers.
    pub fn bin_dir(&self) -> PathBuf {
        self.home.path().join("bin")
    }

    /// Writes Docker's configuration for regsweep to find.
    pub fn docker_config(&self, config: &serde_json::Value) {
        let dir = self.home.path().join("docker");
        fs::create_dir_all(&dir).expect("docker config dir");
        fs::write(dir.join("config.json"), config.to_string()).expect("docker config");
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.home.path().join("cache")
    }

    /// The default cache file of a registry on 127.0.0.1:`port`.
    pub fn default_cache(&self, port: u16) -> PathBuf {
        self.cache_dir()
            .join("regsweep")
            .join(format!("127_0_0_1_{port}.json"))
    }

    /// `regsweep` as a plain process, for tests that need its pid or a terminal.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("regsweep"));
        let home = self.home.path();
        cmd.env_clear()
            .env("PATH", {
                let mut paths = vec![self.bin_dir()];
                paths.extend(std::env::split_paths(
                    &std::env::var_os("PATH").unwrap_or_default(),
                ));
                std::env::join_paths(paths).expect("PATH")
            })
            .env("HOME", home)
            .env("XDG_CACHE_HOME", self.cache_dir())
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("DOCKER_CONFIG", home.join("docker"))
            .current_dir(home);
        cmd
    }

    /// `regsweep ARGS` in the background, without a terminal: stdout and stderr piped.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.std_cmd()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting regsweep")
    }

    pub fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_cmd())
    }

    /// `regsweep --registry URL -c None ARGS...`: reads the registry live, writes no cache.
    pub fn live(&self, registry: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd()
            .arg("--registry")
            .arg(registry)
            .args(["-c", "None"])
            .args(args)
            .assert()
    }

    /// `regsweep --registry URL ARGS...`
    pub fn run(&self, registry: &str, args: &[&str]) -> assert_cmd::assert::Assert {
        self.cmd()
            .arg("--registry")
            .arg(registry)
            .args(args)
            .assert()
    }
}

/// The JSON documents a command printed one after another (a plan, then a removal's report).
pub fn json_documents(text: &str) -> Vec<serde_json::Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<serde_json::Value>()
        .map(|v| v.unwrap_or_else(|e| panic!("{e}: {text}")))
        .collect()
}

/// The stdout of a finished command, as text.
pub fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

pub fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// Fails, showing the whole stream, unless stderr holds `text`.
pub fn assert_stderr_has(out: &assert_cmd::assert::Assert, text: &str) {
    let err = stderr(out);
    assert!(err.contains(text), "stderr lacks {text:?}:\n{err}");
}

/// Fails, showing the whole stream, unless stdout holds `text`.
pub fn assert_stdout_has(out: &assert_cmd::assert::Assert, text: &str) {
    let text_out = stdout(out);
    assert!(
        text_out.contains(text),
        "stdout lacks {text:?}:\n{text_out}"
    );
}

/// An error as users must see it: exactly one `regsweep: error:` line, and no panic or backtrace.
pub fn assert_clean_error(err: &str) {
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    let error_lines = err
        .lines()
        .filter(|l| l.starts_with("regsweep: error: "))
        .count();
    assert_eq!(error_lines, 1, "{err}");
}

/// A removal stopped for drift (exit code 8's one error line) showing `line` among the differences.
pub fn assert_drift(err: &str, line: &str) {
    assert_clean_error(err);
    assert!(err.contains("changed since the plan was made"), "{err}");
    assert!(err.contains(line), "{err}");
}

/// Every tag of the registry, read live: repository -> tag -> digest.
pub fn live_tags(sandbox: &Sandbox, url: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let out = sandbox
        .run(
            url,
            &[
                "-c",
                "None",
                "--format",
                "json",
                "list-tag-names",
                "--all-tags",
            ],
        )
        .success();
    let rows: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let mut tags: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for row in rows {
        tags.entry(row["repository"].as_str().unwrap().to_owned())
            .or_default()
            .insert(
                row["tag"].as_str().unwrap().to_owned(),
                row["digest"].as_str().unwrap().to_owned(),
            );
    }
    tags
}

pub fn tag_names(tags: &BTreeMap<String, BTreeMap<String, String>>, repo: &str) -> Vec<String> {
    tags.get(repo)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

/// Whether the registry still has a manifest, by digest.
pub fn manifest_exists(url: &str, repo: &str, digest: &str) -> bool {
    let accept = [
        seed::OCI_INDEX,
        seed::OCI_MANIFEST,
        seed::DOCKER_LIST,
        seed::DOCKER_V2,
    ]
    .join(", ");
    reqwest::blocking::Client::new()
        .head(format!("{url}/v2/{repo}/manifests/{digest}"))
        .header("accept", accept)
        .send()
        .unwrap()
        .status()
        .is_success()
}

pub fn journals(sandbox: &Sandbox) -> Vec<PathBuf> {
    let root = sandbox.home.path().join("data/regsweep/journal");
    let mut found = Vec::new();
    for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            found.push(file.path());
        }
    }
    found.sort();
    found
}

/// The statuses the newest journal gives its entries, in order.
pub fn journal_statuses(sandbox: &Sandbox) -> Vec<String> {
    let path = journals(sandbox).pop().expect("a journal");
    let journal: Value =
        serde_json::from_slice(&fs::read(path).expect("the journal")).expect("a journal is JSON");
    journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["status"].as_str().expect("a status").to_owned())
        .collect()
}

/// Polls `condition` every 20 ms for at most `limit`.
pub fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Holds a scripted answer until `release` is set, at most `limit` (every fault loop is bounded).
pub fn hold_until(release: &std::sync::atomic::AtomicBool, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !release.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends a signal (`INT`, `TERM`, `KILL`) to a process, as Ctrl-C or an operator would.
pub fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("running kill");
    assert!(sent.success(), "kill -{name} {pid}");
}

/// Waits for a process to exit, at most `limit`; kills it and fails the test past that.
pub fn exit_code(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for regsweep") {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("regsweep did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads a pipe to its end on a thread of its own (so a full pipe never blocks the writer).
pub fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// A small deterministic random number generator (xorshift64*) for bounded fault loops: a failing
/// round can be replayed from the seed it prints.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
