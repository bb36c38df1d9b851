//! The clock: the one place the server reads the time of day.
//!
//! The core has no clock (it is handed times), so the time an event is recorded at comes from
//! here, for the CLI (`annals stats` of a file folds it as recorded now) and for the stores
//! (every append is stamped when it is planned). Its own module because both use it and
//! neither owns it: when the store read it from the CLI, the store, the CLI and the HTTP layer
//! used each other in a circle.

/// Now, in milliseconds since the Unix epoch (0 if the system clock is before 1970).
pub fn now() -> annals_core::Timestamp {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    annals_core::Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
}
