//! Mapping search (spatial generation, LOMA, SALSA).
