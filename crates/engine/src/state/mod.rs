//! What each state type does, one file per type. Each `run_*` does the state's work for
//! its current step and says what follows as a [`Flow`](crate::flow::Flow).

pub(crate) mod children;
mod choice;
mod fail;
mod map;
mod map_dataset;
mod parallel;
mod pass;
mod succeed;
pub(crate) mod task;
mod wait;
