//! Writing to standard output and standard error without panicking.
//!
//! `print!` panics when stdout is a closed pipe (`amc check ... | head`) or a
//! full disk (`> /dev/full`). Every command writes through [`stdout!`] and
//! [`stdoutln!`] instead: a broken pipe ends the process quietly with exit
//! code 141 (what a shell reports for a process killed by SIGPIPE), any
//! other write error with a message on stderr and exit code 74 (`EX_IOERR`).
//! Writes to stderr ignore errors: there is nowhere left to report them,
//! and the exit code still tells.

use std::fmt;
use std::io::{self, Write};

/// Exit code after a broken pipe on stdout.
pub const EXIT_BROKEN_PIPE: i32 = 141;
/// Exit code after any other error writing stdout (sysexits `EX_IOERR`).
pub const EXIT_IO: i32 = 74;

/// Ends the process after a failed write to stdout.
pub fn stdout_failed(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(EXIT_BROKEN_PIPE);
    }
    let _ = writeln!(io::stderr(), "error: cannot write to standard output: {e}");
    std::process::exit(EXIT_IO);
}

/// Writes to stdout, ending the process on failure.
pub fn out(args: fmt::Arguments<'_>) {
    let mut o = io::stdout().lock();
    if let Err(e) = o.write_fmt(args) {
        stdout_failed(&e);
    }
}

/// Writes bytes to stdout, ending the process on failure.
pub fn out_bytes(bytes: &[u8]) {
    let mut o = io::stdout().lock();
    if let Err(e) = o.write_all(bytes) {
        stdout_failed(&e);
    }
}

/// Flushes stdout, ending the process on failure (the last buffered line
/// of `print!` is only written here).
pub fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        stdout_failed(&e);
    }
}

/// Writes to stderr, ignoring errors.
pub fn err(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `print!` that never panics.
macro_rules! stdout {
    ($($t:tt)*) => { $crate::cli::stream::out(format_args!($($t)*)) };
}
/// `println!` that never panics.
macro_rules! stdoutln {
    () => { $crate::cli::stream::out(format_args!("\n")) };
    ($($t:tt)*) => {{ $crate::cli::stream::out(format_args!($($t)*)); $crate::cli::stream::out(format_args!("\n")) }};
}
/// `eprint!` that never panics.
macro_rules! stderr {
    ($($t:tt)*) => { $crate::cli::stream::err(format_args!($($t)*)) };
}
/// `eprintln!` that never panics.
macro_rules! stderrln {
    () => { $crate::cli::stream::err(format_args!("\n")) };
    ($($t:tt)*) => {{ $crate::cli::stream::err(format_args!($($t)*)); $crate::cli::stream::err(format_args!("\n")) }};
}
