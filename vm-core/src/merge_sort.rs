//! The one sort behind `sort`, `sort_by` and `sort_with`: a stable, bottom-up merge sort
//! that asks for one comparison at a time. `sort` and `sort_by` answer from the value order
//! at once ([`sort`]); `sort_with` answers each question by calling the program's function,
//! so the sort must be able to stop between comparisons and resume ([`MergeSort`]). Any
//! answers, even inconsistent ones, give a permutation of the input: the sort never
//! panics and never loses an element.

/// A merge sort in progress: runs of `width` sorted elements of `src` are merged pairwise
/// into `dst`; when a pass is over, `dst` becomes `src` and the width doubles.
#[derive(Debug)]
pub(crate) struct MergeSort<T> {
    src: Vec<T>,
    dst: Vec<T>,
    width: usize,
    /// The next elements of the left and right runs, and where each run ends.
    left: usize,
    left_end: usize,
    right: usize,
    right_end: usize,
}

impl<T: Copy> MergeSort<T> {
    pub(crate) fn new(items: Vec<T>) -> Self {
        let mut sort = MergeSort {
            dst: Vec::with_capacity(items.len()),
            src: items,
            width: 1,
            left: 0,
            left_end: 0,
            right: 0,
            right_end: 0,
        };
        sort.start_runs(0);
        sort
    }

    fn start_runs(&mut self, start: usize) {
        let n = self.src.len();
        self.left = start;
        self.left_end = (start + self.width).min(n);
        self.right = self.left_end;
        self.right_end = (start + 2 * self.width).min(n);
    }

    /// The next two elements to compare (left, right), or `None` when the sort is done.
    pub(crate) fn question(&mut self) -> Option<(T, T)> {
        loop {
            if self.width >= self.src.len() {
                return None;
            }
            if self.left < self.left_end && self.right < self.right_end {
                return Some((self.src[self.left], self.src[self.right]));
            }
            // One run is used up: the rest of the other follows as it is.
            self.dst.extend_from_slice(&self.src[self.left..self.left_end]);
            self.dst.extend_from_slice(&self.src[self.right..self.right_end]);
            if self.right_end < self.src.len() {
                self.start_runs(self.right_end);
            } else {
                std::mem::swap(&mut self.src, &mut self.dst);
                self.dst.clear();
                self.width = self.width.saturating_mul(2);
                self.start_runs(0);
            }
        }
    }

    /// Answers the last question: whether the right element goes first (it is strictly
    /// smaller; equal elements keep their order, which makes the sort stable).
    pub(crate) fn answer(&mut self, right_first: bool) {
        if right_first {
            self.dst.push(self.src[self.right]);
            self.right += 1;
        } else {
            self.dst.push(self.src[self.left]);
            self.left += 1;
        }
    }

    /// The sorted elements (once [`MergeSort::question`] has said there are no more).
    pub(crate) fn into_sorted(self) -> Vec<T> {
        self.src
    }

    /// Every element held, sorted or not (for the collector).
    pub(crate) fn elements(&self) -> impl Iterator<Item = &T> {
        self.src.iter().chain(&self.dst)
    }
}

/// Sorts `items` stably with `right_first(left, right)` answering each comparison at once;
/// the first error it gives ends the sort.
pub(crate) fn sort<T: Copy, E>(
    items: Vec<T>,
    mut right_first: impl FnMut(T, T) -> Result<bool, E>,
) -> Result<Vec<T>, E> {
    let mut sort = MergeSort::new(items);
    while let Some((left, right)) = sort.question() {
        let answer = right_first(left, right)?;
        sort.answer(answer);
    }
    Ok(sort.into_sorted())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(items: Vec<i64>) -> Vec<i64> {
        sort(items, |a, b| Ok::<_, ()>(b < a)).unwrap()
    }

    #[test]
    fn sorts_every_small_input() {
        for n in 0..8u32 {
            // Every array of n digits from 0 to 3.
            for code in 0..4u32.pow(n) {
                let items: Vec<i64> = (0..n).map(|i| ((code >> (2 * i)) & 3) as i64).collect();
                let mut expected = items.clone();
                expected.sort();
                assert_eq!(sorted(items.clone()), expected, "sorting {items:?}");
            }
        }
    }

    #[test]
    fn is_stable() {
        let items: Vec<(i64, usize)> = [3, 1, 3, 2, 1, 3, 2].iter().enumerate().map(|(i, &k)| (k, i)).collect();
        let out = sort(items, |a, b| Ok::<_, ()>(b.0 < a.0)).unwrap();
        assert_eq!(out, [(1, 1), (1, 4), (2, 3), (2, 6), (3, 0), (3, 2), (3, 5)]);
    }

    #[test]
    fn inconsistent_answers_still_give_a_permutation() {
        let items: Vec<i64> = (0..100).collect();
        let mut flip = false;
        let mut out = sort(items.clone(), |_, _| {
            flip = !flip;
            Ok::<_, ()>(flip)
        })
        .unwrap();
        out.sort();
        assert_eq!(out, items);
    }

    #[test]
    fn an_error_ends_the_sort() {
        let mut asked = 0;
        let result = sort(vec![3, 2, 1], |_, _| {
            asked += 1;
            Err::<bool, _>("no")
        });
        assert_eq!((result, asked), (Err("no"), 1));
    }

    #[test]
    fn a_large_input_takes_n_log_n_comparisons() {
        let items: Vec<i64> = (0..4096).rev().collect();
        let mut asked = 0;
        let out = sort(items, |a, b| {
            asked += 1;
            Ok::<_, ()>(b < a)
        })
        .unwrap();
        assert!(out.windows(2).all(|w| w[0] <= w[1]));
        assert!(asked <= 4096 * 12, "{asked} comparisons");
    }
}
