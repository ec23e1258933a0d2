//! Renderers: the human report (`text`) and the JSON Lines of the contract
//! (`json`). Both write to any `io::Write`.

pub mod json;
pub mod progress;
pub mod text;
