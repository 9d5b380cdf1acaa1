//! (in progress) owned by the CN-generation work.
