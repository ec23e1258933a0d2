//! Zone-file reader (in progress).
