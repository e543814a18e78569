//! (activation: to be written)
