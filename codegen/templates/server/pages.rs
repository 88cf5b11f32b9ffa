//! The pages a browser gets.
