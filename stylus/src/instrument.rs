//! (instrument: to be written)
