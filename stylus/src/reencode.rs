//! (reencode: to be written)
