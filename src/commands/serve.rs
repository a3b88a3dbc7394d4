//! `serve`: resolves the service's options (command line over configuration file over defaults),
//! refuses unsafe combinations, and hands the run's client and cache file to `serve::run`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::HeaderName;

use super::Context;
use crate::exit::{ExitStatus, UsageError};
use crate::registry::RegistryAddress;
use crate::serve::config::{ConfigFile, DEFAULT_CONFIG, ScheduleConfig, read_secret};
use crate::serve::{Keeper, Login, Options, Scheduled};
use crate::settings::{ServeSettings, Settings, parse_age, parse_interval, store_settings};

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60 * 60);
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// HS256 wants a key at least as long as its hash.
const MIN_SECRET_BYTES: usize = 32;

/// Reads the configuration file, whose registry stands in when the command line names none.
pub fn prepare(
    settings: Settings,
    serve: &ServeSettings,
) -> anyhow::Result<(Settings, ConfigFile)> {
    let file = match &serve.config {
        Some(path) => ConfigFile::load(path)?,
        None => ConfigFile::default(),
    };
    let mut settings = match &file.registry {
        Some(registry) => settings.or_registry(RegistryAddress::parse(registry)?),
        None => settings,
    };
    if settings.store.is_none() {
        settings.store = store_settings(file.store.url.clone(), file.store.password_file.clone())?;
    }
    Ok((settings, file))
}

/// `serve --print-default-config`: the commented configuration, on stdout.
pub fn print_default_config() -> anyhow::Result<ExitStatus> {
    let printer = crate::output::Printer::new(crate::output::OutputFormat::Plain, false, false);
    printer.text(DEFAULT_CONFIG)?;
    Ok(ExitStatus::Success)
}

pub async fn run(
    ctx: &Context,
    serve: &ServeSettings,
    file: ConfigFile,
) -> anyhow::Result<ExitStatus> {
    let default_listen: SocketAddr = DEFAULT_LISTEN.parse().expect("a valid address");
    let listen = serve.listen.or(file.listen).unwrap_or(default_listen);
    let no_auth = serve.no_auth || file.no_auth.unwrap_or(false);
    if no_auth && !listen.ip().is_loopback() {
        return Err(UsageError::with_hint(
            format!("--no-auth serves only on a loopback address, not {listen}"),
            "listen on 127.0.0.1 or ::1, or configure [ldap] to require login",
        )
        .into());
    }
    let interval = match (serve.refresh_interval, &file.refresh_interval) {
        (Some(interval), _) => interval,
        (None, Some(text)) => parse_interval(text)?,
        (None, None) => Some(DEFAULT_INTERVAL),
    };
    let login = if no_auth {
        None
    } else {
        Some(login(ctx, &file)?)
    };
    let events_secret = read_secret(file.events.secret_file.as_deref(), "REGSWEEP_EVENTS_SECRET")?
        .map(|secret| {
            let name = HeaderName::try_from(file.events.header.as_str()).map_err(|_| {
                UsageError::new(format!(
                    "invalid header name {:?} in [events]",
                    file.events.header
                ))
            })?;
            Ok::<_, UsageError>((name, secret))
        })
        .transpose()?;
    let store = ctx.store().await?;
    seed_new_store(ctx, store.as_ref()).await?;
    let keeper = Keeper {
        client: ctx.client()?.clone(),
        store,
        registry: ctx.registry()?.clone(),
        interval,
    };
    let options = Options {
        listen,
        login,
        events_secret,
        trusted_proxies: file.trusted_proxies.clone(),
    };
    let scheduled = file
        .schedule
        .as_ref()
        .map(|schedule| scheduled_policy(ctx, schedule))
        .transpose()?;
    crate::serve::run(options, keeper, scheduled)
        .await
        .map_err(listen_error)?;
    Ok(ExitStatus::Success)
}

/// An address the service cannot listen on is the operator's to change: a usage error naming it,
/// with what to do.
fn listen_error(err: anyhow::Error) -> anyhow::Error {
    let Some(listen) = err.downcast_ref::<crate::serve::ListenError>() else {
        return err;
    };
    let address = listen.address;
    let hint = match listen.source.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "another process listens on port {}; stop it, or choose another address with \
             --listen (port 0 picks a free one)",
            address.port()
        ),
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges; choose a higher port with --listen".to_owned()
        }
        _ => "choose an address of this host with --listen".to_owned(),
    };
    let reason = match listen.source.kind() {
        std::io::ErrorKind::AddrInUse => "the address is already in use".to_owned(),
        _ => listen.source.to_string(),
    };
    UsageError::with_hint(format!("cannot listen on {address}: {reason}"), hint).into()
}

/// A new PostgreSQL store starts from this host's cache of the registry, when it has one, rather
/// than from a whole read of the registry (it is refreshed at the interval as ever).
async fn seed_new_store(ctx: &Context, store: &dyn crate::store::Store) -> anyhow::Result<()> {
    let (Some(_), Some(cache)) = (&ctx.settings.store, ctx.cache()?) else {
        return Ok(());
    };
    if store.load().await?.is_some() {
        return Ok(());
    }
    let registry = ctx.registry()?;
    let cached = tokio::task::block_in_place(|| {
        let Some(mut inventory) = cache.load(registry)? else {
            return Ok(None);
        };
        cache.load_all_details(&mut inventory)?;
        anyhow::Ok(Some(inventory))
    })?;
    if let Some(inventory) = cached {
        ctx.printer.note(&format!(
            "{} is new: it starts from this host's cache of {registry} ({} tags)",
            store.describe(),
            inventory.tag_count()
        ));
        let mut inventory = inventory;
        inventory.events_seq = 0;
        store.save(inventory, None).await?;
    }
    Ok(())
}

/// `[schedule]`: the policy is read now, so a mistake stops the start rather than a run at night.
fn scheduled_policy<'a>(
    ctx: &'a Context,
    schedule: &ScheduleConfig,
) -> anyhow::Result<Scheduled<'a>> {
    let every = parse_interval(&schedule.every)?.ok_or_else(|| {
        UsageError::new("[schedule] every must be a positive interval such as \"24h\"")
    })?;
    crate::policy::Policy::load(&schedule.policy)?;
    let path = schedule.policy.clone();
    let max_delete = schedule.max_delete;
    Ok(Scheduled {
        name: format!("policy {}", path.display()),
        every,
        run: Box::new(move || Box::pin(super::policy::scheduled(ctx, path.clone(), max_delete))),
    })
}

/// Login settings: LDAP from the file, the signing secret from a file, the environment, or made up.
fn login(ctx: &Context, file: &ConfigFile) -> anyhow::Result<Login> {
    let Some(mut ldap) = file.ldap.clone() else {
        return Err(UsageError::with_hint(
            "serve needs an [ldap] section in its configuration file to check logins",
            "see `regsweep serve --print-default-config`, or use --no-auth on a loopback address",
        )
        .into());
    };
    if ldap.user_dn.is_none() == ldap.search.is_none() {
        return Err(
            UsageError::new("[ldap] needs either user_dn or [ldap.search], not both").into(),
        );
    }
    if let Some(search) = ldap.search.as_mut() {
        search.bind_password = read_secret(
            search.bind_password_file.as_deref(),
            "REGSWEEP_LDAP_BIND_PASSWORD",
        )?
        .unwrap_or_default();
    }
    let lifetime = match &file.token_lifetime {
        Some(text) => parse_age(text)?.unsigned_abs(),
        None => DEFAULT_TOKEN_LIFETIME,
    };
    let secret = read_secret(file.token_secret_file.as_deref(), "REGSWEEP_TOKEN_SECRET")?;
    let secret = match secret {
        Some(secret) if secret.len() >= MIN_SECRET_BYTES => secret.into_bytes(),
        Some(_) => {
            return Err(UsageError::new(format!(
                "the token secret must be at least {MIN_SECRET_BYTES} bytes"
            ))
            .into());
        }
        None => {
            ctx.printer.warn(
                "no token secret configured: tokens are signed with a random one and end when \
                 this process does (set token_secret_file or REGSWEEP_TOKEN_SECRET)",
            );
            let mut bytes = vec![0; MIN_SECRET_BYTES];
            getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            bytes
        }
    };
    Ok(Login {
        secret,
        lifetime,
        ldap,
    })
}
