//! The real [`HostProbe`]: reads this host.
//!
//! Takes: a [`ProbeConfig`].
//! Produces: raw readings from the local filesystem, sysinfo, PATH commands
//! (each bounded by a timeout, stdin closed, `LC_ALL=C`) and the Vulkan loader.
//! Never: writes, follows the user's home directory, returns environment
//! variable values (only `XDG_RUNTIME_DIR` is read, to look for the systemd user
//! manager socket), or blocks forever on a hung command.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{DiskReading, HostProbe, PathMeta, ProbeConfig, SystemReadings, VulkanLoader};
use crate::facts::{Os, Vulkan};

/// Default timeout for one external command.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(3000);

/// Largest file the probe reads (sysfs/procfs files are far smaller).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Probes the machine this process runs on.
#[derive(Debug, Clone)]
pub struct SystemProbe {
    vulkan: VulkanLoader,
    timeout: Duration,
}

impl SystemProbe {
    /// A probe configured by `config`.
    pub fn new(config: &ProbeConfig) -> Self {
        let timeout = if config.command_timeout_ms == 0 {
            DEFAULT_TIMEOUT
        } else {
            Duration::from_millis(config.command_timeout_ms)
        };
        SystemProbe {
            vulkan: config.vulkan.clone(),
            timeout,
        }
    }

    fn find_on_path(program: &str) -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|p| is_executable(p))
    }
}

fn is_executable(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode() & 0o111 != 0
            }
            #[cfg(not(unix))]
            {
                true
            }
        }
        _ => false,
    }
}

impl HostProbe for SystemProbe {
    fn os(&self) -> Os {
        match std::env::consts::OS {
            "linux" => Os::Linux,
            "macos" => Os::Macos,
            _ => Os::Other,
        }
    }

    fn arch(&self) -> String {
        std::env::consts::ARCH.to_string()
    }

    fn system(&self) -> SystemReadings {
        use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, RefreshKind, System};
        let refresh = RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram());
        let mut out = SystemReadings {
            hostname: System::host_name().ok(),
            kernel: System::kernel_version().ok(),
            physical_cores: System::physical_core_count()
                .ok()
                .and_then(|n| u32::try_from(n).ok()),
            detected_cpu_features: detected_cpu_features(),
            ..SystemReadings::default()
        };
        if let Ok(sys) = System::new_with_specifics(refresh) {
            out.threads = u32::try_from(sys.cpus().len()).unwrap_or(u32::MAX);
            out.cpu_brand = sys
                .cpus()
                .first()
                .map(|c| c.brand().trim().to_string())
                .filter(|b| !b.is_empty());
            out.total_memory = sys.total_memory();
            out.available_memory = Some(sys.available_memory()).filter(|a| *a > 0);
        }
        if out.threads == 0 {
            out.threads = std::thread::available_parallelism()
                .map(|n| u32::try_from(n.get()).unwrap_or(1))
                .unwrap_or(1);
        }
        if let Ok(disks) = Disks::new_with_refreshed_list() {
            out.disks = disks
                .iter()
                .map(|d| DiskReading {
                    mount_point: d.mount_point().to_string_lossy().into_owned(),
                    device: d.name().to_string_lossy().into_owned(),
                    filesystem: d.file_system().to_string_lossy().into_owned(),
                    total_bytes: d.total_space(),
                    free_bytes: d.available_space(),
                    read_only: d.is_read_only(),
                })
                .collect();
        }
        out
    }

    fn read_file(&self, path: &str) -> Option<String> {
        let file = std::fs::File::open(path).ok()?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES).read_to_end(&mut bytes).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn read_link_name(&self, path: &str) -> Option<String> {
        let target = std::fs::read_link(path).ok()?;
        target.file_name().map(|n| n.to_string_lossy().into_owned())
    }

    fn list_dir(&self, path: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    fn exists(&self, path: &str) -> bool {
        Path::new(path).exists()
    }

    fn path_meta(&self, path: &str) -> Option<PathMeta> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(PathMeta {
                uid: meta.uid(),
                mode: meta.mode() & 0o7777,
                is_dir: meta.is_dir(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Option<String> {
        let exe = Self::find_on_path(program)?;
        run_with_timeout(&exe, args, self.timeout)
    }

    fn on_path(&self, program: &str) -> bool {
        Self::find_on_path(program).is_some()
    }

    fn user_runtime_dir(&self) -> Option<String> {
        std::env::var("XDG_RUNTIME_DIR")
            .ok()
            .filter(|d| d.starts_with('/'))
    }

    fn vulkan(&self) -> Vulkan {
        super::vulkan::probe_vulkan(&self.vulkan)
    }
}

/// Run `exe args` with closed stdin, discarded stderr and `LC_ALL=C`; return
/// stdout if it exits successfully within `timeout`, killing it otherwise.
fn run_with_timeout(exe: &Path, args: &[&str], timeout: Duration) -> Option<String> {
    let mut child = Command::new(exe)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let (tx, rx) = mpsc::channel();
    // A reader thread keeps a chatty child from blocking on a full pipe; it is
    // detached, so a grandchild holding the pipe open cannot hang the probe.
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut stdout).take(MAX_FILE_BYTES).read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    }?;
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    let buf = rx.recv_timeout(remaining).ok()?;
    status
        .success()
        .then(|| String::from_utf8_lossy(&buf).into_owned())
}

/// CPU features by runtime detection, for hosts without `/proc/cpuinfo`.
fn detected_cpu_features() -> Vec<String> {
    #[allow(unused_mut)]
    let mut found: Vec<&str> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! x86 {
            ($($f:tt),*) => { $( if std::arch::is_x86_feature_detected!($f) { found.push($f); } )* };
        }
        x86!(
            "avx",
            "avx2",
            "avx512f",
            "avx512bw",
            "avx512vl",
            "avx512vnni",
            "avx512bf16",
            "fma",
            "f16c",
            "sse4.2"
        );
    }
    #[cfg(target_arch = "aarch64")]
    {
        macro_rules! arm {
            ($($f:tt),*) => { $( if std::arch::is_aarch64_feature_detected!($f) { found.push($f); } )* };
        }
        arm!("neon", "dotprod", "fp16", "bf16", "i8mm", "sve", "sve2");
    }
    let mut out: Vec<String> = found.into_iter().map(str::to_string).collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hung_commands_are_killed_at_the_timeout() {
        let Some(sleep) = SystemProbe::find_on_path("sleep") else {
            return;
        };
        let start = Instant::now();
        assert_eq!(
            run_with_timeout(&sleep, &["5"], Duration::from_millis(200)),
            None
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn failing_and_missing_commands_are_none() {
        let probe = SystemProbe::new(&ProbeConfig::default());
        assert_eq!(probe.run("amc-no-such-program-xyz", &["--version"]), None);
        if probe.on_path("false") {
            assert_eq!(probe.run("false", &[]), None);
        }
        if probe.on_path("echo") {
            assert_eq!(probe.run("echo", &["hi"]).as_deref(), Some("hi\n"));
        }
    }
}
