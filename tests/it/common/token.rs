//! A token server for Docker's registry (`auth: token:`): it checks basic credentials or an identity
//! token, grants actions per scope by a policy, and signs real JWTs (ES256, with an `x5c` chain to a
//! throwaway root that the registry trusts), which the registry then validates itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use serde_json::json;

use super::TokenAuth;
use super::scripted::{Reply, Request, Scripted};

pub const SERVICE: &str = "regsweep-test";
pub const ISSUER: &str = "regsweep-test-issuer";

/// Which actions a user (None: anonymous) gets on a resource (`repository`, `name`).
pub type Policy = dyn Fn(Option<&str>, &str, &str) -> Vec<String> + Send + Sync;

pub struct TokenServer {
    pub server: Scripted,
    pub root: PathBuf,
}

impl TokenServer {
    /// Starts a token server: `users` are (name, password), `identity_tokens` are (token, user).
    pub fn start(
        dir: &Path,
        users: &[(&str, &str)],
        identity_tokens: &[(&str, &str)],
        policy: impl Fn(Option<&str>, &str, &str) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        Self::start_with_lifetime(dir, users, identity_tokens, 300, policy)
    }

    /// `start`, with tokens that say they expire after `expires_in` seconds.
    pub fn start_with_lifetime(
        dir: &Path,
        users: &[(&str, &str)],
        identity_tokens: &[(&str, &str)],
        expires_in: u64,
        policy: impl Fn(Option<&str>, &str, &str) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        let mut root_params = CertificateParams::new(Vec::<String>::new()).expect("root params");
        root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        root_params
            .distinguished_name
            .push(DnType::CommonName, "regsweep token root");
        let root =
            CertifiedIssuer::self_signed(root_params, KeyPair::generate().expect("root key"))
                .expect("root certificate");
        let key = KeyPair::generate().expect("signing key");
        let mut leaf_params = CertificateParams::new(Vec::<String>::new()).expect("leaf params");
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "regsweep token signer");
        let leaf = leaf_params
            .signed_by(&key, &root)
            .expect("signing certificate");
        let root_path = dir.join("token-root.pem");
        std::fs::write(&root_path, root.pem()).expect("writing the token root");

        let x5c = base64::engine::general_purpose::STANDARD.encode(leaf.der());
        let encoding_key = jsonwebtoken::EncodingKey::from_ec_pem(key.serialize_pem().as_bytes())
            .expect("ES256 key");
        let users: HashMap<String, String> = users
            .iter()
            .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
            .collect();
        let identity: HashMap<String, String> = identity_tokens
            .iter()
            .map(|(t, u)| ((*t).to_owned(), (*u).to_owned()))
            .collect();
        let policy: Arc<Policy> = Arc::new(policy);
        let server = Scripted::start(move |req| {
            issue(
                req,
                &users,
                &identity,
                &*policy,
                &x5c,
                &encoding_key,
                expires_in,
            )
        });
        Self {
            server,
            root: root_path,
        }
    }

    pub fn realm(&self) -> String {
        format!("{}/token", self.server.url())
    }

    /// The registry options that make a registry trust this server.
    pub fn auth(&self) -> TokenAuth {
        TokenAuth {
            realm: self.realm(),
            service: SERVICE.into(),
            issuer: ISSUER.into(),
            rootcertbundle: self.root.clone(),
        }
    }

    /// How many token requests asked for `scope`.
    pub fn requests_for(&self, scope: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| params(r).iter().any(|(k, v)| k == "scope" && v == scope))
            .count()
    }
}

/// Query parameters, and the form parameters of a POST.
fn params(req: &Request) -> Vec<(String, String)> {
    let query = req.target.split_once('?').map_or("", |(_, q)| q);
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if req.method == "POST" {
        pairs.extend(url::form_urlencoded::parse(&req.body).into_owned());
    }
    pairs
}

fn issue(
    req: &Request,
    users: &HashMap<String, String>,
    identity: &HashMap<String, String>,
    policy: &Policy,
    x5c: &str,
    key: &jsonwebtoken::EncodingKey,
    expires_in: u64,
) -> Reply {
    let params = params(req);
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let refused = || Reply::json(401, r#"{"details":"incorrect username or password"}"#);
    let user: Option<String> = if req.method == "POST" {
        if param("grant_type").as_deref() != Some("refresh_token") {
            return Reply::json(400, r#"{"details":"unsupported grant_type"}"#);
        }
        match param("refresh_token").and_then(|t| identity.get(&t).cloned()) {
            Some(user) => Some(user),
            None => return refused(),
        }
    } else if let Some(basic) = req.header("authorization") {
        let Some(encoded) = basic.strip_prefix("Basic ") else {
            return refused();
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .unwrap_or_default();
        let (user, password) = decoded.split_once(':').unwrap_or(("", ""));
        if users.get(user).map(String::as_str) != Some(password) {
            return refused();
        }
        Some(user.to_owned())
    } else {
        None
    };
    let mut access = Vec::new();
    for scope in params.iter().filter(|(k, _)| k == "scope").map(|(_, v)| v) {
        let mut parts = scope.splitn(3, ':');
        let (Some(kind), Some(name), Some(actions)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let allowed = policy(user.as_deref(), kind, name);
        let granted: Vec<&str> = actions
            .split(',')
            .filter(|a| allowed.iter().any(|g| g == a || g == "*"))
            .collect();
        access.push(json!({"type": kind, "name": name, "actions": granted}));
    }
    let now = jiff::Timestamp::now().as_second();
    let claims = json!({
        "iss": ISSUER,
        "sub": user.clone().unwrap_or_default(),
        "aud": param("service").unwrap_or_else(|| SERVICE.to_owned()),
        "exp": now + 300,
        "nbf": now - 10,
        "iat": now,
        "jti": format!("{now}-{}", access.len()),
        "access": access,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.x5c = Some(vec![x5c.to_owned()]);
    let token = jsonwebtoken::encode(&header, &claims, key).expect("signing a token");
    let field = if req.method == "POST" {
        "access_token"
    } else {
        "token"
    };
    Reply::json(
        200,
        &json!({field: token, "expires_in": expires_in}).to_string(),
    )
}
