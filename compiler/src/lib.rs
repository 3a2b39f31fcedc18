//! amc — the Agent Machine compiler (library).

pub mod facts;
pub mod probe;
