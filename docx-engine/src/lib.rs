//! docx-engine
