//! `baton serve`: the AWS Step Functions API ([`baton_api`]) implemented over the durable
//! runtime ([`baton_runtime`]) and the store ([`baton_store`]).
//!
//! - [`config`]: the settings.
//! - [`server`]: [`Server`], everything put together and served.
//! - [`service`]: [`Service`], the API's backend, handing each action to its owner.
//! - [`catalog`]: state machines, versions, aliases, activities and tags.
//! - [`executions`]: executions, histories, tasks, Map Runs.
//! - [`triggers`]: how webhooks, schedules and event rules start executions.
//! - [`clock`]: `Baton.GetClock` and `Baton.AdvanceClock` (a virtual clock for tests).
//! - [`edge`]: the HTTP edge: connections, timeouts, body limits, the `Host` check.

pub mod catalog;
pub mod clock;
pub mod config;
mod data_dir;
pub mod edge;
pub mod executions;
pub mod server;
pub mod service;
pub mod triggers;

pub use config::{Durability, ServerConfig};
pub use server::{Server, ServerError};
pub use service::Service;
