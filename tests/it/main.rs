//! The integration tests, one binary: each module runs the `regsweep` binary against real registries
//! (Debian's `docker-registry`, started by `common` on free loopback ports), a real LDAP server where
//! login is involved, and scripted loopback servers only for answers no real server here gives.

mod common;

mod auth;
mod cache;
mod demo;
mod details;
mod edges;
mod errors;
mod faults;
mod generated;
mod gitlab;
mod layers;
mod list;
mod native;
mod outdated;
mod output;
mod pages;
mod policy;
mod pulp;
mod query;
mod referrers;
mod remove;
mod serve;
mod store;
mod tls;
mod verify;
