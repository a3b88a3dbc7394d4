//! `history REPOSITORY:TAG`: what a tag pointed to when, from the service's store, the question
//! after an incident ("what was app:latest on Tuesday?") that no registry answers.

use super::Context;
use crate::exit::ExitStatus;
use crate::output::{Rows, short_digest, timestamp};
use crate::store::Period;

pub async fn run(ctx: &Context, repository: &str, tag: &str) -> anyhow::Result<ExitStatus> {
    let store = ctx.store().await?;
    let periods = store.history(repository, tag).await?;
    if periods.is_empty() {
        ctx.printer.note(&format!(
            "{} holds no history of {repository}:{tag}: it is recorded by `regsweep serve`, from \
             the registry's notifications and its reads of the registry",
            store.describe()
        ));
    }
    ctx.printer.rows(&Periods(periods))?;
    Ok(ExitStatus::Success)
}

struct Periods(Vec<Period>);

fn or_now(time: Option<jiff::Timestamp>) -> String {
    time.map_or_else(|| "now".to_owned(), timestamp)
}

impl Rows for Periods {
    type Row = Period;

    fn rows(&self) -> &[Period] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec![
            "SINCE",
            "UNTIL",
            "DIGEST",
            "BEGAN",
            "ENDED",
            "PULLS",
            "LAST PULLED",
        ]
    }

    fn cells(&self, p: &Period) -> Vec<String> {
        vec![
            timestamp(p.since),
            or_now(p.until),
            short_digest(&p.digest),
            p.began.clone(),
            p.ended.clone().unwrap_or_else(|| "-".to_owned()),
            p.pulls.to_string(),
            p.last_pulled.map_or_else(|| "-".to_owned(), timestamp),
        ]
    }

    fn plain(&self, p: &Period) -> String {
        format!(
            "{}  {}  {}  {}  {}",
            timestamp(p.since),
            or_now(p.until),
            p.digest,
            p.pulls,
            p.last_pulled.map_or_else(|| "-".to_owned(), timestamp)
        )
    }
}
