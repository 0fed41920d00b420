//! Self-healing decisions: which endings of a module's process call for a
//! restart (its manifest's restart policy), and whether its restart budget
//! (N restarts within a window) still allows one, so a crash loop is
//! stopped and reported instead of spinning.

use alloc::collections::VecDeque;
use core::fmt;

use helix_manifest::{RestartBudget, RestartPolicy};

/// How a module's process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A CPU exception (the text says which, where).
    Fault(alloc::string::String),
    /// Its runtime reported a panic.
    Panic,
    /// `init` or `start` failed, or its server loop lost its endpoint.
    Failed(alloc::string::String),
    /// It exited with this status (0 = clean).
    Exit(u64),
    /// It answered its health check with "not healthy".
    Unhealthy,
    /// It stopped answering the manager (watchdog).
    Hung,
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ending::Fault(what) => write!(f, "fault: {what}"),
            Ending::Panic => f.write_str("panicked"),
            Ending::Failed(why) => f.write_str(why),
            Ending::Exit(0) => f.write_str("exited"),
            Ending::Exit(n) => write!(f, "exited with status {n}"),
            Ending::Unhealthy => f.write_str("reported itself unhealthy"),
            Ending::Hung => f.write_str("stopped answering"),
        }
    }
}

impl Ending {
    /// Whether this ending is a failure (everything but a clean exit).
    pub fn is_failure(&self) -> bool {
        *self != Ending::Exit(0)
    }
}

/// Whether `policy` restarts a module that ended with `ending`.
pub fn wants_restart(policy: RestartPolicy, ending: &Ending) -> bool {
    match policy {
        RestartPolicy::Never => false,
        RestartPolicy::OnFailure => ending.is_failure(),
        RestartPolicy::Always => true,
    }
}

/// The restarts of one module within its budget's window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestartLog {
    times_ms: VecDeque<u64>,
}

impl RestartLog {
    /// No restarts yet.
    pub fn new() -> RestartLog {
        RestartLog::default()
    }

    /// May the module restart at `now_ms`? Records the restart when it may;
    /// `false` once `budget.restarts` restarts fall within the last
    /// `budget.window_ms`.
    pub fn allow(&mut self, now_ms: u64, budget: RestartBudget) -> bool {
        while self
            .times_ms
            .front()
            .is_some_and(|t| now_ms.saturating_sub(*t) >= budget.window_ms)
        {
            self.times_ms.pop_front();
        }
        if self.times_ms.len() >= budget.restarts as usize {
            return false;
        }
        self.times_ms.push_back(now_ms);
        true
    }

    /// Restarts within the current window.
    pub fn recent(&self) -> usize {
        self.times_ms.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn policies_decide_which_endings_restart() {
        let all = [
            Ending::Fault(String::from("#PF")),
            Ending::Panic,
            Ending::Failed(String::from("init failed")),
            Ending::Exit(3),
            Ending::Unhealthy,
            Ending::Hung,
        ];
        for e in &all {
            assert!(wants_restart(RestartPolicy::OnFailure, e), "{e}");
            assert!(wants_restart(RestartPolicy::Always, e), "{e}");
            assert!(!wants_restart(RestartPolicy::Never, e), "{e}");
        }
        assert!(!wants_restart(RestartPolicy::OnFailure, &Ending::Exit(0)));
        assert!(wants_restart(RestartPolicy::Always, &Ending::Exit(0)));
    }

    #[test]
    fn the_budget_stops_a_crash_loop_and_forgets_old_restarts() {
        let budget = RestartBudget {
            restarts: 3,
            window_ms: 10_000,
        };
        let mut log = RestartLog::new();
        assert!(log.allow(0, budget));
        assert!(log.allow(100, budget));
        assert!(log.allow(200, budget));
        assert!(!log.allow(300, budget), "a fourth within 10 s is refused");
        assert!(!log.allow(9_999, budget));
        assert_eq!(log.recent(), 3);
        assert!(log.allow(10_000, budget), "the first one left the window");
        assert_eq!(log.recent(), 3);
        let none = RestartBudget {
            restarts: 0,
            window_ms: 1,
        };
        assert!(
            !RestartLog::new().allow(0, none),
            "a budget of 0 never restarts"
        );
    }
}
