//! regsweep: parse the command line, run the command, print any error with its hint, exit with its code.

mod cache;
mod cli;
mod commands;
mod credentials;
mod details;
mod exit;
mod failure;
mod files;
mod inventory;
mod journal;
mod media_type;
mod names;
mod output;
mod policy;
mod refresh;
mod registry;
mod select;
mod serve;
mod settings;
mod store;
mod version;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::FromArgMatches as _;

use crate::cli::{Cli, LogLevel};
use crate::commands::Context;
use crate::exit::ExitStatus;
use crate::failure::{hint_of, status_of};
use crate::settings::Action;

fn main() -> ExitCode {
    // The last line, never the fix: a bug that panics still ends in one line and a documented code.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        print_error(
            &format!("internal error (a bug in regsweep): {message}"),
            Some("please report it with the command that led to it"),
        );
    }));
    match std::panic::catch_unwind(parse_and_run) {
        Ok(code) => code,
        Err(_) => ExitStatus::Internal.into(),
    }
}

fn parse_and_run() -> ExitCode {
    let parsed = cli::command()
        .try_get_matches_from(cli::normalize_args(std::env::args_os()))
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, settings::given(&matches))));
    let (cli, given) = match parsed {
        Ok(parsed) => parsed,
        Err(err) if !err.use_stderr() => {
            // --help and --version: clap prints them in full.
            let _ = err.print();
            return ExitStatus::Success.into();
        }
        Err(err) => {
            let (message, hint) = cli::one_line_error(&err);
            print_error(&message, hint.as_deref());
            return ExitStatus::Usage.into();
        }
    };
    match run(cli, &given) {
        Ok(status) => status.into(),
        Err(err) if is_broken_pipe(&err) => ExitStatus::Success.into(),
        Err(err) => {
            print_error(&format!("{err:#}"), hint_of(&err).as_deref());
            status_of(&err).into()
        }
    }
}

/// The one error line and its hint. Messages carry registry answers and file contents, so they are
/// escaped: one error is always one line, and never drives the terminal.
fn print_error(message: &str, hint: Option<&str>) {
    output::to_stderr(format_args!(
        "regsweep: error: {}\n",
        output::escape(message)
    ));
    if let Some(hint) = hint {
        output::to_stderr(format_args!("hint: {}\n", output::escape(hint)));
    }
}

fn run(cli: Cli, given: &settings::Given) -> anyhow::Result<ExitStatus> {
    // Needs nothing, so nothing else is read or checked (the environment's REGISTRY and
    // REQUESTS_CA_BUNDLE stand for the service, not for this).
    if let cli::Command::Serve(args) = &cli.command
        && args.print_default_config
    {
        return commands::serve::print_default_config();
    }
    let (settings, action) = settings::resolve(cli, given)?;
    init_logging(settings.log_level);
    // A service's configuration file may name the registry, which the context needs.
    let (settings, serve_config) = match &action {
        Action::Serve(serve) => {
            let (settings, config) = commands::serve::prepare(settings, serve)?;
            (settings, Some(config))
        }
        _ => (settings, None),
    };
    let ctx = Context::new(settings);
    for warning in &ctx.settings.warnings {
        ctx.printer.warn(warning);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let (Action::Serve(serve), Some(config)) = (&action, serve_config) {
        return runtime.block_on(commands::serve::run(&ctx, serve, config));
    }
    runtime.block_on(async {
        // With no --registry, a source may name it (GitLab's repositories do).
        if ctx.registry().is_err() && action.reaches_registry() {
            ctx.source().discover(&ctx).await?;
        }
        dispatch(&ctx, action)
            .await
            .map_err(|err| ctx.source().advise(err))
    })
}

async fn dispatch(ctx: &Context, action: Action) -> anyhow::Result<ExitStatus> {
    match action {
        Action::ListRepoNames(settings) => commands::list_repo_names::run(ctx, &settings).await,
        Action::ListTagNames(settings) => commands::list_tag_names::run(ctx, &settings).await,
        Action::Usage(settings) => commands::usage::run(ctx, &settings).await,
        Action::Query(settings) => commands::query::run(ctx, &settings).await,
        Action::Remove(settings) => commands::remove::run(ctx, &settings).await,
        Action::Restore(settings) => commands::restore::run(ctx, &settings).await,
        Action::Outdated(settings) => commands::outdated::run(ctx, &settings).await,
        Action::History { repository, tag } => commands::history::run(ctx, &repository, &tag).await,
        Action::Serve(_) => Err(anyhow::anyhow!(
            "the service is started by run(), not dispatched"
        )),
        Action::Policy(settings) => commands::policy::run(ctx, &settings).await,
        Action::JournalList => commands::journal::list(ctx),
        Action::ConfigList => commands::config::list(ctx),
        Action::ConfigShow => commands::config::show(ctx),
        Action::CacheInfo => commands::cache::info(ctx),
        Action::CacheClear { yes } => commands::cache::clear(ctx, yes),
        Action::Generate { out_dir, check } => commands::generate::run(&out_dir, check),
    }
}

fn init_logging(level: LogLevel) {
    let level = match level {
        LogLevel::Debug => tracing::Level::DEBUG,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Warning => tracing::Level::WARN,
        LogLevel::Error => tracing::Level::ERROR,
    };
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_ansi(ansi)
        .with_target(false)
        // A closed stderr must not make the logger panic (it would print that it could not write).
        .log_internal_errors(false)
        .init();
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
