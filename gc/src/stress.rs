//! [`Stress`]: collector modes for tests that make bugs in roots, tracing and barriers
//! show up at once instead of in a rare interleaving.

/// How hard the collector works, for testing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Stress {
    /// Normal pacing by allocation.
    #[default]
    Off,
    /// A whole collection at every step that follows an allocation, then a check that
    /// everything reachable is live. Finds a missing root or trace edge at the first
    /// allocation after it matters.
    Full,
    /// Marking is always in progress: a new cycle starts as soon as one ends, every safe
    /// point does a small increment and every allocation a smaller one (propagation and
    /// sweeping only, which need no roots). After each atomic phase no black object may
    /// point to a white one, and after each sweep the heap is verified. Finds missing
    /// barriers and allocation-colour bugs, which a full collection per step hides.
    Incremental,
}

impl Stress {
    /// The mode named by `KAI_GC_STRESS`-style text: `""`/`"0"`/`"off"` is [`Stress::Off`],
    /// `"incremental"` is [`Stress::Incremental`], anything else (`"1"`, `"full"`) is
    /// [`Stress::Full`].
    pub fn from_setting(text: &str) -> Stress {
        match text.trim() {
            "" | "0" | "off" => Stress::Off,
            "incremental" => Stress::Incremental,
            _ => Stress::Full,
        }
    }
}
