//! Wall time per stage of a run, for `woonzorg run --profile`.

use std::time::{Duration, Instant};

/// Laps of a stopwatch: each stage's wall time, in the order the run passed them.
#[derive(Debug, Clone)]
pub struct StageTimes {
    started: Instant,
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Default for StageTimes {
    fn default() -> Self {
        StageTimes::start()
    }
}

impl StageTimes {
    pub fn start() -> StageTimes {
        let now = Instant::now();
        StageTimes {
            started: now,
            last: now,
            laps: Vec::new(),
        }
    }

    /// End the stage `name` now (the time since the previous lap).
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.laps.push((name, now - self.last));
        self.last = now;
    }

    /// End two stages now, the first of which took `first_took` (measured where it ran,
    /// beside other work) and the second the rest of the time since the previous lap.
    pub fn lap_split(&mut self, first: &'static str, first_took: Duration, second: &'static str) {
        let now = Instant::now();
        let took = (now - self.last).max(first_took);
        self.laps.push((first, first_took));
        self.laps.push((second, took - first_took));
        self.last = now;
    }

    pub fn laps(&self) -> &[(&'static str, Duration)] {
        &self.laps
    }

    /// A table for the terminal: stage, milliseconds, share of the total.
    pub fn report(&self) -> String {
        let total = self.last - self.started;
        let mut s = String::from("stap                               ms      %\n");
        for (name, d) in &self.laps {
            s.push_str(&format!(
                "{name:<30} {:>7.1} {:>6.1}\n",
                d.as_secs_f64() * 1e3,
                100.0 * d.as_secs_f64() / total.as_secs_f64().max(1e-9)
            ));
        }
        s.push_str(&format!(
            "{:<30} {:>7.1}\n",
            "totaal",
            total.as_secs_f64() * 1e3
        ));
        s
    }
}
