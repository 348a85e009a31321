//! `%.7g` and `%f` as T2 prints floats in flow files, against glibc's `snprintf` (what T2
//! itself calls) on the same values: `cargo bench -p plugin-api --bench float`.
//!
//! The values are what the default plugins write: `F` columns are `f32` widened to `f64`
//! (rates, averages, ratios over many magnitudes), and durations in seconds with microseconds.

use std::ffi::CStr;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use plugin_api::fmt::float::{f6, g7};

/// A reproducible spread of flow-file floats: a 64-bit LCG, no dependency.
fn values(n: usize) -> Vec<f64> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        x >> 11
    };
    (0..n)
        .map(|i| {
            let r = next() as f64 / (1u64 << 53) as f64;
            match i % 4 {
                // a ratio or an average, f32 as the plugins keep them
                0 => f64::from((r * 2.0 - 1.0) as f32),
                // a rate over six orders of magnitude
                1 => f64::from((r * 1e6).powf(r) as f32),
                // a whole number (packet counts as floats)
                2 => (next() % 100_000) as f64,
                // a duration: seconds and microseconds
                _ => (next() % 86_400) as f64 + (next() % 1_000_000) as f64 / 1e6,
            }
        })
        .collect()
}

/// glibc's `snprintf(buf, fmt, v)` appended to `out`.
fn libc_format(out: &mut Vec<u8>, fmt: &CStr, v: f64) {
    let mut buf = [0u8; 512];
    // SAFETY: `buf` is writable for its length, `fmt` is a NUL-terminated format taking one
    // double, and snprintf never writes past the size given.
    let n = unsafe { libc::snprintf(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), v) };
    out.extend_from_slice(&buf[..usize::try_from(n).unwrap_or(0).min(buf.len() - 1)]);
}

fn bench(c: &mut Criterion) {
    let vals = values(10_000);
    // the comparison is only fair if both write the same bytes
    let (mut ours, mut glibc) = (Vec::new(), Vec::new());
    for &v in &vals {
        g7(&mut ours, v);
        ours.push(b'\t');
        f6(&mut ours, v);
        ours.push(b'\t');
        libc_format(&mut glibc, c"%.7g", v);
        glibc.push(b'\t');
        libc_format(&mut glibc, c"%f", v);
        glibc.push(b'\t');
    }
    assert!(ours == glibc, "rt2 and glibc write different text");

    let mut group = c.benchmark_group("float");
    group.throughput(Throughput::Elements(vals.len() as u64));
    let mut out = Vec::with_capacity(1 << 20);
    let mut run = |name: &str, f: &dyn Fn(&mut Vec<u8>, f64)| {
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                for &v in &vals {
                    f(&mut out, black_box(v));
                }
                black_box(out.len())
            })
        });
    };
    run("g7 (rt2)", &g7);
    run("%.7g (glibc snprintf)", &|o, v| libc_format(o, c"%.7g", v));
    run("f6 (rt2)", &f6);
    run("%f (glibc snprintf)", &|o, v| libc_format(o, c"%f", v));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
