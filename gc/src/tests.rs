//! Tests of the collector against a tiny object graph of nodes holding handles.

use proptest::prelude::*;

use crate::{Handle, Heap, Phase, Stress, Trace, Tracer};

#[derive(Default, Clone)]
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
    fn part_positions(&self) -> usize {
        self.edges.len()
    }
    fn trace_part(&self, from: usize, to: usize, tracer: &mut Tracer<'_>) {
        let to = to.min(self.edges.len());
        for &edge in &self.edges[from.min(to)..to] {
            tracer.mark(edge);
        }
    }
}

fn roots_of(roots: &[Handle]) -> impl FnMut(&mut Tracer<'_>) + '_ {
    move |t: &mut Tracer<'_>| roots.iter().for_each(|&h| t.mark(h))
}

/// Stores `to` into `from` through the forward barrier.
fn link(heap: &mut Heap<Node>, from: Handle, to: Handle) {
    heap.get_mut_storing(from, [to]).unwrap().edges.push(to);
}

/// Handles every object reachable from `roots`, by a plain graph walk.
fn reachable(heap: &Heap<Node>, roots: &[Handle]) -> std::collections::HashSet<Handle> {
    let mut seen = std::collections::HashSet::new();
    let mut todo = roots.to_vec();
    while let Some(h) = todo.pop() {
        if seen.insert(h) {
            todo.extend(heap.get(h).expect("reachable objects are live").edges.iter().copied());
        }
    }
    seen
}

#[test]
fn unreachable_objects_are_freed_and_reachable_ones_kept() {
    let mut heap = Heap::new();
    let kept = heap.alloc(Node::default());
    let child = heap.alloc(Node::default());
    link(&mut heap, kept, child);
    let garbage = heap.alloc(Node::default());
    heap.collect(roots_of(&[kept]));
    assert!(heap.contains(kept));
    assert!(heap.contains(child));
    assert!(!heap.contains(garbage));
    assert_eq!(heap.len(), 2);
    assert_eq!(heap.stats().collections, 1);
    assert_eq!(heap.stats().cycles_started, 1);
}

#[test]
fn cycles_are_collected() {
    let mut heap = Heap::new();
    let a = heap.alloc(Node::default());
    let b = heap.alloc(Node::default());
    link(&mut heap, a, b);
    link(&mut heap, b, a);
    let selfish = heap.alloc(Node::default());
    link(&mut heap, selfish, selfish);
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

/// A heap in the middle of marking: `root` (and only it) is black, `white` is an
/// unreachable white object.
fn heap_marking_with_black_root() -> (Heap<Node>, Handle, Handle) {
    let mut heap = Heap::new();
    let root = heap.alloc(Node::default());
    let white = heap.alloc(Node::default());
    heap.begin_mark(&mut roots_of(&[root]));
    heap.propagate(usize::MAX);
    assert_eq!(heap.phase(), Phase::Mark);
    (heap, root, white)
}

fn finish(heap: &mut Heap<Node>, roots: &[Handle]) {
    heap.propagate(usize::MAX);
    heap.atomic(&mut roots_of(roots));
    assert!(heap.check_no_black_to_white().is_ok());
    heap.sweep(usize::MAX);
    assert!(heap.verify(roots_of(roots)).is_ok());
}

#[test]
fn the_forward_barrier_keeps_an_object_stored_into_a_black_one_alive() {
    let (mut heap, root, white) = heap_marking_with_black_root();
    link(&mut heap, root, white);
    finish(&mut heap, &[root]);
    assert!(heap.contains(white), "the barrier shaded the stored object");
}

#[test]
fn an_object_changed_through_get_mut_is_rescanned_in_the_atomic_phase() {
    let (mut heap, root, white) = heap_marking_with_black_root();
    heap.get_mut(root).unwrap().edges.push(white);
    heap.get_mut(root).unwrap().edges.push(white);
    assert_eq!(heap.again.len(), 1, "set aside once, however often it changes");
    finish(&mut heap, &[root]);
    assert!(heap.contains(white));
}

/// The use-after-free of issue 7: S (grey, not yet scanned) holds W (white), W holds E
/// (white); the program makes N, a copy of W's edges, and stores it into S in place of W.
/// N is black (allocated while marking), so unless its children are shaded at birth, E is
/// never marked and is freed while N still points at it.
#[test]
fn objects_allocated_while_marking_keep_their_children() {
    let mut heap = Heap::new();
    let e = heap.alloc(Node::default());
    let w = heap.alloc(Node { edges: vec![e] });
    let s = heap.alloc(Node { edges: vec![w] });
    let root = heap.alloc(Node { edges: vec![s] });
    heap.begin_mark(&mut roots_of(&[root]));
    // Scan only the root: S is grey, W and E white.
    assert_eq!(heap.propagate(1), 2);
    let copy = heap.get(w).unwrap().clone();
    let n = heap.alloc(copy);
    heap.get_mut_storing(s, [n]).unwrap().edges = vec![n];
    finish(&mut heap, &[root]);
    assert!(heap.contains(e), "the copy's child survived");
    assert_eq!(heap.get(heap.get(s).unwrap().edges[0]).unwrap().edges, vec![e]);
}

/// Issue 7's never-ending cycle: a big container that receives a store on every step
/// must not be rescanned on every step.
#[test]
fn a_container_changed_at_every_step_does_not_stop_cycles_from_finishing() {
    for raw in [false, true] {
        let mut heap = Heap::new();
        let big = heap.alloc(Node::default());
        for _ in 0..50_000 {
            let h = heap.alloc(Node::default());
            link(&mut heap, big, h);
        }
        let started = heap.stats().collections;
        for _ in 0..1_000_000 {
            let h = heap.alloc(Node::default());
            if raw {
                heap.get_mut(big).unwrap().edges[0] = h;
            } else {
                heap.get_mut_storing(big, [h]).unwrap().edges[0] = h;
            }
            if heap.wants_step() {
                heap.step(roots_of(&[big]));
            }
        }
        let finished = heap.stats().collections - started;
        assert!(finished >= 5, "cycles finished while the container changed: {finished} (raw access: {raw})");
        assert!(heap.len() < 5 * 50_000, "garbage is reclaimed: {} live", heap.len());
    }
}

/// A heap marking a big object a part at a time: `big` holds `n` leaves, and the first
/// part of it has been scanned.
fn heap_scanning_big_object(n: usize) -> (Heap<Node>, Handle, Vec<Handle>) {
    let mut heap = Heap::new();
    let leaves: Vec<Handle> = (0..n).map(|_| heap.alloc(Node::default())).collect();
    let big = heap.alloc(Node { edges: leaves.clone() });
    heap.begin_mark(&mut roots_of(&[big]));
    heap.propagate(1);
    assert!(heap.partial.is_some(), "the big object is scanned in parts");
    heap.propagate(Heap::<Node>::PART_SIZE);
    (heap, big, leaves)
}

#[test]
fn a_big_object_is_scanned_a_part_at_a_time() {
    let (mut heap, big, leaves) = heap_scanning_big_object(100_000);
    let mut increments = 0;
    while heap.partial.is_some() {
        let work = heap.propagate(512);
        assert!(work <= 2 * Heap::<Node>::PART_SIZE + 2, "an increment did {work} units");
        increments += 1;
    }
    assert!(increments > 40, "{increments} increments");
    finish(&mut heap, &[big]);
    assert!(leaves.iter().all(|&h| heap.contains(h)));
}

#[test]
fn stores_and_removals_while_a_big_object_is_scanned_in_parts_lose_nothing() {
    let (mut heap, big, _) = heap_scanning_big_object(10_000);
    // A white object stored behind the scan, through the forward barrier.
    let stored = heap.alloc(Node::default());
    let hidden = heap.alloc(Node::default());
    let holder = heap.alloc(Node { edges: vec![hidden] });
    heap.get_mut_storing(big, [holder]).unwrap().edges[0] = holder;
    // An unscanned edge moved in front of the scan by a removal from the middle.
    let tail = heap.get(big).unwrap().edges[9_999];
    heap.get_mut_shifting(big, []).unwrap().edges.remove(5);
    heap.get_mut_shifting(big, []).unwrap().edges.insert(1, tail);
    heap.get_mut_storing(big, [stored]).unwrap().edges.push(stored);
    finish(&mut heap, &[big]);
    for h in [stored, hidden, holder, tail] {
        assert!(heap.contains(h));
    }
}

#[test]
fn steps_paced_by_allocation_finish_cycles_and_bound_the_heap() {
    let mut heap = Heap::new();
    let root = heap.alloc(Node::default());
    for i in 0..200_000u32 {
        let h = heap.alloc(Node::default());
        if i % 1000 == 0 {
            // Keep a few objects; the rest is garbage.
            link(&mut heap, root, h);
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
fn full_stress_mode_collects_at_every_step() {
    let mut heap = Heap::new();
    heap.set_stress(Stress::Full);
    let root = heap.alloc(Node::default());
    for _ in 0..10 {
        heap.alloc(Node::default());
        assert!(heap.wants_step());
        heap.step(roots_of(&[root]));
        assert_eq!(heap.len(), 1);
    }
    assert_eq!(heap.stats().collections, 10);
}

#[test]
fn incremental_stress_mode_keeps_marking_in_progress() {
    let mut heap = Heap::new();
    heap.set_stress(Stress::Incremental);
    let root = heap.alloc(Node::default());
    let mut marking = 0;
    for _ in 0..2_000 {
        let h = heap.alloc(Node::default());
        link(&mut heap, root, h);
        heap.get_mut_storing(root, []).unwrap().edges.remove(0);
        assert!(heap.wants_step());
        heap.step(roots_of(&[root]));
        marking += usize::from(heap.phase() == Phase::Mark);
    }
    assert!(heap.stats().collections > 10, "cycles run back to back: {:?}", heap.stats());
    assert!(marking > 500, "marking is in progress most of the time: {marking}");
}

#[test]
#[should_panic(expected = "GC stress")]
fn incremental_stress_mode_catches_a_missing_barrier() {
    let mut heap = Heap::new();
    heap.set_stress(Stress::Incremental);
    let holder = heap.alloc(Node::default());
    let target = heap.alloc(Node::default());
    let root = heap.alloc(Node { edges: vec![holder, target] });
    for _ in 0..10_000 {
        let h = heap.alloc(Node::default());
        link(&mut heap, holder, h);
        if heap.get(holder).unwrap().edges.len() > 8 {
            // Move the oldest edge into `target` with a store that names no handle to the
            // barrier: the bug the mode exists to find.
            let moved = heap.get_mut_storing(holder, []).unwrap().edges.remove(0);
            heap.get_mut_storing(target, []).unwrap().edges.push(moved);
        }
        heap.step(roots_of(&[root]));
    }
}

#[test]
fn stress_settings_are_parsed() {
    assert_eq!(Stress::from_setting(""), Stress::Off);
    assert_eq!(Stress::from_setting("0"), Stress::Off);
    assert_eq!(Stress::from_setting("1"), Stress::Full);
    assert_eq!(Stress::from_setting("full"), Stress::Full);
    assert_eq!(Stress::from_setting("incremental"), Stress::Incremental);
}

#[derive(Debug, Clone)]
enum MutatorOp {
    /// A new object holding edges to some roots.
    Alloc {
        children: Vec<usize>,
    },
    /// Replace the object at one of a root's edges by a new copy of it (as
    /// `S 0 S 0 at new put` does: the copied object is never a root itself).
    Copy {
        from: usize,
        edge: usize,
    },
    /// Load one of a root's edges into the roots (as a program reads a field onto its stack).
    Load {
        from: usize,
        edge: usize,
    },
    /// Store a root into another through the forward barrier.
    Link {
        from: usize,
        to: usize,
    },
    /// Store a root into another through `get_mut`.
    LinkRaw {
        from: usize,
        to: usize,
    },
    /// Move an edge from one root's object into another's, through the forward barrier or
    /// `get_mut` (the moved object is never a root itself).
    Move {
        from: usize,
        edge: usize,
        to: usize,
        raw: bool,
    },
    /// Overwrite one of a root's edges with another root.
    Replace {
        from: usize,
        edge: usize,
        to: usize,
    },
    Unlink {
        from: usize,
    },
    DropRoot {
        which: usize,
    },
    Step {
        budget: usize,
    },
}

fn mutator_op() -> impl Strategy<Value = MutatorOp> {
    let index = any::<usize>;
    prop_oneof![
        3 => proptest::collection::vec(index(), 0..3).prop_map(|children| MutatorOp::Alloc { children }),
        3 => (index(), index()).prop_map(|(from, edge)| MutatorOp::Copy { from, edge }),
        3 => (index(), index()).prop_map(|(from, edge)| MutatorOp::Load { from, edge }),
        3 => (index(), index()).prop_map(|(from, to)| MutatorOp::Link { from, to }),
        1 => (index(), index()).prop_map(|(from, to)| MutatorOp::LinkRaw { from, to }),
        2 => (index(), index(), index()).prop_map(|(from, edge, to)| MutatorOp::Replace { from, edge, to }),
        3 => (index(), index(), index(), any::<bool>())
            .prop_map(|(from, edge, to, raw)| MutatorOp::Move { from, edge, to, raw }),
        1 => index().prop_map(|from| MutatorOp::Unlink { from }),
        2 => index().prop_map(|which| MutatorOp::DropRoot { which }),
        3 => (1usize..4).prop_map(|budget| MutatorOp::Step { budget }),
    ]
}

proptest! {
    /// Whatever the mutator does between single increments — loading edges out of the heap
    /// into roots, allocating objects with children, storing into objects of any colour —
    /// nothing reachable is freed, the tri-colour invariant holds after every atomic phase,
    /// and a full collection afterwards leaves exactly the reachable objects.
    #[test]
    fn incremental_collection_never_frees_reachable_objects(
        ops in proptest::collection::vec(mutator_op(), 1..500)
    ) {
        let mut heap: Heap<Node> = Heap::new();
        // Objects of more than two edges are scanned in parts.
        heap.part_size = 2;
        let mut roots: Vec<Handle> = Vec::new();
        let pick = |roots: &[Handle], i: usize| roots[i % roots.len()];
        for op in ops {
            match op {
                MutatorOp::Alloc { children } => {
                    let edges = if roots.is_empty() { Vec::new() } else {
                        children.iter().map(|&c| pick(&roots, c)).collect()
                    };
                    roots.push(heap.alloc(Node { edges }));
                }
                MutatorOp::Copy { from, edge } if !roots.is_empty() => {
                    let from = pick(&roots, from);
                    let edges = &heap.get(from).unwrap().edges;
                    if !edges.is_empty() {
                        let i = edge % edges.len();
                        let copy = heap.get(edges[i]).unwrap().clone();
                        let copy = heap.alloc(copy);
                        heap.get_mut_storing(from, [copy]).unwrap().edges[i] = copy;
                    }
                }
                MutatorOp::Load { from, edge } if !roots.is_empty() => {
                    let edges = &heap.get(pick(&roots, from)).unwrap().edges;
                    if !edges.is_empty() {
                        roots.push(edges[edge % edges.len()]);
                    }
                }
                MutatorOp::Link { from, to } if !roots.is_empty() => {
                    link(&mut heap, pick(&roots, from), pick(&roots, to));
                }
                MutatorOp::LinkRaw { from, to } if !roots.is_empty() => {
                    let to = pick(&roots, to);
                    heap.get_mut(pick(&roots, from)).unwrap().edges.push(to);
                }
                MutatorOp::Move { from, edge, to, raw } if !roots.is_empty() => {
                    let (from, to) = (pick(&roots, from), pick(&roots, to));
                    let count = heap.get(from).unwrap().edges.len();
                    if count > 0 {
                        let moved = heap.get_mut_shifting(from, []).unwrap().edges.remove(edge % count);
                        let node = if raw { heap.get_mut(to) } else { heap.get_mut_storing(to, [moved]) };
                        node.unwrap().edges.push(moved);
                    }
                }
                MutatorOp::Replace { from, edge, to } if !roots.is_empty() => {
                    let (from, to) = (pick(&roots, from), pick(&roots, to));
                    let node = heap.get_mut_storing(from, [to]).unwrap();
                    if !node.edges.is_empty() {
                        let i = edge % node.edges.len();
                        node.edges[i] = to;
                    }
                }
                MutatorOp::Unlink { from } if !roots.is_empty() => {
                    heap.get_mut_storing(pick(&roots, from), []).unwrap().edges.pop();
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
        // Finishing the cycle in progress checks the invariant after its atomic phase.
        heap.set_stress(Stress::Full);
        heap.collect(roots_of(&roots));
        prop_assert!(heap.verify(roots_of(&roots)).is_ok());
        prop_assert_eq!(heap.len(), reachable(&heap, &roots).len());
    }
}
