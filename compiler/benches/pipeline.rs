//! `cargo bench --bench pipeline`: each stage of the pipeline on generated
//! fleets of 100 and 1,000 agents (`amc_bench::spec::fleet`: N pods on N/2
//! GPU nodes). parse: the lossless parser on the spec text; check: parse,
//! resolve, check and placement (what `amc check` runs); solve: placement
//! alone on the checked spec; emit: every artifact, in memory; sign: seal
//! the manifest with an ECDSA P-256 key. Criterion keeps the last run as the
//! baseline and reports the change against it.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use amc::diagnostics::Diagnostics;
use amc::driver::{self, Compilation, Options, Stop};
use amc::emit::{self, EmitOptions};
use amc::resolve::documents::Documents;
use amc::solve::SolveOptions;
use amc::source::{FileId, SourceMap};
use amc::vfs::MemoryFs;

const SIZES: [usize; 2] = [100, 1000];

fn spec(n: usize) -> String {
    amc::bench::spec::fleet(n, n / 2, None, None)
}

fn fs_of(text: &str) -> MemoryFs {
    let mut fs = MemoryFs::new();
    fs.insert("spec/spec.kdl", text);
    fs
}

fn compile(fs: &MemoryFs, stop: Stop) -> Compilation {
    let opts = Options {
        stop,
        ..Default::default()
    };
    match driver::compile(fs, Path::new("spec"), "spec", &opts) {
        Ok(c) if !c.diagnostics.has_errors() => c,
        _ => panic!("the generated fleet does not compile"),
    }
}

fn stages(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    for n in SIZES {
        let text = spec(n);
        let fs = fs_of(&text);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("parse", n), &text, |b, t| {
            b.iter(|| {
                let mut d = Diagnostics::new();
                black_box(amc::syntax::parse(FileId(0), t, &mut d))
            })
        });
        g.bench_with_input(BenchmarkId::new("check", n), &fs, |b, fs| {
            b.iter(|| black_box(compile(fs, Stop::Check)))
        });
        let checked = compile(&fs, Stop::Check);
        let docs = Documents::default();
        g.bench_with_input(BenchmarkId::new("solve", n), &checked, |b, c| {
            b.iter(|| {
                let mut d = Diagnostics::new();
                black_box(amc::solve::place(
                    &c.spec,
                    &c.checked,
                    &docs,
                    &SolveOptions::default(),
                    &mut d,
                ))
            })
        });
        g.bench_with_input(BenchmarkId::new("emit", n), &checked, |b, c| {
            b.iter(|| {
                black_box(emit::emit(
                    &c.spec,
                    &c.checked,
                    &c.placement,
                    &docs,
                    emit::Record {
                        inputs: &[],
                        stdlib_modules: &[],
                        blocking_warnings: &[],
                    },
                    &EmitOptions::default(),
                ))
            })
        });
        let built = compile(&fs, Stop::Build);
        let key = include_bytes!("../tests/keys/test.key");
        let signer = amc::sign::keys::load_private("test.key", key, None, &mut SourceMap::new())
            .unwrap_or_else(|_| panic!("tests/keys/test.key does not load"));
        g.bench_with_input(BenchmarkId::new("sign", n), &built, |b, c| {
            b.iter(|| {
                let mut a = c.artifacts.clone();
                black_box(amc::sign::seal(&mut a, Some(&signer)))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
