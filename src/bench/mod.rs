//! `doorstep bench`: benchmarks that make their own deterministic data, run
//! on this machine and print their figures beside the budgets of DESIGN.md
//! section 12.

pub mod neighbourhoods;
pub mod search;

/// The process's peak resident memory so far, in megabytes (Linux).
pub fn peak_memory_mb() -> Option<f64> {
    memory_mb("VmHWM:")
}

/// The process's resident memory now, in megabytes (Linux).
pub fn resident_memory_mb() -> Option<f64> {
    memory_mb("VmRSS:")
}

fn memory_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The value at fraction `q` (0 to 1) of sorted samples.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_from_sorted_samples() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 0.5), 51.0);
        assert_eq!(percentile(&samples, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
