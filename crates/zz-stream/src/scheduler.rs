//! (in progress) owned by the scheduler work.
