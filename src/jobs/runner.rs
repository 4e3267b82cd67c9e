//! One small runner for the background jobs: each job has a name and an
//! interval and runs on its own thread, one step at a time; a step that fails
//! is logged with the job's name and tried again at the next interval.
//! `Running::stop` (or dropping it) asks every job to stop and waits for the
//! step in hand to finish. Tests call `Runner::run_once` to take one step
//! where they can see it, instead of sleeping while a thread does.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One step of a job: `Err` says what went wrong, for the log.
type Step = Box<dyn FnMut() -> Result<(), String> + Send>;

/// Told of every step taken: the job's name, and whether the step failed.
type Observer = Arc<dyn Fn(&'static str, bool) + Send + Sync>;

struct Job {
    name: &'static str,
    every: Duration,
    step: Step,
}

/// The jobs to run, not yet started.
#[derive(Default)]
pub struct Runner {
    jobs: Vec<Job>,
    observer: Option<Observer>,
}

/// Whether the jobs have been asked to stop, and a way to wake them.
type StopSignal = Arc<(Mutex<bool>, Condvar)>;

/// Jobs running on their threads until stopped.
pub struct Running {
    stop: StopSignal,
    threads: Vec<(&'static str, JoinHandle<()>)>,
}

impl Runner {
    pub fn new() -> Self {
        Runner::default()
    }

    /// Adds a job that takes a step every `every`, the first one `every` after start.
    pub fn add<E: std::fmt::Display>(
        mut self,
        name: &'static str,
        every: Duration,
        mut step: impl FnMut() -> Result<(), E> + Send + 'static,
    ) -> Self {
        let step: Step = Box::new(move || step().map_err(|e| e.to_string()));
        self.jobs.push(Job { name, every, step });
        self
    }

    /// Tells `observer` of every step taken (for `/metrics`).
    pub fn observed_by(mut self, observer: impl Fn(&'static str, bool) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The names of the jobs, in the order they were added.
    pub fn names(&self) -> Vec<&'static str> {
        self.jobs.iter().map(|job| job.name).collect()
    }

    /// Takes one step of the job `name` now, on this thread. `Err` when the
    /// step failed, or there is no such job.
    pub fn run_once(&mut self, name: &str) -> Result<(), String> {
        let job =
            self.jobs.iter_mut().find(|job| job.name == name).ok_or_else(|| format!("no job {name}"))?;
        take_step(job, self.observer.as_ref())
    }

    /// Starts every job on its own thread.
    pub fn start(self) -> Running {
        let stop: StopSignal = Arc::default();
        let threads = self
            .jobs
            .into_iter()
            .map(|job| {
                let (stop, observer) = (Arc::clone(&stop), self.observer.clone());
                (job.name, std::thread::spawn(move || run(job, observer.as_ref(), &stop)))
            })
            .collect();
        Running { stop, threads }
    }
}

/// A job's thread: wait an interval (or until asked to stop), take a step, again.
fn run(mut job: Job, observer: Option<&Observer>, stop: &StopSignal) {
    let (stopped, wake) = &**stop;
    loop {
        let guard = stopped.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) =
            wake.wait_timeout_while(guard, job.every, |stopped| !*stopped).unwrap_or_else(|p| p.into_inner());
        if *guard {
            return;
        }
        drop(guard);
        if let Err(error) = take_step(&mut job, observer) {
            tracing::warn!(job = job.name, %error, "a background job failed; it will try again");
        }
    }
}

/// Takes one step of `job`, telling `observer` of it. A step that panics
/// is a failed step: the job goes on at its next interval.
fn take_step(job: &mut Job, observer: Option<&Observer>) -> Result<(), String> {
    let taken = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.step)()))
        .unwrap_or_else(|_| Err(String::from("the step panicked")));
    if let Some(observer) = observer {
        observer(job.name, taken.is_err());
    }
    taken
}

impl Running {
    /// Asks every job to stop, and waits for each to finish the step in hand.
    pub fn stop(mut self) {
        self.stop_all();
    }

    fn stop_all(&mut self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        for (name, thread) in self.threads.drain(..) {
            if thread.join().is_err() {
                tracing::error!(job = name, "a background job panicked");
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn one_step_runs_where_the_caller_can_see_it() {
        let steps = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&steps);
        let mut runner = Runner::new()
            .add("count", Duration::from_secs(3600), move || -> Result<(), String> {
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .add("fail", Duration::from_secs(3600), || Err("the disk is full"));
        assert_eq!(runner.names(), ["count", "fail"]);
        runner.run_once("count").unwrap();
        assert_eq!(steps.load(Ordering::SeqCst), 1);
        assert_eq!(runner.run_once("fail"), Err(String::from("the disk is full")));
        assert!(runner.run_once("nothing").is_err());
    }

    #[test]
    fn a_step_that_panics_is_a_failed_step_and_the_job_goes_on() {
        let steps = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&steps);
        let mut runner =
            Runner::new().add("flaky", Duration::from_secs(3600), move || -> Result<(), String> {
                if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("out of range");
                }
                Ok(())
            });
        assert_eq!(runner.run_once("flaky"), Err(String::from("the step panicked")));
        assert_eq!(runner.run_once("flaky"), Ok(()));
    }

    #[test]
    fn stopping_wakes_a_waiting_job_and_waits_for_it() {
        let steps = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&steps);
        let running = Runner::new()
            .add("hourly", Duration::from_secs(3600), move || -> Result<(), String> {
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .start();
        let asked = std::time::Instant::now();
        running.stop();
        assert!(asked.elapsed() < Duration::from_secs(60), "stopping does not wait out the hour");
        assert_eq!(steps.load(Ordering::SeqCst), 0, "no step was started once stopping");
    }
}
