//! EventBridge Scheduler's API (REST-JSON).
