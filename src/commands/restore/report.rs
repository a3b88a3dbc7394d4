//! What restore says at the end: per repository how many manifests it put back, found still there
//! or could not restore, then a total and a line for each failure and each tag left alone. JSON has
//! every entry's outcome.

use std::collections::BTreeMap;

use serde::Serialize;

use super::put::{Outcome, Result as Restored};
use crate::output::{Rows, count, plural_count, short_digest};

/// How many entries ended each way.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Tally {
    pub restored: usize,
    pub still_there: usize,
    pub failed: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome.result {
            Restored::Restored => self.restored += 1,
            Restored::StillThere => self.still_there += 1,
            Restored::Failed => self.failed += 1,
        }
    }

    pub fn of(outcomes: &[Outcome]) -> Self {
        let mut tally = Self::default();
        outcomes.iter().for_each(|o| tally.add(o));
        tally
    }

    pub fn total(&self) -> usize {
        self.restored + self.still_there + self.failed
    }

    /// `restored 126 manifests, 274 were still there, 0 failed`.
    pub fn describe(&self) -> String {
        format!(
            "restored {}, {} still there, {} failed",
            plural_count(self.restored, "manifest", "manifests"),
            count(self.still_there),
            count(self.failed)
        )
    }
}

/// The report: one row per repository; JSON is the whole document.
pub struct Report {
    by_repo: Vec<(String, Tally)>,
    document: Document,
}

#[derive(Serialize)]
struct Document {
    results: Vec<Outcome>,
    repositories: BTreeMap<String, Tally>,
    total: Tally,
}

impl Report {
    pub fn new(results: Vec<Outcome>) -> Self {
        let mut repositories: BTreeMap<String, Tally> = BTreeMap::new();
        for outcome in &results {
            repositories
                .entry(outcome.repository.clone())
                .or_default()
                .add(outcome);
        }
        Self {
            by_repo: repositories.iter().map(|(r, t)| (r.clone(), *t)).collect(),
            document: Document {
                total: Tally::of(&results),
                results,
                repositories,
            },
        }
    }
}

impl Rows for Report {
    type Row = (String, Tally);

    fn rows(&self) -> &[(String, Tally)] {
        &self.by_repo
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "RESTORED", "STILL THERE", "FAILED"]
    }

    fn cells(&self, (repo, t): &(String, Tally)) -> Vec<String> {
        vec![
            repo.clone(),
            count(t.restored),
            count(t.still_there),
            count(t.failed),
        ]
    }

    fn plain(&self, (repo, t): &(String, Tally)) -> String {
        format!(
            "{repo}: {} restored, {} still there, {} failed",
            count(t.restored),
            count(t.still_there),
            count(t.failed)
        )
    }

    fn footer(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.by_repo.len() > 1 {
            let total = self.document.total;
            lines.push(format!(
                "total: {} in {}: {} restored, {} still there, {} failed",
                plural_count(total.total(), "manifest", "manifests"),
                plural_count(self.by_repo.len(), "repository", "repositories"),
                count(total.restored),
                count(total.still_there),
                count(total.failed)
            ));
        }
        for o in &self.document.results {
            let at = format!("{}@{}", o.repository, short_digest(&o.digest));
            if let Some(error) = &o.error {
                lines.push(format!("failed: {at}: {error}"));
            }
            if !o.skipped_tags.is_empty() {
                lines.push(format!(
                    "left alone (they point elsewhere now): {}:{}",
                    o.repository,
                    o.skipped_tags.join(", ")
                ));
            }
        }
        lines
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.document)?;
        writeln!(out)
    }
}
