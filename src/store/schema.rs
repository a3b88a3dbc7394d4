//! The stores' schemas, versioned in the repository (`schema/ENGINE/NNN_name.sql`) and applied in
//! order when a store is opened. A store records each migration it applied with a checksum of its
//! text; a store that has one this build does not know (written by a newer build) or one whose text
//! differs from this build's is refused, never changed.

use sha2::{Digest as _, Sha256};

/// One step of a schema.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub sql: &'static str,
}

pub const SQLITE: &[Migration] = &[Migration {
    version: 1,
    sql: include_str!("schema/sqlite/001_init.sql"),
}];

pub const POSTGRES: &[Migration] = &[Migration {
    version: 1,
    sql: include_str!("schema/postgres/001_init.sql"),
}];

/// The table each store keeps its applied migrations in (the same in both engines).
pub const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS migrations (version BIGINT PRIMARY \
     KEY, checksum TEXT NOT NULL, applied_us BIGINT NOT NULL)";

/// A short fingerprint of a migration's text.
pub fn checksum(sql: &str) -> String {
    let hash = Sha256::digest(sql.as_bytes());
    hash.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The migrations still to apply, given those the store has applied (version, checksum); or why the
/// store is not one this build may use.
pub fn pending<'a>(
    known: &'a [Migration],
    applied: &[(i64, String)],
) -> Result<Vec<&'a Migration>, String> {
    for (version, sum) in applied {
        match known.iter().find(|m| m.version == *version) {
            None => {
                return Err(format!(
                    "its schema has migration {version}, which this build of regsweep does not \
                     know (a newer regsweep wrote it)"
                ));
            }
            Some(m) if checksum(m.sql) != *sum => {
                return Err(format!(
                    "its migration {version} differs from this build's (checksum {sum}, expected \
                     {})",
                    checksum(m.sql)
                ));
            }
            Some(_) => {}
        }
    }
    Ok(known
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_or_changed_schemas_are_refused() {
        let applied_v1 = vec![(1, checksum(SQLITE[0].sql))];
        assert!(pending(SQLITE, &applied_v1).unwrap().is_empty());
        assert_eq!(pending(SQLITE, &[]).unwrap().len(), 1);
        let newer = vec![(1, checksum(SQLITE[0].sql)), (99, "x".into())];
        assert!(
            pending(SQLITE, &newer)
                .unwrap_err()
                .contains("migration 99")
        );
        let edited = vec![(1, "0000".into())];
        assert!(pending(SQLITE, &edited).unwrap_err().contains("differs"));
    }
}
