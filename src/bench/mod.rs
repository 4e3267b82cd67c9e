//! `doorstep bench`: benchmarks that make their own deterministic data, run
//! on this machine and print their figures beside the budgets of DESIGN.md
//! section 12.

pub mod compare;
pub mod feeds;
pub mod listings;
pub mod load;
pub mod neighbourhoods;
pub mod networks;
pub mod openreferral;
pub mod pages;
pub mod postgis;
pub mod relevance;
pub mod search;

use std::io::BufRead;

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

/// Asks for the pages `url(n)` names (n from 0), one request at a time on
/// one keep-alive connection: `warm_up` untimed, then `requests` timed. Each
/// must answer 200. Returns the times in milliseconds, sorted, and the size
/// of the last answer's body.
pub fn time_gets(
    (writer, reader): (&mut impl std::io::Write, &mut impl BufRead),
    url: impl Fn(usize) -> String,
    cookie: &str,
    (warm_up, requests): (usize, usize),
) -> std::io::Result<(Vec<f64>, usize)> {
    let cookie = if cookie.is_empty() { String::new() } else { format!("Cookie: {cookie}\r\n") };
    let mut times = Vec::with_capacity(requests);
    let mut size = 0;
    for n in 0..warm_up + requests {
        let url = url(n);
        let started = std::time::Instant::now();
        write!(writer, "GET {url} HTTP/1.1\r\nHost: bench\r\n{cookie}\r\n")?;
        let (status, length) = read_response(reader)?;
        if status != 200 {
            return Err(std::io::Error::other(format!("{url} answered {status}")));
        }
        if n >= warm_up {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        size = length;
    }
    times.sort_by(f64::total_cmp);
    Ok((times, size))
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns its
/// status and the length of its body.
pub fn read_response(reader: &mut impl BufRead) -> std::io::Result<(u16, usize)> {
    read_response_body(reader).map(|(status, body)| (status, body.len()))
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns its
/// status and its body.
pub fn read_response_body(reader: &mut impl BufRead) -> std::io::Result<(u16, Vec<u8>)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::other("the connection closed"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((status, body))
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
