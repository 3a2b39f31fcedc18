//! amc — the Agent Machine compiler (library).
