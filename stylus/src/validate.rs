//! (validate: to be written)
