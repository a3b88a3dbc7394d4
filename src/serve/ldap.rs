//! Checking a user's password against LDAP: bind as the user, found either by a DN template or by a
//! search as a service account. `ldaps://` URLs and StartTLS are supported (ldap3 with rustls), the
//! server's certificate checked against the system's roots or those `SSL_CERT_FILE` names.

use std::time::Duration;

use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry, dn_escape, ldap_escape};
use serde::Deserialize;

/// How to find and bind as a user.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapConfig {
    /// `ldap://host:389`, `ldaps://host:636`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    #[serde(default)]
    pub starttls: bool,
    /// The user's DN, `{user}` standing for the login name (escaped), e.g.
    /// `uid={user},ou=people,dc=example,dc=org`. Either this or `search`.
    #[serde(default)]
    pub user_dn: Option<String>,
    #[serde(default)]
    pub search: Option<LdapSearch>,
    /// Seconds to wait for the server.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

/// Search-then-bind: a service account finds the user's DN by a filter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapSearch {
    pub base: String,
    /// `{user}` stands for the login name, escaped for a filter, e.g. `(uid={user})`.
    #[serde(default = "default_filter")]
    pub filter: String,
    pub bind_dn: String,
    /// The service account's password, read from this file (or `REGSWEEP_LDAP_BIND_PASSWORD`).
    #[serde(default)]
    pub bind_password_file: Option<std::path::PathBuf>,
    #[serde(skip)]
    pub bind_password: String,
}

fn default_timeout() -> u64 {
    5
}

fn default_filter() -> String {
    "(uid={user})".into()
}

/// Why a login could not be checked (as opposed to refused).
#[derive(Debug, thiserror::Error)]
#[error("the LDAP server could not be asked: {0}")]
pub struct LdapUnavailable(String);

impl LdapConfig {
    /// Whether `user` may log in with `password`. An empty password is refused before asking: LDAP
    /// treats a bind without one as anonymous, and it would succeed.
    pub async fn check(&self, user: &str, password: &str) -> Result<bool, LdapUnavailable> {
        if user.is_empty() || password.is_empty() {
            return Ok(false);
        }
        // One connection: the service account's search, if any, then the user's bind on it.
        let mut ldap = self.connect().await?;
        let answer = self.bind_as(&mut ldap, user, password).await;
        let _ = ldap.unbind().await;
        answer
    }

    async fn bind_as(
        &self,
        ldap: &mut ldap3::Ldap,
        user: &str,
        password: &str,
    ) -> Result<bool, LdapUnavailable> {
        let Some(dn) = self.user_dn_of(ldap, user).await? else {
            return Ok(false);
        };
        let result = ldap
            .simple_bind(&dn, password)
            .await
            .map_err(|e| LdapUnavailable(e.to_string()))?;
        // 49: invalid credentials; anything else but success is the server's trouble.
        match result.rc {
            0 => Ok(true),
            49 => Ok(false),
            rc => Err(LdapUnavailable(format!(
                "bind answered {rc}: {}",
                result.text
            ))),
        }
    }

    async fn connect(&self) -> Result<ldap3::Ldap, LdapUnavailable> {
        let settings = LdapConnSettings::new()
            .set_conn_timeout(Duration::from_secs(self.timeout_seconds))
            .set_starttls(self.starttls);
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.url)
            .await
            .map_err(|e| LdapUnavailable(e.to_string()))?;
        ldap3::drive!(conn);
        ldap.with_timeout(Duration::from_secs(self.timeout_seconds));
        Ok(ldap)
    }

    /// The DN to bind as: from the template, or found by the service account's search (`None`
    /// when no single entry matches).
    async fn user_dn_of(
        &self,
        ldap: &mut ldap3::Ldap,
        user: &str,
    ) -> Result<Option<String>, LdapUnavailable> {
        if let Some(template) = &self.user_dn {
            return Ok(Some(template.replace("{user}", &dn_escape(user))));
        }
        let Some(search) = &self.search else {
            return Err(LdapUnavailable(
                "neither user_dn nor search is configured".into(),
            ));
        };
        let unavailable = |e: ldap3::LdapError| LdapUnavailable(e.to_string());
        ldap.simple_bind(&search.bind_dn, &search.bind_password)
            .await
            .map_err(unavailable)?
            .success()
            .map_err(unavailable)?;
        let filter = search.filter.replace("{user}", &ldap_escape(user));
        let (entries, _) = ldap
            .search(&search.base, Scope::Subtree, &filter, vec!["1.1"])
            .await
            .map_err(unavailable)?
            .success()
            .map_err(unavailable)?;
        Ok(match entries.as_slice() {
            [one] => Some(SearchEntry::construct(one.clone()).dn),
            _ => None,
        })
    }
}
