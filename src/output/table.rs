//! Tables that fit the terminal without breaking a value.
//!
//! comfy-table fits a table by wrapping cells over several lines, which splits a digest, a date or
//! a size in two; no table crate here chooses which columns give way. This one does, the same way
//! in every table: a value is shown whole, shortened to a form that still means the same (a digest
//! to its first 12 hex digits, a path to its file name), left out with its column (the columns a
//! listing names as least useful, first), or, for names and prose, cut at the end with an
//! ellipsis. Numbers are right-aligned; no line has trailing spaces.

/// How a column may give way when the table is wider than the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Names and prose: cut at the end with `…`, never below a few characters.
    Cut,
    /// Numbers, sizes, times: whole, or the column goes.
    Whole,
    /// A digest: whole, or its first 12 hex digits.
    Digest,
    /// A file's path: whole, or its file name.
    Path,
}

/// A column's header and how it gives way; `drop` ranks the columns that may be left out (lowest
/// first).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub fit: Fit,
    pub drop: Option<u8>,
}

impl Column {
    /// The column's usual fit, read off its header: digests, paths, and sizes, counts and times
    /// are never cut; the rest may be.
    pub fn of(header: &'static str) -> Self {
        let fit = match header {
            h if h.contains("DIGEST") => Fit::Digest,
            "FILE" | "JOURNAL" | "PATH" => Fit::Path,
            h if [
                "SIZE", "TIME", "CREATED", "AGE", "SINCE", "UNTIL", "LINE", "PULL",
            ]
            .iter()
            .any(|w| h.contains(w)) =>
            {
                Fit::Whole
            }
            _ => Fit::Cut,
        };
        Self {
            header,
            fit,
            drop: None,
        }
    }

    /// This column may be left out; lower ranks go first.
    pub fn dropped(mut self, rank: u8) -> Self {
        self.drop = Some(rank);
        self
    }
}

/// The narrowest a cut column becomes.
const MIN_CUT: usize = 8;
/// Between two columns.
const GAP: &str = "  ";

fn width_of(text: &str) -> usize {
    text.chars().count()
}

/// A number, a size or a count ("1,204", "3.2 MiB", "-"): right-aligned, never cut.
fn numeric(cell: &str) -> bool {
    let cell = cell.trim();
    cell == "-"
        || cell.starts_with(|c: char| c.is_ascii_digit())
            && cell.split(' ').count() <= 2
            && cell
                .chars()
                .all(|c| c.is_ascii_digit() || ",.% KMGTPEiB".contains(c))
}

/// The table laid out for `width` columns (or as wide as it is, without one): the header, a rule,
/// the rows; `paint` wraps a row's cells in colour.
pub fn layout(
    columns: &[Column],
    rows: Vec<Vec<String>>,
    width: Option<usize>,
    paint: &dyn Fn(usize, &str) -> String,
) -> String {
    let mut columns: Vec<Column> = columns.to_vec();
    let mut rows = rows;
    for row in &mut rows {
        row.resize(columns.len(), String::new());
    }
    let right: Vec<bool> = (0..columns.len())
        .map(|c| !rows.is_empty() && rows.iter().all(|r| numeric(&r[c])))
        .collect();
    let mut right = right;
    for (c, column) in columns.iter_mut().enumerate() {
        if right[c] && column.fit == Fit::Cut {
            column.fit = Fit::Whole;
        }
    }
    if let Some(width) = width {
        fit(&mut columns, &mut rows, &mut right, width);
    }
    let widths = column_widths(&columns, &rows);
    let line = |cells: &[String], painted: Option<usize>| {
        let mut text = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c > 0 {
                text.push_str(GAP);
            }
            let pad = " ".repeat(widths[c] - width_of(cell));
            let shown = match painted {
                Some(row) if !cell.is_empty() => paint(row, cell),
                _ => cell.clone(),
            };
            if right[c] {
                text.push_str(&pad);
                text.push_str(&shown);
            } else {
                text.push_str(&shown);
                text.push_str(&pad);
            }
        }
        text.trim_end().to_owned()
    };
    let header: Vec<String> = columns.iter().map(|c| c.header.to_owned()).collect();
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let mut out = vec![line(&header, None), line(&rule, None)];
    out.extend(rows.iter().enumerate().map(|(n, r)| line(r, Some(n))));
    out.join("\n")
}

/// Makes the table at most `width` wide, giving way in this order: shortened forms (paths, then
/// digests), columns left out by rank, cut names (the widest first, to `MIN_CUT`).
fn fit(columns: &mut Vec<Column>, rows: &mut [Vec<String>], right: &mut Vec<bool>, width: usize) {
    let total = |columns: &[Column], rows: &[Vec<String>]| -> usize {
        let widths = column_widths(columns, rows);
        widths.iter().sum::<usize>() + GAP.len() * widths.len().saturating_sub(1)
    };
    for kind in [Fit::Path, Fit::Digest] {
        if total(columns, rows) <= width {
            return;
        }
        let shortening: Vec<usize> = (0..columns.len())
            .filter(|c| columns[*c].fit == kind)
            .collect();
        for row in rows.iter_mut() {
            for c in &shortening {
                row[*c] = shortened(kind, &row[*c]);
            }
        }
    }
    while total(columns, rows) > width {
        let Some(c) = (0..columns.len())
            .filter(|c| columns[*c].drop.is_some())
            .min_by_key(|c| columns[*c].drop)
        else {
            break;
        };
        columns.remove(c);
        right.remove(c);
        for row in rows.iter_mut() {
            row.remove(c);
        }
    }
    let mut widths = column_widths(columns, rows);
    let mut over = total(columns, rows).saturating_sub(width);
    while over > 0 {
        let widest = (0..columns.len())
            .filter(|c| columns[*c].fit == Fit::Cut)
            .filter(|c| widths[*c] > MIN_CUT.max(width_of(columns[*c].header)))
            .max_by_key(|c| widths[*c]);
        let Some(c) = widest else { break };
        widths[c] -= 1;
        over -= 1;
    }
    for (c, column) in columns.iter().enumerate() {
        if column.fit == Fit::Cut {
            for row in rows.iter_mut() {
                row[c] = cut(&row[c], widths[c]);
            }
        }
    }
}

fn column_widths(columns: &[Column], rows: &[Vec<String>]) -> Vec<usize> {
    (0..columns.len())
        .map(|c| {
            rows.iter()
                .map(|r| width_of(&r[c]))
                .chain([width_of(columns[c].header)])
                .max()
                .unwrap_or(0)
        })
        .collect()
}

fn shortened(kind: Fit, cell: &str) -> String {
    match kind {
        Fit::Digest if cell.contains(':') || width_of(cell) > 12 => {
            let hex = cell.split_once(':').map_or(cell, |(_, hex)| hex);
            hex.chars().take(12).collect()
        }
        Fit::Path => cell.rsplit('/').next().unwrap_or(cell).to_owned(),
        _ => cell.to_owned(),
    }
}

/// `text` in at most `width` characters, its end replaced by `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(width.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Vec<String>> {
        (0..n)
            .map(|i| {
                vec![
                    format!("team-{i}/a-rather-long-repository-name-{i}"),
                    format!("1.{i}.0-alpine"),
                    format!("sha256:{:064x}", i + 0xabcdef),
                    format!("{}.4 MiB", 100 + i),
                    "2026-12-01 10:00".to_owned(),
                    "4 days".to_owned(),
                    "linux/amd64, linux/arm64, linux/s390x".to_owned(),
                ]
            })
            .collect()
    }

    fn columns() -> Vec<Column> {
        vec![
            Column::of("REPOSITORY"),
            Column::of("TAG"),
            Column::of("DIGEST"),
            Column::of("SIZE"),
            Column::of("CREATED").dropped(0),
            Column::of("AGE"),
            Column::of("PLATFORMS").dropped(1),
        ]
    }

    /// At 80 and 120 columns (and unbounded) no line is wider than the terminal, no line ends in a
    /// space, and every digest, size and date is whole (a digest at least as its 12-digit short
    /// form): each appears in its row's line exactly as given.
    #[test]
    fn a_table_fits_without_splitting_a_value() {
        let data = rows(5);
        for width in [80, 120, 400] {
            let table = layout(&columns(), data.clone(), Some(width), &|_, c| c.to_owned());
            let lines: Vec<&str> = table.lines().collect();
            assert_eq!(lines.len(), 2 + data.len(), "{table}");
            for (line, row) in lines[2..].iter().zip(&data) {
                assert!(width_of(line) <= width, "{width}: {line:?}");
                assert!(!line.ends_with(' '));
                let hex = &row[2]["sha256:".len()..];
                assert!(line.contains(&hex[..12]), "{width}: {line:?}");
                assert!(line.contains(&row[3]), "{width}: {line:?}");
                assert!(line.contains(&row[5]), "{width}: {line:?}");
            }
            if width >= 400 {
                assert!(table.contains(&data[0][2]) && table.contains(&data[0][6]));
                assert!(!table.contains('…'));
            }
        }
        // At 80 the least useful columns went first, the names were cut last.
        let narrow = layout(&columns(), data.clone(), Some(80), &|_, c| c.to_owned());
        assert!(
            !narrow.contains("CREATED") && !narrow.contains("PLATFORMS"),
            "{narrow}"
        );
        assert!(narrow.contains("SIZE") && narrow.contains("AGE"));
    }

    /// A journal's path gives way to its file name before any column goes.
    #[test]
    fn a_path_becomes_its_file_name() {
        let columns = [
            Column::of("TIME"),
            Column::of("REGISTRY").dropped(0),
            Column::of("FILE"),
        ];
        let path = format!(
            "/home/operator/{}/2026-12-05T04-20-49Z.json",
            "x".repeat(60)
        );
        let rows = vec![vec![
            "2026-12-05T04:20:49Z".to_owned(),
            "registry.example.com".to_owned(),
            path,
        ]];
        let table = layout(&columns, rows, Some(80), &|_, c| c.to_owned());
        let row = table.lines().nth(2).unwrap();
        assert_eq!(
            row,
            "2026-12-05T04:20:49Z  registry.example.com  2026-12-05T04-20-49Z.json"
        );
    }

    #[test]
    fn numbers_align_right_and_names_are_cut_with_an_ellipsis() {
        let columns = [Column::of("NAME"), Column::of("TAGS")];
        let rows = vec![
            vec!["a-very-long-name-that-goes-on".to_owned(), "7".to_owned()],
            vec!["b".to_owned(), "1,204".to_owned()],
        ];
        let table = layout(&columns, rows, Some(20), &|_, c| c.to_owned());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "NAME            TAGS", "{table}");
        assert_eq!(lines[2], "a-very-long-…      7", "{table}");
        assert_eq!(lines[3], "b              1,204", "{table}");
    }
}
