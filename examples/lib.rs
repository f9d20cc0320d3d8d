//! Runnable examples of the workspace's crates; see the `[[example]]`
//! entries. The README's code blocks are compiled and run here as doctests.
#![doc = include_str!("../README.md")]
