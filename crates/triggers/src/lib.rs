//! Executions started from outside Baton (see `docs/TRIGGERS.md`):
//!
//! - [`webhooks`]: `POST /hooks/NAME` starts the webhook's target, with an input made from
//!   the request, an optional shared-secret or HMAC check, and a synchronous mode for
//!   Express state machines;
//! - [`schedule`]: EventBridge Scheduler's schedules (`at`, `rate`, `cron` in time zones,
//!   flexible windows, start and end dates), durable, managed with Scheduler's own API;
//! - [`events`]: an event bus with EventBridge's PutEvents, rules, [`pattern`]s and targets,
//!   on which Baton publishes its Standard executions' status changes.
//!
//! The crate starts executions only through [`Starter`], which the server implements with
//! its StartExecution; [`http::router`] adds the routes and actions to the server's router.

pub mod events;
pub mod http;
pub mod pattern;
pub mod schedule;
pub mod starter;
pub mod webhooks;
pub mod wire;

use std::sync::Arc;

use baton_runtime::Clock;
use baton_store::{Store, StoreError};
use serde::Deserialize;

pub use http::{router, router_with_limit};
pub use schedule::Identity;
pub use starter::{BoxFuture, StartError, StartRequest, StartedExecution, Starter, SyncOutcome};

/// Triggers declared in the server's TOML file (`[triggers]`), created or replaced at each
/// start, in the shapes of the API (webhooks and rules as `Baton.CreateWebhook` and
/// `PutRule` + `PutTargets` take them; schedules in kebab-case, dates in milliseconds).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct TriggersConfig {
    /// `[[triggers.webhooks]]`.
    pub webhooks: Vec<webhooks::WebhookDef>,
    /// `[[triggers.schedules]]`.
    pub schedules: Vec<schedule::ScheduleDef>,
    /// `[[triggers.rules]]`: `Name`, `EventBusName`, `EventPattern`, `State`, `Targets`.
    pub rules: Vec<serde_json::Value>,
}

/// Why the triggers could not start.
#[derive(Debug, thiserror::Error)]
pub enum TriggersError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A trigger of the configuration is invalid.
    #[error("bad trigger {name} in the configuration: {message}")]
    Config {
        /// The trigger.
        name: String,
        /// Why.
        message: String,
    },
}

/// Webhooks, schedules and the event bus of one server. Cheap to clone.
#[derive(Clone)]
pub struct Triggers {
    /// The webhooks.
    pub webhooks: webhooks::Webhooks,
    /// The schedules.
    pub scheduler: schedule::Scheduler,
    /// The event bus.
    pub bus: events::Bus,
    store: Arc<dyn Store>,
}

impl Triggers {
    /// Loads every stored trigger, then creates or replaces those of `config`. Nothing
    /// fires before [`Triggers::run`].
    pub async fn open(
        store: Arc<dyn Store>,
        starter: Arc<dyn Starter>,
        identity: Identity,
        config: &TriggersConfig,
    ) -> Result<Triggers, TriggersError> {
        Triggers::open_with_clock(store, starter, identity, config, Clock::real()).await
    }

    /// [`Triggers::open`] with schedules on `clock` (the runtime's: a virtual clock lets
    /// tests move time ahead; call [`Triggers::clock_moved`] when they do).
    pub async fn open_with_clock(
        store: Arc<dyn Store>,
        starter: Arc<dyn Starter>,
        identity: Identity,
        config: &TriggersConfig,
        clock: Clock,
    ) -> Result<Triggers, TriggersError> {
        let webhooks =
            webhooks::Webhooks::open(Arc::clone(&store), Arc::clone(&starter), clock.clone())
                .await?;
        let scheduler = schedule::Scheduler::open(
            Arc::clone(&store),
            Arc::clone(&starter),
            identity.clone(),
            clock.clone(),
        )
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?;
        let bus = events::Bus::open(Arc::clone(&store), starter, identity, clock).await?;
        let triggers = Triggers {
            webhooks,
            scheduler,
            bus,
            store,
        };
        triggers.apply(config).await?;
        Ok(triggers)
    }

    async fn apply(&self, config: &TriggersConfig) -> Result<(), TriggersError> {
        let bad = |name: &str, message: String| TriggersError::Config {
            name: name.to_owned(),
            message,
        };
        for w in &config.webhooks {
            let exists = self.webhooks.get(&w.name).is_some();
            self.webhooks
                .put(w.clone(), !exists)
                .await
                .map_err(|e| bad(&w.name, e.message))?;
        }
        for s in &config.schedules {
            let result = match self.scheduler.get(&s.group, &s.name).await {
                Ok(stored) if stored.def == *s => Ok(()),
                Ok(_) => self.scheduler.update(s.clone()).await,
                Err(_) => self.scheduler.create(s.clone()).await,
            };
            result.map_err(|e| bad(&s.name, e.to_string()))?;
        }
        for r in &config.rules {
            let name = r["Name"].as_str().unwrap_or_default().to_owned();
            let bus = r["EventBusName"].as_str().unwrap_or("default").to_owned();
            let mut raw = r.clone();
            raw["EventBusName"] = serde_json::json!(bus);
            if raw.get("Targets").is_none() {
                raw["Targets"] = serde_json::json!([]);
            }
            self.bus
                .put_rule(&bus, &name, Some(raw))
                .await
                .map_err(|e| bad(&name, e.message))?;
        }
        Ok(())
    }

    /// Starts firing schedules, and makes the event deliveries left from before a restart.
    pub fn run(&self) {
        self.scheduler.run();
        let n = self.bus.resume();
        if n > 0 {
            tracing::info!(deliveries = n, "event deliveries left from before resumed");
        }
    }

    /// Schedules look again at what is due, after a virtual clock moved ahead.
    pub fn clock_moved(&self) {
        self.scheduler.wake();
    }

    /// Stops firing schedules.
    pub fn close(&self) {
        self.scheduler.close();
    }

    /// Gives the runtime the triggers' status listener: each Standard execution's status
    /// change, while a rule on the default bus could start something, is kept in the
    /// store's outbox with the step that made it and becomes a "Step Functions Execution
    /// Status Change" event on the default bus (see [`events::Bus::publish`]).
    /// The status changes the outbox already holds are published in the background.
    pub fn listen_to(&self, runtime: &baton_runtime::Runtime) -> bool {
        if !runtime.on_status_change_kept(self.status_wanted(), self.status_hook()) {
            return false;
        }
        let bus = self.bus.clone();
        tokio::spawn(async move {
            match bus.publish_kept().await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(changes = n, "published the status changes kept from before")
                }
                Err(e) => tracing::warn!(error = %e, "kept status changes could not be read"),
            }
        });
        true
    }

    /// Whether status changes are wanted now: an enabled rule with targets is on the
    /// default bus.
    pub fn status_wanted(&self) -> baton_runtime::StatusWanted {
        let bus = self.bus.clone();
        Arc::new(move || bus.rules().routes("default"))
    }

    /// The hook that publishes status changes, in order, on the default bus.
    pub fn status_hook(&self) -> baton_runtime::StatusHook {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<baton_runtime::StatusChange>();
        let bus = self.bus.clone();
        tokio::spawn(async move {
            while let Some(change) = rx.recv().await {
                bus.publish(&change).await;
            }
        });
        Arc::new(move |change| {
            let _ = tx.send(change);
        })
    }
}
