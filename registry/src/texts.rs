//! [`ConstantTexts`]: one shared allocation per distinct text of a string constant, so
//! that every map key made from such a constant, in any unit, is the same text.
//!
//! Records are built and read by code whose field names are constants: `{"x": …}` in one
//! function, `b.x` in another. With their texts shared, the key a record holds and the
//! constant that reads it point at one allocation, and a field guess is confirmed by
//! comparing addresses instead of bytes (see [`crate::Registry::map_field`]).

use std::rc::Rc;

use rustc_hash::FxHashSet;

/// The table never shrinks below this many texts before it is pruned.
const FIRST_PRUNE: usize = 1024;

/// The shared texts of string constants. A text stays while any string or map key holds
/// it; the ones nothing holds any more are dropped when the table has doubled since it
/// was last pruned, so code loaded and thrown away (`eval`) does not grow it for ever.
#[derive(Debug)]
pub(crate) struct ConstantTexts {
    texts: FxHashSet<Rc<str>>,
    prune_at: usize,
}

impl Default for ConstantTexts {
    fn default() -> Self {
        ConstantTexts { texts: FxHashSet::default(), prune_at: FIRST_PRUNE }
    }
}

impl ConstantTexts {
    /// The shared text equal to `text`, made on first use.
    pub(crate) fn share(&mut self, text: &str) -> Rc<str> {
        if let Some(shared) = self.texts.get(text) {
            return shared.clone();
        }
        if self.texts.len() >= self.prune_at {
            // Only the table holds these: no string or key can point at them.
            self.texts.retain(|shared| Rc::strong_count(shared) > 1);
            self.prune_at = FIRST_PRUNE.max(2 * self.texts.len());
        }
        let shared: Rc<str> = Rc::from(text);
        self.texts.insert(shared.clone());
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_shared_and_dropped_once_nothing_holds_it() {
        let mut texts = ConstantTexts::default();
        let kept = texts.share("kept");
        assert!(Rc::ptr_eq(&kept, &texts.share("kept")));
        for i in 1..FIRST_PRUNE {
            drop(texts.share(&format!("t{i}")));
        }
        // The table is full: the next new text prunes every text only the table holds.
        drop(texts.share("one more"));
        assert_eq!(texts.texts.len(), 2, "'kept' and 'one more'");
        assert!(Rc::ptr_eq(&kept, &texts.share("kept")), "a text still held stays shared");
    }
}
