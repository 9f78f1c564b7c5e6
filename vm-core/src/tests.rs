//! Tests of the executor that need no frontend: ops assembled by hand.
