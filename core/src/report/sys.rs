//! Process and host facts read from `/proc` (no libc calls needed).

/// Peak resident set size in KB (`VmHWM`, what `getrusage` reports as `ru_maxrss`).
pub fn peak_rss_kb() -> u64 {
    proc_field("/proc/self/status", "VmHWM:").unwrap_or(0)
}

/// Physical memory in bytes.
pub fn mem_total_bytes() -> u64 {
    proc_field("/proc/meminfo", "MemTotal:").map_or(0, |kb| kb * 1024)
}

fn proc_field(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// The nice value of this process.
pub fn nice() -> i32 {
    // field 19 of /proc/self/stat, counted after the parenthesised command name
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0 };
    let after = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    after.split_whitespace().nth(16).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// `<nodename>;<sysname>;<release>;<version>;<machine>` as `uname` gives it.
pub fn hw_info() -> String {
    let read = |f: &str| std::fs::read_to_string(format!("/proc/sys/kernel/{f}")).unwrap_or_default().trim().to_owned();
    format!(
        "{};{};{};{};{}",
        read("hostname"),
        read("ostype"),
        read("osrelease"),
        read("version"),
        std::env::consts::ARCH
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc() {
        assert!(peak_rss_kb() > 0);
        assert!(mem_total_bytes() > 0);
        assert_eq!(hw_info().split(';').count(), 5);
        assert!((-20..=19).contains(&nice()));
    }
}
