//! A real LDAP server for the service's login tests: Debian's `slapd` with a throwaway configuration
//! and directory (mdb) on a free loopback port, filled with `slapadd` before it starts.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const PACKAGE_HINT: &str = "the service's login tests need an LDAP server: install Debian's `slapd` \
     and `ldap-utils` packages (apt-get install slapd ldap-utils; scripts/test does)";

pub const BASE: &str = "dc=example,dc=org";
/// Users of the directory: (uid, password).
pub const USERS: &[(&str, &str)] = &[("alice", "alice-pw"), ("bob", "b0b-pw")];
/// The service account allowed to search for users.
pub const READER_DN: &str = "cn=reader,dc=example,dc=org";
pub const READER_PASSWORD: &str = "reader-pw";

pub struct TestLdap {
    child: Child,
    pub port: u16,
    /// With TLS: the `ldaps://` port (the plain port then also offers StartTLS).
    pub tls_port: Option<u16>,
    _dir: TempDir,
}

impl TestLdap {
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// With `tls`, the server's certificate and key: `ldaps://` on a second port, StartTLS on the
    /// first.
    pub fn start_with(tls: Option<&super::tls::TestPki>) -> Self {
        let slapd = Path::new("/usr/sbin/slapd");
        let slapadd = Path::new("/usr/sbin/slapadd");
        assert!(
            slapd.exists() && slapadd.exists(),
            "slapd not found; {PACKAGE_HINT}"
        );
        let dir = tempfile::tempdir().expect("slapd dir");
        let root = dir.path();
        fs::create_dir(root.join("db")).expect("db dir");
        let config = root.join("slapd.conf");
        let mut conf = slapd_conf(root);
        if let Some(pki) = tls {
            // Global directives belong before the database section.
            conf = format!(
                "TLSCACertificateFile {}\nTLSCertificateFile {}\nTLSCertificateKeyFile {}\n{conf}",
                pki.ca.display(),
                pki.cert.display(),
                pki.key.display()
            );
        }
        fs::write(&config, conf).expect("slapd.conf");
        fs::write(root.join("data.ldif"), ldif()).expect("ldif");
        let added = Command::new(slapadd)
            .arg("-f")
            .arg(&config)
            .arg("-l")
            .arg(root.join("data.ldif"))
            .output()
            .unwrap_or_else(|e| panic!("running slapadd: {e}; {PACKAGE_HINT}"));
        assert!(
            added.status.success(),
            "slapadd failed: {}",
            String::from_utf8_lossy(&added.stderr)
        );
        for _ in 0..5 {
            let port = super::free_port();
            let tls_port = tls.map(|_| super::free_port());
            let mut urls = format!("ldap://127.0.0.1:{port}/");
            if let Some(tls_port) = tls_port {
                urls.push_str(&format!(" ldaps://127.0.0.1:{tls_port}/"));
            }
            let mut child = Command::new(slapd)
                .arg("-f")
                .arg(&config)
                .arg("-h")
                .arg(urls)
                .args(["-d", "0"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting slapd: {e}; {PACKAGE_HINT}"));
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self {
                        child,
                        port,
                        tls_port,
                        _dir: dir,
                    };
                }
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("slapd did not start on a loopback port");
    }

    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.port)
    }
}

impl Drop for TestLdap {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn slapd_conf(root: &Path) -> String {
    format!(
        "include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {root}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix \"{BASE}\"
rootdn \"cn=admin,{BASE}\"
rootpw admin-pw
directory {root}/db
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact=\"{READER_DN}\" read by * none
",
        root = root.display()
    )
}

fn ldif() -> String {
    let mut out = format!(
        "dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n\
         dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n\n\
         dn: {READER_DN}\nobjectClass: person\ncn: reader\nsn: reader\nuserPassword: {READER_PASSWORD}\n\n"
    );
    for (uid, password) in USERS {
        out.push_str(&format!(
            "dn: uid={uid},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\n\
             sn: {uid}\nuserPassword: {password}\n\n"
        ));
    }
    out
}
