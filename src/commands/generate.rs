//! `generate` (hidden): the shell completions in completions/ and the man pages in man/, from the clap
//! definitions. `--check` compares instead of writing, so a test can catch stale files.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap_complete::Shell;

use crate::exit::ExitStatus;

/// Every generated file: its path under the output directory and its content.
fn generated() -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    // A fixed width, so the files do not depend on the terminal that generates them.
    let mut cmd = documented(crate::cli::command_for(100));
    cmd.build();
    let mut files = Vec::new();
    for (shell, name) in [
        (Shell::Bash, "regsweep.bash"),
        (Shell::Zsh, "_regsweep"),
        (Shell::Fish, "regsweep.fish"),
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "regsweep", &mut out);
        files.push((Path::new("completions").join(name), out));
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    files.push(("man/regsweep.1".into(), out));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("regsweep-{}", sub.get_name());
        let mut out = Vec::new();
        clap_mangen::Man::new(sub.clone().name(name.clone())).render(&mut out)?;
        files.push((Path::new("man").join(format!("{name}.1")), out));
    }
    Ok(files)
}

/// The command as documented: environment values are never shown (they may be secrets, and they
/// would make the files depend on the shell they were generated in).
fn documented(mut cmd: clap::Command) -> clap::Command {
    cmd = cmd.mut_args(|arg| arg.hide_env_values(true));
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, documented);
    }
    cmd
}

pub fn run(out_dir: &Path, check: bool) -> anyhow::Result<ExitStatus> {
    let files = generated()?;
    if check {
        let stale: Vec<String> = files
            .iter()
            .filter(|(path, content)| fs::read(out_dir.join(path)).ok().as_ref() != Some(content))
            .map(|(path, _)| path.display().to_string())
            .collect();
        if !stale.is_empty() {
            bail!(
                "generated files are stale: {}; run `cargo run -- generate` and commit the result",
                stale.join(", ")
            );
        }
        return Ok(ExitStatus::Success);
    }
    for (path, content) in files {
        let path = out_dir.join(path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        fs::write(&path, content).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(ExitStatus::Success)
}
