//! ZigZag 3.9.1 analytical cost model.
