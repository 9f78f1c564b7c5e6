//! Checks of the heap's health: that everything reachable is live ([`Heap::verify`]) and,
//! at the end of marking, the tri-colour invariant. The stress modes run both.

use std::fmt;

use crate::handle::Handle;
use crate::heap::{Colour, Heap};
use crate::trace::{Trace, Tracer};

impl<T: Trace> Heap<T> {
    fn children(value: &T, out: &mut Vec<Handle>) {
        out.clear();
        value.trace(&mut Tracer::collecting(out));
    }

    /// After the atomic phase: no black object points to one that is not black.
    pub(crate) fn check_no_black_to_white(&self) -> Result<(), VerifyError> {
        let mut children = Vec::new();
        for (index, value) in self.values.iter().enumerate() {
            if self.colours[index] != Colour::Black {
                continue;
            }
            let Some(value) = value else { continue };
            Self::children(value, &mut children);
            for &child in &children {
                let colour = self.colours.get(child.index() as usize).copied();
                if colour != Some(Colour::Black) {
                    return Err(VerifyError::BlackToWhite { parent: self.handle_at(index), child });
                }
            }
        }
        Ok(())
    }

    /// Checks that every handle reachable from `roots` names a live object. A failure means
    /// some handle was not reported by a root set or a `Trace` implementation, or a barrier
    /// was skipped, and its object was freed while still in use. (Unreachable objects
    /// awaiting the sweep may point to objects already swept; they are not checked.)
    ///
    /// # Errors
    /// The first dangling handle found, with where it was held.
    pub fn verify(&self, mut roots: impl FnMut(&mut Tracer<'_>)) -> Result<(), VerifyError> {
        let mut handles = Vec::new();
        roots(&mut Tracer::collecting(&mut handles));
        if let Some(&handle) = handles.iter().find(|&&h| !self.contains(h)) {
            return Err(VerifyError::DanglingRoot { handle });
        }
        let mut seen = vec![false; self.values.len()];
        let mut todo = handles;
        let mut children = Vec::new();
        while let Some(parent) = todo.pop() {
            let index = parent.index() as usize;
            if std::mem::replace(&mut seen[index], true) {
                continue;
            }
            let Some(value) = self.get(parent) else {
                continue;
            };
            Self::children(value, &mut children);
            if let Some(&child) = children.iter().find(|&&h| !self.contains(h)) {
                return Err(VerifyError::DanglingChild { parent, child });
            }
            todo.extend_from_slice(&children);
        }
        Ok(())
    }
}

/// What [`Heap::verify`] (or the stress-mode invariant check) found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// A root names a freed slot.
    DanglingRoot { handle: Handle },
    /// A live object holds a handle to a freed slot.
    DanglingChild { parent: Handle, child: Handle },
    /// After marking, a black object points to an object that is not black.
    BlackToWhite { parent: Handle, child: Handle },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::DanglingRoot { handle } => {
                write!(f, "root {handle:?} names a freed object")
            }
            VerifyError::DanglingChild { parent, child } => {
                write!(f, "object {parent:?} holds {child:?}, which was freed")
            }
            VerifyError::BlackToWhite { parent, child } => {
                write!(f, "black object {parent:?} points to unmarked {child:?}")
            }
        }
    }
}

impl std::error::Error for VerifyError {}
