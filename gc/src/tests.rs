//! Tests of the collector against a tiny object graph of nodes holding handles.

use proptest::prelude::*;

use crate::{Handle, Heap, Phase, Trace, Tracer};

#[derive(Default)]
struct Node {
    edges: Vec<Handle>,
}

impl Trace for Node {
    fn trace(&self, tracer: &mut Tracer<'_>) {
        for &edge in &self.edges {
            tracer.mark(edge);
        }
    }
    fn extra_bytes(&self) -> usize {
        self.edges.capacity() * std::mem::size_of::<Handle>()
    }
}

fn roots_of(roots: &[Handle]) -> impl FnMut(&mut Tracer<'_>) + '_ {
    move |t: &mut Tracer<'_>| roots.iter().for_each(|&h| t.mark(h))
}

#[test]
fn unreachable_objects_are_freed_and_reachable_ones_kept() {
    let mut heap = Heap::new();
    let kept = heap.alloc(Node::default());
    let child = heap.alloc(Node::default());
    heap.get_mut(kept).unwrap().edges.push(child);
    let garbage = heap.alloc(Node::default());
    heap.collect(roots_of(&[kept]));
    assert!(heap.contains(kept));
    assert!(heap.contains(child));
    assert!(!heap.contains(garbage));
    assert_eq!(heap.len(), 2);
    assert_eq!(heap.stats().collections, 1);
}

#[test]
fn cycles_are_collected() {
    let mut heap = Heap::new();
    let a = heap.alloc(Node::default());
    let b = heap.alloc(Node::default());
    heap.get_mut(a).unwrap().edges.push(b);
    heap.get_mut(b).unwrap().edges.push(a);
    let selfish = heap.alloc(Node::default());
    heap.get_mut(selfish).unwrap().edges.push(selfish);
    heap.collect(roots_of(&[]));
    assert!(heap.is_empty());
}

#[test]
fn a_stale_handle_is_detected_after_its_slot_is_reused() {
    let mut heap = Heap::new();
    let old = heap.alloc(Node::default());
    heap.collect(roots_of(&[]));
    let new = heap.alloc(Node::default());
    assert_eq!(old.index(), new.index(), "the freed slot is reused");
    assert!(heap.get(old).is_none());
    assert!(heap.get(new).is_some());
}

#[test]
fn verify_reports_a_dangling_child() {
    let mut heap = Heap::new();
    let a = heap.alloc(Node::default());
    let b = heap.alloc(Node::default());
    // Hide the edge from the collector by adding it after b is freed.
    heap.collect(roots_of(&[a]));
    heap.get_mut(a).unwrap().edges.push(b);
    assert!(heap.verify(roots_of(&[a])).is_err());
}

#[test]
fn the_barrier_keeps_an_object_stored_into_a_black_one_alive() {
    let mut heap = Heap::new();
    let root = heap.alloc(Node::default());
    // Start a cycle and finish marking the root, so it is black.
    for _ in 0..64 {
        heap.alloc(Node::default());
    }
    heap.begin_mark(&mut roots_of(&[root]));
    heap.propagate(usize::MAX);
    assert_eq!(heap.phase(), Phase::Mark);
    // The mutator now hides a white object in the black root, holding it nowhere else.
    let late = heap.alloc(Node::default()); // allocated black: survives anyway
    let white = heap.handles().find(|&h| h != root && h != late).unwrap();
    heap.get_mut(root).unwrap().edges.push(white);
    heap.propagate(usize::MAX);
    heap.atomic(&mut roots_of(&[root]));
    heap.sweep(usize::MAX);
    assert!(heap.contains(white), "the barrier re-greyed the root");
    assert!(heap.verify(roots_of(&[root])).is_ok());
}

#[test]
fn steps_paced_by_allocation_finish_cycles_and_bound_the_heap() {
    let mut heap = Heap::new();
    let root = heap.alloc(Node::default());
    for i in 0..200_000u32 {
        let h = heap.alloc(Node::default());
        if i % 1000 == 0 {
            // Keep a few objects; the rest is garbage.
            heap.get_mut(root).unwrap().edges.push(h);
        }
        if heap.wants_step() {
            heap.step(roots_of(&[root]));
        }
    }
    assert!(heap.stats().collections > 0);
    assert!(heap.len() < 100_000, "garbage is reclaimed while allocating: {}", heap.len());
    heap.collect(roots_of(&[root]));
    assert_eq!(heap.len(), 1 + 200);
    assert!(heap.verify(roots_of(&[root])).is_ok());
}

#[test]
fn stress_mode_collects_at_every_step() {
    let mut heap = Heap::new();
    heap.set_stress(true);
    let root = heap.alloc(Node::default());
    for _ in 0..10 {
        heap.alloc(Node::default());
        assert!(heap.wants_step());
        heap.step(roots_of(&[root]));
        assert_eq!(heap.len(), 1);
    }
    assert_eq!(heap.stats().collections, 10);
}

#[derive(Debug, Clone)]
enum MutatorOp {
    Alloc,
    Link { from: usize, to: usize },
    Unlink { from: usize },
    DropRoot { which: usize },
    Step { budget: usize },
}

fn mutator_op() -> impl Strategy<Value = MutatorOp> {
    prop_oneof![
        3 => Just(MutatorOp::Alloc),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(from, to)| MutatorOp::Link { from, to }),
        1 => any::<usize>().prop_map(|from| MutatorOp::Unlink { from }),
        1 => any::<usize>().prop_map(|which| MutatorOp::DropRoot { which }),
        2 => (1usize..8).prop_map(|budget| MutatorOp::Step { budget }),
    ]
}

proptest! {
    /// Whatever the mutator does between increments, nothing reachable is freed, and a full
    /// collection afterwards leaves exactly the reachable objects.
    #[test]
    fn incremental_collection_never_frees_reachable_objects(
        ops in proptest::collection::vec(mutator_op(), 1..400)
    ) {
        let mut heap: Heap<Node> = Heap::new();
        let mut roots: Vec<Handle> = Vec::new();
        for op in ops {
            match op {
                MutatorOp::Alloc => roots.push(heap.alloc(Node::default())),
                MutatorOp::Link { from, to } if !roots.is_empty() => {
                    let (from, to) = (roots[from % roots.len()], roots[to % roots.len()]);
                    heap.get_mut(from).unwrap().edges.push(to);
                }
                MutatorOp::Unlink { from } if !roots.is_empty() => {
                    let from = roots[from % roots.len()];
                    heap.get_mut(from).unwrap().edges.pop();
                }
                MutatorOp::DropRoot { which } if !roots.is_empty() => {
                    // A dropped root may stay reachable through another root's edges.
                    roots.swap_remove(which % roots.len());
                }
                MutatorOp::Step { budget } => {
                    // Tiny increments interleave marking and sweeping with mutation.
                    heap.threshold = 0;
                    heap.work(budget, &mut roots_of(&roots));
                }
                _ => {}
            }
            let verified = heap.verify(roots_of(&roots));
            prop_assert!(verified.is_ok(), "{:?} in phase {:?}", verified, heap.phase());
        }
        heap.collect(roots_of(&roots));
        prop_assert!(heap.verify(roots_of(&roots)).is_ok());
        // Count what is reachable by a plain graph walk.
        let mut seen = std::collections::HashSet::new();
        let mut todo = roots.clone();
        while let Some(h) = todo.pop() {
            if seen.insert(h) {
                todo.extend(heap.get(h).unwrap().edges.iter().copied());
            }
        }
        prop_assert_eq!(heap.len(), seen.len());
    }
}
