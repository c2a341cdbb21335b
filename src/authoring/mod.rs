//! Rule authoring: `fitscan rules test` (`testing`: a rule's cases run through the
//! pipeline), `rules list` / `show` (`describe`), `rules docs` and `rules phases` (`docs`),
//! `rules facts` (`facts`). A client of the rules engine and the pipeline, never used by
//! them.

mod cases;
pub mod describe;
pub mod docs;
pub mod facts;
pub mod testing;
