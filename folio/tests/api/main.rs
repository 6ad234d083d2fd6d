//! End-to-end tests of the embedded deployment: the real `folio` binary on a random port
//! with a temporary data directory, driven over HTTP. Produced .docx files are checked by
//! independent readers (python-docx and openxml-audit from the project's virtualenv, and
//! LibreOffice when it is installed). One test binary with modules, so it links once.

mod helpers;

mod commands;
mod errors;
mod lifecycle;
mod reads;
mod scenario;
