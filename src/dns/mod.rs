//! One DNS interface over live resolvers and offline zone files.
pub mod zone;
