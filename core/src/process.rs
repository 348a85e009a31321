//! Settings of the analyzer process itself: nice value (`-P`) and CPU binding (`-c`)
//! (core.md §1, T2's `t2_set_cpu`), through rustix's safe system calls.

use std::io;

use rustix::thread::{CpuSet, sched_getcpu, sched_setaffinity};

/// Whether the process runs as root (T2 asks `getuid() == 0`).
pub fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

/// Checks a `-P` value as T2 does before setting it: root may use -20…20, others 0…20.
/// The error is T2's message, printed with the `Try 'tranalyzer -h'` hint.
pub fn check_priority(prio: i64, root: bool) -> Result<i32, String> {
    if root {
        if !(-20..=20).contains(&prio) {
            return Err("Priority MUST be between -20 and 20 (highest to lowest)".to_owned());
        }
    } else if prio < 0 {
        return Err("Only root can assign priority < 0".to_owned());
    } else if prio > 20 {
        return Err("Priority MUST be between 0 and 20 (highest to lowest)".to_owned());
    }
    Ok(prio as i32)
}

/// Sets the nice value of this process (`setpriority(PRIO_PROCESS, pid, prio)`).
pub fn set_priority(prio: i32) -> io::Result<()> {
    let pid = rustix::process::getpid();
    rustix::process::setpriority_process(Some(pid), prio).map_err(io::Error::from)
}

/// The CPU this thread runs on, 1-based as `-c` counts.
fn current_cpu() -> i64 {
    sched_getcpu() as i64 + 1
}

/// What `-c` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Bound to `new` (1-based), coming from `old`.
    Bound {
        /// The CPU before.
        old: i64,
        /// The CPU now.
        new: i64,
    },
    /// The kernel refused; still on `old`, `wanted` was asked for.
    Failed {
        /// The CPU the process stays on.
        old: i64,
        /// The CPU asked for.
        wanted: i64,
    },
}

/// Binds the process to CPU `cpu` (1-based; 0 = the CPU it runs on now). Threads started
/// later inherit the binding, so the signal thread runs there too.
pub fn bind_cpu(cpu: i64) -> Binding {
    let old = current_cpu();
    let wanted = if cpu == 0 { old } else { cpu };
    let index = usize::try_from(wanted - 1).ok().filter(|&i| i < CpuSet::MAX_CPU);
    let Some(index) = index else { return Binding::Failed { old, wanted } };
    let mut set = CpuSet::new();
    set.set(index);
    // `None`: the calling thread, from which later threads inherit the binding
    match sched_setaffinity(None, &set) {
        Ok(()) => Binding::Bound { old, new: current_cpu() },
        Err(_) => Binding::Failed { old, wanted },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_ranges() {
        assert_eq!(check_priority(-20, true), Ok(-20));
        assert_eq!(check_priority(20, true), Ok(20));
        assert!(check_priority(21, true).unwrap_err().contains("between -20 and 20"));
        assert_eq!(check_priority(-1, false).unwrap_err(), "Only root can assign priority < 0");
        assert!(check_priority(21, false).unwrap_err().contains("between 0 and 20"));
        assert_eq!(check_priority(0, false), Ok(0));
    }

    #[test]
    fn binds_only_to_existing_cpus() {
        // in a thread of its own: the binding sticks to the calling thread
        std::thread::spawn(|| {
            assert!(matches!(bind_cpu(1), Binding::Bound { new: 1, .. }));
            assert!(matches!(bind_cpu(0), Binding::Bound { old: 1, new: 1 }));
            assert_eq!(bind_cpu(100_000), Binding::Failed { old: 1, wanted: 100_000 });
        })
        .join()
        .unwrap();
    }
}
