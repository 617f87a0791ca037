//! [`Server`]: the store, the runtime and the service put together from a
//! [`ServerConfig`], served over HTTP until a shutdown signal.

use std::future::Future;
use std::sync::Arc;

use baton_integrations::mock::{MockConfig, MockConfigError, Mocked};
use baton_integrations::{
    BoxFuture, Connections, ConnectionsError, Functions, FunctionsError, Http, ProcessSettings,
    Processes, Registry,
};
use baton_runtime::{Clock, Runtime, RuntimeError};
use baton_store::{MemoryStore, SqliteOptions, SqliteStore, Store, StoreError};

use crate::catalog::Catalog;
use crate::clock::{ClockControl, clock_actions};
use crate::config::{Durability, ServerConfig};
use crate::executions::express_log::ExpressLogs;
use crate::executions::nested::StartExecutionTasks;
use crate::executions::{Executions, Mocks};
use crate::service::Service;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The data directory cannot be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The Express log file cannot be opened.
    #[error("cannot open the Express log {path}: {source}")]
    ExpressLog {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The store cannot be opened.
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    /// The functions file is bad.
    #[error(transparent)]
    Functions(#[from] FunctionsError),
    /// A connection for HTTP Tasks is bad.
    #[error(transparent)]
    Connections(#[from] ConnectionsError),
    /// The mock configuration file is bad.
    #[error(transparent)]
    MockConfig(#[from] MockConfigError),
    /// Recovering the open executions failed.
    #[error("cannot recover executions: {0}")]
    Runtime(#[from] RuntimeError),
    /// The triggers (webhooks, schedules, event rules) could not be loaded.
    #[error(transparent)]
    Triggers(#[from] baton_triggers::TriggersError),
}

/// Starts again the asynchronous Express executions a crash cut short (AWS runs them at
/// least once), each with its machine's log.
async fn restart_express(
    runtime: &Runtime,
    catalog: &Catalog,
    logs: Option<&Arc<ExpressLogs>>,
) -> Result<(), ServerError> {
    let kept = runtime.express_to_restart().await?;
    if !kept.is_empty() {
        tracing::info!(
            executions = kept.len(),
            "starting again the Express executions a restart cut short"
        );
    }
    for mut new in kept {
        if let Some(logs) = logs {
            let of = new.version_arn.as_deref().unwrap_or(&new.machine_arn);
            if let Ok(target) = catalog.resolve_exact(of).await {
                new.log = logs.for_machine(target.logging.as_deref());
            }
        }
        let runtime = runtime.clone();
        tokio::spawn(async move {
            let arn = new.arn.clone();
            if let Err(e) = runtime.start(new).await {
                tracing::warn!(execution = %arn, error = %e, "an Express execution could not start again");
            }
        });
    }
    Ok(())
}

/// A running Baton service: API, runtime and store.
pub struct Server {
    service: Arc<Service>,
    runtime: Runtime,
    config: Arc<ServerConfig>,
    triggers: baton_triggers::Triggers,
}

/// The name of the SQLite file in the data directory.
pub const DATABASE_FILE: &str = "baton.db";

impl Server {
    /// Opens the store, recovers open executions and makes the service ready to serve.
    pub async fn open(config: ServerConfig) -> Result<Server, ServerError> {
        let store: Arc<dyn Store> = match &config.data_dir {
            Some(dir) => {
                crate::data_dir::prepare(dir)?;
                let options = SqliteOptions {
                    synchronous: match config.durability {
                        Durability::Fsync => baton_store::Durability::Full,
                        Durability::Process => baton_store::Durability::Normal,
                    },
                    ..SqliteOptions::default()
                };
                let path = dir.join(DATABASE_FILE);
                let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path, options))
                    .await
                    .map_err(|e| StoreError::Backend(e.to_string()))??;
                Arc::new(store)
            }
            None => Arc::new(MemoryStore::new()),
        };
        Server::with_store(config, store).await
    }

    /// A server over a given store.
    pub async fn with_store(
        config: ServerConfig,
        store: Arc<dyn Store>,
    ) -> Result<Server, ServerError> {
        let config = Arc::new(config);
        let functions = match &config.functions {
            Some(path) => Functions::load(path)?,
            None => Functions::none(),
        };
        let catalog = Arc::new(Catalog::new(Arc::clone(&store), Arc::clone(&config)));
        let (nested, runtime_slot) =
            StartExecutionTasks::new(Arc::clone(&catalog), Arc::clone(&config));
        let processes = Processes::new(ProcessSettings {
            commands: config.allow_commands,
            containers: config.allow_containers,
            container_engine: config.container_engine.clone(),
        });
        let registry = Registry::with_aws(functions, &config.aws_settings())
            .with(Arc::new(Http::new(Connections::new(&config.connections)?)))
            .with(Arc::new(processes))
            .with(Arc::new(nested));
        // With a mock configuration, mocked states of test-case executions are answered
        // before anything else.
        let (registry, mocks) = match &config.mock_config {
            Some(path) => {
                let mocked = Arc::new(Mocked::new(registry));
                let mocks = Mocks {
                    config: MockConfig::load(path)?,
                    mocked: Arc::clone(&mocked),
                };
                (Registry::default().with(mocked), Some(mocks))
            }
            None => (registry, None),
        };
        let clock = if config.virtual_clock {
            Clock::starting_at(Clock::real().now())
        } else {
            Clock::real()
        };
        let runtime =
            Runtime::open_with_clock(store, registry.clone(), config.runtime(), clock.clone())
                .await?;
        runtime_slot.send_replace(Some(runtime.clone()));
        if let Some(m) = &mocks {
            let rt = runtime.clone();
            m.mocked
                .set_reporter(Arc::new(move |token, output| -> BoxFuture<()> {
                    let rt = rt.clone();
                    Box::pin(async move {
                        if let Err(e) = rt.task_succeeded(&token, output).await {
                            tracing::warn!(error = %e, "a mocked callback could not complete");
                        }
                    })
                }));
        }
        let express_logs = match &config.express_log {
            Some(path) => Some(Arc::new(ExpressLogs::open(path).map_err(|source| {
                ServerError::ExpressLog {
                    path: path.display().to_string(),
                    source,
                }
            })?)),
            None => None,
        };
        restart_express(&runtime, &catalog, express_logs.as_ref()).await?;
        let executions = Executions::new(Arc::clone(&catalog), runtime.clone(), express_logs)
            .with_registry(registry)
            .with_mocks(mocks);
        let service = Arc::new(Service {
            catalog,
            executions,
        });
        let triggers = baton_triggers::Triggers::open_with_clock(
            Arc::clone(runtime.store()),
            Arc::new(crate::triggers::ServiceStarter::new(
                Arc::clone(&service),
                config.api(),
            )),
            baton_triggers::Identity {
                region: config.region.clone(),
                account: config.account.clone(),
            },
            &config.triggers,
            clock,
        )
        .await?;
        triggers.listen_to(&runtime);
        triggers.run();
        Ok(Server {
            service,
            runtime,
            config,
            triggers,
        })
    }

    /// The service, to call actions in process.
    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// The runtime.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The HTTP router: the API at `POST /`, `GET /healthz`, the console, the triggers'
    /// routes and actions, and the clock's actions.
    pub fn router(&self) -> axum::Router {
        let api = baton_api::router(Arc::clone(&self.service), self.config.api());
        let max_body = self.config.max_request_bytes();
        let control = Arc::new(ClockControl::new(
            self.runtime.clone(),
            self.triggers.clone(),
            max_body,
        ));
        baton_triggers::router_with_limit(
            self.triggers.clone(),
            baton_console::router(api),
            max_body,
        )
        .layer(axum::middleware::from_fn_with_state(control, clock_actions))
    }

    /// Serves on `listener` until `shutdown` completes, then lets requests in flight
    /// finish and closes the store (open executions carry on at the next start). The
    /// connections are held to the settings' limits and timeouts (see [`crate::edge`]).
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let runtime = self.runtime.clone();
        let triggers = self.triggers.clone();
        let result = crate::edge::serve(listener, self.router(), self.config.edge(), async move {
            shutdown.await;
            triggers.close();
            runtime.begin_shutdown();
        })
        .await;
        if let Err(e) = self.runtime.shutdown().await {
            tracing::warn!(error = %e, "closing the store failed");
        }
        result
    }
}
