//! Seeded synthetic fleets with a planted feasible placement.
//!
//! Takes (pods, machines, seed); produces a prepared [`Problem`] plus the
//! facts the benchmark reports on (content hashes, the planted assignment).
//! Mixed CUDA / ROCm / Asahi (Vulkan, unified memory) / macOS (Metal,
//! unified) / CPU-only machines with random provider sets, zones and
//! bandwidths; models half GGUF (1–16 GiB), half safetensors (4–140 GiB);
//! tenants with 2–5 cache keys drawn from a 64-value content-hash space (so
//! tenants share hashes but never keys); deployments of 1–3 replicas with
//! hard anti-affinity; each tenant allowed about half of the zones. A
//! planted assignment is drawn first and capacities are set to planted load /
//! U(55 %–85 %) rounded up to hardware quanta, so every instance is feasible.
//! Pure and deterministic (own SplitMix64); no I/O.

use amc_solve::problem::{
    Bandwidth, CPU, Class, GPU, Group, Key, MEM, Machine, Model, NONE, Pod, Problem, R, Tier,
    UNBOUNDED, VRAM, Weights,
};
use amc_solve::search::Rng;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// Machine kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Linux + NVIDIA.
    Cuda,
    /// Linux + AMD.
    Rocm,
    /// Fedora Asahi on Apple Silicon: Vulkan + CPU, unified memory.
    Asahi,
    /// macOS: Metal + CPU, unified memory.
    Macos,
    /// CPU only.
    Cpu,
}

/// Providers.
pub const PROVIDERS: [&str; 4] = ["vllm", "sglang", "llama.cpp", "ollama"];

/// A generated instance.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Name, e.g. `100x20-s1`.
    pub name: String,
    /// Seed.
    pub seed: u64,
    /// The problem (prepared).
    pub problem: Problem,
    /// Content hash of each key (shared across tenants on purpose).
    pub key_hash: Vec<u8>,
    /// Kind of each machine.
    pub kinds: Vec<Kind>,
    /// The planted feasible assignment.
    pub planted: Vec<u32>,
}

fn accels(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Cuda => &["cuda", "cpu"],
        Kind::Rocm => &["rocm", "cpu"],
        Kind::Asahi => &["vulkan", "cpu"],
        Kind::Macos => &["metal", "cpu"],
        Kind::Cpu => &["cpu"],
    }
}

/// Which accelerators a provider can use (never Metal on Linux: Metal only exists on macOS machines).
fn provider_accels(provider: usize) -> &'static [&'static str] {
    match provider {
        0 | 1 => &["cuda", "rocm"],
        2 => &["cuda", "rocm", "vulkan", "metal", "cpu"],
        _ => &["cuda", "rocm", "metal", "cpu"],
    }
}

fn range(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    lo + rng.below((hi - lo + 1) as usize) as u64
}

struct Spec {
    provider: usize,
    gpu: bool,
    tenant: u32,
    model: u32,
    keys: Vec<u32>,
    demand: [u64; R],
}

/// Generates an instance.
pub fn generate(pods: usize, machines: usize, seed: u64) -> Instance {
    let mut rng = Rng::new(
        seed ^ (pods as u64).wrapping_mul(0x9E37) ^ (machines as u64).wrapping_mul(0x85EB_CA6B),
    );
    let n = machines.max(1);
    let zones = (n / 8).clamp(2, 16);
    // Machines.
    let mut kinds = Vec::with_capacity(n);
    let mut zone_of = Vec::with_capacity(n);
    let mut installed: Vec<[bool; 4]> = Vec::with_capacity(n);
    let mut mlist = Vec::with_capacity(n);
    for i in 0..n {
        let r = rng.below(100);
        let kind = match r {
            0..=49 => Kind::Cuda,
            50..=64 => Kind::Rocm,
            65..=74 => Kind::Asahi,
            75..=84 => Kind::Macos,
            _ => Kind::Cpu,
        };
        let mut inst = [false; 4];
        match kind {
            Kind::Cuda | Kind::Rocm => {
                for v in inst.iter_mut() {
                    *v = rng.chance(6, 10);
                }
                if !inst.iter().any(|&x| x) {
                    inst[rng.below(4)] = true;
                }
            }
            Kind::Asahi => inst[2] = true,
            Kind::Macos | Kind::Cpu => {
                inst[2] = rng.chance(7, 10);
                inst[3] = rng.chance(7, 10) || !inst[2];
            }
        }
        kinds.push(kind);
        zone_of.push(rng.below(zones) as u32);
        installed.push(inst);
        mlist.push(Machine {
            name: format!("m{i}"),
            cap: [0; R],
            unified: matches!(kind, Kind::Asahi | Kind::Macos),
            pools: Vec::new(),
            pool_names: Vec::new(),
            pool_of: Vec::new(),
            bw: Bandwidth {
                network: range(&mut rng, 1024, 2560) * MIB,
                nvme: range(&mut rng, 3, 7) * GIB,
                ram: range(&mut rng, 12, 25) * GIB,
            },
            resident: Vec::new(),
            warm: Vec::new(),
        });
    }
    // Models: half GGUF, half safetensors.
    let n_models = (pods / 15).clamp(3, 200);
    let mut models = Vec::with_capacity(n_models);
    let mut gguf = Vec::with_capacity(n_models);
    for i in 0..n_models {
        let is_gguf = i % 2 == 0;
        let size = if is_gguf {
            range(&mut rng, 1024, 16 * 1024) * MIB
        } else {
            range(&mut rng, 4 * 1024, 140 * 1024) * MIB
        };
        gguf.push(is_gguf);
        models.push(Model {
            name: format!("model-{i}"),
            size,
        });
    }
    // Tenants, their keys and allowed zones.
    let n_tenants = (pods / 40).clamp(2, 200);
    let mut keys: Vec<Key> = Vec::new();
    let mut key_hash = Vec::new();
    let mut tenant_keys: Vec<Vec<u32>> = Vec::with_capacity(n_tenants);
    let mut tenant_zones: Vec<Vec<bool>> = Vec::with_capacity(n_tenants);
    const KINDS: [&str; 5] = ["system", "tools", "repo", "memory", "retrieval"];
    for t in 0..n_tenants {
        let nk = range(&mut rng, 2, 5) as usize;
        let mut ks = Vec::with_capacity(nk);
        for j in 0..nk {
            let hash = rng.below(64) as u8;
            ks.push(keys.len() as u32);
            keys.push(Key {
                name: format!("t{t}/{}/h{hash:02x}", KINDS[j % KINDS.len()]),
                tenant: t as u32,
                warm_ms: range(&mut rng, 200, 6400) as i64,
            });
            key_hash.push(hash);
        }
        tenant_keys.push(ks);
        let mut z = vec![false; zones];
        for v in z.iter_mut() {
            *v = rng.chance(1, 2);
        }
        if !z.iter().any(|&x| x) {
            z[rng.below(zones)] = true;
        }
        tenant_zones.push(z);
    }
    let compatible = |provider: usize, gpu: bool, tenant: usize, m: usize| -> bool {
        if !installed[m][provider] || !tenant_zones[tenant][zone_of[m] as usize] {
            return false;
        }
        let acc = accels(kinds[m]);
        if gpu {
            provider_accels(provider)
                .iter()
                .any(|a| *a != "cpu" && acc.contains(a))
        } else {
            provider_accels(provider).contains(&"cpu")
        }
    };
    // Deployments.
    let mut specs: Vec<(Spec, u32)> = Vec::new();
    let mut total = 0usize;
    let mut set_names = Vec::new();
    let mut attempts = 0usize;
    while total < pods && attempts < pods * 50 {
        attempts += 1;
        let r = rng.below(100);
        let provider = match r {
            0..=34 => 0,
            35..=49 => 1,
            50..=74 => 2,
            _ => 3,
        };
        // vLLM and SGLang serve safetensors on GPUs; llama.cpp and Ollama serve GGUF.
        let want_gguf = provider >= 2;
        let candidates: Vec<u32> = (0..n_models as u32)
            .filter(|&x| gguf[x as usize] == want_gguf)
            .collect();
        let model = candidates[rng.below(candidates.len())];
        let gpu = provider < 2 || !rng.chance(2, 10);
        let tenant = rng.below(n_tenants);
        let tk = &tenant_keys[tenant];
        let nk = range(&mut rng, 1, 3.min(tk.len() as u64)) as usize;
        let mut ks = Vec::with_capacity(nk);
        while ks.len() < nk {
            let k = tk[rng.below(tk.len())];
            if !ks.contains(&k) {
                ks.push(k);
            }
        }
        let size = models[model as usize].size;
        let demand = if gpu {
            [
                range(&mut rng, 1, 8) * 1000,
                range(&mut rng, 4, 32) * GIB,
                0,
                size + size / 5,
            ]
        } else {
            [range(&mut rng, 2, 16) * 1000, size + size / 5 + GIB, 0, 0]
        };
        let feasible = (0..n)
            .filter(|&m| compatible(provider, gpu, tenant, m))
            .count();
        if feasible == 0 {
            continue;
        }
        let replicas = (range(&mut rng, 1, 3) as usize)
            .min(feasible)
            .min(pods - total) as u32;
        set_names.push(format!("d{}", specs.len()));
        specs.push((
            Spec {
                provider,
                gpu,
                tenant: tenant as u32,
                model,
                keys: ks,
                demand,
            },
            replicas,
        ));
        total += replicas as usize;
    }
    // Classes: one per (provider, gpu, tenant) combination actually used.
    let mut class_keys: Vec<(usize, bool, u32)> = Vec::new();
    let mut classes = Vec::new();
    let mut pod_list = Vec::with_capacity(total);
    let mut groups = Vec::new();
    for (set, (sp, replicas)) in specs.iter().enumerate() {
        let ck = (sp.provider, sp.gpu, sp.tenant);
        let class = match class_keys.iter().position(|c| *c == ck) {
            Some(i) => i as u32,
            None => {
                class_keys.push(ck);
                let ms: Vec<u32> = (0..n)
                    .filter(|&m| compatible(sp.provider, sp.gpu, sp.tenant as usize, m))
                    .map(|m| m as u32)
                    .collect();
                classes.push(Class::new(ms, n));
                (classes.len() - 1) as u32
            }
        };
        let group = if *replicas > 1 {
            groups.push(Group {
                map: None,
                limit: 1,
            });
            vec![(groups.len() - 1) as u32]
        } else {
            Vec::new()
        };
        for r in 0..*replicas {
            pod_list.push(Pod {
                name: format!("d{set}-{r}"),
                set: set as u32,
                tenant: sp.tenant,
                model: Some(sp.model),
                keys: sp.keys.clone(),
                demand: sp.demand,
                volumes: Vec::new(),
                class,
                groups: group.clone(),
                requires: Vec::new(),
            });
        }
    }
    // Planted assignment: random compatible machine, replicas apart.
    let mut planted = vec![NONE; pod_list.len()];
    let mut load = vec![[0u64; R]; n];
    for p in 0..pod_list.len() {
        let ms = &classes[pod_list[p].class as usize].machines;
        let set = pod_list[p].set;
        let taken: Vec<u32> = (0..p)
            .filter(|&q| pod_list[q].set == set)
            .map(|q| planted[q])
            .collect();
        let free: Vec<u32> = ms.iter().copied().filter(|m| !taken.contains(m)).collect();
        let m = free[rng.below(free.len())];
        planted[p] = m;
        let d = &pod_list[p].demand;
        let unified = mlist[m as usize].unified;
        let l = &mut load[m as usize];
        l[CPU] += d[CPU];
        if unified {
            l[MEM] += d[MEM] + d[VRAM];
        } else {
            l[MEM] += d[MEM];
            l[VRAM] += d[VRAM];
        }
    }
    // Capacities: planted load / U(55%, 85%), rounded up to quanta.
    let quanta = [8000u64, 32 * GIB, 1, 8 * GIB];
    for (i, mach) in mlist.iter_mut().enumerate() {
        let util = range(&mut rng, 55, 85);
        for r in [CPU, MEM, VRAM] {
            let base = if load[i][r] == 0 {
                quanta[r]
            } else {
                load[i][r] * 100 / util
            };
            mach.cap[r] = base.div_ceil(quanta[r]).max(1) * quanta[r];
        }
        mach.cap[GPU] = UNBOUNDED;
        let gpu_kind = matches!(kinds[i], Kind::Cuda | Kind::Rocm);
        if !gpu_kind {
            mach.cap[VRAM] = 0;
        }
        // Node state: resident models and warm keys.
        for _ in 0..rng.below(4) {
            let x = rng.below(n_models) as u32;
            let tier = match rng.below(3) {
                0 => Tier::Vram,
                1 => Tier::Ram,
                _ => Tier::Nvme,
            };
            mach.resident.push((x, tier));
        }
        for _ in 0..rng.below(4) {
            mach.warm.push(rng.below(keys.len()) as u32);
        }
    }
    let mut problem = Problem {
        machines: mlist,
        pods: pod_list,
        models,
        keys,
        classes,
        groups,
        domains: Vec::new(),
        sets: set_names,
        weights: Weights::default(),
        incumbent: Vec::new(),
        move_ms: 0,
        tables: Default::default(),
    };
    problem.prepare();
    Instance {
        name: format!("{pods}x{machines}-s{seed}"),
        seed,
        problem,
        key_hash,
        kinds,
        planted,
    }
}
